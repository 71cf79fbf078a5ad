"""/staff/stats/formulas — the 三率 formulas (admins): choose, preview the sentences and the
figures they give live, save (audited)."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.stats.figures import ticket_figures
from app.stats.formulas import (
    FORMULA_FIELD_LABELS,
    FORMULA_FIELDS,
    FORMULA_TEXT,
    Formula,
    get_formula,
    update_formula,
)
from app.stats.measures import RATE_LABELS, RateName
from app.stats.periods import Period
from app.stats.scope import public_scope
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

FormulaAdmin = Annotated[Principal, Depends(require(Permission.STATS_CONFIGURE))]
Flag = Annotated[str, Query(max_length=5)]
FormFlag = Annotated[str, Form(max_length=5)]
Done = Annotated[str, Query(max_length=20)]

PAGE = "backoffice/stats/formulas.html"
SAVED = "已保存统计口径，各统计页面和报告即按新口径计算。"
PREVIEW_RATES = (
    RateName.RESPONSE,
    RateName.RESOLUTION,
    RateName.SATISFACTION,
    RateName.ON_TIME,
)


def _context(
    session: Session, principal: Principal, formula: Formula, *, notice: str = "", saved: bool
) -> dict[str, Any]:
    """The page shows the sentences and this year's county figures for `formula`, which is
    the stored one, or (preview) the one the checkboxes describe before saving."""
    period = Period.current_year()
    figures = ticket_figures(session, public_scope(session, unit=None), period, formula=formula)
    return {
        "principal": principal,
        "formula": formula,
        "choices": [
            (name, FORMULA_FIELD_LABELS[name], getattr(formula, name)) for name in FORMULA_FIELDS
        ],
        "sentences": FORMULA_TEXT(formula),
        "period": period,
        "rates": [(RATE_LABELS[name], figures.rates[name]) for name in PREVIEW_RATES],
        "changed": formula != get_formula(session),
        "saved": saved,
        "notice": notice,
    }


def _from_flags(flags: dict[str, str]) -> Formula:
    # Checkboxes send a value only when ticked.
    return Formula(**{name: bool(flags.get(name)) for name in FORMULA_FIELDS})


@router.get("/stats/formulas", name="backoffice.stats_formulas.edit")
def edit(
    request: Request,
    session: SessionDep,
    principal: FormulaAdmin,
    preview: Flag = "",
    satisfied_includes_basically: Flag = "",
    resolved_from_rating: Flag = "",
    response_counts_rejections: Flag = "",
    unrated_counts_as_satisfied: Flag = "",
    done: Done = "",
) -> Response:
    """The stored formula; with preview=1, the one the (unsaved) checkboxes describe."""
    if preview:
        formula = _from_flags(
            {
                "satisfied_includes_basically": satisfied_includes_basically,
                "resolved_from_rating": resolved_from_rating,
                "response_counts_rejections": response_counts_rejections,
                "unrated_counts_as_satisfied": unrated_counts_as_satisfied,
            }
        )
    else:
        formula = get_formula(session)
    context = _context(
        session,
        principal,
        formula,
        notice=SAVED if done == "saved" else "",
        saved=not preview,
    )
    return render(request, PAGE, context, blocks=["formula_preview"])


@router.post("/stats/formulas", name="backoffice.stats_formulas.update")
def update(
    request: Request,
    session: SessionDep,
    principal: FormulaAdmin,
    satisfied_includes_basically: FormFlag = "",
    resolved_from_rating: FormFlag = "",
    response_counts_rejections: FormFlag = "",
    unrated_counts_as_satisfied: FormFlag = "",
) -> Response:
    chosen = _from_flags(
        {
            "satisfied_includes_basically": satisfied_includes_basically,
            "resolved_from_rating": resolved_from_rating,
            "response_counts_rejections": response_counts_rejections,
            "unrated_counts_as_satisfied": unrated_counts_as_satisfied,
        }
    )
    formula = update_formula(session, principal=principal, **asdict(chosen))
    if is_htmx(request):
        context = _context(session, principal, formula, notice=SAVED, saved=True)
        return render(request, PAGE, context, blocks=["formula_form"])
    url = request.url_for("backoffice.stats_formulas.edit").path
    return redirect(request, f"{url}?done=saved")
