"""Working-day arithmetic on the Chinese work calendar: holidays, 调休, admin overrides, pauses.

Pure: no database. `app.calendar.service.load_calendar()` builds a `WorkCalendar` with the admin
overrides stored in the database; everything else (the ticket clocks, the admin 试算 form) only
calls the methods here, so deadlines are counted in exactly one place.

Counting rules (and where they come from):

* Working days: the start day itself is not counted; day 1 is the next working day after the
  local (Asia/Shanghai) date of the start. This is the usual reading of "自受理之日起 N 个工作日"
  and the general rule for periods in 《中华人民共和国民法典》第二百零一条
  ("按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算"), also used by
  《民事诉讼法》第八十五条. The period ends at the end (24:00, stored as 23:59:59) of the Nth
  working day, Asia/Shanghai.
* Calendar days ("60 日"): the same start rule; when the last day falls on a rest day, the period
  ends on the next working day (民法典第二百零三条 "期间的最后一日是法定休假日的，以法定休假日结束
  的次日为期间的最后一日").
* Working days are Monday to Friday, minus statutory holidays, plus make-up working days (调休上班)
  from the `chinesecalendar` package; an admin override for a date wins over both. For years
  the package does not cover (1.11.0 covers 2004–2026) the calendar falls back to weekends only
  and reports those years as `fallback_years`, so the UI can warn.
* Pauses (待补充, the clock stops): a pause from local day P to local day R makes the days after
  P up to and including R not count, in the same way a new start on R would not count R.
  Days already counted before the pause stay counted; a pause after the due date does not
  move it (an overdue ticket cannot be rescued by pausing it).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import NamedTuple

import chinese_calendar

from app.core import clock

# The end of a local day; "24时" in explanations.
END_OF_DAY = time(23, 59, 59)
YELLOW_AT = 0.8

# chinesecalendar names holidays in English (Holiday enum values); show them in zh-CN.
HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}

WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")


class DeadlineUnit(StrEnum):
    WORKING = "working"  # 工作日
    CALENDAR = "calendar"  # 自然日


DEADLINE_UNIT_LABELS: dict[DeadlineUnit, str] = {
    DeadlineUnit.WORKING: "工作日",
    DeadlineUnit.CALENDAR: "自然日",
}


class DeadlineColour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


DEADLINE_COLOUR_LABELS: dict[DeadlineColour, str] = {
    DeadlineColour.GREEN: "正常",
    DeadlineColour.YELLOW: "临期",
    DeadlineColour.RED: "超期",
}


class DayKind(StrEnum):
    WORKDAY = "workday"  # an ordinary working day
    WEEKEND = "weekend"  # an ordinary Saturday or Sunday
    HOLIDAY = "holiday"  # a statutory (or admin-declared) rest day
    MAKEUP = "makeup"  # 调休上班: a weekend day worked to make up for a holiday


DAY_KIND_LABELS: dict[DayKind, str] = {
    DayKind.WORKDAY: "工作日",
    DayKind.WEEKEND: "周末",
    DayKind.HOLIDAY: "节假日",
    DayKind.MAKEUP: "调休上班",
}


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_workday: bool
    kind: DayKind
    # zh-CN holiday name (国庆节) for holidays and make-up days; the note for overrides.
    name: str = ""
    overridden: bool = False
    # True when the package does not know the year and no override says otherwise.
    fallback: bool = False

    @property
    def label(self) -> str:
        if self.kind is DayKind.HOLIDAY:
            return self.name or "休息"
        if self.kind is DayKind.MAKEUP:
            return f"{self.name}调休上班" if self.name and not self.overridden else "调休上班"
        return DAY_KIND_LABELS[self.kind]


class Pause(NamedTuple):
    """The clock stopped at `start` and resumed at `end` (None: still stopped)."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class Due:
    due_at: datetime  # aware, UTC: 23:59:59 Asia/Shanghai on `due_date`
    due_date: date  # local
    explanation: str  # zh-CN, "自 9月28日 起算 15 个工作日…，截至 10月23日 24时"
    amount: int
    unit: DeadlineUnit
    # Years the count passed through that the package does not cover and no override touches.
    fallback_years: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Progress:
    fraction: float  # share of the allowance used; > 1 only once overdue
    colour: DeadlineColour
    elapsed: int  # days (of the deadline's unit) used, pauses excluded
    total: int  # days allowed
    overdue: bool

    @property
    def label(self) -> str:
        return DEADLINE_COLOUR_LABELS[self.colour]

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)


