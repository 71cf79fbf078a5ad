"""Notice numbers per team per year (宁纪督〔2026〕12号): gap-free, distinct, concurrency-safe.

Each (team, year) has one counter row. Issuing locks it with SELECT … FOR UPDATE (PostgreSQL;
SQLite has one writer anyway) until the issuing transaction ends, so a rolled-back issue gives
its number back and two leads issuing at once get consecutive numbers.

Notice numbers are unique county-wide, so no two teams may number under the same prefix in the
same year. A team without a prefix of its own gets a default derived from what it is:

- the commission (or the default team): the county's first character + 纪督 (宁海县 → 宁纪督);
- a township team: its township's name without 镇/乡/街道, at most 2 characters, + 纪督
  (跃龙街道 → 跃龙纪督);
- a dispatched group named …第一纪检监察组: county character + 纪派一督 (宁纪派一督);
- any other team: the first 2 characters of its name + 督.

When that default is already taken in the year — another team's own prefix, a number another
team issued that year, or the same default of a team that ranks before it (the default team
first, then by id) — the team's id is appended (甲纪督7), so defaults never collide. The first
issue stores the prefix in the team's row, so a team's default does not change once used. An
admin sets a prefix with `set_prefix`, which refuses one another team uses that year. Should a
number be on a notice all the same (a prefix changed by hand in the database, two admins racing),
`allocate` raises Conflict with a zh-CN message rather than letting the unique index fail.
"""

import re
from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.audit import service as audit_service
from app.audit.service import Actor
from app.core import clock
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.supervision.models import NoticeNumbering, SupervisionNotice
from app.unit.models import TOWNSHIP_KINDS, Team, TeamKind, Unit
from app.unit.service import get_home_county

PREFIX_MAX = 20
# Chinese characters, letters and digits only: the prefix is printed before 〔year〕.
_PREFIX = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{1,20}$")
_PREFIX_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_DISPATCHED = re.compile(r"第([一二三四五六七八九十百0-9]+)纪检监察组")
_TOWNSHIP_SUFFIXES = ("街道", "镇", "乡")


@dataclass(frozen=True)
class NoticeNumber:
    prefix: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return format_number(self.prefix, self.year, self.sequence)


def format_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}〔{year}〕{sequence}号"


def _prefix_chars(text: str) -> str:
    return "".join(_PREFIX_CHAR.findall(text))


def _township_name(session: Session, team: Team) -> str:
    """The township a township team sits in: its home unit's name, else read from its own name
    (跃龙街道纪工委 → 跃龙街道)."""
    home = session.get(Unit, team.home_unit_id) if team.home_unit_id is not None else None
    if home is not None and home.kind in TOWNSHIP_KINDS:
        return home.name
    ends = [team.name.find(s) + len(s) for s in _TOWNSHIP_SUFFIXES if s in team.name]
    return team.name[: min(ends)] if ends else ""


def derived_prefix(session: Session, team: Team, *, county_char: str | None = None) -> str:
    """The prefix the team's kind and name suggest, before making it distinct from others."""
    if county_char is None:
        county = get_home_county(session)
        county_char = _prefix_chars(county.name)[:1] if county is not None else ""
    if team.is_default or team.kind is TeamKind.COMMISSION:
        return f"{county_char}纪督"
    if team.kind is TeamKind.TOWNSHIP:
        name = _township_name(session, team)
        for suffix in _TOWNSHIP_SUFFIXES:
            name = name.removesuffix(suffix)
        if short := _prefix_chars(name)[:2]:
            return f"{short}纪督"
    if team.kind is TeamKind.DISPATCHED and (match := _DISPATCHED.search(team.name)):
        return f"{county_char}纪派{match.group(1)}督"
    return f"{_prefix_chars(team.name)[:2] or county_char + '纪'}督"


def _own_prefixes(session: Session, year: int) -> dict[int, str]:
    """Each team's own prefix in `year`: that year's row, else its latest earlier one."""
    rows = session.exec(
        select(NoticeNumbering)
        .where(col(NoticeNumbering.year) <= year)
        .order_by(col(NoticeNumbering.year))
    ).all()
    return {row.team_id: row.prefix for row in rows}  # later years overwrite earlier ones


def _issued_by_other(session: Session, prefix: str, year: int, team_id: int) -> int | None:
    """A team other than `team_id` that issued a number under `prefix` in `year` (a team that
    changed its prefix mid-year keeps its earlier numbers)."""
    return session.exec(
        select(SupervisionNotice.team_id)
        .where(
            col(SupervisionNotice.year) == year,
            col(SupervisionNotice.team_id) != team_id,
            col(SupervisionNotice.number).startswith(f"{prefix}〔{year}〕", autoescape=True),
        )
        .limit(1)
    ).first()


