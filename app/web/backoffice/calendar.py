"""/staff/calendar — the work calendar (holidays, 调休, overrides) and deadline policies (admin)."""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.calendar import service as calendar_service
from app.calendar.models import CLOCK_LABELS, KIND_LABELS
from app.calendar.service import MAX_YEAR, MIN_YEAR
from app.core import clock
from app.core.errors import ValidationFailed
from app.core.workcalendar import DEADLINE_UNIT_LABELS, WEEKDAY_LABELS, DayInfo, Due
from app.ticket import categories as ticket_categories
from app.ticket.models import Category
from app.web.deps import SessionDep, require
from app.web.htmx import is_htmx, redirect, render

router = APIRouter()

CalendarAdmin = Annotated[Principal, Depends(require(Permission.CALENDAR_MANAGE))]
Year = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR)]
RowId = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
FormText = Annotated[str, Form(max_length=200)]
QueryText = Annotated[str, Query(max_length=200)]

INDEX = "backoffice/calendar/index.html"
POLICIES = "backoffice/calendar/policies.html"
KIND_OPTIONS = list(KIND_LABELS.items())
CLOCK_OPTIONS = [(which.value, text) for which, text in CLOCK_LABELS.items()]
UNIT_OPTIONS = [(unit.value, text) for unit, text in DEADLINE_UNIT_LABELS.items()]
STATUS_OPTIONS = [("rest", "休息"), ("work", "上班")]
NOTICES = {
    "set": "已保存日期调整。",
    "deleted": "已删除日期调整，该日恢复按法定安排计算。",
    "saved": "已保存办理时限。",
    "reset": "已恢复默认时限。",
}


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[DayInfo | None]]


def dashboard_warning(session: Session, principal: Principal) -> str | None:
    """For the dashboard: the fallback warning, shown to those who can fix the calendar.

    Render with {% include "backoffice/calendar/warning.html" %} and `calendar_warning`.
    """
    if not principal.can(Permission.CALENDAR_MANAGE):
        return None
    return calendar_service.calendar_warning(session)


# --- The calendar page ------------------------------------------------------------------------


def _calendar_context(
    session: Session,
    principal: Principal,
    *,
    year: int,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
) -> dict[str, Any]:
    calendar = calendar_service.load_calendar(session)
    covered_by_package = year in calendar_service.supported_years()
    return {
        "principal": principal,
        "year": year,
        "months": [Month(month, calendar.month(year, month)) for month in range(1, 13)],
        "weekday_labels": WEEKDAY_LABELS,
        "overrides": calendar_service.list_overrides(session, year=year),
        "covered_by_package": covered_by_package,
        "year_warning": calendar_service.warning_for_years(
            calendar_service.uncovered_years(session, [year])
        ),
        "current_warning": calendar_service.calendar_warning(session),
        "supported": calendar_service.supported_years(),
        "form": form or {"day": "", "status": "rest", "note": ""},
        "errors": errors or {},
        "status_options": STATUS_OPTIONS,
        "notice": notice,
        "min_year": MIN_YEAR,
        "max_year": MAX_YEAR,
    }


def _calendar_url(request: Request, year: int, done: str = "") -> str:
    url = request.url_for("backoffice.calendar.index").path
    return f"{url}?year={year}" + (f"&done={done}" if done else "")


def _form_year(value: str, fallback: int) -> int:
    try:
        year = int(value)
    except ValueError:
        return fallback
    return year if MIN_YEAR <= year <= MAX_YEAR else fallback


