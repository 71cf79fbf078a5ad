"""/staff/standard-lists — county standard lists: create, draft, publish, publish to units."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import col, func, select

from app.audit.models import AuditEvent
from app.powerlist import service, standard
from app.powerlist.models import ListVersion, PowerList, VersionSource, VersionStatus
from app.powerlist.specs import ListKind
from app.unit.models import UnitKind
from tests import factories
from tests.html import one, parse, text, texts
from tests.powerlist.factories import duty_content, make_draft

HTMX = {"HX-Request": "true"}


def fragment_root(response):
    page = parse(response)
    assert page.find("html") is None, "an htmx request got a whole page"
    return page.find(True)


def audit(session, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all()
    )


def published_standard(session, world, *, unit_kind: UnitKind = UnitKind.VILLAGE) -> PowerList:
    standard_list = standard.create_standard_list(
        session, unit_kind=unit_kind, kind=ListKind.DUTY, actor=world.admin
    )
    draft = service.create_draft(session, power_list=standard_list, actor=world.admin)
    service.save_content(session, version=draft, content=duty_content(2), actor=world.admin)
    service.publish_directly(session, version=draft, actor=world.admin)
    return standard_list


def published_units(session, kind: ListKind = ListKind.DUTY) -> set[int]:
    """Units whose list of `kind` has a published version that came from a standard list."""
    session.expire_all()
    return set(
        session.exec(
            select(PowerList.unit_id)
            .join(ListVersion, col(ListVersion.id) == col(PowerList.current_version_id))
            .where(
                PowerList.kind == kind,
                col(PowerList.unit_id).is_not(None),
                ListVersion.source == VersionSource.STANDARD,
            )
        ).all()
    )


# --- index and create --------------------------------------------------------------------------


def test_index_lists_standard_lists_with_versions_and_the_create_form(login_as, session, world):
    published = published_standard(session, world)
    unpublished = standard.create_standard_list(
        session, unit_kind=UnitKind.COMMUNITY, kind=ListKind.NEGATIVE, actor=world.admin
    )
    service.create_draft(session, power_list=unpublished, actor=world.admin)

    response = login_as(world.admin).get("/staff/standard-lists")

    assert response.status_code == 200
    page = parse(response)
    rows = page.select("#standard-list-table tbody tr")
    assert [texts(row, "td")[:3] for row in rows] == [
        ["村级标准职责清单（权力事项）", "村", "职责清单（权力事项）"],
        ["社区级标准履职负面清单", "社区", "履职负面清单"],
    ]
    assert text(one(rows[0], ".current-version")) == "第 1 版 已发布"
    assert text(one(rows[1], ".current-version")) == "未发布"
    assert text(one(rows[1], ".open-draft")) == "第 1 版 草稿"
    assert one(rows[1], ".open-draft a")["href"].startswith("/staff/lists/versions/")
    assert one(rows[0], "a")["href"].endswith(f"/staff/standard-lists/{published.id}")
    form = one(page, "form#standard-list-form")
    assert form["method"] == "post"
    assert one(form, "input[name=csrf_token]")


def test_index_fragment_filters_the_table(login_as, session, world):
    published_standard(session, world)
    standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.CADRE, actor=world.admin
    )

    response = login_as(world.admin).get(
        "/staff/standard-lists", params={"kind": "cadre"}, headers=HTMX
    )

    assert response.headers["Vary"] == "HX-Request"
    root = fragment_root(response)
    assert root["id"] == "standard-list-table"
    assert texts(root, "tbody td:first-child") == ["村级标准干部履职干事清单"]


@pytest.mark.parametrize("who", ["editor", "lead", "member"])
def test_only_admins_manage_standard_lists(login_as, session, world, csrf, who):
    standard_list = published_standard(session, world)
    client = login_as(getattr(world, who))

    assert client.get("/staff/standard-lists").status_code == 403
    assert client.get(f"/staff/standard-lists/{standard_list.id}").status_code == 403
    created = client.post(
        "/staff/standard-lists", data={"csrf_token": csrf, "unit_kind": "village", "kind": "duty"}
    )
    bulk = client.post(
        f"/staff/standard-lists/{standard_list.id}/publish-to-units",
        data={"csrf_token": csrf, "scope": world.township.code, "unit_kind": "village"},
    )
    assert created.status_code == 403
    assert bulk.status_code == 403
    assert len(standard.standard_lists(session)) == 1
    assert published_units(session) == set()


def test_create_redirects_to_the_new_list(login_as, session, world, csrf):
    response = login_as(world.admin).post(
        "/staff/standard-lists",
        data={"csrf_token": csrf, "title": "", "unit_kind": "community", "kind": "cadre"},
    )

    assert response.status_code == 303
    (created,) = standard.standard_lists(session)
    assert response.headers["location"] == f"/staff/standard-lists/{created.id}"
    assert created.title == "社区级标准干部履职干事清单"
    (event,) = audit(session, "standardlist.created")
    assert event.actor_id == world.admin.id


def test_create_with_bad_choices_re_renders_the_form(login_as, session, world, csrf):
    response = login_as(world.admin).post(
        "/staff/standard-lists",
        data={"csrf_token": csrf, "title": "我的清单", "unit_kind": "planet", "kind": ""},
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "standard-list-form"
    assert texts(root, ".field-error") == ["请选择适用的单位类型", "请选择清单类型"]
    assert one(root, "input[name=title]")["value"] == "我的清单"
    assert standard.standard_lists(session) == []


def test_create_without_csrf_changes_nothing(login_as, session, world):
    response = login_as(world.admin).post(
        "/staff/standard-lists", data={"unit_kind": "village", "kind": "duty"}
    )

    assert response.status_code == 403
    assert standard.standard_lists(session) == []


# --- detail, drafts, direct publishing ---------------------------------------------------------


def test_detail_shows_versions_and_the_bulk_form(login_as, session, world):
    standard_list = published_standard(session, world)

    response = login_as(world.admin).get(f"/staff/standard-lists/{standard_list.id}")

    assert response.status_code == 200
    page = parse(response)
    assert text(one(page, "h1")) == "村级标准职责清单（权力事项）"
    (row,) = page.select("#standard-versions tbody tr")
    assert texts(row, "td")[:3] == ["第 1 版", "已发布", "新建空白"]
    assert one(row, "a")["href"].endswith("/export.xlsx")
    assert one(page, "#new-draft-form select[name=source] option[selected]")["value"] == "copy"
    bulk = one(page, "#bulk-publish form")
    assert bulk["method"] == "post"
    assert "hx-confirm" in bulk.attrs
    scopes = texts(bulk, "select[name=scope] option")
    assert scopes == ["测试县（全县）", "甲镇", "乙街道"]
    assert texts(bulk, "select[name=unit_kind] option") == ["所有村", "所有社区", "所有村和社区"]


def test_detail_fragment_is_the_versions_card(login_as, session, world):
    standard_list = published_standard(session, world)

    response = login_as(world.admin).get(f"/staff/standard-lists/{standard_list.id}", headers=HTMX)

    assert fragment_root(response)["id"] == "standard-versions"


def test_unit_lists_are_not_standard_lists(login_as, session, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)

    response = login_as(world.admin).get(f"/staff/standard-lists/{draft.list_id}")

    assert response.status_code == 404


def test_new_draft_opens_in_the_draft_editor(login_as, session, world, csrf):
    standard_list = published_standard(session, world)

    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/drafts",
        data={"csrf_token": csrf, "source": "copy"},
    )

    assert response.status_code == 303
    draft = service.open_draft(session, power_list=standard_list)
    assert draft is not None
    assert response.headers["location"] == f"/staff/lists/versions/{draft.id}"
    assert draft.source == VersionSource.COPY
    assert len(service.content_of(session, version=draft).items) == 2
    assert audit(session, "powerlist.draft_created")[-1].data["source"] == "copy"


def test_publish_directly(login_as, session, world, csrf):
    standard_list = published_standard(session, world)
    draft = service.create_draft(
        session, power_list=standard_list, actor=world.admin, source=VersionSource.COPY
    )

    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/versions/{draft.id}/publish",
        data={"csrf_token": csrf},
    )

    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/staff/standard-lists/{standard_list.id}?done=published"
    )
    session.expire_all()
    assert draft.status == VersionStatus.PUBLISHED
    assert standard_list.current_version_id == draft.id
    assert audit(session, "powerlist.published")[-1].data["version"] == 2
    page = parse(login_as(world.admin).get(response.headers["location"]))
    assert text(one(page, "#notice")) == "已直接发布，新版本已生效。"


def test_publishing_an_empty_draft_shows_what_is_missing(login_as, session, world, csrf):
    standard_list = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    draft = service.create_draft(session, power_list=standard_list, actor=world.admin)

    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/versions/{draft.id}/publish",
        data={"csrf_token": csrf},
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "standard-versions"
    assert texts(root, ".publish-errors li") == ["清单中还没有任何权力事项"]
    session.expire_all()
    assert draft.status == VersionStatus.DRAFT


# --- bulk publish ------------------------------------------------------------------------------


def _township_with_units(session, world):
    """甲镇 gets two more villages and a community next to 甲村; 乙街道 keeps its community."""
    extra = [
        factories.make_unit(session, name="甲二村", parent=world.township),
        factories.make_unit(session, name="甲三村", parent=world.township),
        factories.make_unit(session, name="甲社区", kind=UnitKind.COMMUNITY, parent=world.township),
        factories.make_unit(session, name="停用村", parent=world.township, is_active=False),
    ]
    return extra


def test_bulk_publish_to_a_townships_villages(login_as, session, world, csrf):
    standard_list = published_standard(session, world)
    second, third, community, _inactive = _township_with_units(session, world)

    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/publish-to-units",
        data={"csrf_token": csrf, "scope": world.township.code, "unit_kind": "village"},
    )

    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == f"/staff/standard-lists/{standard_list.id}"
    assert parse_qs(location.query)["published"] == ["3"]
    assert published_units(session) == {world.village.id, second.id, third.id}
    events = audit(session, "powerlist.published")
    per_unit = [e for e in events if e.data.get("standard_list_id") == standard_list.id]
    assert {e.data["unit_id"] for e in per_unit} == {world.village.id, second.id, third.id}
    assert all(e.actor_id == world.admin.id for e in per_unit)
    (summary,) = audit(session, "standardlist.published_to_units")
    assert summary.data["published"] == 3
    assert summary.data["skipped"] == 0

    page = parse(login_as(world.admin).get(response.headers["location"]))
    assert text(one(page, "#bulk-publish .published-count")) == "3"
    assert page.select("#bulk-publish .skipped-units") == []


def test_bulk_publish_skips_units_with_open_drafts_and_lists_them(login_as, session, world, csrf):
    standard_list = published_standard(session, world)
    _township_with_units(session, world)
    make_draft(session, unit=world.village, actor=world.editor)

    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/publish-to-units",
        data={"csrf_token": csrf, "scope": world.township.code, "unit_kind": "both"},
        headers=HTMX,
    )

    assert response.status_code == 200
    root = fragment_root(response)
    assert root["id"] == "bulk-publish"
    assert text(one(root, ".published-count")) == "3"
    assert text(one(root, ".skipped-count")) == "1"
    assert texts(root, ".skipped-units li a") == ["甲村"]
    assert world.village.id not in published_units(session)
    assert len(published_units(session)) == 3

    # The same result without JavaScript, after the redirect.
    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/publish-to-units",
        data={"csrf_token": csrf, "scope": world.township.code, "unit_kind": "both"},
    )
    page = parse(login_as(world.admin).get(response.headers["location"]))
    assert text(one(page, "#bulk-publish .published-count")) == "3"
    assert texts(page, "#bulk-publish .skipped-units li a") == ["甲村"]


def test_bulk_publish_to_the_whole_county_supersedes_earlier_versions(
    login_as, session, world, csrf
):
    standard_list = published_standard(session, world)
    client = login_as(world.admin)
    form = {"csrf_token": csrf, "scope": world.county.code, "unit_kind": "both"}

    client.post(f"/staff/standard-lists/{standard_list.id}/publish-to-units", data=form)
    client.post(f"/staff/standard-lists/{standard_list.id}/publish-to-units", data=form)

    assert published_units(session) == {world.village.id, world.other_village.id}
    versions = session.exec(
        select(ListVersion.status, func.count())
        .join(PowerList, col(PowerList.id) == col(ListVersion.list_id))
        .where(col(PowerList.unit_id).is_not(None))
        .group_by(col(ListVersion.status))
    ).all()
    assert dict(versions) == {VersionStatus.PUBLISHED: 2, VersionStatus.SUPERSEDED: 2}


def test_bulk_publish_form_errors(login_as, session, world, csrf):
    standard_list = published_standard(session, world)

    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/publish-to-units",
        data={"csrf_token": csrf, "scope": world.village.code, "unit_kind": "city"},
        headers=HTMX,
    )

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "bulk-publish"
    assert texts(root, ".field-error") == ["请选择发布范围（乡镇、街道或全县）", "请选择单位类型"]
    assert published_units(session) == set()


def test_bulk_publish_of_an_unpublished_standard_is_refused(login_as, session, world, csrf):
    standard_list = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )

    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/publish-to-units",
        data={"csrf_token": csrf, "scope": world.township.code, "unit_kind": "village"},
    )

    assert response.status_code == 422
    assert "尚未发布" in text(one(parse(response), "#bulk-publish .error-summary li"))
    assert published_units(session) == set()


def test_bulk_publish_without_csrf_changes_nothing(login_as, session, world):
    standard_list = published_standard(session, world)

    response = login_as(world.admin).post(
        f"/staff/standard-lists/{standard_list.id}/publish-to-units",
        data={"scope": world.township.code, "unit_kind": "village"},
    )

    assert response.status_code == 403
    assert published_units(session) == set()
    assert audit(session, "standardlist.published_to_units") == []
