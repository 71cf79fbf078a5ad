"""/api/v1/audit-events — the audit log with the same filters as the back office."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from app.account.permissions import Permission
from app.account.service import Principal
from app.audit import labels
from app.audit import service as audit_service
from app.audit.models import AuditEvent
from app.core.errors import ValidationFailed
from app.web.deps import SessionDep, require

router = APIRouter(prefix="/audit-events", tags=["audit"])


class AuditEventOut(BaseModel):
    """One audit event; `hash` and `prev_hash` let a client check the chain itself."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1024,
                    "created_at": "2026-03-02T01:15:00Z",
                    "actor_id": 1,
                    "actor": "admin",
                    "action": "account.role_granted",
                    "description": "授予角色：单位填报人员",
                    "object_type": "user",
                    "object_id": "7",
                    "data": {"role": "unit_editor", "unit_id": 57, "team_id": None},
                    "prev_hash": "9f2c…",
                    "hash": "41ab…",
                }
            ]
        }
    )

    id: int
    created_at: datetime
    actor_id: int | None
    actor: str
    action: str
    description: str
    object_type: str
    object_id: str
    data: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def from_event(cls, event: AuditEvent) -> "AuditEventOut":
        assert event.id is not None
        return cls(
            id=event.id,
            created_at=event.created_at,
            actor_id=event.actor_id,
            actor=event.actor_label,
            action=event.action,
            description=labels.describe(event),
            object_type=event.object_type,
            object_id=event.object_id,
            data=event.data,
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


class AuditEventPage(BaseModel):
    items: list[AuditEventOut]
    total: int
    page: int
    per_page: int
    pages: int


@router.get("", name="api.audit.list")
def list_events(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Permission.AUDIT_READ))],
    action: Annotated[
        str, Query(max_length=60, description="操作代码，如 account.role_granted")
    ] = "",
    actor: Annotated[str, Query(max_length=100, description="操作人用户名（记录时的）")] = "",
    object_type: Annotated[str, Query(max_length=40)] = "",
    object_id: Annotated[str, Query(max_length=40)] = "",
    date_from: Annotated[date | None, Query(description="北京时间日期，含当天")] = None,
    date_to: Annotated[date | None, Query(description="北京时间日期，含当天")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditEventPage:
    """Events newest first."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed({"date_to": "结束日期不能早于开始日期"})
    events = audit_service.list_events(
        session,
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        date_from=date_from,
        date_to=date_to,
        page=page,
        per_page=per_page,
    )
    return AuditEventPage(
        items=[AuditEventOut.from_event(event) for event in events.items],
        total=events.total,
        page=events.page,
        per_page=events.per_page,
        pages=events.pages,
    )