@router.get("/calendar", name="backoffice.calendar.index")
def index(
    request: Request,
    session: SessionDep,
    principal: CalendarAdmin,
    year: Year = None,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """A year as month grids, the coverage warning, and the overrides with their form."""
    chosen = year or clock.today_local().year
    context = _calendar_context(session, principal, year=chosen, notice=NOTICES.get(done, ""))
    return render(request, INDEX, context, blocks=["calendar_year"])


@router.post("/calendar/overrides", name="backoffice.calendar.set_override")
def set_override(
    request: Request,
    session: SessionDep,
    principal: CalendarAdmin,
    day: FormText = "",
    status: FormText = "",
    note: FormText = "",
    year: FormText = "",
) -> Response:
    """Make a date a working or rest day (replacing an earlier override of that date)."""
    shown_year = _form_year(year, clock.today_local().year)
    try:
        row = calendar_service.set_override(
            session, day=day, is_workday=status, note=note, actor=principal.user
        )
    except ValidationFailed as exc:
        form = {"day": day, "status": status, "note": note}
        # The form calls the choice "status" (上班/休息); the service "is_workday".
        errors = {("status" if key == "is_workday" else key): v for key, v in exc.errors.items()}
        context = _calendar_context(session, principal, year=shown_year, form=form, errors=errors)
        return render(request, INDEX, context, blocks=["calendar_year"], status_code=422)
    if is_htmx(request):
        context = _calendar_context(session, principal, year=row.day.year, notice=NOTICES["set"])
        return render(request, INDEX, context, blocks=["calendar_year"])
    return redirect(request, _calendar_url(request, row.day.year, "set"))


@router.post("/calendar/overrides/{override_id}/delete", name="backoffice.calendar.delete_override")
def delete_override(
    request: Request, session: SessionDep, principal: CalendarAdmin, override_id: RowId
) -> Response:
    row = calendar_service.delete_override(session, override_id=override_id, actor=principal.user)
    if is_htmx(request):
        context = _calendar_context(
            session, principal, year=row.day.year, notice=NOTICES["deleted"]
        )
        return render(request, INDEX, context, blocks=["calendar_year"])
    return redirect(request, _calendar_url(request, row.day.year, "deleted"))


# --- Deadline policies and the 试算 form -----------------------------------------------------


def _categories(session: Session) -> list[Category]:
    # Categories belong to the ticket domain; the calendar package stays independent of it,
    # so the page joins the two. Inactive ones keep their rules (and can still be edited).
    return ticket_categories.list_categories(session, active_only=False)


def _category_label(category: Category) -> str:
    kind = KIND_LABELS.get(category.kind, category.kind)
    return (
        f"{category.name}（{kind}）" if category.is_active else f"{category.name}（{kind}，已停用）"
    )


def _policies_context(
    session: Session,
    principal: Principal,
    *,
    edit: str = "",
    row_form: dict[str, str] | None = None,
    row_errors: dict[str, str] | None = None,
    add_form: dict[str, str] | None = None,
    add_errors: dict[str, str] | None = None,
    trial: dict[str, str] | None = None,
    trial_errors: dict[str, str] | None = None,
    trial_due: Due | None = None,
    trial_rule: str = "",
    notice: str = "",
) -> dict[str, Any]:
    categories = _categories(session)
    names = {category.code: category.name for category in categories}
    rows = calendar_service.list_policies(session)
    return {
        "principal": principal,
        "rows": rows,
        "category_names": names,
        "categories": categories,
        "category_options": [(c.code, _category_label(c)) for c in categories],
        "edit": edit,
        "row_form": row_form or {},
        "row_errors": row_errors or {},
        "add_form": add_form or {"category_code": "", "clock": "resolve", "amount": ""},
        "add_errors": add_errors or {},
        "add_unit": add_form.get("unit", "working") if add_form else "working",
        "trial": trial or _empty_trial(),
        "trial_errors": trial_errors or {},
        "trial_due": trial_due,
        "trial_rule": trial_rule,
        "kind_options": KIND_OPTIONS,
        "clock_options": CLOCK_OPTIONS,
        "unit_options": UNIT_OPTIONS,
        "unit_labels": DEADLINE_UNIT_LABELS,
        "weekday_labels": WEEKDAY_LABELS,
        "notice": notice,
    }


def _empty_trial() -> dict[str, str]:
    return {
        "kind": "complaint",
        "category_code": "",
        "clock": "resolve",
        "start_date": clock.today_local().isoformat(),
        "start_time": "09:00",
    }


def _policies_url(request: Request, done: str = "") -> str:
    url = request.url_for("backoffice.calendar.policies").path
    return f"{url}?done={done}" if done else url


@router.get("/calendar/policies", name="backoffice.calendar.policies")
def policies(
    request: Request,
    session: SessionDep,
    principal: CalendarAdmin,
    edit: QueryText = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Deadlines per kind × clock and per category; `?edit=<key>` opens one row for editing."""
    context = _policies_context(session, principal, edit=edit, notice=NOTICES.get(done, ""))
    return render(request, POLICIES, context, blocks=["policy_table"])


@router.post("/calendar/policies", name="backoffice.calendar.update_policy")
def update_policy(
    request: Request,
    session: SessionDep,
    principal: CalendarAdmin,
    kind: FormText = "",
    category_code: FormText = "",
    clock_name: Annotated[str, Form(alias="clock", max_length=20)] = "",
    amount: FormText = "",
    unit: FormText = "",
    source: FormText = "row",
) -> Response:
    """Save one rule: an edited row (`source=row`) or a new per-category rule (`source=add`)."""
    categories = {category.code: category for category in _categories(session)}
    code = category_code.strip()
    if source == "add" and code in categories:
        # A category's rule is always of the category's own kind.
        kind = categories[code].kind.value
    form = {
        "kind": kind,
        "category_code": code,
        "clock": clock_name,
        "amount": amount,
        "unit": unit,
    }
    try:
        if source == "add" and not code:
            raise ValidationFailed({"category_code": "请选择分类"})
        calendar_service.update_policy(
            session,
            kind=kind,
            category_code=code or None,
            clock=clock_name,
            amount=amount,
            unit=unit,
            actor=principal.user,
            category_codes=set(categories),
        )
    except ValidationFailed as exc:
        if source == "add":
            context = _policies_context(session, principal, add_form=form, add_errors=exc.errors)
        else:
            context = _policies_context(
                session,
                principal,
                edit=_row_key(kind, code, clock_name),
                row_form=form,
                row_errors=exc.errors,
            )
        return render(request, POLICIES, context, blocks=["policy_table"], status_code=422)
    if is_htmx(request):
        context = _policies_context(session, principal, notice=NOTICES["saved"])
        return render(request, POLICIES, context, blocks=["policy_table"])
    return redirect(request, _policies_url(request, "saved"))


def _row_key(kind: str, code: str, clock_name: str) -> str:
    try:
        return calendar_service.policy_key(kind, code or None, clock_name)
    except ValueError:
        return ""


@router.post("/calendar/policies/{policy_id}/reset", name="backoffice.calendar.reset_policy")
def reset_policy(
    request: Request, session: SessionDep, principal: CalendarAdmin, policy_id: RowId
) -> Response:
    """Delete a configured rule: a kind goes back to the default, a category to its kind."""
    calendar_service.reset_policy(session, policy_id=policy_id, actor=principal.user)
    if is_htmx(request):
        context = _policies_context(session, principal, notice=NOTICES["reset"])
        return render(request, POLICIES, context, blocks=["policy_table"])
    return redirect(request, _policies_url(request, "reset"))


def _parse_trial(trial: dict[str, str], errors: dict[str, str]) -> datetime | None:
    try:
        day = date.fromisoformat(trial["start_date"].strip())
    except ValueError:
        errors["start_date"] = "请选择起算日期，格式如 2026-09-28"
        return None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        errors["start_date"] = f"日期须在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间"
        return None
    moment = time(9, 0)
    if trial["start_time"].strip():
        try:
            moment = time.fromisoformat(trial["start_time"].strip())
        except ValueError:
            errors["start_time"] = "时间格式应为 09:00"
            return None
    return datetime.combine(day, moment, tzinfo=clock.LOCAL_TZ)


@router.get("/calendar/trial", name="backoffice.calendar.trial")
def trial(
    request: Request,
    session: SessionDep,
    principal: CalendarAdmin,
    kind: QueryText = "complaint",
    category_code: QueryText = "",
    clock_name: Annotated[str, Query(alias="clock", max_length=20)] = "resolve",
    start_date: QueryText = "",
    start_time: QueryText = "",
) -> Response:
    """试算: the due date and its explanation for a kind/category, clock and start time."""
    form = {
        "kind": kind,
        "category_code": category_code.strip(),
        "clock": clock_name,
        "start_date": start_date,
        "start_time": start_time,
    }
    errors: dict[str, str] = {}
    categories = {category.code: category for category in _categories(session)}
    chosen = categories.get(form["category_code"])
    if form["category_code"] and chosen is None:
        errors["category_code"] = "未找到该分类"
    elif chosen is not None and chosen.kind.value != kind:
        errors["category_code"] = "该分类不属于所选类型"
    start = _parse_trial(form, errors)
    due: Due | None = None
    rule_text = ""
    if not errors and start is not None:
        try:
            rule = calendar_service.policy_for(
                session, kind=kind, category_code=form["category_code"] or None, clock=clock_name
            )
            due = calendar_service.compute_due(
                session,
                kind=kind,
                category_code=form["category_code"] or None,
                clock=clock_name,
                start=start,
            )
            rule_text = f"{rule.amount} 个{DEADLINE_UNIT_LABELS[rule.unit]}"
        except ValidationFailed as exc:
            errors.update(exc.errors)
    context = _policies_context(
        session, principal, trial=form, trial_errors=errors, trial_due=due, trial_rule=rule_text
    )
    return render(
        request,
        POLICIES,
        context,
        blocks=["trial_form"],
        status_code=422 if errors else 200,
    )
