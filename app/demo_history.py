"""A year of ticket history for the 宁海 demo and the 1M-ticket benchmark, written in bulk.

The stories in app.demo_tickets go through the real services one step at a time; that is far
too slow for thousands of tickets. Here each ticket's life (submitted → accepted → forwarded →
answered → rated → closed, with rejections, merges, 退单, 重办 and overdue ones along the way) is
played out in memory from a seeded random generator, stopped at `now`, and inserted with
SQLAlchemy Core executemany in chunks: no ORM objects, timeline entries, identities or audit
events (every ticket is anonymous). Deadlines come from the deadline policies on the work
calendar, memoised per local start date, so the figures the statistics read (ack_due_at,
acknowledged_at, resolve_due_at, answered_at, handling_days, return_count, reopen_count,
rated_at …) agree with each other the way the services would have left them.
"""

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.calendar.models import DeadlineClock
from app.calendar.service import load_calendar, policy_for
from app.core import clock
from app.core.batching import chunks
from app.core.workcalendar import DeadlineUnit, Due, WorkCalendar, local_date
from app.ticket import receipts, routing
from app.ticket.labels import CLOSED_AFTER_REOPEN, CLOSED_BY_TEAM, CLOSED_RATED, CLOSED_UNRATED
from app.ticket.models import (
    Category,
    Disposition,
    Rating,
    Ticket,
    TicketChannel,
    TicketCounter,
    TicketKind,
    TicketRecusal,
    TicketStatus,
    UnitStage,
)
from app.unit.models import GRASSROOTS_KINDS, TOWNSHIP_KINDS, Unit

CHUNK = 5_000
DEMO_COUNT = 800
# The demo stories are at most ~55 days old; older tickets mean the history is already there.
DEMO_HISTORY_MARK_DAYS = 90

# Share of tickets by where they are about: villages and communities, townships, county offices.
_WHERE_WEIGHTS = {"grassroots": 0.74, "township": 0.12, "county": 0.14}
# Fewer tickets around 春节 (Feb) and 国庆 (Oct); more at mid-year and at the year's end.
_MONTH_WEIGHTS = {
    1: 1.05, 2: 0.65, 3: 1.1, 4: 1.0, 5: 0.95, 6: 1.05,
    7: 1.15, 8: 1.1, 9: 1.0, 10: 0.8, 11: 1.0, 12: 1.15,
}  # fmt: skip
_WEEKEND_WEIGHT = 0.45
# Local hour of submission: office hours for staff-entered channels, evenings for the web form.
_HOUR_WEIGHTS = [
    0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 2.0, 3.0, 3.0, 2.5,
    1.5, 1.8, 2.6, 2.8, 2.5, 1.8, 1.2, 1.3, 1.4, 1.2, 0.8, 0.4,
]  # fmt: skip
_CATEGORY_WEIGHTS = {
    "graft": 5, "favouritism": 6, "embezzlement": 4, "illegal_fees": 9, "delay": 24,
    "attitude": 14, "disclosure": 10, "suggestion": 18, "other": 10,
}  # fmt: skip
_CHANNEL_WEIGHTS = {
    TicketChannel.WEB: 55, TicketChannel.HOTLINE: 25, TicketChannel.VISIT: 8,
    TicketChannel.LETTER: 5, TicketChannel.API: 7,
}  # fmt: skip
_TEXTS = {
    "graft": ("办理{item}时，经办人员暗示要“意思意思”才肯盖章。", "{item}审核中有人索要好处费。"),
    "favouritism": ("{item}名单中有村干部亲属，条件明显不符。", "{item}优先照顾了干部的亲戚。"),
    "embezzlement": ("上级拨付的{item}资金迟迟没有发到农户手中。", "{item}补贴被挪作他用。"),
    "illegal_fees": ("办理{item}被收取了没有依据的费用，没有开票据。", "{item}时被要求交押金。"),
    "delay": ("申请{item}已经一个多月，一直说在走流程。", "{item}材料交上去后没有任何消息。"),
    "attitude": ("咨询{item}时工作人员态度生硬，不耐烦。", "窗口人员办理{item}时玩手机。"),
    "disclosure": ("{item}的结果没有在公开栏公示。", "{item}收支情况一直没有公开。"),
    "suggestion": ("建议{item}增加周末办理时间。", "建议把{item}的办事指南贴在公开栏。"),
    "other": ("反映{item}相关问题，希望有人过问。", "对{item}的办理结果有疑问。"),
}
_ITEMS = (
    "低保", "宅基地审批", "出具证明", "临时救助", "高龄津贴", "村集体资产出租", "危房改造",
    "农村建房", "医保报销", "残疾人补贴", "土地流转", "小额工程", "救灾物资发放",
    "入党积极分子推荐",
)  # fmt: skip
_REPLIES = (
    "经核查，您反映的问题属实，已督促相关单位整改并对责任人批评教育。",
    "经核查，相关事项已按规定办理完毕，办理结果已告知。",
    "您的意见已转相关单位研究，感谢您对基层工作的关心和监督。",
    "经调查核实，未发现违规情况，已向您说明有关政策。",
)


