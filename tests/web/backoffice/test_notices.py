"""/staff/notices pages: the list (scope, filters, counts, deadline colour, htmx fragment), drafting
and issuing, a notice's page, print and .docx, and 督办 on a ticket's page."""

import io
from datetime import timedelta

from docx import Document
from sqlmodel import col, select
from starlette.routing import NoMatchFound

from app.audit.models import AuditEvent
from app.core import clock
from app.main import app
from app.notify.models import OutboxMessage
from app.supervision import ledger, notices
from app.supervision.models import NoticeStatus, SupervisionNotice
from tests import factories
from tests.html import one, parse, text, texts
from tests.supervision.factories import MONDAY, draft, issued, principal
from tests.ticket import factories as tf
from tests.web.ticket_helpers import HTMX, fragment_root, local, post_form

NEW = {
    "unit": "",
    "title": "关于督促整改低保评议问题的通知",
    "problems": "低保评议程序不规范",
    "requirements": "重新组织评议并公示",
    "deadline_days": "5",
}


def numbers(page) -> list[str]:
    return texts(page, "#notice-table .notice-number")


def audit_actions(session, notice_id) -> list[str]:
    return list(
        session.exec(
            select(AuditEvent.action)
            .where(
                col(AuditEvent.object_type) == "supervision_notice",
                col(AuditEvent.object_id) == str(notice_id),
            )
            .order_by(col(AuditEvent.id))
        ).all()
    )


# --- The list ---------------------------------------------------------------------------------


def test_the_team_sees_its_notices_with_counts_and_deadline_colours(session, login_as, world):
    with clock.frozen(MONDAY):
        late = issued(session, world)
        on_time = issued(session, world, deadline_days=30)
        draft(session, world)
    notices.create_notice(  # another team's draft: not theirs to see
        session,
        principal=principal(session, world.outsider_member),
        team_id=world.other_team.id,
        unit_id=world.other_village.id,
        problems="问题",
        requirements="要求",
        deadline_days=5,
    )

    with clock.frozen(MONDAY + timedelta(days=10)):
        response = login_as(world.member).get("/staff/notices")

    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    page = parse(response)
    assert numbers(page) == ["草稿", on_time.number, late.number]
    assert text(one(page, "#notice-table .tab-all .count")) == "3"
    assert text(one(page, "#notice-table .tab-draft .count")) == "1"
    assert text(one(page, "#notice-table .tab-issued .count")) == "2"
    assert text(one(page, "#notice-table .tab-overdue .count")) == "1"
    late_row = one(page, "#notice-table .notice-row.is-overdue")
    assert text(one(late_row, ".notice-number")) == late.number
    assert one(late_row, ".badge-red")
    assert one(page, "a.button.primary[href$='/staff/notices/new']")


def test_filters_narrow_the_list_and_htmx_gets_only_the_table(session, login_as, world):
    with clock.frozen(MONDAY):
        late = issued(session, world)
    with clock.frozen(MONDAY + timedelta(days=20)):
        recent = issued(session, world, deadline_days=30)
        client = login_as(world.lead)
        overdue = parse(client.get("/staff/notices?overdue=1"))
        signed = parse(client.get("/staff/notices?status=signed"))
        dated = parse(client.get("/staff/notices?from=2026-11-20&to=2026-11-30"))
        fragment = client.get("/staff/notices?status=issued&from=2026-11-01", headers=HTMX)

    assert numbers(overdue) == [late.number]
    assert numbers(signed) == []
    assert numbers(dated) == [recent.number]
    root = fragment_root(fragment)
    assert root["id"] == "notice-table"
    assert numbers(root) == [recent.number, late.number]
    current = one(root, ".notice-tabs a[aria-current='page']")
    assert "tab-issued" in current["class"]


def test_the_list_pages(session, login_as, world):
    for _ in range(27):
        draft(session, world)

    first = parse(login_as(world.member).get("/staff/notices"))
    second = parse(login_as(world.member).get("/staff/notices?page=2"))

    assert len(numbers(first)) == 25
    assert len(numbers(second)) == 2
    assert one(first, "#notice-table .pager a[rel='next']")


