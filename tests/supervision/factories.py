"""Helpers that draft, issue and answer notices through the real services."""

from datetime import UTC, datetime

from sqlmodel import Session

from app.account.models import User
from app.account.service import Principal, load_principal
from app.supervision import notices
from app.supervision.models import SupervisionNotice
from tests.factories import World

# Monday 2 November 2026, 10:00 in Ninghai (an ordinary working week).
MONDAY = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def principal(session: Session, user: User) -> Principal:
    return load_principal(session, user=user)


def draft(session: Session, world: World, **fields: object) -> SupervisionNotice:
    data: dict[str, object] = {
        "team_id": world.township_team.id,
        "unit_id": world.village.id,
        "problems": "1. 村务公开栏未按时更新\n2. 低保评议程序不规范",
        "requirements": "立即更新公开栏，重新组织评议",
        "deadline_days": 5,
    }
    data.update(fields)
    return notices.create_notice(
        session,
        principal=principal(session, world.member),
        **data,  # type: ignore[arg-type]
    )


def issued(session: Session, world: World, **fields: object) -> SupervisionNotice:
    notice = draft(session, world, **fields)
    assert notice.id is not None
    return notices.issue_notice(
        session, principal=principal(session, world.lead), notice_id=notice.id
    )
