"""/api/v1/complaints — file a complaint and follow it with the receipt; open to citizens.

The same service, limits and confidentiality as the public form: the receipt code is returned
once and never again (only its keyed hash is stored), tracking goes by POST so the code stays
out of URLs and logs, and both routes count against the same per-client limits as the pages.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import ValidationFailed
from app.ticket import service as ticket_service
from app.ticket.models import TicketChannel
from app.ticket.schemas import ComplaintSubmission
from app.ticket.views import CitizenView
from app.web.api.uploads import WithFiles, body_with_files
from app.web.deps import PublicRoute, SessionDep
from app.web.public.track import WRONG_RECEIPT, due_note
from app.web.ratelimit import COMPLAINTS, TRACKING, UploadLimitRoute, rate_limited

router = APIRouter(prefix="/complaints", tags=["complaints"], route_class=UploadLimitRoute)

NO_STORE = {"Cache-Control": "no-store"}

SUBMISSION_EXAMPLE: dict[str, Any] = {
    "unit_code": "330226001001",
    "category_code": "delay",
    "item_key": None,
    "content": "到社区办理居住证明，工作人员连续三次让我改天再来，一直拖着不办。",
    "is_anonymous": True,
}
REAL_NAME_EXAMPLE: dict[str, Any] = {
    "unit_code": "330226001001",
    "category_code": "illegal_fees",
    "content": "办理证明时被要求缴纳二十元“工本费”，没有收据，请核实。",
    "is_anonymous": False,
    "name": "张三",
    "mobile": "13812345678",
}

ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "请求体过大（附件数量或大小超出限制）"},
    422: {
        "description": (
            "内容有误：errors 按字段列出中文提示。匿名内容中含有电话号码或身份证号时返回 "
            "errors.confirm_exposure，确认后以 confirm_exposure=true 重新提交"
        )
    },
    429: {"description": "提交或查询过于频繁；Retry-After 给出需要等待的秒数"},
}


def _multipart_schema() -> dict[str, Any]:
    fields = ComplaintSubmission.model_json_schema()["properties"]
    properties: dict[str, Any] = {
        name: {"type": "boolean" if spec.get("type") == "boolean" else "string"}
        for name, spec in fields.items()
    }
    properties["attachments"] = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "照片（JPG、PNG、WEBP）或 PDF，按内容判断类型",
    }
    return {"type": "object", "properties": properties, "required": ["unit_code"]}


SUBMIT_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": ComplaintSubmission.model_json_schema(),
                "examples": {
                    "anonymous": {"summary": "匿名投诉", "value": SUBMISSION_EXAMPLE},
                    "real_name": {"summary": "实名投诉", "value": REAL_NAME_EXAMPLE},
                },
            },
            "multipart/form-data": {"schema": _multipart_schema()},
        },
    }
}


class ReceiptOut(BaseModel):
    """Returned once: nobody, staff included, can show the code again."""

    number: str = Field(description="受理编号（公开）", examples=["TS-20261122-0042"])
    code: str = Field(
        description="16 位查询码，仅此一次返回，请提示群众保存", examples=["0123456789012345"]
    )


@router.post(
    "",
    name="api.complaints.create",
    status_code=201,
    dependencies=[PublicRoute],
    responses=ERRORS,
    openapi_extra=SUBMIT_DOC,
)
# Counted before the body is read (UploadLimitRoute): a flood costs no parsing.
@rate_limited(COMPLAINTS, "提交")
def create_complaint(
    session: SessionDep,
    response: Response,
    body: Annotated[
        WithFiles[ComplaintSubmission],
        Depends(body_with_files(ComplaintSubmission, files_field="attachments", max_fields=50)),
    ],
) -> ReceiptOut:
    """File a complaint, report or suggestion (JSON, or multipart with `attachments`)."""
    receipt = ticket_service.submit_ticket(
        session, submission=body.body, channel=TicketChannel.API, attachments_in=body.files
    )
    response.headers.update(NO_STORE)
    return ReceiptOut(number=receipt.number, code=receipt.code)


class TrackIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    number: str = Field(max_length=40, description="受理编号")
    code: str = Field(max_length=40, description="查询码（空格可有可无）")


class TrackOut(CitizenView):
    """What the receipt holder may see: public timeline, answer, what they can still do."""

    due_note: str | None = Field(description="期限说明（中文，面向群众）")


TRACK_EXAMPLES = {
    "receipt": {
        "summary": "受理编号和查询码",
        "value": {"number": "TS-20261122-0042", "code": "0123 4567 8901 2345"},
    }
}


@router.post(
    "/track",
    name="api.complaints.track",
    dependencies=[PublicRoute],
    responses={422: {"description": "受理编号或查询码不正确（两者不区分）"}, 429: ERRORS[429]},
)
@rate_limited(TRACKING, "查询")
def track_complaint(
    session: SessionDep,
    response: Response,
    body: Annotated[TrackIn, Body(openapi_examples=TRACK_EXAMPLES)],
) -> TrackOut:
    """Follow a ticket with its number and receipt code; the same answer for either mistake."""
    ticket = ticket_service.track(session, number=body.number, code=body.code)
    if ticket is None:
        raise ValidationFailed({"receipt": WRONG_RECEIPT}, WRONG_RECEIPT)
    view = ticket_service.citizen_view(session, ticket=ticket)
    response.headers.update(NO_STORE)
    return TrackOut(**view.model_dump(), due_note=due_note(ticket))
