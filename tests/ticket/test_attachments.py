"""Attachments: type by content, metadata stripped, limits, random names outside the web root."""

import io

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from sqlalchemy import text
from sqlmodel import Session

from app.config import PROJECT_ROOT, get_settings
from app.core.errors import NotFound, ValidationFailed
from app.ticket import attachments, service
from app.ticket.models import EntryActor
from tests.ticket.factories import image_bytes, pdf_bytes, principal, submission, submit

PDF = pdf_bytes()


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:09:28 10:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (29.0, 17.0, 30.0)
    gps[3] = "E"
    gps[4] = (121.0, 25.0, 55.0)
    return exif.tobytes()


def test_sniff_by_magic_bytes():
    assert attachments.sniff(image_bytes("JPEG")) == "image/jpeg"
    assert attachments.sniff(image_bytes("PNG")) == "image/png"
    assert attachments.sniff(image_bytes("WEBP")) == "image/webp"
    assert attachments.sniff(PDF) == "application/pdf"
    assert attachments.sniff(b"GIF89a...") is None
    assert attachments.sniff(b"<html><script>alert(1)</script>") is None


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        attachments.check_upload("photo.jpg", b"just some text pretending to be a photo")
    assert "按文件内容判断" in raised.value.errors["attachments"]


def test_a_jpeg_header_with_garbage_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        attachments.check_upload("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    assert raised.value.errors["attachments"] == "图片文件已损坏或格式不受支持"


def test_png_and_jpeg_are_accepted_and_named_by_their_real_type():
    png = attachments.check_upload("现场照片.jpg", image_bytes("PNG"))
    jpeg = attachments.check_upload("C:\\Users\\me\\收据", image_bytes("JPEG"))
    pdf = attachments.check_upload("../../etc/材料.pdf", PDF)
    assert (png.content_type, png.original_name) == ("image/png", "现场照片.png")
    assert (jpeg.content_type, jpeg.original_name) == ("image/jpeg", "收据.jpg")
    assert (pdf.content_type, pdf.original_name) == ("application/pdf", "材料.pdf")
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 1


def test_gps_and_camera_exif_are_stripped_from_jpeg():
    original = image_bytes("JPEG", exif=gps_exif())
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(0x8825), "the test image really carries GPS"

    clean = attachments.check_upload("gps.jpg", original)

    with Image.open(io.BytesIO(clean.data)) as after:
        assert dict(after.getexif()) == {}
        assert after.getexif().get_ifd(0x8825) == {}
        assert "exif" not in after.info
        assert after.size == (32, 24)
    assert b"PhoneMaker" not in clean.data


def test_png_text_chunks_are_stripped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "王秘密")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG", pnginfo=info)
    clean = attachments.check_upload("a.png", out.getvalue())
    with Image.open(io.BytesIO(clean.data)) as after:
        assert "Author" not in after.info


def test_orientation_is_applied_before_exif_goes():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    clean = attachments.check_upload(
        "tall.jpg", image_bytes("JPEG", size=(40, 20), exif=exif.tobytes())
    )
    with Image.open(io.BytesIO(clean.data)) as after:
        assert after.size == (20, 40)


def test_a_pdf_keeps_its_pages_but_not_who_wrote_it():
    original = pdf_bytes(3, author="张三", comment="举报人张三")
    assert b"/Author" in original
    assert b"/Annots" in original

    clean = attachments.check_upload("情况说明.pdf", original)

    reader = PdfReader(io.BytesIO(clean.data))
    assert len(reader.pages) == 3
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    for marker in (b"/Author", b"/Creator", b"/Producer", b"/Info", b"/Annots"):
        assert marker not in clean.data


def test_a_password_protected_pdf_is_refused_with_a_reason():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationFailed) as raised:
        attachments.check_upload("加密.pdf", out.getvalue())
    assert raised.value.errors["attachments"] == "PDF 文件设有密码，请取消密码后再上传"


def test_a_broken_pdf_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        attachments.check_upload("坏.pdf", b"%PDF-1.4\nthis is not really a pdf\n")
    assert raised.value.errors["attachments"] == "PDF 文件已损坏，无法读取"


