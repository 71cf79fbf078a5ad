"""Working-day arithmetic: holidays, 调休, overrides, pauses, fallback years, colours."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.clock import LOCAL_TZ
from app.core.workcalendar import (
    DEADLINE_COLOUR_LABELS,
    DayKind,
    DeadlineColour,
    DeadlineUnit,
    Pause,
    WorkCalendar,
    colour_for,
    supported_years,
)

# chinesecalendar 1.11.0 has no data for 2031; far enough ahead to stay unknown for a while.
UNKNOWN_YEAR = 2031


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)  # type: ignore[misc]


def end_of(day: date) -> datetime:
    """23:59:59 Asia/Shanghai on `day`, in UTC, as due dates are stored."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


# --- The package's data ----------------------------------------------------------------------


def test_package_covers_2004_to_2026():
    assert supported_years() == range(2004, 2027)


def test_2026_national_day_arrangement_from_the_package(calendar):
    # The State Council's 2026 notice: 中秋 9月25日–27日; 国庆 10月1日–7日;
    # 9月20日（周日）、10月10日（周六）上班.
    days = [date(2026, 9, 20) + timedelta(days=offset) for offset in range(22)]
    table = {day: (calendar.day(day).kind, calendar.day(day).name) for day in days}

    assert [day for day, (kind, _) in table.items() if kind is DayKind.HOLIDAY] == [
        date(2026, 9, 25),
        date(2026, 9, 26),
        date(2026, 9, 27),
        *[date(2026, 10, d) for d in range(1, 8)],
    ]
    assert {table[date(2026, 10, d)][1] for d in range(1, 8)} == {"国庆节"}
    assert {table[date(2026, 9, d)][1] for d in (25, 26, 27)} == {"中秋节"}
    assert [day for day, (kind, _) in table.items() if kind is DayKind.MAKEUP] == [
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert calendar.day(date(2026, 10, 10)).label == "国庆节调休上班"
    assert calendar.day(date(2026, 10, 11)).kind is DayKind.WEEKEND
    assert calendar.is_workday(date(2026, 10, 8))


# --- Working days ------------------------------------------------------------------------------


def test_fifteen_working_days_after_2026_09_28_skip_national_day_and_count_makeup_day(calendar):
    # Day 1 is 9-29 (the start day is not counted): 9-29, 9-30, [10-1…10-7 国庆], 10-8, 10-9,
    # 10-10 (调休上班, Saturday), 10-12…10-16, 10-19…10-23 → the 15th working day is 10月23日.
    due = calendar.add_working_days(local(2026, 9, 28, 10, 0), 15)

    assert due.due_date == date(2026, 10, 23)
    assert due.due_at == datetime(2026, 10, 23, 15, 59, 59, tzinfo=UTC)
    assert due.due_at.tzinfo is UTC
    assert due.fallback_years == frozenset()
    assert due.explanation == (
        "自 9月28日 起算 15 个工作日（起算当日不计入），跳过 国庆节 休息日 10月1日–10月7日，"
        "计入 调休上班日 10月10日，截至 10月23日 24时"
    )


def test_holidays_of_two_festivals_in_one_run_are_named_together(calendar):
    # 2025: 国庆 and 中秋 (10-6) form one block 10-1…10-8; 10-11 (Saturday) is worked.
    due = calendar.add_working_days(local(2025, 9, 28, 9, 0), 15)

    assert due.due_date == date(2025, 10, 24)
    assert "跳过 国庆节、中秋节 休息日 10月1日–10月8日" in due.explanation
    assert "计入 调休上班日 10月11日" in due.explanation


def test_weekend_is_skipped(calendar):
    friday = local(2026, 11, 13, 16, 0)

    assert calendar.add_working_days(friday, 1).due_date == date(2026, 11, 16)
    assert calendar.add_working_days(friday, 5).due_date == date(2026, 11, 20)


def test_makeup_saturday_is_a_working_day(calendar):
    due = calendar.add_working_days(local(2026, 10, 9, 9, 0), 1)

    assert due.due_date == date(2026, 10, 10)
    assert "计入 调休上班日 10月10日" in due.explanation


def test_start_on_a_holiday_counts_from_the_first_working_day_after_it(calendar):
    due = calendar.add_working_days(local(2026, 10, 3, 11, 0), 1)

    assert due.due_date == date(2026, 10, 8)
    assert due.explanation.startswith("自 10月3日 起算 1 个工作日")
    assert "跳过 国庆节 休息日 10月4日–10月7日" in due.explanation


def test_late_evening_start_counts_in_local_time(calendar):
    # 23:30 in Beijing is still 9月28日 …
    evening = local(2026, 9, 28, 23, 30)
    # … but 00:30 on 9月29日 in Beijing is 16:30 UTC on 9月28日.
    after_midnight = datetime(2026, 9, 28, 16, 30, tzinfo=UTC)

    assert calendar.add_working_days(evening, 15).due_date == date(2026, 10, 23)
    assert calendar.add_working_days(after_midnight, 15).due_date == date(2026, 10, 26)


def test_naive_datetimes_are_taken_as_utc(calendar):
    naive = datetime(2026, 9, 28, 16, 30)

    assert calendar.add_working_days(naive, 15).due_date == date(2026, 10, 26)


def test_across_the_year_boundary_new_years_day_and_makeup_sunday(calendar):
    # 2026: 元旦 1月1日–3日 off, Sunday 1月4日 worked.
    due = calendar.add_working_days(local(2025, 12, 30, 10, 0), 3)

    assert due.due_date == date(2026, 1, 5)
    assert "跳过 元旦 休息日 2026年1月1日–2026年1月3日" in due.explanation
    assert "计入 调休上班日 2026年1月4日" in due.explanation
    assert due.explanation.endswith("截至 2026年1月5日 24时")


def test_zero_days_ends_the_same_day_and_negative_is_refused(calendar):
    assert calendar.add_working_days(local(2026, 10, 3, 9, 0), 0).due_date == date(2026, 10, 3)
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(local(2026, 10, 3, 9, 0), -1)


# --- Unknown years and overrides ----------------------------------------------------------------


def test_unknown_year_falls_back_to_weekends_and_says_so(calendar):
    tuesday = local(UNKNOWN_YEAR, 9, 30, 10, 0)

    due = calendar.add_working_days(tuesday, 15)

    # Weekends only: 10月1日 is an ordinary Wednesday without holiday data.
    assert due.due_date == date(UNKNOWN_YEAR, 10, 21)
    assert due.fallback_years == frozenset({UNKNOWN_YEAR})
    assert f"{UNKNOWN_YEAR} 年法定节假日尚未收录，按周末计算" in due.explanation
    assert calendar.day(date(UNKNOWN_YEAR, 10, 1)).fallback
    assert not calendar.is_year_covered(UNKNOWN_YEAR)


def test_counting_into_an_unknown_year_marks_only_that_year():
    calendar = WorkCalendar()
    start = local(2026, 12, 28, 9, 0)

    due = calendar.add_working_days(start, 10)

    assert due.due_date == date(2027, 1, 11)
    assert due.fallback_years == frozenset({2027})


def test_admin_overrides_cover_an_unknown_year():
    rest = {date(UNKNOWN_YEAR, 10, d): False for d in range(1, 8)}
    calendar = WorkCalendar(
        {**rest, date(UNKNOWN_YEAR, 10, 11): True},
        notes=dict.fromkeys(rest, "国庆节") | {date(UNKNOWN_YEAR, 10, 11): "国庆调休"},
    )

    due = calendar.add_working_days(local(UNKNOWN_YEAR, 9, 30, 10, 0), 15)

    # 10-8, 10-9, 10-10(Fri) …; 10-11 Saturday worked by override.
    assert due.fallback_years == frozenset()
    assert calendar.is_year_covered(UNKNOWN_YEAR)
    assert "跳过 国庆节 休息日 10月1日–10月7日" in due.explanation
    assert "计入 调休上班日 10月11日" in due.explanation
    assert due.due_date == date(UNKNOWN_YEAR, 10, 27)
    assert calendar.day(date(UNKNOWN_YEAR, 10, 11)).overridden
    assert not calendar.day(date(UNKNOWN_YEAR, 10, 12)).fallback


def test_override_beats_the_package():
    calendar = WorkCalendar({date(2026, 10, 9): False, date(2026, 10, 5): True})

    due = calendar.add_working_days(local(2026, 9, 28, 10, 0), 15)

    # 10-5 becomes a working day (+1), 10-9 a rest day (−1): same end date.
    assert due.due_date == date(2026, 10, 23)
    assert calendar.day(date(2026, 10, 9)).kind is DayKind.HOLIDAY
    assert calendar.day(date(2026, 10, 9)).label == "休息"
    assert calendar.day(date(2026, 10, 5)).is_workday
    assert calendar.add_working_days(local(2026, 10, 8, 9, 0), 1).due_date == date(2026, 10, 10)


# --- Pauses ---------------------------------------------------------------------------------


def test_pause_stops_the_clock():
    calendar = WorkCalendar()
    start = local(2026, 9, 28, 10, 0)
    pause = Pause(local(2026, 10, 12, 10, 0), local(2026, 10, 14, 16, 0))

    due = calendar.add_working_days(start, 15, pauses=[pause])

    # 10-13 and 10-14 do not count: two working days later than 10-23.
    assert due.due_date == date(2026, 10, 27)
    assert "暂停计时期间 2 个工作日不计入（10月13日–10月14日）" in due.explanation


def test_open_pause_runs_until_now_and_plain_tuples_work():
    calendar = WorkCalendar()
    start = local(2026, 9, 28, 10, 0)
    pauses = [(local(2026, 10, 12, 10, 0), None)]

    due = calendar.add_working_days(start, 15, pauses=pauses, now=local(2026, 10, 14, 16, 0))

    assert due.due_date == date(2026, 10, 27)


def test_pause_within_one_day_or_after_the_due_date_changes_nothing():
    calendar = WorkCalendar()
    start = local(2026, 9, 28, 10, 0)
    same_day = Pause(local(2026, 10, 12, 9, 0), local(2026, 10, 12, 17, 0))
    after_due = Pause(local(2026, 10, 26, 9, 0), local(2026, 11, 3, 9, 0))

    assert calendar.add_working_days(start, 15, pauses=[same_day, after_due]).due_date == date(
        2026, 10, 23
    )


def test_overlapping_pauses_count_once():
    calendar = WorkCalendar()
    start = local(2026, 9, 28, 10, 0)
    pauses = [
        Pause(local(2026, 10, 12, 10, 0), local(2026, 10, 14, 10, 0)),
        Pause(local(2026, 10, 13, 10, 0), local(2026, 10, 15, 10, 0)),
    ]

    assert calendar.add_working_days(start, 15, pauses=pauses).due_date == date(2026, 10, 28)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 7, 15, 30])