# --- The package ------------------------------------------------------------------------------


@cache
def supported_years() -> range:
    """The years chinesecalendar knows holidays and make-up days for (2004–2026 in 1.11.0)."""
    years = [day.year for day in chinese_calendar.constants.holidays]
    return range(min(years), max(years) + 1)


@cache
def _library_day(day: date) -> DayInfo:
    try:
        works = bool(chinese_calendar.is_workday(day))
        _is_holiday, english = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        weekend = day.weekday() >= 5
        kind = DayKind.WEEKEND if weekend else DayKind.WORKDAY
        return DayInfo(day, not weekend, kind, fallback=True)
    name = HOLIDAY_NAMES.get(english or "", english or "")
    weekend = day.weekday() >= 5
    if works:
        return DayInfo(day, True, DayKind.MAKEUP if weekend else DayKind.WORKDAY, name)
    if name:
        return DayInfo(day, False, DayKind.HOLIDAY, name)
    return DayInfo(day, False, DayKind.WEEKEND)


# --- Formatting -------------------------------------------------------------------------------


def local_date(moment: datetime) -> date:
    return clock.to_local(moment).date()


def end_of_day_utc(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def format_day(day: date, base_year: int | None = None) -> str:
    """ "10月1日", with the year when it differs from `base_year` ("2027年1月4日")."""
    if base_year is not None and day.year != base_year:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.month}月{day.day}日"


def _format_span(first: date, last: date, base_year: int) -> str:
    if first == last:
        return format_day(first, base_year)
    return f"{format_day(first, base_year)}–{format_day(last, base_year)}"


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Group sorted dates into runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _join(parts: Iterable[str]) -> str:
    return "、".join(parts)


def _year_list(years: Iterable[int]) -> str:
    return "、".join(str(year) for year in sorted(years))


# --- The calendar -----------------------------------------------------------------------------


