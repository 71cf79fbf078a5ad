"""/staff/tickets — the inbox (tabs, filters, order, unit columns), a ticket's page for the team
and for the handling unit, attachment downloads, and escaping of what citizens wrote."""

from datetime import timedelta

from app.account.models import Membership
from app.account.permissions import Role
from app.core import clock
from app.ticket import service
from app.ticket.models import TicketChannel
from tests import factories
from tests.html import one, parse, text, texts
from tests.ticket import factories as tf
from tests.web.ticket_helpers import HTMX, fragment_root, local, page

SCRIPT = "<script>alert('xss')</script>"


def numbers(soup) -> list[str]:
    return texts(soup, "#ticket-table .ticket-number")


def counts(soup) -> dict[str, str]:
    return {
        link["class"][0].removeprefix("tab-"): text(link.select_one(".count"))
        for link in soup.select("#ticket-table .inbox-tabs a")
    }


# --- The inbox -------------------------------------------------------------------------------


def test_inbox_full_page_has_tabs_counts_filters_and_rows(session, login_as, world):
    submitted = tf.submit(session, world)
    handled = tf.forwarded(session, world)
    answered = tf.answered(session, world)

    response = login_as(world.member).get("/staff/tickets")

    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    assert response.headers["Cache-Control"] == "no-store"
    soup = parse(response)
    assert soup.find("html") is not None
    assert text(one(soup, "h1")) == "工单"
    assert counts(soup) == {
        "all": "3",
        "submitted": "1",
        "handling": "1",
        "yellow": "0",
        "red": "0",
        "answered": "1",
        "closed": "0",
    }
    assert sorted(numbers(soup)) == sorted([submitted.number, handled.number, answered.number])
    row = one(soup, f"#ticket-table tr:has(a[href$='{submitted.number}'])")
    cells = texts(row, "td")
    assert "投诉" in cells[1]
    assert "办事拖延" in cells[2]
    assert "甲村" in cells[3]
    assert "待受理" in cells[4]
    assert "网上提交" in cells[7]
    badge = one(row, ".due")
    assert badge["title"].startswith("自 ")  # the explanation is the tooltip
    form = one(soup, "form#ticket-filters")
    assert form["method"] == "get"
    assert local(form["action"]) == "/staff/tickets"
    assert {i["name"] for i in form.select("input[name], select[name]")} >= {
        "q",
        "status",
        "colour",
        "kind",
        "category",
        "unit",
        "assignee",
        "channel",
        "tab",
    }
    assert one(soup, "#filter-q")["hx-target"] == "#ticket-table"
    assert local(one(soup, "a.button.primary")["href"]) == "/staff/tickets/new"


def test_inbox_fragment_is_the_table_with_the_tab_field_out_of_band(session, login_as, world):
    submitted = tf.submit(session, world)
    tf.forwarded(session, world)

    response = login_as(world.member).get("/staff/tickets?tab=submitted", headers=HTMX)

    assert response.status_code == 200
    assert response.headers["Vary"] == "HX-Request"
    root = fragment_root(response)
    assert root["id"] == "inbox-tab"
    assert root["hx-swap-oob"] == "true"
    assert root["value"] == "submitted"
    table = one(parse(response), "#ticket-table")
    assert numbers(table) == [submitted.number]
    assert one(table, "a[aria-current]")["class"] == ["tab-submitted"]


def test_inbox_is_sorted_by_due_date_soonest_first(session, login_as, world):
    with clock.frozen(tf.MONDAY):
        report = tf.submit(session, world, tf.report(world))  # 15 working days to acknowledge
    with clock.frozen(tf.MONDAY + timedelta(hours=1)):
        complaint = tf.submit(session, world)  # 1 working day
    with clock.frozen(tf.MONDAY + timedelta(hours=2)):
        answered = tf.answered(session, world)  # rating window (7 days)

    with clock.frozen(tf.MONDAY + timedelta(hours=3)):
        soup = parse(login_as(world.member).get("/staff/tickets"))

    assert numbers(soup) == [complaint.number, answered.number, report.number]


