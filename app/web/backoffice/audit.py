"""/staff/audit — the audit log with filters, and verification of its hash chain (admin only)."""

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.account.permissions import Permission
from app.account.service import Principal
from app.audit import labels
from app.audit import service as audit_service
from app.web.deps import SessionDep, require
from app.web.htmx import render

router = APIRouter()

CanRead = Annotated[Principal, Depends(require(Permission.AUDIT_READ))]


def _parse_date(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = "日期格式应为 年-月-日，例如 2026-03-01"
        return None


def _context(
    session: Session,
    principal: Principal,
    *,
    filters: dict[str, str],
    page: int,
) -> tuple[dict[str, Any], int]:
    errors: dict[str, str] = {}
    date_from = _parse_date(filters["date_from"], "date_from", errors)
    date_to = _parse_date(filters["date_to"], "date_to", errors)
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = "结束日期不能早于开始日期"
        date_to = None
    events = audit_service.list_events(
        session,
        action=filters["action"],
        actor=filters["actor"],
        object_type=filters["object_type"],
        object_id=filters["object_id"],
        date_from=date_from,
        date_to=date_to,
        page=page,
    )
    actions = sorted(set(labels.ACTION_LABELS) | set(audit_service.recorded_actions(session)))
    object_types = sorted(
        set(labels.OBJECT_TYPE_LABELS) | set(audit_service.recorded_object_types(session))
    )
    active = {key: value for key, value in filters.items() if value}
    context = {
        "principal": principal,
        "events": events,
        "rows": [
            {
                "event": event,
                "description": labels.describe(event),
                "object": labels.object_label(event),
                "data": labels.data_items(event),
            }
            for event in events.items
        ],
        "filters": filters,
        "errors": errors,
        "action_options": [(code, labels.action_label(code)) for code in actions],
        "object_type_options": [
            (code, labels.OBJECT_TYPE_LABELS.get(code, code)) for code in object_types
        ],
        "pager_params": ("&" + urlencode(active)) if active else "",
        "report": None,
    }
    return context, 422 if errors else 200


@router.get("/audit", name="backoffice.audit.index")
def index(
    request: Request,
    session: SessionDep,
    principal: CanRead,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: str = "",
    date_to: str = "",
    page: int = 1,
) -> Response:
    filters = {
        "action": action[:60],
        "actor": actor[:100],
        "object_type": object_type[:40],
        "object_id": object_id[:40],
        "date_from": date_from[:10],
        "date_to": date_to[:10],
    }
    context, status_code = _context(session, principal, filters=filters, page=page)
    return render(
        request,
        "backoffice/audit/index.html",
        context,
        blocks=["audit_table"],
        status_code=status_code,
    )


@router.post("/audit/verify", name="backoffice.audit.verify")
def verify(request: Request, session: SessionDep, principal: CanRead) -> Response:
    """Walk the whole chain and show the verdict.

    Unlike other POSTs this renders instead of redirecting: it changes nothing, so a repeated
    submission is harmless, and the verdict has nowhere else to live.
    """
    report = audit_service.verify_chain(session)
    empty = dict.fromkeys(
        ("action", "actor", "object_type", "object_id", "date_from", "date_to"), ""
    )
    context, _ = _context(session, principal, filters=empty, page=1)
    context["report"] = report
    return render(request, "backoffice/audit/index.html", context, blocks=["audit_verify"])
