"""Notice numbers per team per year (宁纪督〔2026〕12号): gap-free, safe under concurrent issuing.

Each (team, year) has one counter row. Issuing locks it with SELECT … FOR UPDATE (PostgreSQL;
SQLite has one writer anyway) until the issuing transaction ends, so a rolled-back issue gives
its number back and two leads issuing at once get consecutive numbers.
"""

import re
from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.audit import service as audit_service
from app.audit.service import Actor
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.supervision.models import NoticeNumbering
from app.unit.models import Team
from app.unit.service import get_home_county

PREFIX_MAX = 20
# Chinese characters, letters and digits only: the prefix is printed before 〔year〕.
_PREFIX = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{1,20}$")


@dataclass(frozen=True)
class NoticeNumber:
    prefix: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return format_number(self.prefix, self.year, self.sequence)


def format_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}〔{year}〕{sequence}号"


def default_prefix(session: Session) -> str:
    """The county's first character + 纪督 (宁海县 → 宁纪督), a county commission's usual 文号."""
    county = get_home_county(session)
    first = county.name[:1] if county is not None and county.name else ""
    return f"{first}纪督"


def current_prefix(session: Session, *, team_id: int, year: int | None = None) -> str:
    """The prefix the team's next notice in `year` gets: that year's row, the latest earlier
    row (prefixes carry over into a new year), else the county default."""
    year = year or clock.today_local().year
    row = session.exec(
        select(NoticeNumbering)
        .where(col(NoticeNumbering.team_id) == team_id, col(NoticeNumbering.year) <= year)
        .order_by(col(NoticeNumbering.year).desc())
        .limit(1)
    ).first()
    return row.prefix if row is not None else default_prefix(session)


def _ensure_row(session: Session, *, team_id: int, year: int) -> None:
    prefix = current_prefix(session, team_id=team_id, year=year)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(NoticeNumbering)
        .values(team_id=team_id, year=year, prefix=prefix, last_number=0)
        .on_conflict_do_nothing(index_elements=["team_id", "year"])
    )


def _locked_row(session: Session, *, team_id: int, year: int) -> NoticeNumbering:
    _ensure_row(session, team_id=team_id, year=year)
    row = session.exec(
        select(NoticeNumbering)
        .where(col(NoticeNumbering.team_id) == team_id, col(NoticeNumbering.year) == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return row


def allocate(session: Session, *, team_id: int, year: int | None = None) -> NoticeNumber:
    """The team's next number in `year` (default: this local year).

    Call it before anything else that locks in the transaction (the audit chain takes its own
    lock afterwards); always taking the two in the same order keeps issuers from deadlocking.
    """
    year = year or clock.today_local().year
    row = _locked_row(session, team_id=team_id, year=year)
    row.last_number += 1
    session.add(row)
    session.flush()
    return NoticeNumber(row.prefix, year, row.last_number)


def set_prefix(
    session: Session, *, team_id: int, prefix: str, actor: Actor | None, year: int | None = None
) -> NoticeNumbering:
    """Change the team's prefix from `year` (default: this year) on; numbers already issued keep
    theirs, and the count within the year goes on."""
    cleaned = prefix.strip()
    if not _PREFIX.match(cleaned):
        raise ValidationFailed({"prefix": f"文号前缀须为 1–{PREFIX_MAX} 个汉字、字母或数字"})
    if session.get(Team, team_id) is None:
        raise NotFound("监督单位不存在")
    year = year or clock.today_local().year
    row = _locked_row(session, team_id=team_id, year=year)
    old = row.prefix
    row.prefix = cleaned
    session.add(row)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="supervision.prefix_changed",
        object_type="team",
        object_id=team_id,
        data={"year": year, "prefix": {"from": old, "to": cleaned}},
    )
    return row