def test_unit_editors_see_only_issued_notices_to_their_unit(session, login_as, world):
    to_them = issued(session, world)
    draft(session, world)
    issued(session, world, unit_id=world.township.id)

    page = parse(login_as(world.editor).get("/staff/notices"))

    assert numbers(page) == [to_them.number]
    assert not page.select("a[href$='/staff/notices/new']")


def test_people_without_notice_read_are_refused(session, login_as, world):
    from tests.factories import make_user

    nobody = make_user(session)

    assert login_as(nobody).get("/staff/notices").status_code == 403


# --- Drafting and issuing ---------------------------------------------------------------------


def test_a_member_drafts_a_notice(session, login_as, world, csrf):
    response = post_form(
        login_as(world.member), "/staff/notices/new", csrf, {**NEW, "unit": world.village.code}
    )

    assert response.status_code == 303, response.text
    notice = session.exec(select(SupervisionNotice)).one()
    assert local(response.headers["location"]) == f"/staff/notices/{notice.id}?done=drafted"
    assert notice.status is NoticeStatus.DRAFT
    assert notice.unit_id == world.village.id
    assert notice.team_id == world.township_team.id
    assert audit_actions(session, notice.id) == ["notice.drafted"]
    page = parse(login_as(world.member).get(response.headers["location"]))
    assert text(one(page, "h1")) == "督办通知书（草稿）"
    assert one(page, "#action-edit")
    assert not page.select("#action-issue")  # only the lead issues


def test_the_lead_drafts_and_issues_at_once_and_the_unit_is_told(session, login_as, world, csrf):
    ticket = tf.accepted(session, world).ticket

    with clock.frozen(MONDAY):
        response = post_form(
            login_as(world.lead),
            "/staff/notices/new",
            csrf,
            {**NEW, "unit": world.village.name, "tickets": ticket.number, "submit": "issue"},
        )

    assert response.status_code == 303, response.text
    notice = session.exec(select(SupervisionNotice)).one()
    assert notice.number == "甲纪督〔2026〕1号"
    assert [t.id for t in notices.notice_tickets(session, notice=notice)] == [ticket.id]
    assert audit_actions(session, notice.id) == ["notice.drafted", "notice.issued"]
    told = session.exec(
        select(OutboxMessage).where(col(OutboxMessage.recipient_hint) == f"user:{world.editor.id}")
    ).all()
    assert [m.subject for m in told] == ["督办通知书待签收：甲纪督〔2026〕1号"]
    page = parse(login_as(world.lead).get(response.headers["location"]))
    assert text(one(page, "h1")) == "甲纪督〔2026〕1号"
    assert text(one(page, "#notice-document .doc-number")) == "甲纪督〔2026〕1号"


def test_the_form_is_prefilled_from_a_ticket(session, login_as, world):
    ticket = tf.forwarded(session, world).ticket

    response = login_as(world.member).get(f"/staff/notices/new?ticket={ticket.number}")

    assert response.status_code == 200
    page = parse(response)
    assert one(page, "#field-unit")["value"] == world.village.name
    assert one(page, f"#unit-choice-{world.village.id}").has_attr("checked")
    assert one(page, "#field-tickets")["value"] == ticket.number
    assert ticket.forward_summary in text(one(page, "#field-problems"))
    fragment = login_as(world.member).get("/staff/notices/new", headers=HTMX)
    assert fragment_root(fragment)["id"] == "notice-form"


def test_a_report_never_puts_the_reporters_text_into_the_notice(session, login_as, world):
    ticket = tf.accepted(session, world, tf.report(world)).ticket

    page = parse(login_as(world.member).get(f"/staff/notices/new?ticket={ticket.number}"))

    assert tf.REPORT_TEXT not in text(one(page, "#field-problems"))


def test_bad_input_rerenders_the_form_with_422_and_saves_nothing(session, login_as, world, csrf):
    client = login_as(world.member)
    data = {**NEW, "unit": "甲", "problems": "", "tickets": "TS-20990101-0001"}

    plain = post_form(client, "/staff/notices/new", csrf, data)
    fragment = post_form(client, "/staff/notices/new", csrf, data, headers=HTMX)

    assert plain.status_code == 422
    assert parse(plain).find("html") is not None
    assert fragment.status_code == 422
    root = fragment_root(fragment)
    assert root["id"] == "notice-form"
    assert texts(root, ".error-summary li")
    # 甲镇 and 甲村 both match: the user picks one; what was typed is kept.
    assert len(root.select("#unit-candidates input[type='radio']")) == 2
    assert one(root, "#field-requirements").get_text() == NEW["requirements"]
    assert session.exec(select(SupervisionNotice)).all() == []


