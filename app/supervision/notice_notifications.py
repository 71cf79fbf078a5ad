"""Who is told what about a supervision notice: outbox messages in the caller's transaction.

Keys deduplicate, so a repeated call or two concurrent ticks never send twice. Texts come from
app.notify.messages and carry only the notice number and the names of team and unit.
"""

from sqlmodel import Session, col, select

from app.account.models import Membership, User
from app.account.permissions import Role
from app.notify import messages
from app.notify import service as notify_service
from app.notify.messages import Message
from app.notify.models import Channel
from app.supervision.models import SupervisionNotice
from app.ticket.routing import team_member_ids
from app.unit.models import Team, Unit


def _staff(session: Session, user_ids: list[int], key: str, message: Message) -> None:
    for user_id in sorted(set(user_ids)):
        notify_service.enqueue_message(
            session,
            channel=Channel.STAFF,
            recipient=f"user:{user_id}",
            message=message,
            dedupe_key=f"{key}:user:{user_id}",
        )


def lead_ids(session: Session, team_id: int) -> list[int]:
    """Active leads of the team."""
    rows = session.exec(
        select(Membership.user_id)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            col(Membership.team_id) == team_id,
            col(Membership.role) == Role.TEAM_LEAD,
            col(User.is_active).is_(True),
        )
    ).all()
    return list(rows)


def unit_editor_ids(session: Session, unit: Unit) -> list[int]:
    """Editors of the unit, and of its ancestors when their role covers the units below."""
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    rows = session.exec(
        select(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            col(Membership.role) == Role.UNIT_EDITOR,
            col(Membership.unit_id).in_([unit.id, *ancestor_ids]),
            col(User.is_active).is_(True),
        )
    ).all()
    return [m.user_id for m in rows if m.unit_id == unit.id or m.include_descendants]


def _key(notice: SupervisionNotice, event: str) -> str:
    # return_count: after a return the unit answers again and a fresh deadline may run, so
    # the same event may rightly be told once more.
    return f"notice:{notice.id}:{event}:{notice.return_count}"


def issued(session: Session, notice: SupervisionNotice) -> None:
    """The addressed unit's editors: a notice to sign."""
    unit = session.get(Unit, notice.unit_id)
    team = session.get(Team, notice.team_id)
    if unit is None or notice.number is None:
        return
    message = messages.staff_notice_issued(notice.number, team.name if team else "监督单位")
    _staff(session, unit_editor_ids(session, unit), _key(notice, "issued"), message)


def responded(session: Session, notice: SupervisionNotice) -> None:
    """The issuing team (members and leads): a report to review."""
    unit = session.get(Unit, notice.unit_id)
    team = session.get(Team, notice.team_id)
    if team is None or notice.number is None:
        return
    message = messages.staff_notice_responded(notice.number, unit.name if unit else "被督办单位")
    _staff(session, team_member_ids(session, team=team), _key(notice, "responded"), message)


def overdue(session: Session, notice: SupervisionNotice, *, level: int, team_id: int) -> None:
    """The leads of `team_id`: the team's own (level 1) or the parent team (level 2)."""
    unit = session.get(Unit, notice.unit_id)
    assert notice.number is not None
    message = messages.staff_notice_overdue(notice.number, unit.name if unit else "", min(level, 2))
    _staff(session, lead_ids(session, team_id), _key(notice, f"overdue:{level}"), message)
