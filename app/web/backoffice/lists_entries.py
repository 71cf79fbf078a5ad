"""Inline editing of cadre duties and negative items in the draft editor (the other two kinds)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.account.service import Principal
from app.core.errors import NotFound, ValidationFailed
from app.powerlist import editing
from app.powerlist.editing import Direction
from app.powerlist.specs import ListKind
from app.web.backoffice.list_access import Found, ItemKey, ListEditor, VersionId, editable
from app.web.backoffice.list_forms import EntryForm, entry_errors
from app.web.backoffice.lists_editor import draft_context, draft_url
from app.web.deps import SessionDep
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()


def _entry_version(session: Session, principal: Principal, version_id: int) -> Found:
    found = editable(session, principal, version_id)
    if found.kind == ListKind.DUTY:
        raise NotFound("该清单没有此类条目")
    return found


def _list_changed(
    request: Request, session: Session, principal: Principal, found: Found, anchor: str
) -> Response:
    if is_htmx(request):
        context = draft_context(session, principal, found, oob=True)
        return render(
            request, "backoffice/lists/draft.html", context, blocks=["entry_list", "submit_panel"]
        )
    return redirect(request, draft_url(request, found, anchor))


@router.post("/lists/versions/{version_id}/entries", name="backoffice.lists.entry_create")
def entry_create(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    form: Annotated[EntryForm, Form()],
) -> Response:
    found = _entry_version(session, principal, version_id)
    try:
        key = editing.add_entry(
            session, version=found.version, spec=form.spec(found.kind), actor=principal.user
        )
    except ValidationFailed as exc:
        context = draft_context(
            session, principal, found, new_form=form, new_errors=entry_errors(exc.errors)
        )
        return render(
            request, "backoffice/lists/draft.html", context, blocks=["entry_list"], status_code=422
        )
    return _list_changed(request, session, principal, found, f"entry-{key}")


@router.post("/lists/versions/{version_id}/entries/{key}", name="backoffice.lists.entry_update")
def entry_update(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    form: Annotated[EntryForm, Form()],
) -> Response:
    found = _entry_version(session, principal, version_id)
    try:
        editing.update_entry(
            session,
            version=found.version,
            key=key,
            spec=form.spec(found.kind),
            actor=principal.user,
        )
    except ValidationFailed as exc:
        context = draft_context(
            session, principal, found, editing_key=key, form=form, errors=entry_errors(exc.errors)
        )
        context["entry_key"] = key
        return render(
            request, "backoffice/lists/draft.html", context, blocks=["entry_form"], status_code=422
        )
    if is_htmx(request):
        context = draft_context(session, principal, found, oob=True)
        context["entry_key"] = key
        context["entry"] = dict(context["entries"])[key]
        return render(
            request, "backoffice/lists/draft.html", context, blocks=["entry_row", "submit_panel"]
        )
    return redirect(request, draft_url(request, found, f"entry-{key}"))


@router.post(
    "/lists/versions/{version_id}/entries/{key}/delete", name="backoffice.lists.entry_delete"
)
def entry_delete(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
) -> Response:
    found = _entry_version(session, principal, version_id)
    editing.delete_entry(
        session, version=found.version, kind=found.kind, key=key, actor=principal.user
    )
    return _list_changed(request, session, principal, found, "entry-list")


@router.post("/lists/versions/{version_id}/entries/{key}/move", name="backoffice.lists.entry_move")
def entry_move(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    direction: Annotated[Direction, Form()],
) -> Response:
    found = _entry_version(session, principal, version_id)
    editing.move_entry(
        session,
        version=found.version,
        kind=found.kind,
        key=key,
        direction=direction,
        actor=principal.user,
    )
    return _list_changed(request, session, principal, found, f"entry-{key}")