class WorkCalendar:
    """Chinese working days with admin overrides (date → works that day) taking precedence."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        *,
        notes: Mapping[date, str] | None = None,
    ) -> None:
        self.overrides: dict[date, bool] = dict(overrides or {})
        self.notes: dict[date, str] = dict(notes or {})
        self._override_years = frozenset(day.year for day in self.overrides)

    # Days

    def day(self, day: date) -> DayInfo:
        """What `day` is: working or not, and why (holiday name, 调休, override, fallback)."""
        base = _library_day(day)
        if day not in self.overrides:
            if base.fallback and day.year in self._override_years:
                # The admin has entered this year's holidays: not a blind fallback any more.
                return DayInfo(day, base.is_workday, base.kind)
            return base
        works = self.overrides[day]
        note = self.notes.get(day, "")
        weekend = day.weekday() >= 5
        if works:
            kind = DayKind.MAKEUP if weekend else DayKind.WORKDAY
        else:
            kind = DayKind.HOLIDAY if (note or not weekend) else DayKind.WEEKEND
        return DayInfo(day, works, kind, note, overridden=True)

    def is_workday(self, day: date) -> bool:
        return self.day(day).is_workday

    def is_year_covered(self, year: int) -> bool:
        """True when the package knows `year` or an admin has entered overrides for it."""
        return year in supported_years() or year in self._override_years

    def uncovered_years(self, years: Iterable[int]) -> list[int]:
        return sorted({year for year in years if not self.is_year_covered(year)})

    def month(self, year: int, month: int) -> list[list[DayInfo | None]]:
        """Weeks (Monday first) of one month for a grid; None pads the first and last week."""
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        cells: list[DayInfo | None] = [None] * first.weekday()
        day = first
        while day < following:
            cells.append(self.day(day))
            day += timedelta(days=1)
        cells.extend([None] * (-len(cells) % 7))
        return [cells[index : index + 7] for index in range(0, len(cells), 7)]

    # Counting

    def add(
        self,
        start: datetime,
        amount: int,
        unit: DeadlineUnit,
        *,
        pauses: Iterable[Pause | tuple[datetime, datetime | None]] = (),
        now: datetime | None = None,
    ) -> Due:
        """`amount` working or calendar days after `start` (see the module docstring)."""
        if DeadlineUnit(unit) is DeadlineUnit.WORKING:
            return self.add_working_days(start, amount, pauses=pauses, now=now)
        return self.add_calendar_days(start, amount, pauses=pauses, now=now)

    def add_working_days(
        self,
        start: datetime,
        n: int,
        *,
        pauses: Iterable[Pause | tuple[datetime, datetime | None]] = (),
        now: datetime | None = None,
    ) -> Due:
        """The end of the Nth working day after the local date of `start` (that day not counted).

        Open pauses (no end) count as ending at `now` (default: the current time), giving the
        due date the ticket would have if the clock restarted now.
        """
        _check_amount(n)
        start_day = local_date(_aware(start))
        paused = _paused_days(pauses, now)
        counted = 0
        day = start_day
        skipped: list[DayInfo] = []
        makeup: list[date] = []
        paused_hit: list[date] = []
        seen: list[DayInfo] = []
        while counted < n:
            day += timedelta(days=1)
            info = self.day(day)
            seen.append(info)
            if not info.is_workday:
                if info.kind is DayKind.HOLIDAY:
                    skipped.append(info)
                continue
            if day in paused:
                paused_hit.append(day)
                continue
            counted += 1
            if info.kind is DayKind.MAKEUP:
                makeup.append(day)
        fallback = self._fallback_years(seen)
        parts = [f"自 {format_day(start_day)} 起算 {n} 个工作日（起算当日不计入）"]
        parts.extend(_holiday_parts(skipped, start_day.year))
        if makeup:
            spans = _join(format_day(d, start_day.year) for d in makeup)
            parts.append(f"计入 调休上班日 {spans}")
        if paused_hit:
            spans = _join(_format_span(a, b, start_day.year) for a, b in _runs(paused_hit))
            parts.append(f"暂停计时期间 {len(paused_hit)} 个工作日不计入（{spans}）")
        if fallback:
            parts.append(f"{_year_list(fallback)} 年法定节假日尚未收录，按周末计算")
        parts.append(f"截至 {format_day(day, start_day.year)} 24时")
        return Due(
            due_at=end_of_day_utc(day),
            due_date=day,
            explanation="，".join(parts),
            amount=n,
            unit=DeadlineUnit.WORKING,
            fallback_years=frozenset(fallback),
        )

    def add_calendar_days(
        self,
        start: datetime,
        n: int,
        *,
        pauses: Iterable[Pause | tuple[datetime, datetime | None]] = (),
        now: datetime | None = None,
        roll_to_workday: bool = True,
    ) -> Due:
        """The end of the Nth day after the local date of `start`, paused days not counted.

        A last day that is a rest day moves to the next working day (民法典第二百零三条)
        unless `roll_to_workday` is False.
        """
        _check_amount(n)
        start_day = local_date(_aware(start))
        paused = _paused_days(pauses, now)
        counted = 0
        day = start_day
        paused_hit: list[date] = []
        seen: list[DayInfo] = []
        while counted < n:
            day += timedelta(days=1)
            if day in paused:
                paused_hit.append(day)
                continue
            counted += 1
        base_year = start_day.year
        parts = [f"自 {format_day(start_day)} 起算 {n} 日（起算当日不计入）"]
        if paused_hit:
            spans = _join(_format_span(a, b, base_year) for a, b in _runs(paused_hit))
            parts.append(f"暂停计时期间 {len(paused_hit)} 日不计入（{spans}）")
        last = day
        if roll_to_workday and n > 0:
            info = self.day(day)
            seen.append(info)
            while not info.is_workday:
                day += timedelta(days=1)
                info = self.day(day)
                seen.append(info)
            if day != last:
                reason = self.day(last)
                named = reason.kind is DayKind.HOLIDAY and reason.name
                why = f"{reason.name}休息日" if named else "休息日"
                moved = format_day(day, base_year)
                parts.append(f"第 {n} 日 {format_day(last, base_year)} 为{why}，顺延至 {moved}")
        fallback = self._fallback_years(seen) if roll_to_workday else []
        if fallback:
            parts.append(f"{_year_list(fallback)} 年法定节假日尚未收录，按周末计算")
        parts.append(f"截至 {format_day(day, base_year)} 24时")
        return Due(
            due_at=end_of_day_utc(day),
            due_date=day,
            explanation="，".join(parts),
            amount=n,
            unit=DeadlineUnit.CALENDAR,
            fallback_years=frozenset(fallback),
        )

    def working_days_between(
        self,
        a: datetime,
        b: datetime,
        paused: Iterable[Pause | tuple[datetime, datetime | None]] = (),
        *,
        now: datetime | None = None,
    ) -> int:
        """Working days after the local date of `a` up to and including that of `b`, pauses
        excluded; 0 when `b` is not after `a`. Counting the same way as add_working_days:
        add_working_days(a, n).due_at == b's day end ⇒ working_days_between(a, b) == n."""
        return self._days_between(a, b, paused, now=now, working=True)

    def calendar_days_between(
        self,
        a: datetime,
        b: datetime,
        paused: Iterable[Pause | tuple[datetime, datetime | None]] = (),
        *,
        now: datetime | None = None,
    ) -> int:
        return self._days_between(a, b, paused, now=now, working=False)

    def _days_between(
        self,
        a: datetime,
        b: datetime,
        paused: Iterable[Pause | tuple[datetime, datetime | None]],
        *,
        now: datetime | None,
        working: bool,
    ) -> int:
        first = local_date(_aware(a))
        last = local_date(_aware(b))
        stopped = _paused_days(paused, now)
        count = 0
        day = first + timedelta(days=1)
        while day <= last:
            if day not in stopped and (not working or self.is_workday(day)):
                count += 1
            day += timedelta(days=1)
        return count

    def progress(
        self,
        start: datetime,
        due_at: datetime,
        now: datetime,
        paused: Iterable[Pause | tuple[datetime, datetime | None]] = (),
        *,
        unit: DeadlineUnit = DeadlineUnit.WORKING,
    ) -> Progress:
        """How much of the allowance is used: green, yellow from 80 %, red once overdue.

        Today counts as used (on the due day the whole allowance is spent). Red means `now` is
        past `due_at`; the fraction is then at least 100 % plus the days beyond the due date.
        """
        pauses = list(paused)
        working = DeadlineUnit(unit) is DeadlineUnit.WORKING
        total = self._days_between(start, due_at, pauses, now=now, working=working)
        elapsed = self._days_between(start, now, pauses, now=now, working=working)
        overdue = _aware(now) > _aware(due_at)
        fraction = 1.0 if total <= 0 else elapsed / total
        if overdue:
            # A rest day after the due date adds no working day, but the ticket is late.
            over = self._days_between(due_at, now, pauses, now=now, working=False)
            fraction = max(fraction, 1.0 + max(over, 1) / max(total, 1))
        return Progress(fraction, colour_for(fraction, overdue=overdue), elapsed, total, overdue)

    def _fallback_years(self, seen: Iterable[DayInfo]) -> list[int]:
        return sorted({info.day.year for info in seen if info.fallback})