def test_a_ticket_of_another_team_cannot_be_linked(session, login_as, world, csrf):
    other = tf.submit(session, world, tf.submission(world, unit_code=world.other_village.code))

    response = post_form(
        login_as(world.member),
        "/staff/notices/new",
        csrf,
        {**NEW, "unit": world.village.code, "tickets": other.number},
    )

    assert response.status_code == 422
    assert "未找到工单" in " ".join(texts(parse(response), ".error-summary li"))


def test_drafting_is_for_team_members_only(session, login_as, world, csrf):
    editor = login_as(world.editor)

    assert editor.get("/staff/notices/new").status_code == 403
    data = {**NEW, "unit": world.village.code}
    assert post_form(editor, "/staff/notices/new", csrf, data).status_code == 403
    assert post_form(login_as(world.member), "/staff/notices/new", None, data).status_code == 403
    assert session.exec(select(SupervisionNotice)).all() == []


# --- A notice's page, print and .docx ---------------------------------------------------------


def test_the_notice_page_shows_document_deadline_tickets_and_timeline(session, login_as, world):
    ticket = tf.accepted(session, world).ticket
    with clock.frozen(MONDAY):
        notice = issued(session, world, ticket_ids=[ticket.id])

    with clock.frozen(MONDAY + timedelta(days=6)):  # Sunday, day 4 of 5
        response = login_as(world.member).get(f"/staff/notices/{notice.id}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = parse(response)
    assert text(one(page, "#notice-header .notice-unit")) == "甲村"
    assert text(one(page, "#notice-document .doc-addressee")) == "甲村："
    assert texts(page, "#notice-document .doc-problems p") == [
        "1. 村务公开栏未按时更新",
        "2. 低保评议程序不规范",
    ]
    assert "5 个工作日" in text(one(page, "#notice-document .doc-deadline"))
    assert one(page, "#notice-deadline .badge-yellow")
    assert "5 个工作日" in text(one(page, "#notice-deadline .clock-explanation"))
    assert texts(page, "#notice-tickets a") == [ticket.number]
    steps = texts(page, "#notice-timeline .timeline-entry strong")
    assert steps == ["拟制草稿", "签发下达"]
    assert "lead1" in text(one(page, "#notice-timeline .step-issued"))
    assert texts(page, "#notice-actions .action summary") == []  # the unit acts now


def test_an_htmx_get_renders_the_block_it_targets(session, login_as, world):
    notice = issued(session, world)

    response = login_as(world.editor).get(
        f"/staff/notices/{notice.id}", headers={**HTMX, "HX-Target": "notice-timeline"}
    )

    root = fragment_root(response)
    assert root["id"] == "notice-timeline"


def test_notices_out_of_scope_are_404(session, login_as, world):
    notice = issued(session, world)
    drafted = draft(session, world)

    assert login_as(world.other_editor).get(f"/staff/notices/{notice.id}").status_code == 404
    assert login_as(world.outsider_member).get(f"/staff/notices/{notice.id}").status_code == 404
    # The addressed unit sees a notice only once it is issued.
    assert login_as(world.editor).get(f"/staff/notices/{drafted.id}").status_code == 404
    assert login_as(world.editor).get(f"/staff/notices/{notice.id}/docx").status_code == 200
    assert login_as(world.other_editor).get(f"/staff/notices/{notice.id}/print").status_code == 404
    assert login_as(world.other_editor).get(f"/staff/notices/{notice.id}/docx").status_code == 404


def test_the_print_page_is_the_official_document(session, login_as, world):
    with clock.frozen(MONDAY):
        notice = issued(session, world, title="关于督促整改低保评议问题的通知")

    page = parse(login_as(world.editor).get(f"/staff/notices/{notice.id}/print"))

    sheet = one(page, "article.official-document.a4-page")
    assert text(one(sheet, ".doc-title")) == "督办通知书"
    assert text(one(sheet, ".doc-number")) == "甲纪督〔2026〕1号"
    assert one(sheet, "hr.doc-rule")
    assert text(one(sheet, ".doc-subject")) == "关于督促整改低保评议问题的通知"
    assert text(one(sheet, ".doc-team")) == "甲镇纪委"
    assert text(one(sheet, ".doc-date")) == "2026年11月2日"
    assert "（2026年11月9日前）" in text(one(sheet, ".doc-deadline"))
    assert one(page, "link[href$='css/notices.css']")
    assert not page.select(".staff-nav")


def test_the_docx_download_opens_in_word(session, login_as, world):
    with clock.frozen(MONDAY):
        notice = issued(session, world)

    response = login_as(world.lead).get(f"/staff/notices/{notice.id}/docx")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E7%9D%A3%E5%8A%9E" in disposition  # 督办…
    paragraphs = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "督办通知书" in paragraphs
    assert "甲纪督〔2026〕1号" in paragraphs
    assert "甲村：" in paragraphs
    assert "甲镇纪委" in paragraphs


# --- 督办 on a ticket's page ------------------------------------------------------------------


def _overdue_ticket(session, world):
    with clock.frozen(tf.MONDAY):
        return tf.forwarded(session, world).ticket


LATE = tf.MONDAY + timedelta(days=20)


def test_the_lead_issues_a_notice_from_an_overdue_ticket_in_one_step(
    session, login_as, world, csrf
):
    ticket = _overdue_ticket(session, world)

    with clock.frozen(LATE):
        client = login_as(world.lead)  # the session cookie is dated by the frozen clock
        page = parse(client.get(f"/staff/tickets/{ticket.number}"))
        panel = one(page, "#ticket-supervision")
        form = one(panel, "#action-notice form")
        problems = text(one(form, "#notice-problems"))
        response = post_form(
            client,
            local(form["action"]),
            csrf,
            {"problems": problems, "requirements": "立即办理", "deadline_days": "5"},
        )

    assert response.status_code == 303, response.text
    notice = session.exec(select(SupervisionNotice)).one()
    assert local(response.headers["location"]) == f"/staff/notices/{notice.id}?done=issue"
    assert notice.status is NoticeStatus.ISSUED
    assert notice.unit_id == ticket.handling_unit_id
    assert ticket.number in notice.problems
    assert audit_actions(session, notice.id) == ["notice.drafted", "notice.issued"]
    with clock.frozen(LATE):
        again = parse(login_as(world.lead).get(f"/staff/tickets/{ticket.number}"))
    assert texts(again, "#ticket-supervision .notice-list a") == [notice.number]


def test_the_one_step_form_says_what_is_wrong_with_422(session, login_as, world, csrf):
    ticket = _overdue_ticket(session, world)
    url = f"/staff/tickets/{ticket.number}/notice"
    data = {"problems": "", "requirements": "立即办理", "deadline_days": "5"}

    with clock.frozen(LATE):
        plain = post_form(login_as(world.lead), url, csrf, data)
        fragment = post_form(login_as(world.lead), url, csrf, data, headers=HTMX)

    assert plain.status_code == 422
    assert parse(plain).find("html") is not None
    root = fragment_root(fragment)
    assert root["id"] == "ticket-supervision"
    assert texts(root, ".error-summary li") == ["请填写存在的问题"]
    assert text(one(root, "#notice-requirements")) == "立即办理"
    assert session.exec(select(SupervisionNotice)).all() == []


def test_members_get_a_link_to_draft_and_only_the_lead_issues(session, login_as, world, csrf):
    ticket = _overdue_ticket(session, world)

    with clock.frozen(LATE):
        page = parse(login_as(world.member).get(f"/staff/tickets/{ticket.number}"))
        refused = post_form(
            login_as(world.member),
            f"/staff/tickets/{ticket.number}/notice",
            csrf,
            {"problems": "超期", "requirements": "立即办理", "deadline_days": "5"},
        )
        outsider = post_form(
            login_as(world.admin),
            f"/staff/tickets/{ticket.number}/notice",
            csrf,
            {"problems": "超期", "requirements": "立即办理", "deadline_days": "5"},
        )

    panel = one(page, "#ticket-supervision")
    assert not panel.select("#action-notice")
    link = one(panel, "a[href*='/staff/notices/new']")
    assert local(link["href"]) == f"/staff/notices/new?ticket={ticket.number}"
    assert refused.status_code == 403
    assert outsider.status_code == 404
    assert session.exec(select(SupervisionNotice)).all() == []


def test_a_ticket_on_time_offers_no_one_step_notice(session, login_as, world):
    ticket = tf.forwarded(session, world).ticket

    page = parse(login_as(world.lead).get(f"/staff/tickets/{ticket.number}"))

    assert not page.select("#ticket-supervision #action-notice")


def test_the_ledger_link_appears_once_the_ledger_page_exists(session, login_as, world):
    ticket = tf.forwarded(session, world).ticket

    page = parse(login_as(world.member).get(f"/staff/tickets/{ticket.number}"))

    links = page.select("#ticket-supervision a.ledger-link")
    try:
        ledger = app.url_path_for("backoffice.ledger.new")
    except NoMatchFound:
        assert links == []
    else:
        assert [local(a["href"]) for a in links] == [f"{ledger}?ticket={ticket.number}"]


def test_a_member_drafts_from_the_ticket_and_the_lead_issues_later(session, login_as, world, csrf):
    ticket = tf.forwarded(session, world).ticket
    form = parse(login_as(world.member).get(f"/staff/notices/new?ticket={ticket.number}"))
    data = {
        "unit": one(form, "#field-unit")["value"],
        "unit_code": world.village.code,
        "problems": text(one(form, "#field-problems")),
        "requirements": "请立即整改",
        "deadline_days": "5",
        "tickets": one(form, "#field-tickets")["value"],
    }

    drafted = post_form(login_as(world.member), "/staff/notices/new", csrf, data)
    notice = session.exec(select(SupervisionNotice)).one()
    issuing = post_form(login_as(world.lead), f"/staff/notices/{notice.id}/issue", csrf, {})

    assert drafted.status_code == 303
    assert issuing.status_code == 303
    session.refresh(notice)
    assert notice.status is NoticeStatus.ISSUED
    assert [t.id for t in notices.notice_tickets(session, notice=notice)] == [ticket.id]
    assert notices.notices_for_ticket(
        session, principal=principal(session, world.lead), ticket_id=ticket.id
    ) == [notice]


def test_an_issued_notice_offers_its_team_to_enter_it_in_the_ledger(session, login_as, world):
    notice = issued(session, world)
    drafted = draft(session, world)

    link = one(parse(login_as(world.lead).get(f"/staff/notices/{notice.id}")), "a.notice-ledger")
    assert local(link["href"]) == f"/staff/ledger/new?notice={notice.id}"
    assert text(link) == "列入整改台账"
    # Not for a draft (nothing to rectify yet), and never for the unit complained about.
    assert not parse(login_as(world.member).get(f"/staff/notices/{drafted.id}")).select(
        "a.notice-ledger"
    )
    assert not parse(login_as(world.editor).get(f"/staff/notices/{notice.id}")).select(
        "a.notice-ledger"
    )


def test_the_notice_lists_the_ledger_entries_made_from_it(session, login_as, world):
    notice = issued(session, world)
    assert notice.id is not None
    with clock.frozen(MONDAY):
        entry = ledger.create_from_notice(
            session, principal=principal(session, world.member), notice_id=notice.id
        )

    page = parse(login_as(world.editor).get(f"/staff/notices/{notice.id}"))

    link = one(page, "#notice-ledger a")
    assert local(link["href"]) == f"/staff/ledger/{entry.id}"
    assert text(one(page, "#notice-ledger .badge")) == "整改中"


def test_the_unit_field_searches_live(session, world, login_as):
    factories.make_unit(session, name="甲村二组", parent=world.township)
    client = login_as(world.member)
    field = one(parse(client.get("/staff/notices/new")), "#field-unit")
    assert field["hx-get"].endswith("/staff/notices/new")
    assert field["hx-target"] == "#unit-candidates"

    root = fragment_root(client.get("/staff/notices/new?unit=甲村", headers=HTMX))

    assert root["id"] == "unit-candidates"
    assert texts(root, "label")[0] == f"甲村 村 · {world.village.code}"
    assert len(root.select("input[name=unit_code][type=radio]")) == 2
