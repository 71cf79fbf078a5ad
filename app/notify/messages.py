"""Every notification text (zh-CN) in one place; texts never carry identity or complaint content."""

from dataclasses import dataclass

from app.config import get_settings


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _track_url() -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/track"


def ticket_acknowledged(number: str) -> Message:
    """To a real-name reporter: the ticket was accepted (受理告知)."""
    return Message(
        subject=f"您反映的问题已受理（{number}）",
        body=(
            f"您反映的问题（编号 {number}）已受理，我们将依规办理。"
            f"请凭编号和回执码在 {_track_url()} 查询进展。"
        ),
    )


def ticket_rejected(number: str) -> Message:
    """To a real-name reporter: the ticket was not accepted; the reason is on the track page."""
    return Message(
        subject=f"您反映的问题未予受理（{number}）",
        body=(
            f"您反映的问题（编号 {number}）经审查不予受理，"
            f"原因请凭编号和回执码在 {_track_url()} 查看。"
        ),
    )


def ticket_answered(number: str) -> Message:
    """To a real-name reporter: the outcome is published; please rate it."""
    return Message(
        subject=f"您反映的问题已答复（{number}）",
        body=(
            f"您反映的问题（编号 {number}）已办理并答复。"
            f"请凭编号和回执码在 {_track_url()} 查看答复并评价。"
        ),
    )


def ticket_closed(number: str) -> Message:
    """To a real-name reporter: the ticket is closed (办结反馈)."""
    return Message(
        subject=f"您反映的问题已办结（{number}）",
        body=(
            f"您反映的问题（编号 {number}）已办结。"
            f"办理结果请凭编号和回执码在 {_track_url()} 查看。感谢您的监督。"
        ),
    )


def staff_new_ticket(number: str, unit: str) -> Message:
    """To the handling team: a new ticket arrived."""
    return Message(
        subject=f"新投诉举报待受理：{number}",
        body=f"收到涉及{unit}的投诉举报（编号 {number}），请及时登录系统受理。",
    )


def staff_forwarded(number: str, unit: str) -> Message:
    """To a unit's editors: the team forwarded a ticket for handling (转办)."""
    return Message(
        subject=f"转办件待办理：{number}",
        body=f"监督单位转办一件涉及{unit}的投诉（编号 {number}），请在期限内办理并回复。",
    )


def staff_returned(number: str, unit: str) -> Message:
    """To the handling team: a unit returned a forwarded ticket (退单); review the reason."""
    return Message(
        subject=f"转办件被退回：{number}",
        body=f"{unit}退回了转办件（编号 {number}），请登录系统审核退回理由。",
    )


# Escalation levels of an overdue ticket: 1 = the team lead, 2 = the parent team.
OVERDUE_LEVEL_TEXT = {1: "已超期，请督促办理", 2: "已超期且经提醒仍未办结，现报上级监督单位督办"}


def staff_overdue(number: str, level: int) -> Message:
    """To the team lead (level 1) or the parent team (level 2+): a deadline has passed."""
    text = OVERDUE_LEVEL_TEXT.get(level, OVERDUE_LEVEL_TEXT[2])
    return Message(
        subject=f"超期提醒：{number}",
        body=f"投诉举报（编号 {number}）{text}。",
    )


def info_requested(number: str) -> Message:
    """To a real-name reporter: the team needs more information; the clock waits for them."""
    return Message(
        subject=f"请补充材料（{number}）",
        body=(
            f"办理您反映的问题（编号 {number}）需要您补充材料。"
            f"请凭编号和查询码在 {_track_url()} 查看需要补充的内容并提交。"
        ),
    )


def staff_unit_replied(number: str, unit: str) -> Message:
    """To the handling team: the unit a ticket was forwarded to reported what it did."""
    return Message(
        subject=f"转办件已回复：{number}",
        body=f"{unit}已回复转办件（编号 {number}）的办理情况，请登录系统审核并答复群众。",
    )


def staff_supplemented(number: str) -> Message:
    """To the handling team: the citizen added information or files with the receipt."""
    return Message(
        subject=f"群众补充了材料：{number}",
        body=f"投诉举报（编号 {number}）的反映人补充了材料，请登录系统查看。",
    )


def staff_reopened(number: str) -> Message:
    """To the handling team: the citizen was not satisfied; the ticket is handled again (重办)."""
    return Message(
        subject=f"群众不满意，工单重办：{number}",
        body=f"反映人对投诉举报（编号 {number}）的答复不满意，该件已转为重新办理，请及时处理。",
    )


def staff_assigned(number: str) -> Message:
    """To a team member: the team lead made them the person handling a ticket (承办人)."""
    return Message(
        subject=f"您被指定为承办人：{number}",
        body=f"您被指定为投诉举报（编号 {number}）的承办人，请登录系统办理。",
    )


def staff_notice_issued(number: str, team: str) -> Message:
    """To the addressed unit's editors: a supervision notice (督办通知书) awaits signing."""
    return Message(
        subject=f"督办通知书待签收：{number}",
        body=f"{team}向你单位下发了督办通知书（{number}），请及时登录系统签收并按期报送整改报告。",
    )


def staff_notice_responded(number: str, unit: str) -> Message:
    """To the issuing team: the unit sent its rectification report (整改报告) for review."""
    return Message(
        subject=f"整改报告待审核：{number}",
        body=f"{unit}已报送督办通知书（{number}）的整改报告，请登录系统审核。",
    )


# Escalation levels of an overdue notice: 1 = the team lead, 2 = the parent team.
NOTICE_OVERDUE_TEXT = {
    1: "整改期限已过，被督办单位尚未完成，请督促",
    2: "整改期限已过且经提醒仍未完成，现报上级监督单位督办",
}


def staff_notice_overdue(number: str, unit: str, level: int) -> Message:
    """To the team lead (level 1) or the parent team's leads (level 2+): a notice is overdue."""
    text = NOTICE_OVERDUE_TEXT.get(level, NOTICE_OVERDUE_TEXT[2])
    return Message(
        subject=f"督办超期提醒：{number}",
        body=f"督办通知书（{number}，被督办单位：{unit}）{text}。",
    )
