"""Work calendar and deadline policies: overrides, coverage warnings, policy lookup, due dates."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlmodel import Session, col, or_, select

from app.audit import service as audit_service
from app.audit.service import Actor
from app.calendar.models import (
    CLOCK_LABELS,
    KIND_LABELS,
    CalendarOverride,
    DeadlineClock,
    DeadlinePolicy,
)
from app.core import clock, workcalendar
from app.core.errors import NotFound, ValidationFailed
from app.core.workcalendar import DeadlineUnit as Unit
from app.core.workcalendar import Due, Pause, WorkCalendar

_CACHE_KEY = "xiaowei.workcalendar"
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_AMOUNT = 366
NOTE_MAX = 100
CATEGORY_CODE_MAX = 40


def clock_now() -> datetime:
    # Functions below take a `clock` keyword (which deadline), shadowing the module there.
    return clock.now()


class DeadlineRule(NamedTuple):
    amount: int
    unit: Unit


def _defaults() -> dict[tuple[str, DeadlineClock], DeadlineRule]:
    """PRODUCT.md §6 and domain-research.md §4 (检举控告工作规则: 15 个工作日 to tell a real-name
    reporter of acceptance and of the outcome; 信访工作条例: 60 日 to resolve)."""
    rules = {
        ("report", DeadlineClock.ACKNOWLEDGE): DeadlineRule(15, Unit.WORKING),
        ("complaint", DeadlineClock.ACKNOWLEDGE): DeadlineRule(1, Unit.WORKING),
        ("suggestion", DeadlineClock.ACKNOWLEDGE): DeadlineRule(1, Unit.WORKING),
        ("report", DeadlineClock.RESOLVE): DeadlineRule(60, Unit.CALENDAR),
        ("complaint", DeadlineClock.RESOLVE): DeadlineRule(7, Unit.WORKING),
        ("suggestion", DeadlineClock.RESOLVE): DeadlineRule(15, Unit.WORKING),
    }
    for kind in KIND_LABELS:
        rules[(kind, DeadlineClock.FEEDBACK)] = DeadlineRule(15, Unit.WORKING)
        rules[(kind, DeadlineClock.RATING)] = DeadlineRule(7, Unit.CALENDAR)
    return rules


# Defaults live in code, not in the migration: a database row for (kind, clock) or
# (kind, category, clock) overrides them, and deleting the row restores them.
DEFAULT_POLICIES: dict[tuple[str, DeadlineClock], DeadlineRule] = _defaults()


# --- The calendar -----------------------------------------------------------------------------


def load_calendar(session: Session) -> WorkCalendar:
    """The work calendar with every admin override; cached on the session (one request).

    The override table is small (a few dozen rows a year), so one query per request suffices;
    set_override/delete_override drop the cached copy.
    """
    cached = session.info.get(_CACHE_KEY)
    if isinstance(cached, WorkCalendar):
        return cached
    rows = session.exec(select(CalendarOverride)).all()
    calendar = WorkCalendar(
        {row.day: row.is_workday for row in rows},
        notes={row.day: row.note for row in rows if row.note},
    )
    session.info[_CACHE_KEY] = calendar
    return calendar


def _forget_calendar(session: Session) -> None:
    session.info.pop(_CACHE_KEY, None)


def supported_years() -> range:
    """Years the chinesecalendar package knows (holidays and 调休 included)."""
    return workcalendar.supported_years()


def uncovered_years(session: Session, years: Iterable[int]) -> list[int]:
    """Those of `years` neither the package nor any admin override covers (weekends only)."""
    return load_calendar(session).uncovered_years(years)


def warning_for_years(years: Collection[int]) -> str | None:
    if not years:
        return None
    listed = "、".join(str(year) for year in sorted(years))
    return f"{listed} 年的法定节假日尚未收录，当前按周末计算，请在工作日历中补录"


def calendar_warning(session: Session, *, now: datetime | None = None) -> str | None:
    """The admin-dashboard warning when this or next year falls back to weekends only."""
    today = workcalendar.local_date(now or clock.now())
    return warning_for_years(uncovered_years(session, (today.year, today.year + 1)))


def list_overrides(session: Session, *, year: int | None = None) -> list[CalendarOverride]:
    statement = select(CalendarOverride)
    if year is not None:
        statement = statement.where(
            col(CalendarOverride.day) >= date(year, 1, 1),
            col(CalendarOverride.day) <= date(year, 12, 31),
        )
    return list(session.exec(statement.order_by(col(CalendarOverride.day))).all())


def _parse_day(value: date | str, errors: dict[str, str]) -> date | None:
    if isinstance(value, date):
        day = value
    else:
        text = value.strip()
        if not text:
            errors["day"] = "请选择日期"
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            errors["day"] = "日期格式应为 2027-10-01"
            return None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        errors["day"] = f"日期须在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间"
        return None
    return day


def _parse_workday(value: bool | str | None, errors: dict[str, str]) -> bool | None:
    if isinstance(value, bool):
        return value
    choice = {"work": True, "rest": False}.get((value or "").strip())
    if choice is None:
        errors["is_workday"] = "请选择上班或休息"
    return choice


def set_override(
    session: Session,
    *,
    day: date | str,
    is_workday: bool | str | None,
    note: str = "",
    actor: Actor | None,
) -> CalendarOverride:
    """Make `day` a working day (True / "work") or a rest day (False / "rest"); replaces any
    earlier override of that day. Audited as "calendar.override_set"."""
    errors: dict[str, str] = {}
    parsed_day = _parse_day(day, errors)
    works = _parse_workday(is_workday, errors)
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"备注不能超过 {NOTE_MAX} 个字"
    if errors or parsed_day is None or works is None:
        raise ValidationFailed(errors)
    row = session.exec(
        select(CalendarOverride).where(col(CalendarOverride.day) == parsed_day)
    ).first()
    previous: dict[str, Any] | None = None
    if row is None:
        row = CalendarOverride(day=parsed_day, is_workday=works, note=note)
    else:
        previous = {"is_workday": row.is_workday, "note": row.note}
        if previous == {"is_workday": works, "note": note}:
            return row
        row.is_workday = works
        row.note = note
        row.updated_at = clock.now()
    session.add(row)
    session.flush()
    _forget_calendar(session)
    audit_service.record(
        session,
        actor=actor,
        action="calendar.override_set",
        object_type="calendar_override",
        object_id=parsed_day.isoformat(),
        data={
            "day": parsed_day.isoformat(),
            "is_workday": works,
            "note": note,
            "previous": previous,
        },
    )
    return row


def get_override(session: Session, *, override_id: int) -> CalendarOverride:
    row = session.get(CalendarOverride, override_id)
    if row is None:
        raise NotFound("未找到该日期调整")
    return row


def delete_override(session: Session, *, override_id: int, actor: Actor | None) -> CalendarOverride:
    """Drop an override: the day follows the package (or the weekend fallback) again."""
    row = get_override(session, override_id=override_id)
    data = {"day": row.day.isoformat(), "is_workday": row.is_workday, "note": row.note}
    session.delete(row)
    session.flush()
    _forget_calendar(session)
    audit_service.record(
        session,
        actor=actor,
        action="calendar.override_deleted",
        object_type="calendar_override",
        object_id=data["day"],
        data=data,
    )
    return row


# --- Deadline policies ------------------------------------------------------------------------


def _check_kind_clock(kind: str, clock_value: str, errors: dict[str, str]) -> DeadlineClock | None:
    if kind not in KIND_LABELS:
        errors["kind"] = "请选择类型（检举控告、投诉或意见建议）"
    try:
        return DeadlineClock(clock_value)
    except ValueError:
        errors["clock"] = "请选择时限种类"
        return None


def policy_for(
    session: Session, *, kind: str, category_code: str | None = None, clock: DeadlineClock | str
) -> DeadlineRule:
    """The deadline for a ticket: the category's row, else the kind's row, else the default."""
    errors: dict[str, str] = {}
    which = _check_kind_clock(str(kind), str(clock), errors)
    if errors or which is None:
        raise ValidationFailed(errors)
    statement = select(DeadlinePolicy).where(
        col(DeadlinePolicy.kind) == str(kind), col(DeadlinePolicy.clock) == which
    )
    if category_code:
        statement = statement.where(
            or_(
                col(DeadlinePolicy.category_code) == category_code,
                col(DeadlinePolicy.category_code).is_(None),
            )
        )
    else:
        statement = statement.where(col(DeadlinePolicy.category_code).is_(None))
    rows = session.exec(statement).all()
    chosen = sorted(rows, key=lambda row: row.category_code is None)
    if chosen:
        return DeadlineRule(chosen[0].amount, chosen[0].unit)
    return DEFAULT_POLICIES[(str(kind), which)]


def compute_due(
    session: Session,
    *,
    kind: str,
    category_code: str | None = None,
    clock: DeadlineClock | str,
    start: datetime,
    pauses: Iterable[Pause | tuple[datetime, datetime | None]] = (),
    now: datetime | None = None,
) -> Due:
    """When the `clock` of a ticket of this kind/category started at `start` runs out.

    Open pauses (still waiting for information) count up to `now`; see app.core.workcalendar.
    """
    rule = policy_for(session, kind=kind, category_code=category_code, clock=clock)
    return load_calendar(session).add(start, rule.amount, rule.unit, pauses=pauses, now=now)


@dataclass(frozen=True)
class PolicyRow:
    """One line of the policy table: what applies, and whether an admin changed it."""

    kind: str
    category_code: str | None
    clock: DeadlineClock
    amount: int
    unit: Unit
    inherited: DeadlineRule  # what applies without this row (default or the kind's rule)
    policy_id: int | None  # the database row, None while the default applies

    @property
    def key(self) -> str:
        return policy_key(self.kind, self.category_code, self.clock)

    @property
    def customised(self) -> bool:
        return self.policy_id is not None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def clock_label(self) -> str:
        return CLOCK_LABELS[self.clock]


def policy_key(kind: str, category_code: str | None, clock: DeadlineClock | str) -> str:
    """A stable text key for a policy row (form field values, DOM ids)."""
    return f"{kind}.{category_code or ''}.{DeadlineClock(clock).value}"


def list_policies(session: Session) -> list[PolicyRow]:
    """Every kind × clock (default or configured), then the per-category rows."""
    rows = session.exec(select(DeadlinePolicy)).all()
    kind_rows = {(row.kind, row.clock): row for row in rows if row.category_code is None}
    result: list[PolicyRow] = []
    for kind in KIND_LABELS:
        for which in DeadlineClock:
            default = DEFAULT_POLICIES[(kind, which)]
            row = kind_rows.get((kind, which))
            result.append(
                PolicyRow(
                    kind,
                    None,
                    which,
                    row.amount if row else default.amount,
                    row.unit if row else default.unit,
                    default,
                    row.id if row else None,
                )
            )
    kind_order = list(KIND_LABELS)
    clock_order = list(DeadlineClock)
    category_rows = sorted(
        (row for row in rows if row.category_code is not None),
        key=lambda row: (
            kind_order.index(row.kind) if row.kind in KIND_LABELS else len(kind_order),
            row.category_code or "",
            clock_order.index(row.clock),
        ),
    )
    for row in category_rows:
        kind_row = kind_rows.get((row.kind, row.clock))
        inherited = (
            DeadlineRule(kind_row.amount, kind_row.unit)
            if kind_row
            else DEFAULT_POLICIES.get((row.kind, row.clock), DeadlineRule(row.amount, row.unit))
        )
        result.append(
            PolicyRow(
                row.kind, row.category_code, row.clock, row.amount, row.unit, inherited, row.id
            )
        )
    return result


def _parse_amount(value: int | str, errors: dict[str, str]) -> int | None:
    if isinstance(value, int):
        amount = value
    else:
        text = value.strip()
        if not text:
            errors["amount"] = "请输入天数"
            return None
        try:
            amount = int(text)
        except ValueError:
            errors["amount"] = "天数须为整数"
            return None
    if amount <= 0:
        errors["amount"] = "天数须大于 0"
        return None
    if amount > MAX_AMOUNT:
        errors["amount"] = f"天数不能超过 {MAX_AMOUNT}"
        return None
    return amount


def update_policy(
    session: Session,
    *,
    kind: str,
    category_code: str | None = None,
    clock: DeadlineClock | str,
    amount: int | str,
    unit: Unit | str,
    actor: Actor | None,
    category_codes: Collection[str] | None = None,
) -> DeadlinePolicy:
    """Set the deadline for a kind (category_code None) or one category of it.

    `category_codes`, when given, are the categories that exist (checked so a typo does not
    create a rule nobody uses). Audited as "calendar.policy_updated" with from/to values.
    """
    errors: dict[str, str] = {}
    which = _check_kind_clock(kind, str(clock), errors)
    code = (category_code or "").strip() or None
    if code is not None:
        if len(code) > CATEGORY_CODE_MAX or any(ch.isspace() for ch in code):
            errors["category_code"] = "分类代码不能含空格，且不超过 40 个字符"
        elif category_codes is not None and code not in category_codes:
            errors["category_code"] = "未找到该分类"
    parsed_amount = _parse_amount(amount, errors)
    try:
        parsed_unit: Unit | None = Unit(unit)
    except ValueError:
        errors["unit"] = "请选择工作日或自然日"
        parsed_unit = None
    if errors or which is None or parsed_amount is None or parsed_unit is None:
        raise ValidationFailed(errors)
    before = policy_for(session, kind=kind, category_code=code, clock=which)
    row = _policy_row(session, kind=kind, category_code=code, clock=which)
    if row is None:
        row = DeadlinePolicy(
            kind=kind, category_code=code, clock=which, amount=parsed_amount, unit=parsed_unit
        )
    elif (row.amount, row.unit) == (parsed_amount, parsed_unit):
        return row
    else:
        row.amount = parsed_amount
        row.unit = parsed_unit
        row.updated_at = clock_now()
    session.add(row)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="calendar.policy_updated",
        object_type="deadline_policy",
        object_id=row.id,
        data={
            "kind": kind,
            "category_code": code,
            "clock": which.value,
            "amount": {"from": before.amount, "to": parsed_amount},
            "unit": {"from": before.unit.value, "to": parsed_unit.value},
        },
    )
    return row


def _policy_row(
    session: Session, *, kind: str, category_code: str | None, clock: DeadlineClock
) -> DeadlinePolicy | None:
    statement = select(DeadlinePolicy).where(
        col(DeadlinePolicy.kind) == kind, col(DeadlinePolicy.clock) == clock
    )
    if category_code is None:
        statement = statement.where(col(DeadlinePolicy.category_code).is_(None))
    else:
        statement = statement.where(col(DeadlinePolicy.category_code) == category_code)
    return session.exec(statement).first()


def get_policy(session: Session, *, policy_id: int) -> DeadlinePolicy:
    row = session.get(DeadlinePolicy, policy_id)
    if row is None:
        raise NotFound("未找到该时限设置")
    return row


def reset_policy(session: Session, *, policy_id: int, actor: Actor | None) -> DeadlinePolicy:
    """Delete a configured rule: a kind falls back to the default, a category to its kind."""
    row = get_policy(session, policy_id=policy_id)
    data = {
        "kind": row.kind,
        "category_code": row.category_code,
        "clock": row.clock.value,
        "amount": row.amount,
        "unit": row.unit.value,
    }
    session.delete(row)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="calendar.policy_reset",
        object_type="deadline_policy",
        object_id=policy_id,
        data=data,
    )
    return row
