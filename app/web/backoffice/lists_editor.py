"""/staff/lists/versions/{id} — the draft editor: power items inline, submit and withdraw."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.account.models import User
from app.account.service import Principal
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.powerlist import editing, service, validation
from app.powerlist.editing import Direction
from app.powerlist.models import VERSION_SOURCE_LABELS, VERSION_STATUS_LABELS, VersionStatus
from app.powerlist.specs import (
    CATEGORY_COLLECTIVE,
    CATEGORY_SERVICE,
    LIST_KIND_LABELS,
    TIME_UNIT_LABELS,
    ItemSpec,
    ListKind,
    format_time_limit,
)
from app.web.backoffice.list_access import (
    Found,
    ItemKey,
    ListEditor,
    VersionId,
    editable,
    target_block,
)
from app.web.backoffice.list_forms import EntryForm, ItemForm, item_errors
from app.web.deps import SessionDep
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

KeyQuery = Annotated[str, Query(max_length=16, pattern=r"^[a-z0-9]*$")]
DirectionForm = Annotated[Direction, Form()]


def draft_context(
    session: Session,
    principal: Principal,
    found: Found,
    *,
    editing_key: str = "",
    form: ItemForm | EntryForm | None = None,
    errors: dict[str, str] | None = None,
    new_form: ItemForm | EntryForm | None = None,
    new_errors: dict[str, str] | None = None,
    submit_message: str = "",
    oob: bool = False,
) -> dict[str, Any]:
    """Everything draft.html needs; `editing_key` names the row shown as a form."""
    version = found.version
    loaded = service.load_content(session, version=version)
    content = loaded.content
    entries = list(
        zip(loaded.entry_keys, [*content.cadre_duties, *content.negative_items], strict=True)
    )
    keys = [item.key for item in content.items] or loaded.entry_keys
    is_open = version.status in (VersionStatus.DRAFT, VersionStatus.SUBMITTED)
    reviewer = (
        session.get(User, version.reviewed_by_id) if version.reviewed_by_id is not None else None
    )
    blank: ItemForm | EntryForm = ItemForm() if found.kind == ListKind.DUTY else EntryForm()
    return {
        "principal": principal,
        "found": found,
        "version": version,
        "unit": found.unit,
        "power_list": found.power_list,
        "kind": found.kind,
        "kind_label": LIST_KIND_LABELS[found.kind],
        "can_modify": version.status == VersionStatus.DRAFT,
        "items": content.items,
        "entries": entries,
        "positions": {key: index for index, key in enumerate(keys)},
        "row_count": len(keys),
        "editing_key": editing_key,
        "form": form,
        "errors": errors or {},
        "new_form": new_form or blank,
        "new_errors": new_errors or {},
        "submit_errors": validation.submit_errors(content) if is_open else {},
        "warnings": service.review_warnings(session, version=version) if is_open else {},
        "submit_message": submit_message,
        "reviewer": reviewer,
        "oob": oob,
        "category_options": [CATEGORY_COLLECTIVE, CATEGORY_SERVICE],
        "time_unit_options": list(TIME_UNIT_LABELS.items()),
        "format_time_limit": format_time_limit,
        "VERSION_STATUS_LABELS": VERSION_STATUS_LABELS,
        "VERSION_SOURCE_LABELS": VERSION_SOURCE_LABELS,
    }


def draft_url(request: Request, found: Found, anchor: str = "") -> str:
    url = request.url_for("backoffice.lists.draft", version_id=found.version.id).path
    return f"{url}#{anchor}" if anchor else url


def _item(session: Session, found: Found, key: str) -> ItemSpec:
    if found.kind != ListKind.DUTY:
        raise NotFound("事项不存在")
    return editing.get_item(session, version=found.version, key=key)


def _entry_form(session: Session, found: Found, key: str) -> EntryForm:
    for entry_key, entry in editing.entries(session, version=found.version):
        if entry_key == key:
            return EntryForm.of(entry)
    raise NotFound("条目不存在")


@router.get("/lists/versions/{version_id}", name="backoffice.lists.draft")
def draft(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    edit: KeyQuery = "",
    row: KeyQuery = "",
    imported: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
) -> Response:
    """The editor; ?edit=KEY shows that row as a form (htmx: only the form), ?row=KEY (htmx)
    only that row again, e.g. after 取消."""
    found = editable(session, principal, version_id)
    duty = found.kind == ListKind.DUTY
    if edit and found.version.status != VersionStatus.DRAFT:
        row, edit = edit, ""  # nothing to edit in a submitted or published version
    if edit:
        form = (
            ItemForm.of(_item(session, found, edit)) if duty else _entry_form(session, found, edit)
        )
        context = draft_context(session, principal, found, editing_key=edit, form=form)
        context |= {"item": _item(session, found, edit)} if duty else {"entry_key": edit}
        return render(
            request,
            "backoffice/lists/draft.html",
            context,
            blocks=["item_form"] if duty else ["entry_form"],
        )
    context = draft_context(session, principal, found)
    context["imported"] = imported
    if row:
        if duty:
            context["item"] = _item(session, found, row)
        else:
            _entry_form(session, found, row)  # 404 for an unknown key
            context["entry_key"] = row
            context["entry"] = dict(context["entries"])[row]
        return render(
            request,
            "backoffice/lists/draft.html",
            context,
            blocks=["item_row"] if duty else ["entry_row"],
        )
    return render(
        request,
        "backoffice/lists/draft.html",
        context,
        blocks=target_block(
            request, ["item_list", "submit_panel"] if duty else ["entry_list", "submit_panel"]
        ),
    )


# ---------------------------------------------------------------------------------------------
# Power items


@router.post("/lists/versions/{version_id}/items", name="backoffice.lists.item_create")
def item_create(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    form: Annotated[ItemForm, Form()],
) -> Response:
    found = editable(session, principal, version_id)
    if found.kind != ListKind.DUTY:
        raise NotFound("该清单没有权力事项")
    try:
        key = editing.add_item(
            session, version=found.version, spec=form.spec(), actor=principal.user
        )
    except ValidationFailed as exc:
        context = draft_context(
            session, principal, found, new_form=form, new_errors=item_errors(exc.errors)
        )
        return render(
            request, "backoffice/lists/draft.html", context, blocks=["item_list"], status_code=422
        )
    if is_htmx(request):
        context = draft_context(session, principal, found, oob=True)
        return render(
            request, "backoffice/lists/draft.html", context, blocks=["item_list", "submit_panel"]
        )
    return redirect(request, draft_url(request, found, f"item-{key}"))


@router.post("/lists/versions/{version_id}/items/{key}", name="backoffice.lists.item_update")
def item_update(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    form: Annotated[ItemForm, Form()],
) -> Response:
    """Save the item's own fields; its steps and risks are edited on the item's page."""
    found = editable(session, principal, version_id)
    existing = _item(session, found, key)
    try:
        editing.update_item(
            session,
            version=found.version,
            key=key,
            spec=form.spec(existing),
            actor=principal.user,
        )
    except ValidationFailed as exc:
        context = draft_context(
            session, principal, found, editing_key=key, form=form, errors=item_errors(exc.errors)
        )
        context["item"] = existing
        return render(
            request, "backoffice/lists/draft.html", context, blocks=["item_form"], status_code=422
        )
    if is_htmx(request):
        context = draft_context(session, principal, found, oob=True)
        context["item"] = _item(session, found, key)
        return render(
            request, "backoffice/lists/draft.html", context, blocks=["item_row", "submit_panel"]
        )
    return redirect(request, draft_url(request, found, f"item-{key}"))


def _list_changed(
    request: Request, session: Session, principal: Principal, found: Found
) -> Response:
    if is_htmx(request):
        context = draft_context(session, principal, found, oob=True)
        return render(
            request,
            "backoffice/lists/draft.html",
            context,
            blocks=["item_list", "submit_panel"]
            if found.kind == ListKind.DUTY
            else ["entry_list", "submit_panel"],
        )
    anchor = "item-list" if found.kind == ListKind.DUTY else "entry-list"
    return redirect(request, draft_url(request, found, anchor))


@router.post("/lists/versions/{version_id}/items/{key}/delete", name="backoffice.lists.item_delete")
def item_delete(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
) -> Response:
    found = editable(session, principal, version_id)
    editing.delete_item(session, version=found.version, key=key, actor=principal.user)
    return _list_changed(request, session, principal, found)


@router.post("/lists/versions/{version_id}/items/{key}/move", name="backoffice.lists.item_move")
def item_move(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    direction: DirectionForm,
) -> Response:
    found = editable(session, principal, version_id)
    editing.move_item(
        session, version=found.version, key=key, direction=direction, actor=principal.user
    )
    return _list_changed(request, session, principal, found)


# ---------------------------------------------------------------------------------------------
# Submit and withdraw


@router.post("/lists/versions/{version_id}/submit", name="backoffice.lists.submit")
def submit(
    request: Request, session: SessionDep, principal: ListEditor, version_id: VersionId
) -> Response:
    """Send the draft to the supervising team; refused, with every problem named, if incomplete."""
    found = editable(session, principal, version_id)
    if found.unit is None:
        raise Conflict("标准清单不经审核，请在「标准清单」页面发布")
    try:
        service.submit(session, version=found.version, actor=principal.user)
    except ValidationFailed as exc:
        context = draft_context(session, principal, found, submit_message=exc.message)
        context["submit_errors"] = exc.errors
        return render(
            request,
            "backoffice/lists/draft.html",
            context,
            blocks=["submit_panel"],
            status_code=422,
        )
    return redirect(request, draft_url(request, found))


@router.post("/lists/versions/{version_id}/withdraw", name="backoffice.lists.withdraw")
def withdraw(
    request: Request, session: SessionDep, principal: ListEditor, version_id: VersionId
) -> Response:
    found = editable(session, principal, version_id)
    service.withdraw(session, version=found.version, actor=principal.user)
    return redirect(request, draft_url(request, found))
