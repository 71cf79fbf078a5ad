"""QR codes for notice boards: SVG and PNG that scan back to the URL."""

import io
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image

from app.powerlist.qr import QUIET_ZONE, make, qr_png, qr_svg

URL = "https://jiandu.example.gov.cn/u/330226101201?from=poster&lang=zh"


def test_error_correction_m_and_a_stable_matrix() -> None:
    code = make(URL)
    assert code.error == "M"
    assert not code.is_micro
    assert code.matrix == segno.make(URL, error="m", boost_error=False, micro=False).matrix


def test_svg_is_scalable_xml_with_a_title() -> None:
    svg = qr_svg(URL, title="五丰村 <公示栏>")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    size = make(URL).symbol_size(border=QUIET_ZONE)[0]
    assert root.get("viewBox") == f"0 0 {size} {size}"
    assert root.get("width") is None  # the page or poster decides the printed size
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None
    assert title.text == "五丰村 <公示栏>"
    assert not svg.startswith("<?xml")


def test_png_has_quiet_zone_and_scale() -> None:
    data = qr_png(URL, scale=6)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    modules = make(URL).symbol_size(border=0)[0]
    assert image.size == ((modules + 2 * QUIET_ZONE) * 6,) * 2
    # The quiet zone is white: the top-left corner pixel is light.
    assert image.convert("L").getpixel((0, 0)) == 255


def test_png_decodes_to_the_url() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    image = Image.open(io.BytesIO(qr_png(URL, scale=4)))
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [URL]


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="URL"):
        qr_svg("")
    with pytest.raises(ValueError, match="scale"):
        qr_png(URL, scale=0)