def test_yellow_and_red_tabs_follow_the_running_clock(session, login_as, world):
    with clock.frozen(tf.MONDAY):
        late = tf.submit(session, world)
    with clock.frozen(tf.MONDAY + timedelta(hours=20)):
        soon = tf.submit(session, world)
    with clock.frozen(tf.MONDAY + timedelta(days=1, hours=20)):
        fresh = tf.submit(session, world)

    # Wednesday morning: `late` (due Tuesday) is overdue, `soon` (due Wednesday) is in its
    # last working day, `fresh` has a full day left. (Session cookies follow the clock too.)
    with clock.frozen(tf.MONDAY + timedelta(days=1, hours=22)):
        client = login_as(world.member)
        everything = parse(client.get("/staff/tickets"))
        yellow = parse(client.get("/staff/tickets?tab=yellow"))
        red = parse(client.get("/staff/tickets?tab=red"))
        by_colour = parse(client.get("/staff/tickets?colour=green"))

    assert counts(everything)["yellow"] == "1"
    assert counts(everything)["red"] == "1"
    assert numbers(yellow) == [soon.number]
    assert numbers(red) == [late.number]
    assert numbers(by_colour) == [fresh.number]
    assert "badge-red" in one(everything, f"tr:has(a[href$='{late.number}']) .due")["class"]


def test_inbox_filters(session, login_as, world):
    other_village = factories.make_unit(session, name="甲镇东村", parent=world.township)
    web = tf.submit(session, world)
    phone = tf.submit(session, world, channel=TicketChannel.HOTLINE, by=world.member)
    report = tf.submit(session, world, tf.report(world))
    elsewhere = tf.submit(session, world, tf.submission(world, unit_code=other_village.code))
    service.assign(
        session,
        ticket=report.ticket,
        principal=tf.principal(session, world.lead),
        assignee=world.member,
    )
    client = login_as(world.member)
    graft = service.get_category_by_code(session, code="graft")

    def found(query: str) -> list[str]:
        return sorted(numbers(parse(client.get(f"/staff/tickets?{query}"))))

    assert found("channel=hotline") == [phone.number]
    assert found("kind=report") == [report.number]
    assert found(f"category={graft.id}") == [report.number]
    assert found("assignee=me") == [report.number]
    assert found(f"assignee={world.member.id}") == [report.number]
    assert len(found("assignee=none")) == 3
    assert found("unit=东村") == [elsewhere.number]
    assert found(f"unit={world.township.code}") == sorted(
        [web.number, phone.number, report.number, elsewhere.number]
    )
    assert found("q=好处费") == [report.number]
    assert found(f"q={elsewhere.number}") == [elsewhere.number]
    assert found("status=submitted&kind=complaint&channel=web") == sorted(
        [web.number, elsewhere.number]
    )
    # Junk in the query string is ignored, not an error.
    assert client.get("/staff/tickets?status=nope&colour=x&category=abc&tab=zzz").status_code == 200


def test_other_teams_and_recused_members_do_not_see_the_ticket(session, login_as, world):
    receipt = tf.submit(session, world)

    assert numbers(parse(login_as(world.outsider_member).get("/staff/tickets"))) == []
    assert numbers(parse(login_as(world.admin).get("/staff/tickets"))) == []
    assert numbers(parse(login_as(world.lead).get("/staff/tickets"))) == [receipt.number]


def test_unit_editor_sees_only_forwarded_tickets_with_the_summary(session, login_as, world):
    forwarded = tf.forwarded(session, world, tf.report(world))
    tf.submit(session, world)  # not forwarded: invisible to the unit

    soup = parse(login_as(world.editor).get("/staff/tickets"))

    assert numbers(soup) == [forwarded.number]
    headers = texts(soup, "#ticket-table thead th")
    assert headers == ["受理编号", "类别", "转办摘要", "办理阶段", "办理期限"]
    row = one(soup, "#ticket-table tbody tr")
    assert "群众反映村里办理证明拖延" in text(row)
    assert tf.REPORT_TEXT[:10] not in soup.get_text()
    assert soup.select("#filter-assignee") == []
    assert soup.select("#filter-channel") == []
    assert texts(soup, "#ticket-table .inbox-tabs .count")[0] == "1"
    assert numbers(parse(login_as(world.other_editor).get("/staff/tickets"))) == []


