"""/staff/notifications — the notification outbox: delivery status, errors, retry (admin)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.account.permissions import Permission
from app.account.service import Principal
from app.notify import labels
from app.notify import service as notify_service
from app.notify.models import OutboxStatus
from app.web.deps import SessionDep, require
from app.web.htmx import redirect, render

router = APIRouter()

CanRead = Annotated[Principal, Depends(require(Permission.NOTIFY_READ))]
CanManage = Annotated[Principal, Depends(require(Permission.NOTIFY_MANAGE))]


@router.get("/notifications", name="backoffice.notifications.index")
def index(
    request: Request,
    session: SessionDep,
    principal: CanRead,
    status: str = "",
    page: int = 1,
    retried: int | None = None,
) -> Response:
    chosen = OutboxStatus(status) if status in set(OutboxStatus) else None
    messages = notify_service.list_messages(session, status=chosen, page=page)
    context = {
        "principal": principal,
        "messages": messages,
        "counts": notify_service.count_by_status(session),
        "status": chosen.value if chosen else "",
        "pager_params": f"&status={chosen.value}" if chosen else "",
        "channel_labels": labels.CHANNEL_LABELS,
        "status_labels": labels.STATUS_LABELS,
        "status_badges": labels.STATUS_BADGES,
        "can_manage": principal.can(Permission.NOTIFY_MANAGE),
        "retried": retried,
    }
    return render(
        request, "backoffice/notifications/index.html", context, blocks=["notification_table"]
    )


@router.post("/notifications/{message_id}/retry", name="backoffice.notifications.retry")
def retry(request: Request, session: SessionDep, principal: CanManage, message_id: int) -> Response:
    notify_service.retry(session, actor=principal.user, message_id=message_id)
    index_path = request.url_for("backoffice.notifications.index").path
    return redirect(
        request, f"{index_path}?status={OutboxStatus.PENDING.value}&retried={message_id}"
    )
