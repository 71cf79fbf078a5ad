"""/staff/lists/versions/{id}/review: the diff, approve & publish (leads), return (teams)."""

from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.powerlist import service
from app.powerlist.models import VersionSource, VersionStatus
from app.powerlist.specs import ListKind
from tests.html import one, parse, text, texts
from tests.powerlist.factories import list_of, make_draft, make_published

HTMX = {"HX-Request": "true"}


def fragment(response):
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page


def events(session, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
    )


def submitted_change(session, world):
    """Version 1 published; version 2 (a copy with item 1 renamed) submitted."""
    published = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    power_list = list_of(session, published)
    draft = service.create_draft(
        session, power_list=power_list, actor=world.editor, source=VersionSource.COPY
    )
    content = service.content_of(session, version=draft)
    content.items[0].name = "村级工程项目招投标"
    service.save_content(session, version=draft, content=content, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    return published, draft


def test_review_page_shows_the_diff_against_the_published_version(session, login_as, world):
    _, draft = submitted_change(session, world)

    response = login_as(world.lead).get(f"/staff/lists/versions/{draft.id}/review")

    assert response.status_code == 200
    page = parse(response)
    diff = one(page, "#review-diff")
    assert text(one(diff, "h2")) == "与第 1 版相比：修改 1 项"
    assert text(one(diff, ".diff-entry h3")) == "修改 1 村级工程项目招投标"
    row = one(diff, ".diff-table tbody tr")
    assert text(one(row, "th")) == "事项名称"
    assert text(one(row, "del.diff-old")) == "事项1"
    assert text(one(row, "ins.diff-new")) == "村级工程项目招投标"
    assert len(page.select("#review-content details.review-item")) == 3
    assert page.select("#review-content .flowchart svg")
    actions = one(page, "#review-actions")
    approve = one(actions, "form button.primary")
    assert not approve.has_attr("disabled")
    assert "发布" in actions.select("form")[0]["hx-confirm"]


def test_first_submission_has_no_diff(session, login_as, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    service.submit(session, version=draft, actor=world.editor)
    page = parse(login_as(world.lead).get(f"/staff/lists/versions/{draft.id}/review"))
    assert text(one(page, "#review-diff h2")) == "首次发布"


def test_review_fragments(session, login_as, world):
    _, draft = submitted_change(session, world)
    client = login_as(world.member)
    url = f"/staff/lists/versions/{draft.id}/review"
    assert fragment(client.get(url, headers=HTMX)).find(True)["id"] == "review-actions"
    diff = fragment(client.get(url, headers={**HTMX, "HX-Target": "review-diff"}))
    assert diff.find(True)["id"] == "review-diff"


def test_member_sees_approve_disabled_with_the_reason_and_cannot_approve(
    session, login_as, world, csrf
):
    _, draft = submitted_change(session, world)
    client = login_as(world.member)

    page = parse(client.get(f"/staff/lists/versions/{draft.id}/review"))

    button = one(page, "#review-actions button.primary")
    assert button.has_attr("disabled")
    assert text(one(page, "#approve-hint")).startswith("只有监督单位负责人或系统管理员可以审核发布")
    response = client.post(f"/staff/lists/versions/{draft.id}/approve", data={"csrf_token": csrf})
    assert response.status_code == 403
    session.refresh(draft)
    assert draft.status == VersionStatus.SUBMITTED


def test_review_scope(session, login_as, world, csrf):
    _, draft = submitted_change(session, world)
    url = f"/staff/lists/versions/{draft.id}"
    # Editors cannot review (not even their own unit's list); other teams do not see it.
    assert login_as(world.editor).get(f"{url}/review").status_code == 403
    assert (
        login_as(world.editor)
        .post(f"{url}/return", data={"csrf_token": csrf, "comment": "x"})
        .status_code
        == 403
    )
    assert login_as(world.outsider_member).get(f"{url}/review").status_code == 404
    assert (
        login_as(world.outsider_member)
        .post(f"{url}/return", data={"csrf_token": csrf, "comment": "x"})
        .status_code
        == 404
    )
    assert login_as(world.admin).get(f"{url}/review").status_code == 200


def test_approve_publishes_and_supersedes(session, login_as, world, csrf):
    published, draft = submitted_change(session, world)

    response = login_as(world.lead).post(
        f"/staff/lists/versions/{draft.id}/approve", data={"csrf_token": csrf}, headers=HTMX
    )

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/staff/lists/versions/{draft.id}/review"
    current = service.current_published(session, unit=world.village, kind=ListKind.DUTY)
    assert current.version.id == draft.id
    assert current.content.items[0].name == "村级工程项目招投标"
    session.refresh(published)
    assert published.status == VersionStatus.SUPERSEDED
    event = events(session, "powerlist.published")[-1]
    assert event.actor_id == world.lead.id
    assert event.data["superseded_version"] == 1

    page = parse(login_as(world.lead).get(f"/staff/lists/versions/{draft.id}/review"))
    assert text(one(page, ".notice.success")).startswith("已审核通过并于")
    assert page.select("#review-actions form") == []
    assert text(one(page, "#review-diff h2")) == "与第 1 版相比：修改 1 项"


def test_approve_without_csrf_changes_nothing(session, login_as, world):
    _, draft = submitted_change(session, world)
    assert login_as(world.lead).post(f"/staff/lists/versions/{draft.id}/approve").status_code == 403
    session.refresh(draft)
    assert draft.status == VersionStatus.SUBMITTED


def test_return_needs_a_comment(session, login_as, world, csrf):
    _, draft = submitted_change(session, world)
    client = login_as(world.member)

    response = client.post(
        f"/staff/lists/versions/{draft.id}/return",
        data={"csrf_token": csrf, "comment": "  "},
        headers=HTMX,
    )

    assert response.status_code == 422
    page = fragment(response)
    assert page.find(True)["id"] == "review-actions"
    assert text(one(page, ".field-error")) == "退回修改时必须填写退回意见"
    session.refresh(draft)
    assert draft.status == VersionStatus.SUBMITTED


def test_return_with_comment_shows_on_the_editor(session, login_as, world, csrf):
    _, draft = submitted_change(session, world)

    response = login_as(world.member).post(
        f"/staff/lists/versions/{draft.id}/return",
        data={"csrf_token": csrf, "comment": "请补充第 1 项的法律依据条款"},
    )

    assert response.status_code == 303
    session.refresh(draft)
    assert draft.status == VersionStatus.DRAFT
    assert [e.data["comment"] for e in events(session, "powerlist.returned")] == [
        "请补充第 1 项的法律依据条款"
    ]
    editor = parse(login_as(world.editor).get(f"/staff/lists/versions/{draft.id}"))
    assert text(one(editor, "#review-comment .comment-text")) == "请补充第 1 项的法律依据条款"
    index = parse(login_as(world.editor).get("/staff/lists"))
    assert "修改后重新提交" in texts(index, "#list-table td.actions a")
    assert texts(index, "#list-table .returned-comment") == [
        "退回意见：请补充第 1 项的法律依据条款"
    ]