@dataclass
class _Clocks:
    """Due dates from the deadline policies, memoised per (local start date, clock, category)."""

    calendar: WorkCalendar
    rules: dict[tuple[str, DeadlineClock], tuple[int, DeadlineUnit]]
    first_day: date
    workday_index: list[int] = field(default_factory=list)
    _memo: dict[tuple[date, int, str], Due] = field(default_factory=dict)

    def due(self, start: datetime, category: str, which: DeadlineClock) -> Due:
        amount, unit = self.rules[(category, which)]
        key = (local_date(start), amount, unit.value)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self.calendar.add(start, amount, unit)
        return found

    def working_days_between(self, a: datetime, b: datetime) -> int:
        """Same count as WorkCalendar.working_days_between (no pauses), from a prefix table."""
        first, last = local_date(a), local_date(b)
        if last <= first:
            return 0
        self._extend(last)
        return self.workday_index[self._day(last)] - self.workday_index[self._day(first)]

    def _day(self, day: date) -> int:
        return (day - self.first_day).days

    def _extend(self, day: date) -> None:
        while len(self.workday_index) <= self._day(day):
            current = self.first_day + timedelta(days=len(self.workday_index))
            previous = self.workday_index[-1] if self.workday_index else 0
            self.workday_index.append(previous + int(self.calendar.is_workday(current)))


@dataclass(frozen=True)
class _Target:
    unit_id: int
    name: str
    team_id: int
    reason: str
    excluded_user_ids: tuple[int, ...]


def seed_history(
    session: Session,
    *,
    county: Unit,
    count: int,
    months: int = 12,
    seed: int = 2026,
    now: datetime | None = None,
) -> int:
    """Insert `count` anonymous tickets received over the `months` before `now` about units of
    `county`; returns how many were written. Same seed, units and `now` → the same tickets."""
    if count <= 0:
        return 0
    now = (now or clock.now()).astimezone(UTC)
    rng = random.Random(seed)
    categories = _categories(session)
    targets = _targets(session, county=county, rng=rng)
    start = now - timedelta(days=round(months * 365.25 / 12))
    moments = _moments(rng, start=start, now=now, count=count)
    clocks = _clocks(session, categories=categories, first_day=local_date(start) - timedelta(1))
    table = Ticket.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    next_id = (session.exec(select(func.max(col(Ticket.id)))).one() or 0) + 1
    counters = _counters(session, first=local_date(start), last=local_date(now))
    state = _State(rng=rng, now=now, clocks=clocks, counters=counters)
    written = 0
    for chunk in chunks(moments, CHUNK):
        rows: list[dict[str, Any]] = []
        recusals: list[dict[str, Any]] = []
        for created in chunk:
            category = rng.choices(categories.codes, weights=categories.weights)[0]
            target = targets.pick(rng)
            row = state.ticket(
                ticket_id=next_id,
                created=created,
                category=category,
                category_id=categories.ids[category],
                kind=categories.kinds[category],
                target=target,
            )
            rows.append(row)
            recusals.extend(
                {"ticket_id": next_id, "user_id": user_id, "reason": "与被反映单位有关联"}
                for user_id in target.excluded_user_ids
            )
            next_id += 1
        session.execute(insert(table), rows)
        if recusals:
            session.execute(insert(TicketRecusal.__table__), recusals)  # type: ignore[attr-defined]
        written += len(rows)
    _save_counters(session, state.counters)
    _advance_id_sequence(session, next_id - 1)
    session.flush()
    return written


