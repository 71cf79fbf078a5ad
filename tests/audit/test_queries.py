"""Reading the audit log: filters, local-date ranges, counts, and the zh-CN wording of events."""

from datetime import UTC, date, datetime

from app.audit import labels
from app.audit import service as audit_service
from app.core import clock
from tests import factories


def record_at(session, moment: datetime, **kwargs):
    with clock.frozen(moment):
        return audit_service.record(session, **kwargs)


def test_list_events_filters_and_orders_newest_first(session):
    admin = factories.make_user(session, username="boss")
    first = audit_service.record(
        session, actor=admin, action="unit.updated", object_type="unit", object_id=5
    )
    second = audit_service.record(
        session, actor=None, action="unit.updated", object_type="unit", object_id=6
    )
    third = audit_service.record(
        session, actor=admin, action="account.user_created", object_type="user", object_id=9
    )

    def ids(**filters) -> list[int]:
        return [e.id for e in audit_service.list_events(session, **filters).items]

    assert ids()[:3] == [third.id, second.id, first.id]
    assert ids(action="unit.updated") == [second.id, first.id]
    assert ids(actor="boss") == [third.id, first.id]
    assert ids(actor="system", action="unit.updated") == [second.id]
    assert ids(object_type="unit", object_id="5") == [first.id]


def test_date_range_is_in_local_days_and_inclusive(session):
    # 2026-03-01 23:30 in Shanghai is still 15:30 UTC on the same date; 16:30 UTC is the 2nd.
    late_first = record_at(
        session, datetime(2026, 3, 1, 15, 30, tzinfo=UTC), actor=None, action="t.a"
    )
    early_second = record_at(
        session, datetime(2026, 3, 1, 16, 30, tzinfo=UTC), actor=None, action="t.a"
    )
    third = record_at(session, datetime(2026, 3, 3, 2, 0, tzinfo=UTC), actor=None, action="t.a")

    def ids(**filters) -> list[int]:
        return [e.id for e in audit_service.list_events(session, action="t.a", **filters).items]

    assert ids(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)) == [late_first.id]
    assert ids(date_from=date(2026, 3, 2)) == [third.id, early_second.id]
    assert ids(date_to=date(2026, 3, 2)) == [early_second.id, late_first.id]
    assert audit_service.count_events_on(session, day=date(2026, 3, 2)) == 1


def test_pages_hold_per_page_events(session):
    for n in range(5):
        audit_service.record(session, actor=None, action="t.paged", object_id=n)
    page = audit_service.list_events(session, action="t.paged", page=2, per_page=2)
    assert (page.total, page.pages, [e.object_id for e in page.items]) == (5, 3, ["2", "1"])


def test_recorded_actions_and_object_types(session):
    audit_service.record(session, actor=None, action="t.something", object_type="widget")
    assert "t.something" in audit_service.recorded_actions(session)
    assert "widget" in audit_service.recorded_object_types(session)


def test_describe_events_in_chinese(session):
    granted = audit_service.record(
        session,
        actor=None,
        action="account.role_granted",
        object_type="user",
        object_id=7,
        data={"role": "team_lead", "unit_id": None, "team_id": 3},
    )
    unknown = audit_service.record(session, actor=None, action="x.done", data={"flag": True})

    assert labels.describe(granted) == "授予角色：监督单位负责人"
    assert labels.object_label(granted) == "用户 #7"
    assert labels.data_items(granted) == [
        ("角色", "监督单位负责人"),
        ("单位 ID", "—"),
        ("监督单位 ID", "3"),
    ]
    assert labels.describe(unknown) == "x.done"
    assert labels.data_items(unknown) == [("flag", "是")]
