"""Supervision notices: numbering, the workflow, deadlines, overdue escalation, scope, audit."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.account.models import User
from app.account.permissions import Role
from app.audit.models import AuditEvent
from app.core import clock
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.supervision import notices, numbering
from app.supervision.models import NoticeStatus, SupervisionNotice
from app.supervision.workflow import ActionNotAllowed
from app.unit.models import TeamKind, UnitKind
from tests.conftest import own_database
from tests.factories import make_team, make_unit, make_user
from tests.supervision.factories import MONDAY, draft, issued, principal
from tests.ticket.factories import pdf_bytes


def _actions(session: Session, object_id: int | None) -> list[str]:
    return list(
        session.exec(
            select(AuditEvent.action)
            .where(
                col(AuditEvent.object_type) == "supervision_notice",
                col(AuditEvent.object_id) == str(object_id),
            )
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_issued_notices_are_numbered_per_team_and_year_with_the_team_prefix(session, world):
    with clock.frozen(MONDAY):
        first = issued(session, world)
        second = issued(session, world)
    # 甲镇纪委 sits in 甲镇 → 甲纪督; numbers run on within the team and year.
    assert first.number == "甲纪督〔2026〕1号"
    assert second.number == "甲纪督〔2026〕2号"
    assert (second.year, second.sequence) == (2026, 2)


def test_each_team_counts_on_its_own_and_prefixes_carry_into_the_next_year(session, world):
    numbering.set_prefix(
        session, team_id=world.township_team.id, prefix="甲纪工督", actor=world.admin, year=2026
    )
    assert numbering.allocate(session, team_id=world.township_team.id, year=2026).sequence == 1
    assert numbering.allocate(session, team_id=world.other_team.id, year=2026).sequence == 1
    nxt = numbering.allocate(session, team_id=world.township_team.id, year=2027)
    assert str(nxt) == "甲纪工督〔2027〕1号"
    assert numbering.current_prefix(session, team_id=world.other_team.id, year=2027) == "乙纪督"


def test_a_bad_prefix_is_refused(session, world):
    with pytest.raises(ValidationFailed) as caught:
        numbering.set_prefix(session, team_id=world.township_team.id, prefix="宁〔", actor=None)
    assert "prefix" in caught.value.errors


def test_full_workflow_sign_respond_return_respond_accept(session, world):
    with clock.frozen(MONDAY):
        notice = issued(session, world)
    assert notice.status is NoticeStatus.ISSUED
    # 5 working days after Monday 2 November: Monday 9 November, 24:00 local.
    assert notice.due_at is not None
    assert clock.to_local(notice.due_at).date().isoformat() == "2026-11-09"
    assert "5 个工作日" in notice.due_explanation
    editor = principal(session, world.editor)
    lead = principal(session, world.lead)
    notices.sign_notice(session, principal=editor, notice_id=notice.id)
    assert notice.status is NoticeStatus.SIGNED
    with pytest.raises(ValidationFailed):
        notices.respond_notice(session, principal=editor, notice_id=notice.id, report="  ")
    notices.respond_notice(
        session,
        principal=editor,
        notice_id=notice.id,
        report="已更新公开栏",
        files=[("证明.pdf", pdf_bytes())],
    )
    assert notice.status is NoticeStatus.RESPONDED
    assert [f.original_name for f in notices.notice_files(session, notice=notice)] == ["证明.pdf"]
    with clock.frozen(MONDAY + timedelta(days=3)):
        notices.return_notice(
            session, principal=lead, notice_id=notice.id, reason="评议未重新组织", deadline_days=3
        )
    assert notice.status is NoticeStatus.RETURNED
    assert notice.return_count == 1
    assert clock.to_local(notice.due_at).date().isoformat() == "2026-11-10"
    notices.respond_notice(session, principal=editor, notice_id=notice.id, report="已重新评议")
    notices.accept_notice(session, principal=lead, notice_id=notice.id, note="同意")
    assert notice.status is NoticeStatus.ACCEPTED
    assert _actions(session, notice.id) == [
        "notice.drafted",
        "notice.issued",
        "notice.signed",
        "notice.responded",
        "notice.returned",
        "notice.responded",
        "notice.accepted",
    ]


def test_only_the_lead_issues_and_reviews(session, world):
    notice = draft(session, world)
    with pytest.raises(ActionNotAllowed):
        notices.issue_notice(
            session, principal=principal(session, world.member), notice_id=notice.id
        )
    assert notice.number is None
    notices.issue_notice(session, principal=principal(session, world.lead), notice_id=notice.id)
    with pytest.raises(ActionNotAllowed):
        notices.sign_notice(session, principal=principal(session, world.lead), notice_id=notice.id)


def test_units_do_not_see_drafts_and_outsiders_see_nothing(session, world):
    notice = draft(session, world)
    with pytest.raises(NotFound):
        notices.get_notice(session, principal=principal(session, world.editor), notice_id=notice.id)
    notices.issue_notice(session, principal=principal(session, world.lead), notice_id=notice.id)
    assert notices.get_notice(
        session, principal=principal(session, world.editor), notice_id=notice.id
    )
    for outsider in (world.other_editor, world.outsider_member):
        with pytest.raises(NotFound):
            notices.get_notice(session, principal=principal(session, outsider), notice_id=notice.id)
        assert notices.list_notices(session, principal=principal(session, outsider)) == []
    with pytest.raises(NotFound):
        notices.sign_notice(
            session, principal=principal(session, world.other_editor), notice_id=notice.id
        )


def test_members_of_other_teams_cannot_draft_for_this_team(session, world):
    with pytest.raises(PermissionDenied):
        notices.create_notice(
            session,
            principal=principal(session, world.outsider_member),
            team_id=world.township_team.id,
            unit_id=world.village.id,
            problems="x",
            requirements="y",
            deadline_days=3,
        )


def test_draft_validation_names_every_field(session, world):
    with pytest.raises(ValidationFailed) as caught:
        draft(session, world, problems="", requirements="", deadline_days=0)
    assert set(caught.value.errors) == {"problems", "requirements", "deadline_days"}


def test_issuing_twice_is_refused(session, world):
    notice = issued(session, world)
    with pytest.raises(InvalidTransition):
        notices.issue_notice(session, principal=principal(session, world.lead), notice_id=notice.id)


def test_overdue_flag_list_filter_and_escalation(session, world):
    with clock.frozen(MONDAY):
        notice = issued(session, world)
        on_time = issued(session, world)
    editor = principal(session, world.editor)
    notices.sign_notice(session, principal=editor, notice_id=on_time.id)
    notices.respond_notice(session, principal=editor, notice_id=on_time.id, report="已整改")
    later = MONDAY + timedelta(days=8)  # Tuesday 10 November
    assert notices.is_overdue(notice, now=later)
    assert not notices.is_overdue(on_time, now=later)
    progress = notices.deadline_progress(session, notice, now=later)
    assert progress is not None
    assert progress.overdue
    lead = principal(session, world.lead)
    assert notices.list_notices(session, principal=lead, overdue=True, now=later) == [notice]
    report = notices.tick(session, now=later)
    assert report.lead_notified == [notice.number]
    assert notice.overdue_level == 1
    # Five more working days after the due date: escalated to the parent team.
    report = notices.tick(session, now=MONDAY + timedelta(days=15))
    assert report.escalated == [notice.number]
    assert notice.overdue_level == 2
    assert notices.escalated_to(session, team_id=world.commission.id) == [notice]
    assert _actions(session, notice.id)[-2:] == ["notice.overdue", "notice.escalated"]


def test_issue_from_a_ticket_in_one_step(session, world):
    from tests.ticket import factories as tf

    receipt = tf.submit(session, world)
    ticket = receipt.ticket
    notice = notices.issue_notice_for_ticket(
        session,
        principal=principal(session, world.lead),
        ticket_id=ticket.id,
        problems="逾期未办结",
        requirements="三日内办结并回复",
        deadline_days=3,
    )
    assert notice.status is NoticeStatus.ISSUED
    assert notice.unit_id == ticket.unit_id
    assert [t.id for t in notices.notice_tickets(session, notice=notice)] == [ticket.id]
    assert notices.notices_for_ticket(
        session, principal=principal(session, world.member), ticket_id=ticket.id
    ) == [notice]
    with pytest.raises(PermissionDenied):
        notices.issue_notice_for_ticket(
            session,
            principal=principal(session, world.member),
            ticket_id=ticket.id,
            problems="x",
            requirements="y",
            deadline_days=3,
        )


@pytest.mark.postgres
def test_concurrent_issuing_gives_consecutive_unique_numbers(engine: Engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite has one writer")
    with own_database() as fresh:  # the threads commit for real
        _issue_concurrently(fresh)


def _issue_concurrently(engine: Engine) -> None:
    with Session(engine) as setup:
        county = make_unit(setup, name="并发县", kind=UnitKind.COUNTY)
        team = make_team(setup, name="并发纪委", kind=TeamKind.COMMISSION, home_unit=county)
        village = make_unit(setup, name="并发村", parent=county)
        lead = make_user(setup, username="concurrent_lead", role=Role.TEAM_LEAD, team=team)
        drafts = []
        for _ in range(6):
            notice = notices.create_notice(
                setup,
                principal=principal(setup, lead),
                team_id=team.id,
                unit_id=village.id,
                problems="问题",
                requirements="要求",
                deadline_days=3,
            )
            drafts.append(notice.id)
        setup.commit()
        lead_id = lead.id

    sequences: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(len(drafts))
    lock = threading.Lock()

    def worker(notice_id: int, rollback: bool) -> None:
        try:
            with Session(engine) as s:
                user = s.get(User, lead_id)
                assert user is not None
                who = principal(s, user)
                start.wait()
                notice = notices.issue_notice(s, principal=who, notice_id=notice_id)
                if rollback:
                    s.rollback()  # a failed issue gives its number back
                    return
                sequence = notice.sequence
                s.commit()
                assert sequence is not None
                with lock:
                    sequences.append(sequence)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [
        threading.Thread(target=worker, args=(notice_id, index == 2))
        for index, notice_id in enumerate(drafts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(sequences) == [1, 2, 3, 4, 5]
    with Session(engine) as check:
        numbers = check.exec(
            select(SupervisionNotice.number).where(col(SupervisionNotice.number).is_not(None))
        ).all()
        year = clock.today_local().year
        assert sorted(numbers) == sorted(f"并纪督〔{year}〕{n}号" for n in range(1, 6))