def seed_demo_history(session: Session, *, county: Unit) -> int:
    """The demo's year of tickets, once: skipped when older tickets than the stories exist."""
    mark = clock.now() - timedelta(days=DEMO_HISTORY_MARK_DAYS)
    if session.exec(select(Ticket.id).where(col(Ticket.created_at) < mark).limit(1)).first():
        return 0
    return seed_history(session, county=county, count=DEMO_COUNT)


# --- Inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Categories:
    codes: list[str]
    weights: list[float]
    ids: dict[str, int]
    kinds: dict[str, TicketKind]


def _categories(session: Session) -> _Categories:
    rows = session.exec(select(Category).where(col(Category.is_active)).order_by(col(Category.id)))
    found = list(rows.all())
    if not found:
        raise LookupError("没有可用的投诉类别")
    codes = [category.code for category in found]
    return _Categories(
        codes=codes,
        weights=[float(_CATEGORY_WEIGHTS.get(code, 5)) for code in codes],
        ids={category.code: category.id for category in found if category.id is not None},
        kinds={category.code: category.kind for category in found},
    )


@dataclass
class _Targets:
    groups: list[tuple[list[_Target], list[float]]]
    group_weights: list[float]

    def pick(self, rng: random.Random) -> _Target:
        targets, cumulative = rng.choices(self.groups, weights=self.group_weights)[0]
        index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
        return targets[min(index, len(targets) - 1)]


def _targets(session: Session, *, county: Unit, rng: random.Random) -> _Targets:
    """Every active unit of the county with its routed team; busier townships get more."""
    units = session.exec(
        select(Unit)
        .where(col(Unit.path).startswith(f"{county.path}{county.id}/"), col(Unit.is_active))
        .order_by(col(Unit.code))
    ).all()
    townships = {unit.id: unit for unit in units if unit.kind in TOWNSHIP_KINDS}
    busy = {unit_id: rng.uniform(0.4, 1.8) for unit_id in sorted(filter(None, townships))}
    groups: dict[str, list[tuple[_Target, float]]] = {key: [] for key in _WHERE_WEIGHTS}
    for unit in units:
        assert unit.id is not None
        route = routing.route_ticket(session, unit=unit)
        assert route.team.id is not None
        target = _Target(
            unit.id, unit.name, route.team.id, route.reason, tuple(route.excluded_user_ids)
        )
        township_id = _township_of(unit, townships)
        if unit.kind in GRASSROOTS_KINDS and township_id is not None:
            groups["grassroots"].append((target, busy[township_id] * rng.uniform(0.3, 1.7)))
        elif unit.kind in TOWNSHIP_KINDS:
            groups["township"].append((target, busy[unit.id]))
        else:
            groups["county"].append((target, rng.uniform(0.5, 1.5)))
    chosen = [(key, members) for key, members in groups.items() if members]
    if not chosen:
        raise LookupError(f"{county.name} 下没有单位")
    result = []
    for _, members in chosen:
        cumulative: list[float] = []
        total = 0.0
        for _, weight in members:
            total += weight
            cumulative.append(total)
        result.append(([target for target, _ in members], cumulative))
    return _Targets(result, [_WHERE_WEIGHTS[key] for key, _ in chosen])


def _township_of(unit: Unit, townships: dict[int | None, Unit]) -> int | None:
    for part in unit.path.strip("/").split("/"):
        if part and int(part) in townships:
            return int(part)
    return None


