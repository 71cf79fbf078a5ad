"""/staff/categories — complaint categories (吃拿卡要, 办事拖延 …): list, add, edit (admins)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.core.errors import ValidationFailed
from app.ticket import service as ticket_service
from app.ticket.labels import KIND_LABELS
from app.ticket.models import Category
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

CategoryAdmin = Annotated[Principal, Depends(require(Permission.CATEGORY_MANAGE))]
CategoryId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
FormText = Annotated[str, Form(max_length=500)]
Done = Annotated[str, Query(max_length=20)]

INDEX = "backoffice/categories/index.html"
EDIT = "backoffice/categories/edit.html"
KIND_OPTIONS = [(kind.value, text) for kind, text in KIND_LABELS.items()]
POSITION_LIMIT = 1_000_000
NOTICES = {"created": "已新增类别。", "saved": "已保存。"}


def _position(raw: str, errors: dict[str, str]) -> int | None:
    value = raw.strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        number = POSITION_LIMIT
    if not 0 <= number < POSITION_LIMIT:
        errors["position"] = "排序请填写 0–999999 的整数"
        return None
    return number


def _index_context(
    session: Session,
    principal: Principal,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    oob: bool = False,
) -> dict[str, Any]:
    return {
        "principal": principal,
        "categories": ticket_service.list_categories(session, active_only=False),
        "kind_labels": KIND_LABELS,
        "kind_options": KIND_OPTIONS,
        "form": form or {"code": "", "name": "", "kind": "complaint", "description": ""},
        "errors": errors or {},
        "notice": notice,
        "oob": oob,
    }


@router.get("/categories", name="backoffice.categories.index")
def index(
    request: Request, session: SessionDep, principal: CategoryAdmin, done: Done = ""
) -> Response:
    """Every category (active or not) in form order, and the form to add one."""
    context = _index_context(session, principal, notice=NOTICES.get(done, ""))
    return render(request, INDEX, context, blocks=["category_table"])


@router.post("/categories", name="backoffice.categories.create")
def create(
    request: Request,
    session: SessionDep,
    principal: CategoryAdmin,
    code: FormText = "",
    name: FormText = "",
    kind: FormText = "",
    description: FormText = "",
    position: FormText = "",
) -> Response:
    form = {
        "code": code,
        "name": name,
        "kind": kind,
        "description": description,
        "position": position,
    }
    errors: dict[str, str] = {}
    chosen_position = _position(position, errors)
    try:
        # The service checks the other fields even when the position was junk, so every
        # message shows at once; the savepoint undoes the row if only the position was wrong.
        with session.begin_nested():
            try:
                ticket_service.create_category(
                    session,
                    actor=principal.user,
                    code=code,
                    name=name,
                    kind=kind,
                    description=description,
                    position=chosen_position,
                )
            except ValidationFailed as exc:
                errors = {**exc.errors, **errors}
            if errors:
                raise ValidationFailed(errors)
    except ValidationFailed as exc:
        context = _index_context(session, principal, form=form, errors={**exc.errors, **errors})
        return render(request, INDEX, context, blocks=["category_form"], status_code=422)
    if is_htmx(request):
        context = _index_context(session, principal, notice=NOTICES["created"], oob=True)
        return render(request, INDEX, context, blocks=["category_form", "category_table"])
    return redirect(request, f"{request.url_for('backoffice.categories.index').path}?done=created")


def _edit_context(
    principal: Principal,
    category: Category,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
) -> dict[str, Any]:
    return {
        "principal": principal,
        "category": category,
        "kind_options": KIND_OPTIONS,
        "kind_labels": KIND_LABELS,
        "form": form
        or {
            "name": category.name,
            "kind": category.kind.value,
            "description": category.description,
            "position": str(category.position),
            "is_active": category.is_active,
        },
        "errors": errors or {},
        "notice": notice,
    }


@router.get("/categories/{category_id}", name="backoffice.categories.edit")
def edit(
    request: Request,
    session: SessionDep,
    principal: CategoryAdmin,
    category_id: CategoryId,
    done: Done = "",
) -> Response:
    category = ticket_service.get_category(session, category_id=category_id)
    context = _edit_context(principal, category, notice=NOTICES.get(done, ""))
    return render(request, EDIT, context, blocks=["category_form"])


@router.post("/categories/{category_id}", name="backoffice.categories.update")
def update(
    request: Request,
    session: SessionDep,
    principal: CategoryAdmin,
    category_id: CategoryId,
    name: FormText = "",
    kind: FormText = "",
    description: FormText = "",
    position: FormText = "",
    is_active: FormText = "",
) -> Response:
    """Change name, kind, description, position or the active flag (the code stays)."""
    category = ticket_service.get_category(session, category_id=category_id)
    form = {
        "name": name,
        "kind": kind,
        "description": description,
        "position": position,
        "is_active": bool(is_active),
    }
    errors: dict[str, str] = {}
    chosen_position = _position(position, errors)
    if chosen_position is None and "position" not in errors:
        errors["position"] = "请填写排序"
    try:
        with session.begin_nested():
            try:
                ticket_service.update_category(
                    session,
                    category=category,
                    actor=principal.user,
                    name=name,
                    kind=kind,
                    description=description,
                    position=chosen_position if chosen_position is not None else category.position,
                    is_active=bool(is_active),
                )
            except ValidationFailed as exc:
                errors = {**exc.errors, **errors}
            if errors:
                raise ValidationFailed(errors)
    except ValidationFailed as exc:
        session.refresh(category)
        context = _edit_context(principal, category, form=form, errors={**exc.errors, **errors})
        return render(request, EDIT, context, blocks=["category_form"], status_code=422)
    if is_htmx(request):
        context = _edit_context(principal, category, notice=NOTICES["saved"])
        return render(request, EDIT, context, blocks=["category_form"])
    url = request.url_for("backoffice.categories.edit", category_id=category.id).path
    return redirect(request, f"{url}?done=saved")