def test_size_and_count_limits(monkeypatch):
    monkeypatch.setattr(get_settings(), "max_attachment_bytes", 1000)
    with pytest.raises(ValidationFailed) as raised:
        attachments.check_upload("big.pdf", PDF + b"0" * 1000)
    assert "超过" in raised.value.errors["attachments"]
    monkeypatch.setattr(get_settings(), "max_attachments", 2)
    with pytest.raises(ValidationFailed) as raised:
        attachments.check_uploads([("a.pdf", PDF)], already=2)
    assert raised.value.errors["attachments"] == "每件最多上传 2 个附件"


def test_empty_file_fields_are_ignored():
    assert attachments.check_uploads([("", b"")]) == []


def test_files_are_stored_outside_the_web_root_under_random_names(session, world):
    receipt = submit(
        session, world, files=[("我的身份证.png", image_bytes("PNG")), ("说明.pdf", PDF)]
    )
    rows = sorted(attachments_of(session, receipt.ticket), key=lambda a: a.id)
    root = get_settings().attachment_dir
    assert root is not None
    assert not root.resolve().is_relative_to((PROJECT_ROOT / "static").resolve())
    for row in rows:
        assert "身份证" not in row.stored_name
        assert len(row.stored_name) == 40
        path = root / row.stored_name
        assert path.stat().st_mode & 0o077 == 0
        assert attachments.read(row.stored_name) == path.read_bytes()
        assert row.uploaded_by == EntryActor.CITIZEN
        assert not row.released_to_unit
    assert [row.original_name for row in rows] == ["我的身份证.png", "说明.pdf"]


def test_read_refuses_names_it_did_not_make():
    with pytest.raises(NotFound):
        attachments.read("../../secret_key")


def test_download_is_for_the_team_and_released_files_for_the_unit(session, world):
    receipt = submit(session, world, files=[("张三.png", image_bytes("PNG")), ("b.pdf", PDF)])
    ticket = receipt.ticket
    png, pdf = sorted(attachments_of(session, ticket), key=lambda a: a.id)
    member = principal(session, world.member)
    got = service.download(session, principal=member, attachment_id=png.id)
    assert (got.filename, got.content_type) == ("张三.png", "image/png")

    editor = principal(session, world.editor)
    with pytest.raises(NotFound):
        service.download(session, principal=editor, attachment_id=png.id)
    service.accept(session, ticket=ticket, principal=member)
    service.forward(
        session,
        ticket=ticket,
        principal=member,
        summary="群众反映办事拖延，请核实后回复。附件为现场情况说明。",
        release_attachment_ids=[pdf.id],
    )
    with pytest.raises(NotFound):
        service.download(session, principal=editor, attachment_id=png.id)
    got = service.download(session, principal=editor, attachment_id=pdf.id)
    assert got.filename == "附件1.pdf"
    assert len(PdfReader(io.BytesIO(got.data)).pages) == 1
    with pytest.raises(NotFound):
        service.download(
            session, principal=principal(session, world.outsider_member), attachment_id=pdf.id
        )


def test_submission_with_a_bad_file_stores_nothing(session, world):
    with pytest.raises(ValidationFailed) as raised:
        submit(session, world, submission(world), files=[("x.jpg", b"not an image at all")])
    assert "attachments" in raised.value.errors


def attachments_of(session, ticket):
    from sqlmodel import col, select

    from app.ticket.models import TicketAttachment

    return list(
        session.exec(select(TicketAttachment).where(col(TicketAttachment.ticket_id) == ticket.id))
    )


def test_a_file_written_in_a_transaction_that_rolls_back_is_deleted(engine):
    clean = attachments.check_upload("现场.png", image_bytes("PNG"))
    with Session(engine) as rolled_back:
        rolled_back.execute(text("SELECT 1"))  # a transaction is open
        lost = attachments.write(rolled_back, clean)
        assert (attachments.root() / lost).exists()
        rolled_back.rollback()
    assert not (attachments.root() / lost).exists()

    with Session(engine) as committed:
        committed.execute(text("SELECT 1"))
        kept = attachments.write(committed, clean)
        committed.commit()
        committed.rollback()  # a later rollback does not touch what an earlier commit kept
    assert attachments.read(kept) == clean.data
    attachments.delete(kept)