def _moments(rng: random.Random, *, start: datetime, now: datetime, count: int) -> list[datetime]:
    """`count` submission times in [start, now), seasonal by month, quieter at weekends, by hour,
    slowly rising over the year (more people learn of the service)."""
    first, last = clock.to_local(start).date(), clock.to_local(now).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    weights = [
        _MONTH_WEIGHTS[day.month]
        * (_WEEKEND_WEIGHT if day.weekday() >= 5 else 1.0)
        * (0.85 + 0.3 * index / len(days))
        for index, day in enumerate(days)
    ]
    chosen_days = rng.choices(days, weights=weights, k=count)
    hours = rng.choices(range(24), weights=_HOUR_WEIGHTS, k=count)
    moments = []
    for day, hour in zip(chosen_days, hours, strict=True):
        local = datetime(day.year, day.month, day.day, hour, tzinfo=clock.LOCAL_TZ)
        moment = (local + timedelta(seconds=rng.randrange(3600))).astimezone(UTC)
        if start <= moment < now:
            moments.append(moment)
        else:  # the partial first and last days: anywhere in the window instead
            moments.append(start + (now - start) * rng.random())
    moments.sort()
    return moments


def _clocks(session: Session, *, categories: _Categories, first_day: date) -> _Clocks:
    rules = {}
    for code in categories.codes:
        for which in (DeadlineClock.ACKNOWLEDGE, DeadlineClock.RESOLVE, DeadlineClock.RATING):
            rule = policy_for(
                session, kind=categories.kinds[code].value, category_code=code, clock=which
            )
            rules[(code, which)] = (rule.amount, DeadlineUnit(rule.unit))
    return _Clocks(calendar=load_calendar(session), rules=rules, first_day=first_day)


def _counters(session: Session, *, first: date, last: date) -> dict[date, int]:
    rows = session.exec(
        select(TicketCounter).where(col(TicketCounter.day) >= first, col(TicketCounter.day) <= last)
    ).all()
    return {row.day: row.last for row in rows}


def _save_counters(session: Session, counters: dict[date, int]) -> None:
    """Continue each day's sequence after the history, so new tickets never clash."""
    dialect = session.get_bind().dialect.name
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"day": day, "last": last} for day, last in sorted(counters.items())]
    for chunk in chunks(rows, CHUNK):
        statement = upsert(TicketCounter).values(chunk)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["day"],
                set_={"last": func.max(statement.excluded.last, col(TicketCounter.last))}
                if dialect == "sqlite"
                else {"last": func.greatest(statement.excluded.last, col(TicketCounter.last))},
            )
        )


