"""/staff/lists/… Excel: blank templates, export of any visible version, upload into a draft."""

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import NotFound, ValidationFailed
from app.powerlist import excel, policies, service
from app.powerlist.models import VERSION_STATUS_LABELS, ListVersion, PowerList
from app.powerlist.schemas import keep_own_keys, list_item_keys, ordered_problems
from app.powerlist.specs import LIST_KIND_LABELS, ListContent, ListKind
from app.unit.models import Unit
from app.web.deps import SessionDep, require
from app.web.htmx import redirect, render

router = APIRouter()

VersionId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
Editor = Annotated[Principal, Depends(require(Permission.POWERLIST_EDIT))]
# Editors, team members and admins all hold unit:read; the policies below decide per version.
Staff = Annotated[Principal, Depends(require(Permission.UNIT_READ))]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def xlsx_response(data: bytes, *, filename: str, fallback: str) -> Response:
    """An .xlsx download; the zh-CN name travels as RFC 5987 filename*, with an ASCII fallback
    for clients that only read filename."""
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        data,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


@dataclass(frozen=True)
class VersionInScope:
    version: ListVersion
    power_list: PowerList
    unit: Unit | None  # None for a county standard list

    @property
    def owner_name(self) -> str:
        return self.unit.name if self.unit is not None else self.power_list.title


def _load(session: Session, version_id: int) -> VersionInScope:
    version = service.get_version(session, version_id=version_id)
    power_list = service.get_list(session, list_id=version.list_id)
    unit = session.get(Unit, power_list.unit_id) if power_list.unit_id is not None else None
    return VersionInScope(version, power_list, unit)


def can_see(session: Session, principal: Principal, found: VersionInScope) -> bool:
    """Editors see their units' lists, team roles their supervised units', admins all."""
    if found.unit is None:
        return policies.can_manage_standard(principal)
    return policies.can_edit_list(principal, found.unit) or policies.can_review(
        session, principal, found.unit
    )


def visible_version(session: Session, principal: Principal, version_id: int) -> VersionInScope:
    found = _load(session, version_id)
    if not can_see(session, principal, found):
        raise NotFound("清单版本不存在")
    return found


def editable_version(session: Session, principal: Principal, version_id: int) -> VersionInScope:
    """A version of a list the principal edits (any status; the service guards drafts)."""
    found = _load(session, version_id)
    if not policies.can_edit_list(principal, found.unit):
        raise NotFound("清单版本不存在")
    return found


def import_content(
    session: Session, *, found: VersionInScope, data: bytes, actor: Principal
) -> ListContent:
    """Parse an upload and replace the draft's content, all or nothing; keys foreign to this
    list are dropped so they cannot point /items/{key} at someone else's item."""
    service.require_draft(found.version)
    content = excel.parse_workbook(data, found.power_list.kind)
    content = keep_own_keys(content, list_item_keys(session, power_list=found.power_list))
    service.save_content(session, version=found.version, content=content, actor=actor.user)
    return content


# ---------------------------------------------------------------------------------------------
# Downloads


@router.get("/lists/template/{kind}.xlsx", name="backoffice.list_excel.template")
def template(kind: str, principal: Editor) -> Response:
    """A blank workbook with headers, drop-downs and a 说明 sheet."""
    list_kind = next((k for k in ListKind if k.value == kind), None)
    if list_kind is None:
        raise NotFound("没有这种清单模板")
    return xlsx_response(
        excel.template_workbook(list_kind),
        filename=f"{LIST_KIND_LABELS[list_kind]}导入模板.xlsx",
        fallback=f"{list_kind.value}-template.xlsx",
    )


@router.get("/lists/versions/{version_id}/export.xlsx", name="backoffice.list_excel.export")
def export(session: SessionDep, principal: Staff, version_id: VersionId) -> Response:
    """Any version the user may see, in the template's layout (re-importable unchanged)."""
    found = visible_version(session, principal, version_id)
    version, kind = found.version, found.power_list.kind
    label = f"第 {version.number} 版（{VERSION_STATUS_LABELS[version.status]}）"
    data = excel.export_workbook(
        service.content_of(session, version=version),
        unit_name=found.owner_name,
        version_label=label,
    )
    name = found.unit.name + LIST_KIND_LABELS[kind] if found.unit else found.power_list.title
    return xlsx_response(
        data,
        filename=f"{name}（第{version.number}版）.xlsx",
        fallback=f"{kind.value}-v{version.number}.xlsx",
    )


# ---------------------------------------------------------------------------------------------
# Upload


def _import_context(found: VersionInScope, errors: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "version": found.version,
        "power_list": found.power_list,
        "unit": found.unit,
        "owner_name": found.owner_name,
        "kind": found.power_list.kind,
        "errors": errors or {},
        "editor_url": f"/staff/lists/versions/{found.version.id}",
        "LIST_KIND_LABELS": LIST_KIND_LABELS,
    }


@router.get("/lists/versions/{version_id}/import", name="backoffice.list_excel.import_form")
def import_form(
    request: Request, session: SessionDep, principal: Editor, version_id: VersionId
) -> Response:
    """The upload panel on a page of its own (for use without JavaScript)."""
    found = editable_version(session, principal, version_id)
    return render(
        request,
        "backoffice/list_excel/import.html",
        _import_context(found),
        blocks=["list_upload"],
    )


async def _read_upload(upload: UploadFile | None) -> tuple[bytes | None, dict[str, str]]:
    if upload is None or not upload.filename:
        return None, {"file": "请选择要上传的 .xlsx 文件"}
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        return None, {"file": "文件超过 5 MB，请删除多余的行或图片后再上传"}
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return None, {"file": "文件超过 5 MB，请删除多余的行或图片后再上传"}
    if not data:
        return None, {"file": "上传的文件是空的"}
    return data, {}


class UploadedFile:
    """The upload's bytes, read once (bounded) before the sync route body runs."""

    def __init__(self, data: bytes | None, errors: dict[str, str]) -> None:
        self.data = data
        self.errors = errors


async def uploaded_file(file: Annotated[UploadFile | None, File()] = None) -> UploadedFile:
    data, errors = await _read_upload(file)
    return UploadedFile(data, errors)


@router.post("/lists/versions/{version_id}/import", name="backoffice.list_excel.import_upload")
def import_upload(
    request: Request,
    session: SessionDep,
    principal: Editor,
    version_id: VersionId,
    upload: Annotated[UploadedFile, Depends(uploaded_file)],
) -> Response:
    """Replace the draft's content with the workbook's; on any problem change nothing and list
    every problem by sheet, row and column."""
    found = editable_version(session, principal, version_id)
    service.require_draft(found.version)
    errors = upload.errors
    if upload.data is not None:
        try:
            content = import_content(session, found=found, data=upload.data, actor=principal)
        except ValidationFailed as exc:
            errors = ordered_problems(exc.errors, found.power_list.kind)
    if errors:
        return render(
            request,
            "backoffice/list_excel/import.html",
            _import_context(found, errors),
            blocks=["list_upload"],
            status_code=422,
        )
    counts = service.content_counts(content)
    imported = counts["items"] or counts["cadre_duties"] or counts["negative_items"]
    return redirect(request, f"/staff/lists/versions/{found.version.id}?imported={imported}")