def test_working_days_between_inverts_add_working_days(n):
    calendar = WorkCalendar()
    start = local(2026, 9, 25, 18, 0)
    pauses = [Pause(local(2026, 10, 12, 10, 0), local(2026, 10, 14, 16, 0))]

    due = calendar.add_working_days(start, n, pauses=pauses)

    assert calendar.working_days_between(start, due.due_at, pauses) == n


def test_working_days_between_is_zero_backwards():
    calendar = WorkCalendar()

    assert calendar.working_days_between(local(2026, 10, 9), local(2026, 10, 8)) == 0


# --- Calendar days ----------------------------------------------------------------------------


def test_calendar_days_count_every_day(calendar):
    due = calendar.add_calendar_days(local(2026, 3, 2, 9, 0), 60)

    assert due.due_date == date(2026, 5, 1) + timedelta(days=5)  # 5月1日 falls in 劳动节: 5月6日
    assert due.unit is DeadlineUnit.CALENDAR
    assert "第 60 日 5月1日 为劳动节休息日，顺延至 5月6日" in due.explanation


def test_calendar_days_without_roll_and_with_pause(calendar):
    start = local(2026, 3, 2, 9, 0)
    pause = Pause(local(2026, 3, 10, 9, 0), local(2026, 3, 12, 9, 0))

    plain = calendar.add_calendar_days(start, 60, roll_to_workday=False)
    paused = calendar.add_calendar_days(start, 10, pauses=[pause], roll_to_workday=False)

    assert plain.due_date == date(2026, 5, 1)
    assert paused.due_date == date(2026, 3, 14)
    assert "暂停计时期间 2 日不计入（3月11日–3月12日）" in paused.explanation
    assert calendar.calendar_days_between(start, paused.due_at, [pause]) == 10