def colour_for(fraction: float, *, overdue: bool = False) -> DeadlineColour:
    """Red when overdue (more than 100 %), yellow from 80 % of the allowance, else green."""
    if overdue or fraction > 1:
        return DeadlineColour.RED
    if fraction >= YELLOW_AT:
        return DeadlineColour.YELLOW
    return DeadlineColour.GREEN


def _holiday_parts(skipped: Sequence[DayInfo], base_year: int) -> list[str]:
    """ "跳过 国庆节 休息日 10月1日–10月7日" per run of consecutive holiday days."""
    if not skipped:
        return []
    runs: list[list[DayInfo]] = []
    for info in skipped:
        if runs and runs[-1][-1].day + timedelta(days=1) == info.day:
            runs[-1].append(info)
        else:
            runs.append([info])
    texts = []
    for run in runs:
        names: list[str] = []
        for info in run:
            if info.name and info.name not in names:
                names.append(info.name)
        label = f"{_join(names)} 休息日" if names else "休息日"
        texts.append(f"{label} {_format_span(run[0].day, run[-1].day, base_year)}")
    return [f"跳过 {_join(texts)}"]


def _check_amount(n: int) -> None:
    if n < 0:
        raise ValueError("a deadline cannot be a negative number of days")


def _aware(moment: datetime) -> datetime:
    # Stored times are UTC; a naive value is taken as UTC, like clock.to_local does.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _paused_days(
    pauses: Iterable[Pause | tuple[datetime, datetime | None]], now: datetime | None
) -> frozenset[date]:
    """Local days on which the clock stood still: after the pause's day, up to its end's day."""
    days: set[date] = set()
    for start, end in pauses:
        resumed = end if end is not None else (now or clock.now())
        first = local_date(_aware(start)) + timedelta(days=1)
        last = local_date(_aware(resumed))
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)
