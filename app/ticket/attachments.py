"""Attachments: type by content (magic bytes), images re-encoded and PDFs rewritten without
metadata, random names.

Files live under settings.attachment_dir, outside the web root, and are read back only through
the service layer for authorised staff (see policies.can_download).
"""

import hashlib
import io
import os
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.account.service import Principal
from app.config import get_settings
from app.core import clock
from app.core.errors import NotFound, ValidationFailed
from app.ticket.models import EntryActor, Ticket, TicketAttachment

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"

EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp", PDF: ".pdf"}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# Phone photos are ~12–50 MP; anything larger is more likely a decompression bomb.
MAX_PIXELS = 60_000_000
_STORED_NAME = re.compile(r"^[0-9a-f]{40}$")
FIELD = "attachments"


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (JPEG, PNG, WEBP or PDF), else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed every check, ready to store."""

    original_name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def strip_metadata(data: bytes, content_type: str) -> bytes:
    """Re-encode an image from its pixels only: EXIF (GPS, camera, time), XMP, ICC and comments
    cannot survive, because nothing but the pixel buffer is carried over."""
    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[content_type]]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationFailed({FIELD: "图片尺寸过大，请缩小后再上传"})
            image.load()
            # Apply the camera's orientation before the EXIF that carries it is dropped.
            upright = ImageOps.exif_transpose(image)
            mode = _target_mode(upright.mode, content_type)
            pixels = upright.convert(mode) if upright.mode != mode else upright
            bare = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed({FIELD: "图片文件已损坏或格式不受支持"}) from None
    out = io.BytesIO()
    if content_type == JPEG:
        bare.save(out, format="JPEG", quality=90)
    elif content_type == PNG:
        bare.save(out, format="PNG")
    else:
        bare.save(out, format="WEBP", quality=90)
    return out.getvalue()


# What a page may carry that says who made the file or runs code; a page's content, fonts and
# images are kept.
_PAGE_KEYS_DROPPED = ("/Metadata", "/PieceInfo", "/AA", "/Annots")


def strip_pdf_metadata(data: bytes) -> bytes:
    """Rewrite a PDF from its pages only. The document information (author, creator program,
    times), XMP metadata, embedded files, JavaScript, forms and outlines are left behind with
    the old document catalog; from each page its own metadata, application data, actions and
    annotations (comments carry their author's name) are dropped too."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationFailed({FIELD: "PDF 文件设有密码，请取消密码后再上传"})
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in _PAGE_KEYS_DROPPED:
                added.pop(key, None)
        writer.metadata = None  # not even a /Producer: pypdf adds one by default
        out = io.BytesIO()
        writer.write(out)
    except ValidationFailed:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, RecursionError):
        raise ValidationFailed({FIELD: "PDF 文件已损坏，无法读取"}) from None
    return out.getvalue()


def _target_mode(mode: str, content_type: str) -> str:
    if content_type == JPEG:
        return mode if mode in ("RGB", "L") else "RGB"
    return mode if mode in ("RGB", "RGBA", "L", "LA") else "RGBA"


def clean_name(filename: str, content_type: str) -> str:
    """A display name without paths or control characters, with the extension of its real type."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" .")[:100] or "附件"
    return f"{stem}{EXTENSIONS[content_type]}"


def check_upload(filename: str, data: bytes) -> CleanFile:
    """Validate one upload by content and size; images and PDFs come back without metadata."""
    settings = get_settings()
    label = clean_name(filename, PDF).removesuffix(".pdf") or "附件"
    if not data:
        raise ValidationFailed({FIELD: f"文件“{label}”是空的"})
    if len(data) > settings.max_attachment_bytes:
        limit = settings.max_attachment_bytes / (1024 * 1024)
        raise ValidationFailed({FIELD: f"文件“{label}”超过 {limit:g} MB"})
    content_type = sniff(data)
    if content_type is None:
        raise ValidationFailed(
            {FIELD: f"文件“{label}”不是 JPG、PNG、WEBP 图片或 PDF 文件（按文件内容判断）"}
        )
    if content_type == PDF:
        return CleanFile(clean_name(filename, PDF), PDF, strip_pdf_metadata(data))
    image = strip_metadata(data, content_type)
    return CleanFile(clean_name(filename, content_type), content_type, image)


def check_uploads(files: list[tuple[str, bytes]], *, already: int = 0) -> list[CleanFile]:
    """Validate a batch; `already` counts files the ticket has, against the per-ticket limit."""
    files = [(name, data) for name, data in files if name or data]
    limit = get_settings().max_attachments
    if already + len(files) > limit:
        raise ValidationFailed({FIELD: f"每件最多上传 {limit} 个附件"})
    return [check_upload(name, data) for name, data in files]


def root() -> Path:
    directory = get_settings().attachment_dir
    assert directory is not None  # filled in by Settings
    return directory


# Files written in the session's current transaction, deleted again if it rolls back: a
# rejected submission leaves no file without a row behind.
_WRITTEN = "attachments_written"


def write(session: Session, clean: CleanFile) -> str:
    """Store the bytes under a fresh random name (owner-only permissions); return the name.
    The file goes away again if the session's transaction rolls back."""
    name = _write_file(clean)
    session.info.setdefault(_WRITTEN, []).append(name)
    return name


@event.listens_for(OrmSession, "after_commit")
def _keep_written(session: OrmSession) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(OrmSession, "after_rollback")
def _delete_written(session: OrmSession) -> None:
    for name in session.info.pop(_WRITTEN, []):
        delete(name)


def _write_file(clean: CleanFile) -> str:
    directory = root()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(20)
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(clean.data)
    return name


def read(stored_name: str) -> bytes:
    """The stored bytes; only names this module generated are accepted (no path tricks)."""
    if not _STORED_NAME.match(stored_name):
        raise NotFound("附件不存在")
    try:
        return (root() / stored_name).read_bytes()
    except FileNotFoundError:
        raise NotFound("附件文件已丢失，请联系系统管理员") from None


def delete(stored_name: str) -> None:
    if _STORED_NAME.match(stored_name):
        (root() / stored_name).unlink(missing_ok=True)


def store(
    session: Session,
    ticket: Ticket,
    files: Sequence[CleanFile],
    *,
    entry_id: int | None,
    by: EntryActor,
    principal: Principal | None,
    released: bool = False,
) -> list[TicketAttachment]:
    """Write the files and their rows (with the timeline entry they came with)."""
    assert ticket.id is not None
    rows = []
    for clean in files:
        row = TicketAttachment(
            ticket_id=ticket.id,
            entry_id=entry_id,
            stored_name=write(session, clean),
            original_name=clean.original_name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            released_to_unit=released,
            uploaded_by=by,
            uploaded_by_id=principal.user.id if principal is not None else None,
            created_at=clock.now(),
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def count(session: Session, ticket: Ticket, *, by: EntryActor) -> int:
    """Files `by` (the citizen, the team, the unit) has attached to the ticket so far."""
    return len(
        session.exec(
            select(TicketAttachment.id).where(
                col(TicketAttachment.ticket_id) == ticket.id,
                col(TicketAttachment.uploaded_by) == by,
            )
        ).all()
    )
