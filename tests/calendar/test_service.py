"""Calendar overrides, coverage warnings and deadline policies against the database."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.calendar import service
from app.calendar.models import CalendarOverride, DeadlineClock, DeadlinePolicy
from app.core.clock import LOCAL_TZ
from app.core.errors import NotFound, ValidationFailed
from app.core.workcalendar import DayKind, DeadlineUnit, Pause

UNKNOWN_YEAR = 2031


def audit(session, action: str) -> list[AuditEvent]:
    statement = select(AuditEvent).where(col(AuditEvent.action) == action)
    return list(session.exec(statement.order_by(col(AuditEvent.id))).all())


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)  # type: ignore[misc]


# --- Overrides ------------------------------------------------------------------------------


def test_set_override_is_stored_audited_and_used(session, world):
    before = service.load_calendar(session)
    assert before.is_workday(date(UNKNOWN_YEAR, 10, 1))

    row = service.set_override(
        session, day="2031-10-01", is_workday="rest", note="国庆节", actor=world.admin
    )

    assert (row.day, row.is_workday, row.note) == (date(UNKNOWN_YEAR, 10, 1), False, "国庆节")
    calendar = service.load_calendar(session)
    assert calendar is not before, "the cached calendar must be dropped after a change"
    info = calendar.day(date(UNKNOWN_YEAR, 10, 1))
    assert (info.is_workday, info.kind, info.name, info.overridden) == (
        False,
        DayKind.HOLIDAY,
        "国庆节",
        True,
    )
    [event] = audit(session, "calendar.override_set")
    assert event.actor_id == world.admin.id
    assert event.object_type == "calendar_override"
    assert event.object_id == "2031-10-01"
    assert event.data == {
        "day": "2031-10-01",
        "is_workday": False,
        "note": "国庆节",
        "previous": None,
    }


def test_set_override_again_replaces_it_and_records_the_previous_value(session, world):
    service.set_override(session, day=date(2031, 10, 11), is_workday=True, actor=world.admin)
    service.set_override(
        session, day="2031-10-11", is_workday="rest", note="更正", actor=world.admin
    )
    # Saving the same again changes nothing and records nothing.
    service.set_override(
        session, day="2031-10-11", is_workday="rest", note="更正", actor=world.admin
    )

    rows = service.list_overrides(session, year=UNKNOWN_YEAR)
    assert [(r.day, r.is_workday, r.note) for r in rows] == [(date(2031, 10, 11), False, "更正")]
    events = audit(session, "calendar.override_set")
    assert len(events) == 2
    assert events[1].data["previous"] == {"is_workday": True, "note": ""}


@pytest.mark.parametrize(
    ("day", "status", "note", "errors"),
    [
        ("", "rest", "", {"day": "请选择日期"}),
        ("2031/10/01", "rest", "", {"day": "日期格式应为 2027-10-01"}),
        ("1999-10-01", "rest", "", {"day": "日期须在 2000 年至 2100 年之间"}),
        ("2031-10-01", "", "", {"is_workday": "请选择上班或休息"}),
        ("2031-10-01", "rest", "节" * 101, {"note": "备注不能超过 100 个字"}),
    ],
)
def test_set_override_validation(session, world, day, status, note, errors):
    with pytest.raises(ValidationFailed) as caught:
        service.set_override(session, day=day, is_workday=status, note=note, actor=world.admin)

    assert caught.value.errors == errors
    assert service.list_overrides(session) == []
    assert audit(session, "calendar.override_set") == []


def test_delete_override_restores_the_package_and_is_audited(session, world):
    row = service.set_override(
        session, day="2026-10-09", is_workday="rest", note="临时休息", actor=world.admin
    )
    assert not service.load_calendar(session).is_workday(date(2026, 10, 9))

    service.delete_override(session, override_id=row.id, actor=world.admin)

    assert service.load_calendar(session).is_workday(date(2026, 10, 9))
    [event] = audit(session, "calendar.override_deleted")
    assert event.data == {"day": "2026-10-09", "is_workday": False, "note": "临时休息"}
    with pytest.raises(NotFound):
        service.delete_override(session, override_id=row.id, actor=world.admin)


def test_list_overrides_by_year(session, world):
    for day in ("2031-01-01", "2030-12-31", "2031-12-31"):
        service.set_override(session, day=day, is_workday="rest", actor=world.admin)

    assert [r.day.isoformat() for r in service.list_overrides(session, year=2031)] == [
        "2031-01-01",
        "2031-12-31",
    ]
    assert len(service.list_overrides(session)) == 3


# --- Coverage warning -------------------------------------------------------------------------


def test_supported_years_come_from_the_package():
    assert 2026 in service.supported_years()
    assert UNKNOWN_YEAR not in service.supported_years()


def test_warning_when_next_year_is_unknown(session):
    # chinesecalendar 1.11.0 ends with 2026, so in 2026 the next year is not covered.
    warning = service.calendar_warning(session, now=datetime(2026, 11, 22, 2, 0, tzinfo=UTC))

    assert warning == "2027 年的法定节假日尚未收录，当前按周末计算，请在工作日历中补录"


def test_warning_names_both_years_and_goes_away_with_overrides(session, world):
    now = local(2030, 12, 31, 23, 30)

    assert service.calendar_warning(session, now=now) == (
        "2030、2031 年的法定节假日尚未收录，当前按周末计算，请在工作日历中补录"
    )

    service.set_override(session, day="2030-10-01", is_workday="rest", actor=world.admin)
    service.set_override(session, day="2031-10-01", is_workday="rest", actor=world.admin)

    assert service.calendar_warning(session, now=now) is None


def test_no_warning_for_covered_years(session):
    assert service.calendar_warning(session, now=local(2025, 6, 1, 9, 0)) is None


# --- Policies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "which", "expected"),
    [
        ("report", "acknowledge", (15, DeadlineUnit.WORKING)),
        ("complaint", "acknowledge", (1, DeadlineUnit.WORKING)),
        ("suggestion", "acknowledge", (1, DeadlineUnit.WORKING)),
        ("report", "resolve", (60, DeadlineUnit.CALENDAR)),
        ("complaint", "resolve", (7, DeadlineUnit.WORKING)),
        ("suggestion", "resolve", (15, DeadlineUnit.WORKING)),
        ("report", "feedback", (15, DeadlineUnit.WORKING)),
        ("complaint", "feedback", (15, DeadlineUnit.WORKING)),
        ("complaint", "rating", (7, DeadlineUnit.CALENDAR)),
        ("suggestion", "rating", (7, DeadlineUnit.CALENDAR)),
    ],
)
def test_default_policies(session, kind, which, expected):
    assert service.policy_for(session, kind=kind, clock=which) == expected
    amount, unit = service.policy_for(session, kind=kind, category_code="any", clock=which)
    assert (amount, unit) == expected


def test_kind_and_category_rows_override_the_defaults(session, world):
    service.update_policy(
        session, kind="complaint", clock="resolve", amount="5", unit="working", actor=world.admin
    )
    service.update_policy(
        session,
        kind="complaint",
        category_code="fees",
        clock=DeadlineClock.RESOLVE,
        amount=3,
        unit=DeadlineUnit.WORKING,
        actor=world.admin,
    )

    resolve = DeadlineClock.RESOLVE
    assert service.policy_for(session, kind="complaint", clock=resolve) == (5, "working")
    assert service.policy_for(session, kind="complaint", category_code="fees", clock=resolve) == (
        3,
        "working",
    )
    assert service.policy_for(session, kind="complaint", category_code="other", clock=resolve) == (
        5,
        "working",
    )
    # Other clocks and kinds keep their defaults.
    assert service.policy_for(session, kind="complaint", clock="acknowledge") == (1, "working")
    assert service.policy_for(session, kind="suggestion", clock=resolve) == (15, "working")


def test_update_policy_audits_from_and_to_and_skips_no_change(session, world):
    row = service.update_policy(
        session, kind="report", clock="resolve", amount="90", unit="calendar", actor=world.admin
    )
    service.update_policy(
        session, kind="report", clock="resolve", amount="30", unit="working", actor=world.admin
    )
    service.update_policy(
        session, kind="report", clock="resolve", amount=30, unit="working", actor=world.admin
    )

    rows = session.exec(select(DeadlinePolicy)).all()
    assert [(r.id, r.amount, r.unit) for r in rows] == [(row.id, 30, DeadlineUnit.WORKING)]
    events = audit(session, "calendar.policy_updated")
    assert [e.data for e in events] == [
        {
            "kind": "report",
            "category_code": None,
            "clock": "resolve",
            "amount": {"from": 60, "to": 90},
            "unit": {"from": "calendar", "to": "calendar"},
        },
        {
            "kind": "report",
            "category_code": None,
            "clock": "resolve",
            "amount": {"from": 90, "to": 30},
            "unit": {"from": "calendar", "to": "working"},
        },
    ]
    assert events[0].object_type == "deadline_policy"
    assert events[0].object_id == str(row.id)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"amount": "0"}, {"amount": "天数须大于 0"}),
        ({"amount": "-3"}, {"amount": "天数须大于 0"}),
        ({"amount": "七"}, {"amount": "天数须为整数"}),
        ({"amount": ""}, {"amount": "请输入天数"}),
        ({"amount": "400"}, {"amount": "天数不能超过 366"}),
        ({"unit": "hours"}, {"unit": "请选择工作日或自然日"}),
        ({"kind": "praise"}, {"kind": "请选择类型（检举控告、投诉或意见建议）"}),
        ({"clock": "forever"}, {"clock": "请选择时限种类"}),
        ({"category_code": "a b"}, {"category_code": "分类代码不能含空格，且不超过 40 个字符"}),
        ({"category_code": "missing"}, {"category_code": "未找到该分类"}),
    ],
)
def test_update_policy_validation(session, world, changes, errors):
    values = {"kind": "complaint", "clock": "resolve", "amount": "5", "unit": "working"}
    values.update(changes)

    with pytest.raises(ValidationFailed) as caught:
        service.update_policy(session, **values, actor=world.admin, category_codes={"fees"})

    assert caught.value.errors == errors
    assert session.exec(select(DeadlinePolicy)).all() == []
    assert audit(session, "calendar.policy_updated") == []


def test_policy_for_rejects_unknown_kind(session):
    with pytest.raises(ValidationFailed):
        service.policy_for(session, kind="praise", clock="resolve")


def test_reset_policy_goes_back_to_the_default_and_is_audited(session, world):
    row = service.update_policy(
        session, kind="complaint", clock="resolve", amount=5, unit="working", actor=world.admin
    )

    service.reset_policy(session, policy_id=row.id, actor=world.admin)

    assert service.policy_for(session, kind="complaint", clock="resolve") == (7, "working")
    [event] = audit(session, "calendar.policy_reset")
    assert event.data == {
        "kind": "complaint",
        "category_code": None,
        "clock": "resolve",
        "amount": 5,
        "unit": "working",
    }
    with pytest.raises(NotFound):
        service.reset_policy(session, policy_id=row.id, actor=world.admin)


def test_list_policies_has_every_kind_and_clock_then_categories(session, world):
    service.update_policy(
        session, kind="complaint", clock="resolve", amount=5, unit="working", actor=world.admin
    )
    service.update_policy(
        session,
        kind="complaint",
        category_code="fees",
        clock="resolve",
        amount=3,
        unit="working",
        actor=world.admin,
    )

    rows = service.list_policies(session)

    assert len(rows) == 3 * 4 + 1
    assert [(r.kind, r.clock.value) for r in rows[:4]] == [
        ("report", "acknowledge"),
        ("report", "resolve"),
        ("report", "feedback"),
        ("report", "rating"),
    ]
    complaint_resolve = next(
        r for r in rows if (r.kind, r.category_code, r.clock) == ("complaint", None, "resolve")
    )
    assert (complaint_resolve.amount, complaint_resolve.customised) == (5, True)
    assert complaint_resolve.inherited == (7, "working")
    category = rows[-1]
    assert (category.category_code, category.amount, category.inherited) == (
        "fees",
        3,
        (5, "working"),
    )
    assert category.key == "complaint.fees.resolve"
    assert rows[0].key == "report..acknowledge"
    assert not rows[0].customised


def test_only_one_kind_wide_row_per_kind_and_clock(session):
    session.add(DeadlinePolicy(kind="report", clock="resolve", amount=1, unit="working"))
    session.flush()
    nested = session.begin_nested()
    session.add(DeadlinePolicy(kind="report", clock="resolve", amount=2, unit="working"))
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()


def test_only_one_override_per_day(session):
    session.add(CalendarOverride(day=date(2031, 1, 1), is_workday=False))
    session.flush()
    nested = session.begin_nested()
    session.add(CalendarOverride(day=date(2031, 1, 1), is_workday=True))
    with pytest.raises(IntegrityError):
        session.flush()
    nested.rollback()


# --- Due dates --------------------------------------------------------------------------------


def test_compute_due_uses_policy_calendar_and_overrides(session, world):
    start = local(2026, 9, 28, 10, 0)

    report_ack = service.compute_due(session, kind="report", clock="acknowledge", start=start)
    complaint = service.compute_due(session, kind="complaint", clock="resolve", start=start)

    assert report_ack.due_date == date(2026, 10, 23)
    assert "跳过 国庆节 休息日 10月1日–10月7日" in report_ack.explanation
    # 9-29, 9-30, 10-8, 10-9, 10-10 (调休), 10-12, 10-13.
    assert complaint.due_date == date(2026, 10, 13)

    service.set_override(session, day="2026-10-12", is_workday="rest", actor=world.admin)
    moved = service.compute_due(session, kind="complaint", clock="resolve", start=start)
    assert moved.due_date == date(2026, 10, 14)


def test_compute_due_in_calendar_days_and_with_pauses(session, world):
    start = local(2026, 3, 2, 9, 0)
    pause = Pause(local(2026, 3, 10, 9, 0), local(2026, 3, 12, 9, 0))

    report = service.compute_due(session, kind="report", clock="resolve", start=start)
    paused = service.compute_due(
        session, kind="complaint", clock="resolve", start=start, pauses=[pause]
    )

    # 60 days end on 5月1日 (劳动节), moved to the next working day.
    assert report.due_date == date(2026, 5, 6)
    assert report.unit is DeadlineUnit.CALENDAR
    # 7 working days from 3-2 is 3-11; 3-11 and 3-12 were paused.
    assert paused.due_date == date(2026, 3, 13)


def test_compute_due_reports_fallback_years(session):
    due = service.compute_due(
        session, kind="report", clock="acknowledge", start=local(UNKNOWN_YEAR, 9, 30, 9, 0)
    )

    assert due.fallback_years == frozenset({UNKNOWN_YEAR})