def test_add_dispatches_on_unit(calendar):
    start = local(2026, 9, 28, 10, 0)

    assert calendar.add(start, 15, DeadlineUnit.WORKING).due_date == date(2026, 10, 23)
    assert calendar.add(start, 15, "calendar").due_date == date(2026, 10, 13)  # type: ignore[arg-type]


# --- Progress and colours -------------------------------------------------------------------


def test_progress_green_yellow_red(calendar):
    start = local(2026, 11, 2, 9, 0)  # Monday
    due = calendar.add_working_days(start, 10)  # Monday 11-16

    early = calendar.progress(start, due.due_at, local(2026, 11, 5, 9, 0))
    eighty = calendar.progress(start, due.due_at, local(2026, 11, 12, 9, 0))
    last_day = calendar.progress(start, due.due_at, local(2026, 11, 16, 23, 0))
    late = calendar.progress(start, due.due_at, local(2026, 11, 17, 0, 30))

    assert (early.elapsed, early.total, early.colour) == (3, 10, DeadlineColour.GREEN)
    assert (eighty.elapsed, eighty.colour) == (8, DeadlineColour.YELLOW)
    assert eighty.percent == 80
    assert (last_day.fraction, last_day.colour, last_day.overdue) == (1.0, "yellow", False)
    assert late.overdue
    assert late.colour is DeadlineColour.RED
    assert late.fraction > 1
    assert late.label == "超期"