def test_unit_editor_text_search_never_probes_the_original_text(session, login_as, world):
    tf.forwarded(session, world, tf.report(world))
    client = login_as(world.editor)

    assert numbers(parse(client.get("/staff/tickets?q=好处费"))) == []
    assert len(numbers(parse(client.get("/staff/tickets?q=办理证明拖延")))) == 1


# --- The team's page of a ticket -------------------------------------------------------------


def test_team_page_shows_header_clocks_content_timeline_and_actions(session, login_as, world):
    receipt = tf.submit(session, world, files=[("村委会公示栏.png", tf.image_bytes())])
    ticket = receipt.ticket

    response = login_as(world.member).get(page(receipt.number))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    soup = parse(response)
    header = one(soup, "#ticket-header")
    assert text(one(header, "h1")) == receipt.number
    assert header["hx-history"] == "false"  # htmx never keeps a ticket in localStorage
    facts = dict(zip(texts(header, "dt"), texts(header, "dd"), strict=True))
    assert facts["类别"] == "办事拖延"
    assert facts["被反映单位"] == "甲村"
    assert facts["来源"].startswith("网上提交")
    assert facts["监督单位"] == "甲镇纪委"
    assert facts["分派理由"] == ticket.routing_reason
    assert facts["承办人"] == "未指定"
    assert text(one(soup, "#ticket-content .complaint-text")) == tf.COMPLAINT_TEXT
    clocks = soup.select("#ticket-clocks .clock")
    assert [text(c.select_one("strong")) for c in clocks] == ["受理告知", "办结", "评价期限"]
    assert one(clocks[0], ".badge")["class"][1] == "badge-green"
    assert "工作日" in text(one(clocks[0], ".clock-explanation"))
    link = one(soup, "#ticket-attachments a")
    assert text(link) == "村委会公示栏.png"
    assert local(link["href"]).startswith(f"{page(receipt.number)}/attachments/")
    entries = soup.select("#ticket-timeline .timeline-entry")
    assert [e["data-visibility"] for e in entries] == ["public", "team"]
    assert texts(soup, "#ticket-timeline .timeline-entry .vis-badge") == ["公开", "内部"]
    actions = [d["id"] for d in soup.select("#ticket-actions details.action")]
    assert actions == ["action-accept", "action-reject", "action-merge", "action-note"]
    assert one(soup, "#action-accept").has_attr("open")
    accept = one(soup, "#action-accept form")
    assert accept["method"] == "post"
    assert local(accept["action"]) == f"{page(receipt.number)}/accept"
    assert accept["hx-target"] == "#ticket-actions"
    assert one(accept, "input[name=csrf_token]")
    assert text(one(soup, "#ticket-identity")).endswith("匿名提交，没有身份信息。")


def test_team_page_fragment_by_hx_target(session, login_as, world):
    receipt = tf.forwarded(session, world)

    response = login_as(world.member).get(
        page(receipt.number), headers={**HTMX, "HX-Target": "ticket-timeline"}
    )

    root = fragment_root(response)
    assert root["id"] == "ticket-timeline"
    assert response.headers["Cache-Control"] == "no-store"
    assert "转办单位" in texts(root, ".vis-badge")