def _advance_id_sequence(session: Session, last_id: int) -> None:
    """Ids were given explicitly (merges point at earlier tickets): move PostgreSQL's sequence."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite continues after the largest rowid by itself
    session.execute(select(func.setval(func.pg_get_serial_sequence("ticket", "id"), last_id, True)))


# --- One ticket's life ------------------------------------------------------------------------


@dataclass
class _State:
    rng: random.Random
    now: datetime
    clocks: _Clocks
    counters: dict[date, int]
    # The latest accepted ticket per team: what a duplicate is merged into.
    mergeable: dict[int, int] = field(default_factory=dict)

    def number(self, created: datetime) -> str:
        day = clock.to_local(created).date()
        self.counters[day] = self.counters.get(day, 0) + 1
        return receipts.format_number(day, self.counters[day])

    def ticket(
        self,
        *,
        ticket_id: int,
        created: datetime,
        category: str,
        category_id: int,
        kind: TicketKind,
        target: _Target,
    ) -> dict[str, Any]:
        rng = self.rng
        number = self.number(created)
        code = f"{rng.getrandbits(53) % 10**receipts.CODE_DIGITS:016d}"
        channel = rng.choices(list(_CHANNEL_WEIGHTS), weights=list(_CHANNEL_WEIGHTS.values()))[0]
        text = rng.choice(_TEXTS.get(category, _TEXTS["other"])).format(item=rng.choice(_ITEMS))
        ack = self.clocks.due(created, category, DeadlineClock.ACKNOWLEDGE)
        row: dict[str, Any] = {
            "id": ticket_id,
            "number": number,
            "receipt_code_hash": receipts.hash_code(number, code),
            "kind": kind,
            "category_id": category_id,
            "unit_id": target.unit_id,
            "power_item_key": None,
            "cadre_duty_key": None,
            "negative_item_key": None,
            "subject": "",
            "channel": channel,
            "status": TicketStatus.SUBMITTED,
            "team_id": target.team_id,
            "routing_reason": target.reason,
            "assignee_id": None,
            "created_by_id": None,
            "is_anonymous": True,
            "identity_ciphertext": None,
            "content": f"{target.name}：{text}",
            "content_released": False,
            "handling_unit_id": None,
            "unit_stage": None,
            "forward_summary": "",
            "forwarded_at": None,
            "public_reply": "",
            "disposition": None,
            "disposition_note": "",
            "disposition_by_id": None,
            "disposition_at": None,
            "disposition_approved_by_id": None,
            "disposition_approved_at": None,
            "reopen_count": 0,
            "return_count": 0,
            "handling_days": None,
            "merged_into_id": None,
            "created_at": created,
            "updated_at": created,
            "acknowledged_at": None,
            "answered_at": None,
            "closed_at": None,
            "fed_back_at": None,
            "ack_due_at": ack.due_at,
            "ack_due_explanation": ack.explanation,
            "resolve_started_at": None,
            "resolve_due_at": None,
            "resolve_due_explanation": "",
            "rating_due_at": None,
            "rating_due_explanation": "",
            "feedback_due_at": None,
            "feedback_due_explanation": "",
            "paused_at": None,
            "pauses": [],
            "overdue_level": 0,
            "rating": None,
            "resolved": None,
            "rating_comment": "",
            "rated_at": None,
            "closed_reason": "",
        }
        self._live(row, ticket_id=ticket_id, created=created, category=category, ack=ack)
        return row

    def _at(self, base: datetime, due_at: datetime, *, late: bool) -> datetime:
        """A moment after `base`: before `due_at` (most of the time) or some days after it."""
        rng = self.rng
        if late:
            return due_at + timedelta(hours=rng.uniform(4, 24 * 20))
        span = max((due_at - base).total_seconds(), 3600.0)
        return base + timedelta(seconds=span * rng.uniform(0.05, 0.92))

    def _live(
        self, row: dict[str, Any], *, ticket_id: int, created: datetime, category: str, ack: Due
    ) -> None:
        rng, now = self.rng, self.now
        fate = rng.random()
        acknowledged = self._at(created, ack.due_at, late=rng.random() < 0.07)
        if acknowledged > now:
            row["overdue_level"] = int(ack.due_at < now)
            return
        row["acknowledged_at"] = row["updated_at"] = acknowledged
        team_id = row["team_id"]
        if fate < 0.03 and team_id in self.mergeable:
            row.update(
                status=TicketStatus.MERGED,
                merged_into_id=self.mergeable[team_id],
                closed_at=acknowledged,
            )
            return
        if fate < 0.09:
            row.update(status=TicketStatus.REJECTED, closed_at=acknowledged)
            return
        self.mergeable[team_id] = ticket_id
        row["status"] = TicketStatus.ACCEPTED
        self._resolve(row, start=acknowledged, category=category)
        if row["status"] in (TicketStatus.ANSWERED, TicketStatus.CLOSED):
            self._rate(row, category=category)
        first_round = row["status"] == TicketStatus.IN_PROGRESS and row["reopen_count"] == 0
        if first_round and rng.random() < 0.12:  # 待补充: waiting for the citizen since then
            paused = now - timedelta(hours=rng.uniform(2, 24 * 6))
            if paused > row["updated_at"]:
                row.update(status=TicketStatus.WAITING_INFO, paused_at=paused)
        if row["status"] in (
            TicketStatus.ACCEPTED,
            TicketStatus.IN_PROGRESS,
            TicketStatus.WAITING_INFO,
        ):
            row["overdue_level"] = int(row["resolve_due_at"] < now)

    def _resolve(self, row: dict[str, Any], *, start: datetime, category: str) -> None:
        """Handle from `start` (acceptance, or the 重办 rating) up to the answer, as far as now."""
        rng, now = self.rng, self.now
        due = self.clocks.due(start, category, DeadlineClock.RESOLVE)
        row.update(
            resolve_started_at=start,
            resolve_due_at=due.due_at,
            resolve_due_explanation=due.explanation,
            answered_at=None,
            rating_due_at=None,
            rating_due_explanation="",
        )
        moved = start + timedelta(hours=rng.uniform(1, 40))
        if moved > now:
            return
        row.update(status=TicketStatus.IN_PROGRESS, updated_at=moved)
        if row["kind"] == TicketKind.REPORT:
            row.update(disposition=rng.choice(list(Disposition)), disposition_at=moved)
        elif row["kind"] == TicketKind.COMPLAINT and rng.random() < 0.55:
            row.update(
                handling_unit_id=row["unit_id"],
                unit_stage=UnitStage.FORWARDED,
                forwarded_at=row["forwarded_at"] or moved,
                forward_summary="请核实群众反映的问题并按期回复。",
            )
            if row["reopen_count"] == 0 and rng.random() < 0.07:
                row["return_count"] = 1  # 退单, reviewed by the team and forwarded again
        answered = self._at(start, due.due_at, late=rng.random() < 0.13)
        if answered > now:
            return
        if row["disposition"] is not None:
            row["disposition_approved_at"] = min(answered, moved + timedelta(days=1))
        if row["unit_stage"] is not None:
            row["unit_stage"] = UnitStage.REPLIED
        rating_due = self.clocks.due(answered, category, DeadlineClock.RATING)
        row.update(
            status=TicketStatus.ANSWERED,
            answered_at=answered,
            updated_at=answered,
            public_reply=rng.choice(_REPLIES),
            handling_days=self.clocks.working_days_between(start, answered),
            rating_due_at=rating_due.due_at,
            rating_due_explanation=rating_due.explanation,
        )

    def _rate(self, row: dict[str, Any], *, category: str) -> None:
        rng, now = self.rng, self.now
        answered: datetime = row["answered_at"]
        rating_due: datetime = row["rating_due_at"]
        second_round = row["reopen_count"] > 0
        roll = rng.random()
        if roll < 0.04:  # the lead closes it without waiting for the rating
            closed = answered + timedelta(hours=rng.uniform(2, 48))
            if closed <= now:
                self._close(row, closed, CLOSED_BY_TEAM)
            return
        if roll < 0.24:  # nobody rated: the tick closes it when the window ends
            if rating_due <= now:
                self._close(row, rating_due, CLOSED_UNRATED)
            return
        rated = answered + (rating_due - answered) * rng.uniform(0.02, 0.9)
        if rated > now:
            return
        weights = (40, 35, 25) if second_round else (70, 20, 10)
        rating = rng.choices(list(Rating), weights=weights)[0]
        resolved_share = {Rating.SATISFIED: 0.94, Rating.BASICALLY: 0.72, Rating.UNSATISFIED: 0.15}
        row.update(
            rating=rating,
            resolved=rng.random() < resolved_share[rating],
            rated_at=rated,
            updated_at=rated,
            rating_due_at=None,
            rating_due_explanation="",
        )
        if rating != Rating.UNSATISFIED:
            self._close(row, rated, CLOSED_RATED)
        elif second_round:
            self._close(row, rated, CLOSED_AFTER_REOPEN)
        else:  # 重办: the resolve clock starts again from the rating
            row.update(reopen_count=1, status=TicketStatus.IN_PROGRESS)
            self._resolve(row, start=rated, category=category)
            if row["status"] == TicketStatus.ANSWERED:
                self._rate(row, category=category)

    @staticmethod
    def _close(row: dict[str, Any], at: datetime, reason: str) -> None:
        row.update(
            status=TicketStatus.CLOSED,
            closed_at=at,
            closed_reason=reason,
            updated_at=at,
            rating_due_at=None,
            rating_due_explanation="",
        )