class _Prefixes:
    """Every team's prefix in one year, computed together so defaults can avoid each other."""

    def __init__(self, session: Session, year: int) -> None:
        self.session = session
        self.year = year
        county = get_home_county(session)
        county_char = _prefix_chars(county.name)[:1] if county is not None else ""
        # The default team first, then by id: a new team never takes an older team's default.
        self.teams = list(
            session.exec(select(Team).order_by(col(Team.is_default).desc(), col(Team.id))).all()
        )
        self.derived = {
            t.id: derived_prefix(session, t, county_char=county_char) for t in self.teams
        }
        self.own = _own_prefixes(session, year)

    def default(self, team: Team) -> str:
        assert team.id is not None
        raw = self.derived.get(team.id) or derived_prefix(self.session, team)
        rank = self.rank(team)
        taken = any(
            self.own[other.id] == raw
            if other.id in self.own
            else self.derived[other.id] == raw and self.rank(other) < rank
            for other in self.teams
            if other.id != team.id
        )
        if taken or _issued_by_other(self.session, raw, self.year, team.id) is not None:
            return f"{raw}{team.id}"
        return raw

    def rank(self, team: Team) -> int:
        ids = [t.id for t in self.teams]
        return ids.index(team.id) if team.id in ids else len(ids)

    def user_of(self, prefix: str, *, team_id: int) -> Team | None:
        """Another team that numbers under `prefix` this year, or issued numbers under it."""
        for other in self.teams:
            if other.id == team_id:
                continue
            if other.id in self.own:
                if self.own[other.id] == prefix:
                    return other
            elif prefix.startswith(self.derived[other.id]) and self.default(other) == prefix:
                return other
        issuer = _issued_by_other(self.session, prefix, self.year, team_id)
        return self.session.get(Team, issuer) if issuer is not None else None


def _team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("监督单位不存在")
    return team


def default_prefix(session: Session, *, team_id: int, year: int | None = None) -> str:
    """The prefix the team numbers under when it has none of its own (see the module doc)."""
    year = year or clock.today_local().year
    return _Prefixes(session, year).default(_team(session, team_id))


def current_prefix(session: Session, *, team_id: int, year: int | None = None) -> str:
    """The prefix the team's next notice in `year` gets: that year's row, the latest earlier
    row (prefixes carry over into a new year), else the team's default."""
    year = year or clock.today_local().year
    row = session.exec(
        select(NoticeNumbering)
        .where(col(NoticeNumbering.team_id) == team_id, col(NoticeNumbering.year) <= year)
        .order_by(col(NoticeNumbering.year).desc())
        .limit(1)
    ).first()
    return row.prefix if row is not None else default_prefix(session, team_id=team_id, year=year)


def next_number(session: Session, *, team_id: int, year: int | None = None) -> NoticeNumber:
    """The number the team's next notice in `year` would get, for display (nothing is locked
    or stored, so it may be taken by the time the lead issues)."""
    year = year or clock.today_local().year
    row = session.exec(
        select(NoticeNumbering).where(
            col(NoticeNumbering.team_id) == team_id, col(NoticeNumbering.year) == year
        )
    ).first()
    prefix = current_prefix(session, team_id=team_id, year=year)
    return NoticeNumber(prefix, year, (row.last_number if row is not None else 0) + 1)


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
    Raises Conflict, changing nothing, when that number is already on a notice (two teams were
    given the same prefix despite the checks, e.g. by hand in the database).
    """
    year = year or clock.today_local().year
    row = _locked_row(session, team_id=team_id, year=year)
    number = NoticeNumber(row.prefix, year, row.last_number + 1)
    taken = session.exec(
        select(SupervisionNotice.id).where(col(SupervisionNotice.number) == str(number)).limit(1)
    ).first()
    if taken is not None:
        raise Conflict(f"文号 {number} 已被使用，请管理员为本监督单位设置不同的文号前缀")
    row.last_number = number.sequence
    session.add(row)
    session.flush()
    return number


def set_prefix(
    session: Session, *, team_id: int, prefix: str, actor: Actor | None, year: int | None = None
) -> NoticeNumbering:
    """Change the team's prefix from `year` (default: this year) on; numbers already issued keep
    theirs, and the count within the year goes on. A prefix another team numbers under that
    year (its own or its default), or has issued numbers under, is refused."""
    cleaned = prefix.strip()
    if not _PREFIX.match(cleaned):
        raise ValidationFailed({"prefix": f"文号前缀须为 1–{PREFIX_MAX} 个汉字、字母或数字"})
    _team(session, team_id)
    year = year or clock.today_local().year
    user = _Prefixes(session, year).user_of(cleaned, team_id=team_id)
    if user is not None:
        raise ValidationFailed({"prefix": f"文号前缀“{cleaned}”已由 {user.name} 使用"})
    row = _locked_row(session, team_id=team_id, year=year)
    old = row.prefix
    if old == cleaned:
        return row
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
