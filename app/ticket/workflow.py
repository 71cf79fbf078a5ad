"""Allowed ticket transitions as data — which action leads where, and who may take it."""

from dataclasses import dataclass
from enum import StrEnum

from app.core.errors import InvalidTransition
from app.ticket.labels import STATUS_LABELS
from app.ticket.models import TicketStatus as S


class Action(StrEnum):
    ACCEPT = "accept"  # 受理
    REJECT = "reject"  # 不予受理 (reason)
    MERGE = "merge"  # duplicate of another ticket
    START = "start"  # the team starts its own check (核查)
    FORWARD = "forward"  # 转办 to a unit with a summary
    UNIT_REPLY = "unit_reply"  # the unit reports what it did
    UNIT_RETURN = "unit_return"  # 退单 (reason)
    REVIEW_RETURN = "review_return"  # the team accepts or refuses a unit's return
    REQUEST_INFO = "request_info"  # ask the citizen for more (clock paused)
    RECEIVE_INFO = "receive_info"  # information arrived (or the team resumes); clock runs again
    ANSWER = "answer"  # public reply to the citizen
    RATE = "rate"  # the citizen's rating (or one taken by phone)
    REOPEN = "reopen"  # 重办 after an unsatisfied rating
    CLOSE = "close"  # 办结
    EXPIRE_RATING = "expire_rating"  # rating window lapsed: closes as 未评价


class Role(StrEnum):
    """Who is acting on a ticket, relative to that ticket (see policies.roles_on)."""

    TEAM = "team"  # member or lead of the ticket's team, not recused
    LEAD = "lead"  # lead of the ticket's team, not recused
    UNIT = "unit"  # editor of the unit the ticket is forwarded to
    CITIZEN = "citizen"  # whoever holds the receipt code
    SYSTEM = "system"  # `xiaowei tick` and automatic follow-ups


ACTION_LABELS: dict[Action, str] = {
    Action.ACCEPT: "受理",
    Action.REJECT: "不予受理",
    Action.MERGE: "合并",
    Action.START: "开始办理",
    Action.FORWARD: "转办",
    Action.UNIT_REPLY: "回复",
    Action.UNIT_RETURN: "退单",
    Action.REVIEW_RETURN: "审核退单",
    Action.REQUEST_INFO: "请求补充材料",
    Action.RECEIVE_INFO: "恢复办理",
    Action.ANSWER: "答复",
    Action.RATE: "评价",
    Action.REOPEN: "重办",
    Action.CLOSE: "办结",
    Action.EXPIRE_RATING: "逾期未评价",
}


class ActionNotAllowed(InvalidTransition):
    """The transition exists, but not for this actor (answers 403, not 409)."""

    status_code = 403


@dataclass(frozen=True)
class Step:
    to: S
    by: frozenset[Role]


_TEAM = frozenset({Role.TEAM, Role.LEAD})
_LEAD = frozenset({Role.LEAD})
_UNIT = frozenset({Role.UNIT})
_SYSTEM = frozenset({Role.SYSTEM})


def _step(to: S, by: frozenset[Role]) -> Step:
    return Step(to=to, by=by)


# A lead is always also a team member, so _TEAM lists both for readability of the table.
TRANSITIONS: dict[S, dict[Action, Step]] = {
    S.SUBMITTED: {
        Action.ACCEPT: _step(S.ACCEPTED, _TEAM),
        Action.REJECT: _step(S.REJECTED, _TEAM),
        Action.MERGE: _step(S.MERGED, _TEAM),
    },
    S.ACCEPTED: {
        Action.START: _step(S.IN_PROGRESS, _TEAM),
        Action.FORWARD: _step(S.IN_PROGRESS, _TEAM),
        Action.MERGE: _step(S.MERGED, _TEAM),
        Action.REQUEST_INFO: _step(S.WAITING_INFO, _TEAM),
        # Suggestions and simple questions are often answered without further handling.
        Action.ANSWER: _step(S.ANSWERED, _TEAM),
    },
    S.IN_PROGRESS: {
        Action.FORWARD: _step(S.IN_PROGRESS, _TEAM),
        Action.UNIT_REPLY: _step(S.IN_PROGRESS, _UNIT),
        Action.UNIT_RETURN: _step(S.IN_PROGRESS, _UNIT),
        Action.REVIEW_RETURN: _step(S.IN_PROGRESS, _TEAM),
        Action.REQUEST_INFO: _step(S.WAITING_INFO, _TEAM),
        Action.ANSWER: _step(S.ANSWERED, _TEAM),
        Action.MERGE: _step(S.MERGED, _TEAM),
    },
    S.WAITING_INFO: {
        # Either the citizen supplements, or the team resumes (e.g. the information came by
        # phone, or it will not come).
        Action.RECEIVE_INFO: _step(S.IN_PROGRESS, frozenset({Role.CITIZEN, *_TEAM})),
    },
    S.ANSWERED: {
        Action.RATE: _step(S.RATED, frozenset({Role.CITIZEN, *_TEAM})),
        Action.EXPIRE_RATING: _step(S.CLOSED, _SYSTEM),
        # A lead may close without waiting for the rating (e.g. the citizen declined to rate).
        Action.CLOSE: _step(S.CLOSED, _LEAD),
    },
    # The rating decides at once: 不满意 the first time reopens (重办), anything else closes.
    S.RATED: {
        Action.REOPEN: _step(S.IN_PROGRESS, _SYSTEM),
        Action.CLOSE: _step(S.CLOSED, _SYSTEM),
    },
    S.REJECTED: {},
    S.MERGED: {},
    S.CLOSED: {},
}

# Actions that need a written reason.
REASON_REQUIRED = frozenset(
    {
        Action.REJECT,
        Action.MERGE,
        Action.FORWARD,
        Action.UNIT_REPLY,
        Action.UNIT_RETURN,
        Action.REQUEST_INFO,
        Action.ANSWER,
    }
)


def allowed_actions(status: S, roles: set[Role] | frozenset[Role]) -> list[Action]:
    """What the holder of `roles` may do next to a ticket in `status`, in display order."""
    return [action for action, step in TRANSITIONS[status].items() if step.by & roles]


def can(status: S, action: Action, roles: set[Role] | frozenset[Role]) -> bool:
    step = TRANSITIONS[status].get(action)
    return step is not None and bool(step.by & roles)


def transition(status: S, action: Action, roles: set[Role] | frozenset[Role]) -> S:
    """The status after `action`, or InvalidTransition (ActionNotAllowed for the wrong actor)."""
    step = TRANSITIONS[status].get(action)
    if step is None:
        raise InvalidTransition(f"“{STATUS_LABELS[status]}”状态的工单不能{ACTION_LABELS[action]}")
    if not step.by & roles:
        raise ActionNotAllowed(f"您无权对该工单执行“{ACTION_LABELS[action]}”")
    return step.to