def test_lead_sees_assign_and_never_a_recused_member(session, login_as, world):
    # member3 also edits 甲村, so a ticket about 甲村 is routed around them (回避).
    recused = factories.make_user(
        session, username="member3", role=Role.TEAM_MEMBER, team=world.township_team
    )
    session.add(Membership(user_id=recused.id, role=Role.UNIT_EDITOR, unit_id=world.village.id))
    session.flush()
    receipt = tf.submit(session, world)

    soup = parse(login_as(world.lead).get(page(receipt.number)))

    options = texts(soup, "#assign-assignee option")
    assert "member1" in options
    assert "lead1" in options
    assert "member3" not in options
    assert "member3" in text(one(soup, "#ticket-header"))  # listed as 回避人员
    assert soup.select("#action-assign") != []
    assert parse(login_as(world.member).get(page(receipt.number))).select("#action-assign") == []


def test_report_page_shows_disposition_and_hides_release_of_text(session, login_as, world):
    receipt = tf.accepted(session, world, tf.report(world))
    service.set_disposition(
        session,
        ticket=receipt.ticket,
        principal=tf.principal(session, world.member),
        disposition="verify",
    )

    lead = parse(login_as(world.lead).get(page(receipt.number)))
    member = parse(login_as(world.member).get(page(receipt.number)))

    assert "初步核实" in text(one(lead, "#ticket-header"))
    assert lead.select("#action-approve") != []
    assert member.select("#action-approve") == []
    assert member.select("input[name=release_content]") == []
    assert "须先经负责人批准" in text(one(member, "#action-answer"))
    assert one(lead, "#action-disposition").has_attr("open") is False
    assert one(lead, "#action-approve").has_attr("open")


def test_suspected_duplicates_offer_a_merge(session, login_as, world):
    first = tf.submit(session, world)
    second = tf.submit(session, world, tf.submission(world, content=tf.COMPLAINT_TEXT + "。"))

    soup = parse(login_as(world.member).get(page(second.number)))

    item = one(soup, "#ticket-duplicates li")
    assert text(one(item, "a")) == first.number
    form = one(item, "form")
    assert local(form["action"]) == f"{page(second.number)}/merge"
    assert one(form, "input[name=into]")["value"] == first.number


def test_out_of_scope_ticket_answers_404(session, login_as, world):
    receipt = tf.submit(session, world)

    assert login_as(world.outsider_member).get(page(receipt.number)).status_code == 404
    assert login_as(world.admin).get(page(receipt.number)).status_code == 404
    assert login_as(world.editor).get(page(receipt.number)).status_code == 404  # not forwarded
    assert login_as(world.member).get(page("TS-20990101-0001")).status_code == 404


# --- The unit's page -------------------------------------------------------------------------


def test_unit_page_shows_only_the_unit_view(session, login_as, world):
    receipt = tf.forwarded(session, world, tf.report(world))

    response = login_as(world.editor).get(page(receipt.number))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    soup = parse(response)
    assert text(one(soup, "#ticket-content .unit-summary")).startswith("群众反映村里办理证明拖延")
    assert soup.select(".complaint-text") == []
    assert soup.select("#ticket-identity") == []
    assert [d["id"] for d in soup.select("#ticket-actions details.action")] == [
        "action-unit_reply",
        "action-unit_return",
    ]
    reply = one(soup, "#action-unit_reply form")
    assert reply["enctype"] == "multipart/form-data"
    assert local(reply["action"]) == f"{page(receipt.number)}/unit-reply"
    # The unit sees the forward and the public progress, never internal entries.
    assert "分派监督单位" not in texts(soup, "#ticket-timeline strong")
    assert "转办" in texts(soup, "#ticket-timeline strong")


def test_unit_page_fragment(session, login_as, world):
    receipt = tf.forwarded(session, world)

    response = login_as(world.editor).get(
        page(receipt.number), headers={**HTMX, "HX-Target": "ticket-actions"}
    )

    root = fragment_root(response)
    assert root["id"] == "ticket-actions"
    assert root.select("#action-unit_reply")


def test_team_can_preview_what_the_unit_sees(session, login_as, world):
    receipt = tf.forwarded(session, world, tf.report(world))

    soup = parse(login_as(world.member).get(f"{page(receipt.number)}?as=unit"))

    assert one(soup, ".preview-banner")
    assert soup.select("#ticket-actions details") == []
    assert soup.select(".complaint-text") == []
    assert text(one(soup, ".unit-summary")).startswith("群众反映")


