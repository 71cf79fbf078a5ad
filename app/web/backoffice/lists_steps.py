"""/staff/lists/versions/{id}/items/{key} — one item's steps with a live flowchart, and risks."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from app.account.service import Principal
from app.core.errors import ValidationFailed
from app.powerlist import editing, flowchart
from app.powerlist.editing import Direction
from app.powerlist.models import VersionStatus
from app.powerlist.specs import (
    LIST_KIND_LABELS,
    RISK_LEVEL_LABELS,
    STEP_KIND_LABELS,
    TIME_UNIT_LABELS,
    ItemSpec,
    format_time_limit,
)
from app.web.backoffice.list_access import (
    Found,
    ItemKey,
    ListEditor,
    Position,
    VersionId,
    editable,
    target_block,
)
from app.web.backoffice.list_forms import RiskForm, StepForm, risk_errors, step_errors
from app.web.deps import SessionDep
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

RowQuery = Annotated[int, Query(ge=0, le=10_000)]
ITEM_PAGE = "backoffice/lists/item.html"


def flowchart_markup(item: ItemSpec) -> Markup:
    # render_svg escapes every piece of text it draws (xml.sax.saxutils.escape/quoteattr) and
    # writes presentation attributes only, so its output is safe markup, not user HTML.
    svg = flowchart.render_svg(
        item.name, item.steps, time_limit_text=format_time_limit(item.time_limit, item.time_unit)
    )
    return Markup(svg)


def item_context(
    session: Session,
    principal: Principal,
    found: Found,
    key: str,
    *,
    edit_step: int = 0,
    step_form: StepForm | None = None,
    new_step_form: StepForm | None = None,
    step_errors_: dict[str, str] | None = None,
    edit_risk: int = 0,
    risk_form: RiskForm | None = None,
    new_risk_form: RiskForm | None = None,
    risk_errors_: dict[str, str] | None = None,
    oob: bool = False,
) -> dict[str, Any]:
    """`edit_step`/`edit_risk` (1-based) name the row shown as a form; errors belong to it, or
    to the add form when it is 0."""
    item = editing.get_item(session, version=found.version, key=key)
    if edit_step and step_form is None and edit_step <= len(item.steps):
        step_form = StepForm.of(item.steps[edit_step - 1])
    if edit_risk and risk_form is None and edit_risk <= len(item.risks):
        risk_form = RiskForm.of(item.risks[edit_risk - 1])
    return {
        "principal": principal,
        "found": found,
        "version": found.version,
        "unit": found.unit,
        "kind_label": LIST_KIND_LABELS[found.kind],
        "item": item,
        "can_modify": found.version.status == VersionStatus.DRAFT,
        "flowchart": flowchart_markup(item),
        "edit_step": edit_step,
        "step_form": step_form,
        "new_step_form": new_step_form or StepForm(),
        "step_errors": step_errors_ or {},
        "edit_risk": edit_risk,
        "risk_form": risk_form,
        "new_risk_form": new_risk_form or RiskForm(),
        "risk_errors": risk_errors_ or {},
        "oob": oob,
        "format_time_limit": format_time_limit,
        "time_unit_options": list(TIME_UNIT_LABELS.items()),
        "step_kind_options": list(STEP_KIND_LABELS.items()),
        "risk_level_options": list(RISK_LEVEL_LABELS.items()),
        "STEP_KIND_LABELS": STEP_KIND_LABELS,
        "RISK_LEVEL_LABELS": RISK_LEVEL_LABELS,
    }


def _item_url(request: Request, found: Found, key: str, anchor: str) -> str:
    url = request.url_for("backoffice.lists.item", version_id=found.version.id, key=key).path
    return f"{url}#{anchor}"


@router.get("/lists/versions/{version_id}/items/{key}", name="backoffice.lists.item")
def item_page(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    edit_step: RowQuery = 0,
    edit_risk: RowQuery = 0,
) -> Response:
    """Steps (?edit_step=N shows step N as a form), the flowchart beside them, and risks."""
    found = editable(session, principal, version_id)
    context = item_context(session, principal, found, key, edit_step=edit_step, edit_risk=edit_risk)
    return render(
        request,
        "backoffice/lists/item.html",
        context,
        blocks=["step_table"]
        if edit_step
        else ["risk_table"]
        if edit_risk
        else target_block(request, ["step_table", "flowchart_preview", "risk_table"]),
    )


# ---------------------------------------------------------------------------------------------
# Steps and risk points change the same way: try the edit, answer with the table (steps also
# redraw the flowchart out of band), or re-render the table with the form and its errors (422).


@dataclass(frozen=True)
class Rows:
    """What differs between the step table and the risk table."""

    block: str
    blocks_after_change: tuple[str, ...]
    errors: Callable[[dict[str, str], int], dict[str, str]]
    # item_context() keywords for: the row shown as a form, its form, the add form, the errors.
    edit_arg: str
    form_arg: str
    new_form_arg: str
    errors_arg: str


STEPS = Rows(
    block="step_table",
    blocks_after_change=("step_table", "flowchart_preview"),
    errors=step_errors,
    edit_arg="edit_step",
    form_arg="step_form",
    new_form_arg="new_step_form",
    errors_arg="step_errors_",
)
RISKS = Rows(
    block="risk_table",
    blocks_after_change=("risk_table",),
    errors=risk_errors,
    edit_arg="edit_risk",
    form_arg="risk_form",
    new_form_arg="new_risk_form",
    errors_arg="risk_errors_",
)


def _change(
    request: Request,
    session: Session,
    principal: Principal,
    found: Found,
    key: str,
    rows: Rows,
    edit: Callable[[], object],
    *,
    position: int = 0,
    form: StepForm | RiskForm | None = None,
    is_new: bool = True,
) -> Response:
    """Run `edit`; on refusal show the form (the add form when `is_new`) with its messages."""
    try:
        edit()
    except ValidationFailed as exc:
        refused: dict[str, Any] = {
            rows.edit_arg: 0 if is_new else position,
            rows.form_arg: None if is_new else form,
            rows.new_form_arg: form if is_new else None,
            rows.errors_arg: rows.errors(exc.errors, position),
        }
        context = item_context(session, principal, found, key, **refused)
        return render(request, ITEM_PAGE, context, blocks=[rows.block], status_code=422)
    if is_htmx(request):
        context = item_context(session, principal, found, key, oob=True)
        return render(request, ITEM_PAGE, context, blocks=list(rows.blocks_after_change))
    return redirect(request, _item_url(request, found, key, rows.block.replace("_", "-")))


@router.post("/lists/versions/{version_id}/items/{key}/steps", name="backoffice.lists.step_create")
def step_create(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    form: Annotated[StepForm, Form()],
) -> Response:
    found = editable(session, principal, version_id)
    position = len(editing.get_item(session, version=found.version, key=key).steps) + 1
    return _change(
        request,
        session,
        principal,
        found,
        key,
        STEPS,
        lambda: editing.add_step(
            session, version=found.version, key=key, spec=form.spec(), actor=principal.user
        ),
        position=position,
        form=form,
    )


@router.post(
    "/lists/versions/{version_id}/items/{key}/steps/{position}",
    name="backoffice.lists.step_update",
)
def step_update(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    position: Position,
    form: Annotated[StepForm, Form()],
) -> Response:
    found = editable(session, principal, version_id)
    return _change(
        request,
        session,
        principal,
        found,
        key,
        STEPS,
        lambda: editing.update_step(
            session,
            version=found.version,
            key=key,
            position=position,
            spec=form.spec(),
            actor=principal.user,
        ),
        position=position,
        form=form,
        is_new=False,
    )


@router.post(
    "/lists/versions/{version_id}/items/{key}/steps/{position}/delete",
    name="backoffice.lists.step_delete",
)
def step_delete(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    position: Position,
) -> Response:
    """Refused (422, with the reason above the table) for the last step or a return target."""
    found = editable(session, principal, version_id)
    return _change(
        request,
        session,
        principal,
        found,
        key,
        STEPS,
        lambda: editing.delete_step(
            session, version=found.version, key=key, position=position, actor=principal.user
        ),
    )


@router.post(
    "/lists/versions/{version_id}/items/{key}/steps/{position}/move",
    name="backoffice.lists.step_move",
)
def step_move(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    position: Position,
    direction: Annotated[Direction, Form()],
) -> Response:
    found = editable(session, principal, version_id)
    return _change(
        request,
        session,
        principal,
        found,
        key,
        STEPS,
        lambda: editing.move_step(
            session,
            version=found.version,
            key=key,
            position=position,
            direction=direction,
            actor=principal.user,
        ),
    )


@router.post("/lists/versions/{version_id}/items/{key}/risks", name="backoffice.lists.risk_create")
def risk_create(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    form: Annotated[RiskForm, Form()],
) -> Response:
    found = editable(session, principal, version_id)
    position = len(editing.get_item(session, version=found.version, key=key).risks) + 1
    return _change(
        request,
        session,
        principal,
        found,
        key,
        RISKS,
        lambda: editing.add_risk(
            session, version=found.version, key=key, spec=form.spec(), actor=principal.user
        ),
        position=position,
        form=form,
    )


@router.post(
    "/lists/versions/{version_id}/items/{key}/risks/{position}",
    name="backoffice.lists.risk_update",
)
def risk_update(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    position: Position,
    form: Annotated[RiskForm, Form()],
) -> Response:
    found = editable(session, principal, version_id)
    return _change(
        request,
        session,
        principal,
        found,
        key,
        RISKS,
        lambda: editing.update_risk(
            session,
            version=found.version,
            key=key,
            position=position,
            spec=form.spec(),
            actor=principal.user,
        ),
        position=position,
        form=form,
        is_new=False,
    )


@router.post(
    "/lists/versions/{version_id}/items/{key}/risks/{position}/delete",
    name="backoffice.lists.risk_delete",
)
def risk_delete(
    request: Request,
    session: SessionDep,
    principal: ListEditor,
    version_id: VersionId,
    key: ItemKey,
    position: Position,
) -> Response:
    found = editable(session, principal, version_id)
    return _change(
        request,
        session,
        principal,
        found,
        key,
        RISKS,
        lambda: editing.delete_risk(
            session, version=found.version, key=key, position=position, actor=principal.user
        ),
    )
