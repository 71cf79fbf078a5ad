"""Helpers shared by the supervision services: input checks and evidence files."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.account.service import Principal
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.supervision.models import SupervisionFile
from app.ticket import attachments

MAX_DEADLINE_DAYS = 366
EVIDENCE_FIELD = "files"


def required_text(
    errors: dict[str, str], field: str, value: str, label: str, *, max_length: int = 5000
) -> str:
    """The stripped text, or an error under `field` when empty or too long."""
    cleaned = (value or "").strip()
    if not cleaned:
        errors[field] = f"请填写{label}"
    elif len(cleaned) > max_length:
        errors[field] = f"{label}不能超过 {max_length} 字"
    return cleaned


def optional_text(
    errors: dict[str, str], field: str, value: str, label: str, *, max_length: int = 5000
) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > max_length:
        errors[field] = f"{label}不能超过 {max_length} 字"
    return cleaned


def working_days(errors: dict[str, str], field: str, value: int | str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        errors[field] = "请填写整改时限（工作日数）"
        return 0
    if not 1 <= days <= MAX_DEADLINE_DAYS:
        errors[field] = f"整改时限须为 1–{MAX_DEADLINE_DAYS} 个工作日"
    return days


def check_evidence(
    session: Session,
    files: Sequence[tuple[str, bytes]],
    *,
    notice_id: int | None = None,
    rectification_id: int | None = None,
) -> list[attachments.CleanFile]:
    """Validate uploads by content like ticket attachments (images, PDF; metadata stripped)."""
    already = len(
        session.exec(
            select(SupervisionFile.id).where(
                col(SupervisionFile.notice_id) == notice_id
                if notice_id is not None
                else col(SupervisionFile.rectification_id) == rectification_id
            )
        ).all()
    )
    try:
        return attachments.check_uploads(list(files), already=already)
    except ValidationFailed as exc:
        raise ValidationFailed({EVIDENCE_FIELD: next(iter(exc.errors.values()))}) from None


def store_evidence(
    session: Session,
    files: Sequence[attachments.CleanFile],
    *,
    principal: Principal,
    notice_id: int | None = None,
    rectification_id: int | None = None,
) -> list[SupervisionFile]:
    rows = []
    for clean in files:
        row = SupervisionFile(
            notice_id=notice_id,
            rectification_id=rectification_id,
            stored_name=attachments.write(session, clean),
            original_name=clean.original_name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            uploaded_by_id=principal.user.id,
            created_at=clock.now(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def list_files(
    session: Session, *, notice_id: int | None = None, rectification_id: int | None = None
) -> list[SupervisionFile]:
    statement = select(SupervisionFile).order_by(col(SupervisionFile.id))
    if notice_id is not None:
        statement = statement.where(col(SupervisionFile.notice_id) == notice_id)
    else:
        statement = statement.where(col(SupervisionFile.rectification_id) == rectification_id)
    return list(session.exec(statement).all())


def read_file(file: SupervisionFile) -> bytes:
    """The stored bytes; callers check access to the notice or entry first."""
    data = attachments.read(file.stored_name)
    if not data and file.size:
        raise NotFound("附件文件已丢失，请联系系统管理员")
    return data