def test_complaint_text_released_to_the_unit_is_shown(session, login_as, world):
    receipt = tf.forwarded(session, world, release_content=True)

    soup = parse(login_as(world.editor).get(page(receipt.number)))

    assert text(one(soup, ".complaint-text")) == tf.COMPLAINT_TEXT


# --- Downloads -------------------------------------------------------------------------------


def test_team_downloads_an_attachment_as_a_file(session, login_as, world):
    receipt = tf.submit(session, world, files=[("照片.png", tf.image_bytes())])
    attachment = service.staff_view(
        session, ticket=receipt.ticket, principal=tf.principal(session, world.member)
    ).attachments[0]

    response = login_as(world.member).get(f"{page(receipt.number)}/attachments/{attachment.id}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E7%85%A7%E7%89%87.png" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.content.startswith(b"\x89PNG")


def test_unit_downloads_only_released_files_under_neutral_names(session, login_as, world):
    receipt = tf.submit(
        session,
        world,
        files=[("王秘密的照片.png", tf.image_bytes()), ("其他.png", tf.image_bytes())],
    )
    member = tf.principal(session, world.member)
    files = service.staff_view(session, ticket=receipt.ticket, principal=member).attachments
    service.accept(session, ticket=receipt.ticket, principal=member)
    service.forward(
        session,
        ticket=receipt.ticket,
        principal=member,
        summary="群众反映村里办理证明拖延，请核实处理。",
        release_attachment_ids=[files[0].id],
    )
    client = login_as(world.editor)

    released = client.get(f"{page(receipt.number)}/attachments/{files[0].id}")
    withheld = client.get(f"{page(receipt.number)}/attachments/{files[1].id}")

    assert released.status_code == 200
    assert "%E9%99%84%E4%BB%B61.png" in released.headers["Content-Disposition"]  # 附件1.png
    assert "王秘密" not in released.headers["Content-Disposition"]
    assert withheld.status_code == 404
    soup = parse(client.get(page(receipt.number)))
    assert texts(soup, "#ticket-attachments a") == ["附件1.png"]


def test_attachment_of_another_ticket_is_404(session, login_as, world):
    one_ticket = tf.submit(session, world, files=[("a.png", tf.image_bytes())])
    other = tf.submit(session, world)
    member = tf.principal(session, world.member)
    attachment = service.staff_view(session, ticket=one_ticket.ticket, principal=member)
    attachment_id = attachment.attachments[0].id
    client = login_as(world.member)

    assert client.get(f"{page(other.number)}/attachments/{attachment_id}").status_code == 404
    assert client.get(f"{page(one_ticket.number)}/attachments/999999").status_code == 404
    outsider = login_as(world.outsider_member)
    assert outsider.get(f"{page(one_ticket.number)}/attachments/{attachment_id}").status_code == 404


# --- What citizens typed is inert ------------------------------------------------------------


def test_script_in_complaint_text_is_escaped_on_every_staff_page(session, login_as, world):
    receipt = tf.forwarded(
        session,
        world,
        tf.submission(world, content=f"办理证明一直拖着不办，{SCRIPT}，请尽快处理。"),
        release_content=True,
    )
    member = tf.principal(session, world.member)
    service.add_note(session, ticket=receipt.ticket, principal=member, body=SCRIPT)

    pages = [
        login_as(world.member).get("/staff/tickets?q=办理证明"),
        login_as(world.member).get(page(receipt.number)),
        login_as(world.member).get(page(receipt.number), headers=HTMX),
        login_as(world.member).get(f"{page(receipt.number)}?as=unit"),
        login_as(world.editor).get(page(receipt.number)),
    ]

    for response in pages:
        assert response.status_code == 200
        assert SCRIPT not in response.text
        assert parse(response).find("script", string=lambda s: s and "xss" in s) is None
    assert "&lt;script&gt;" in pages[1].text
