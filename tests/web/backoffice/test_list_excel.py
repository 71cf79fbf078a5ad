"""/staff/lists/… Excel: template download, export of visible versions, all-or-nothing upload."""

import io
from collections.abc import Callable
from urllib.parse import quote

from openpyxl import Workbook, load_workbook
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.powerlist import service, standard
from app.powerlist.excel import ITEMS, RISKS, STEPS, export_workbook, parse_workbook
from app.powerlist.models import VersionStatus
from app.powerlist.specs import ListContent, ListKind
from app.unit.models import UnitKind
from tests.html import one, parse, text, texts
from tests.powerlist.factories import duty_content, make_draft, make_published

HTMX = {"HX-Request": "true"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def workbook_bytes(content: ListContent) -> bytes:
    return export_workbook(content, unit_name="甲村", version_label="第 1 版")


def edited(data: bytes, change: Callable[[Workbook], None]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, version_id: int, data: bytes, csrf: str | None, **kwargs):
    form = {"csrf_token": csrf} if csrf else {}
    return client.post(
        f"/staff/lists/versions/{version_id}/import",
        data=form,
        files={"file": ("清单.xlsx", data, XLSX)},
        **kwargs,
    )


def content_of(session, version) -> ListContent:
    session.expire_all()
    return service.content_of(session, version=version)


# --- template ----------------------------------------------------------------------------------


def test_template_download_is_an_xlsx_with_headers(login_as, world):
    response = login_as(world.editor).get("/staff/lists/template/duty.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('职责清单（权力事项）导入模板.xlsx')}" in disposition
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:3] == ["事项", "流程", "风险点"]
    for sheet in (ITEMS, STEPS, RISKS):
        headers = [cell.value for cell in workbook[sheet.name][1] if cell.value]
        assert headers == [column.header for column in sheet.columns]


def test_template_of_each_kind_and_unknown_kind(login_as, world):
    client = login_as(world.editor)

    cadre = load_workbook(io.BytesIO(client.get("/staff/lists/template/cadre.xlsx").content))
    assert cadre.sheetnames[0] == "干部履职"
    assert client.get("/staff/lists/template/other.xlsx").status_code == 404


def test_template_needs_the_edit_permission(login_as, world):
    assert login_as(world.member).get("/staff/lists/template/duty.xlsx").status_code == 403


# --- export ------------------------------------------------------------------------------------


def test_editor_exports_their_draft_and_it_parses_back_identically(login_as, session, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)

    response = login_as(world.editor).get(f"/staff/lists/versions/{draft.id}/export.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert (
        quote("甲村职责清单（权力事项）（第1版）.xlsx") in response.headers["content-disposition"]
    )
    assert response.headers["cache-control"] == "private, no-store"
    parsed = parse_workbook(response.content, ListKind.DUTY)
    assert parsed == service.content_of(session, version=draft)


def test_export_is_scoped_by_policy(login_as, session, world):
    version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    url = f"/staff/lists/versions/{version.id}/export.xlsx"

    assert login_as(world.lead).get(url).status_code == 200  # supervising team
    assert login_as(world.member).get(url).status_code == 200
    assert login_as(world.admin).get(url).status_code == 200
    assert login_as(world.other_editor).get(url).status_code == 404
    assert login_as(world.outsider_member).get(url).status_code == 404
    assert login_as(world.editor).get("/staff/lists/versions/999999/export.xlsx").status_code == 404


def test_standard_list_versions_are_exported_for_admins_only(login_as, session, world):
    standard_list = standard.create_standard_list(
        session, unit_kind=UnitKind.VILLAGE, kind=ListKind.DUTY, actor=world.admin
    )
    draft = service.create_draft(session, power_list=standard_list, actor=world.admin)
    url = f"/staff/lists/versions/{draft.id}/export.xlsx"

    assert login_as(world.admin).get(url).status_code == 200
    assert login_as(world.editor).get(url).status_code == 404


# --- upload ------------------------------------------------------------------------------------


def test_upload_of_a_good_file_fills_the_draft(login_as, session, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor, content=duty_content(1))
    wanted = duty_content(3)

    response = upload(login_as(world.editor), draft.id, workbook_bytes(wanted), csrf)

    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/lists/versions/{draft.id}?imported=3"
    saved = content_of(session, draft)
    assert [i.name for i in saved.items] == ["事项1", "事项2", "事项3"]
    assert saved.model_dump(exclude={"items": {"__all__": {"key"}}}) == wanted.model_dump(
        exclude={"items": {"__all__": {"key"}}}
    )
    events = audit(session, "powerlist.draft_saved")
    assert events[-1].actor_id == world.editor.id
    assert events[-1].data["items"] == 3


def test_upload_with_htmx_redirects_by_header(login_as, session, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)

    response = upload(
        login_as(world.editor), draft.id, workbook_bytes(duty_content(2)), csrf, headers=HTMX
    )

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/staff/lists/versions/{draft.id}?imported=2"


def _broken(workbook: Workbook) -> None:
    items, steps = workbook["事项"], workbook["流程"]
    items["F2"] = "三天"  # 办理时限
    items["B3"] = None  # 事项名称
    steps["A2"] = "9.9"  # 事项编号 that is not on the 事项 sheet


def test_upload_of_a_broken_file_lists_every_problem_and_changes_nothing(
    login_as, session, world, csrf
):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    before = content_of(session, draft)
    data = edited(workbook_bytes(duty_content(3)), _broken)

    response = upload(login_as(world.editor), draft.id, data, csrf)

    assert response.status_code == 422
    page = parse(response)
    assert "导入失败：发现 3 处问题" in text(one(page, "#list-upload .import-errors h3"))
    assert texts(page, "#list-upload .import-errors li") == [
        "事项 工作表第 2 行「办理时限」列：必须是正整数",
        "事项 工作表第 3 行「事项名称」列：请填写事项名称",
        "流程 工作表第 2 行「事项编号」列：事项编号「9.9」在「事项」工作表中不存在",
    ]
    assert one(page, "#list-upload form")["enctype"] == "multipart/form-data"
    assert content_of(session, draft) == before
    assert audit(session, "powerlist.draft_saved")[-1].data["items"] == 3  # only the factory's


def test_broken_upload_with_htmx_swaps_the_panel(login_as, session, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    data = edited(workbook_bytes(duty_content(3)), _broken)

    response = upload(login_as(world.editor), draft.id, data, csrf, headers=HTMX)

    assert response.status_code == 422
    root = fragment_root(response)
    assert root["id"] == "list-upload"
    assert len(root.select(".import-errors li")) == 3


def test_upload_of_something_else_or_nothing(login_as, session, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    client = login_as(world.editor)

    not_xlsx = upload(client, draft.id, b"name,number\n", csrf)
    empty = client.post(f"/staff/lists/versions/{draft.id}/import", data={"csrf_token": csrf})

    assert not_xlsx.status_code == 422
    assert "无法读取文件" in text(one(parse(not_xlsx), ".import-errors li"))
    assert empty.status_code == 422
    assert texts(parse(empty), ".import-errors li") == ["请选择要上传的 .xlsx 文件"]


def test_upload_over_five_megabytes_is_refused(login_as, session, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    before = content_of(session, draft)

    response = upload(login_as(world.editor), draft.id, b"x" * (5 * 1024 * 1024 + 1), csrf)

    assert response.status_code == 422
    assert "超过 5 MB" in text(one(parse(response), ".import-errors li"))
    assert content_of(session, draft) == before


def test_upload_into_a_published_version_is_refused(login_as, session, world, csrf):
    version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    before = content_of(session, version)

    response = upload(login_as(world.editor), version.id, workbook_bytes(duty_content(1)), csrf)

    assert response.status_code == 409
    assert content_of(session, version) == before
    assert version.status == VersionStatus.PUBLISHED


def test_upload_by_an_editor_of_another_unit_is_not_found(login_as, session, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    before = content_of(session, draft)

    response = upload(login_as(world.other_editor), draft.id, workbook_bytes(duty_content(1)), csrf)

    assert response.status_code == 404
    assert content_of(session, draft) == before


def test_reviewers_may_not_upload(login_as, session, world, csrf):
    draft = make_draft(session, unit=world.village, actor=world.editor)

    response = upload(login_as(world.lead), draft.id, workbook_bytes(duty_content(1)), csrf)

    assert response.status_code == 403


def test_upload_without_csrf_changes_nothing(login_as, session, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    before = content_of(session, draft)

    response = upload(login_as(world.editor), draft.id, workbook_bytes(duty_content(1)), None)

    assert response.status_code == 403
    assert content_of(session, draft) == before


def test_keys_from_another_units_list_are_not_taken_over(login_as, session, world, csrf):
    theirs = make_published(
        session, unit=world.other_village, editor=world.other_editor, lead=world.admin
    )
    their_keys = {i.key for i in content_of(session, theirs).items}
    ours = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)
    our_keys = [i.key for i in content_of(session, ours).items]
    draft = service.create_draft(
        session, power_list=service.get_list(session, list_id=ours.list_id), actor=world.editor
    )
    # Their export, with our first item's key put back on its first row.
    data = edited(
        workbook_bytes(content_of(session, theirs)),
        lambda wb: wb["事项"].cell(row=2, column=14, value=our_keys[0]),
    )

    response = upload(login_as(world.editor), draft.id, data, csrf)

    assert response.status_code == 303
    keys = [i.key for i in content_of(session, draft).items]
    assert keys[0] == our_keys[0]
    assert not set(keys) & their_keys


# --- standalone page ---------------------------------------------------------------------------


def test_import_page_full_and_fragment(login_as, session, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)
    client = login_as(world.editor)

    page = parse(client.get(f"/staff/lists/versions/{draft.id}/import"))
    fragment = client.get(f"/staff/lists/versions/{draft.id}/import", headers=HTMX)

    form = one(page, "#list-upload form")
    assert form["method"] == "post"
    assert form["action"].endswith(f"/staff/lists/versions/{draft.id}/import")
    assert one(form, "input[name=csrf_token]")
    assert one(form, "input[type=file][name=file]")
    template_link = one(page, "#list-upload a.template-link")
    assert template_link["href"].endswith("/staff/lists/template/duty.xlsx")
    export_link = one(page, "#list-upload a.export-link")
    assert export_link["href"].endswith(f"/staff/lists/versions/{draft.id}/export.xlsx")
    assert fragment.headers["Vary"] == "HX-Request"
    assert fragment_root(fragment)["id"] == "list-upload"


def test_import_page_of_a_published_version_has_no_form(login_as, session, world):
    version = make_published(session, unit=world.village, editor=world.editor, lead=world.lead)

    page = parse(login_as(world.editor).get(f"/staff/lists/versions/{version.id}/import"))

    assert page.select("#list-upload form") == []
    assert "只能导入到草稿" in text(one(page, "#list-upload"))


def test_import_page_is_scoped(login_as, session, world):
    draft = make_draft(session, unit=world.village, actor=world.editor)

    assert (
        login_as(world.other_editor).get(f"/staff/lists/versions/{draft.id}/import").status_code
        == 404
    )