def test_overdue_on_a_rest_day_is_red_with_more_than_full_use(calendar):
    start = local(2026, 11, 2, 9, 0)
    due = calendar.add_working_days(start, 4)  # Friday 11-6

    saturday = calendar.progress(start, due.due_at, local(2026, 11, 7, 10, 0))

    assert saturday.colour is DeadlineColour.RED
    assert saturday.fraction > 1


def test_progress_excludes_paused_days(calendar):
    start = local(2026, 11, 2, 9, 0)
    pause = Pause(local(2026, 11, 3, 9, 0), local(2026, 11, 10, 9, 0))
    due = calendar.add_working_days(start, 5, pauses=[pause])

    progress = calendar.progress(start, due.due_at, local(2026, 11, 11, 9, 0), [pause])

    assert (progress.elapsed, progress.total) == (2, 5)
    assert progress.colour is DeadlineColour.GREEN


def test_progress_in_calendar_days(calendar):
    start = local(2026, 6, 1, 9, 0)
    due = calendar.add_calendar_days(start, 10)

    progress = calendar.progress(start, due.due_at, local(2026, 6, 9, 9, 0), unit="calendar")  # type: ignore[arg-type]

    assert (progress.elapsed, progress.total, progress.colour) == (8, 10, DeadlineColour.YELLOW)


def test_colour_thresholds_and_labels():
    assert colour_for(0.79) is DeadlineColour.GREEN
    assert colour_for(0.8) is DeadlineColour.YELLOW
    assert colour_for(1.0) is DeadlineColour.YELLOW
    assert colour_for(1.01) is DeadlineColour.RED
    assert colour_for(0.1, overdue=True) is DeadlineColour.RED
    assert DEADLINE_COLOUR_LABELS == {
        DeadlineColour.GREEN: "正常",
        DeadlineColour.YELLOW: "临期",
        DeadlineColour.RED: "超期",
    }


# --- Month grid -------------------------------------------------------------------------------


def test_month_grid_is_monday_first_and_padded(calendar):
    weeks = calendar.month(2026, 10)

    assert all(len(week) == 7 for week in weeks)
    assert weeks[0][:3] == [None, None, None]  # 2026-10-01 is a Thursday
    first = weeks[0][3]
    assert first is not None
    assert (first.day, first.kind, first.name) == (date(2026, 10, 1), DayKind.HOLIDAY, "国庆节")
    days = [cell.day for week in weeks for cell in week if cell is not None]
    assert days[0] == date(2026, 10, 1)
    assert days[-1] == date(2026, 10, 31)
    assert len(days) == 31
