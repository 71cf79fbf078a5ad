"""QR codes of units and items, and the printable A4/A3 poster of a unit."""

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from app.config import get_settings
from app.powerlist import service
from app.powerlist.specs import ListKind
from tests.html import one, parse, text, texts
from tests.web.public.list_helpers import duty_list, negative_list, publish

SVG = "{http://www.w3.org/2000/svg}"


def decode(png: bytes) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.fixture
def base_url(monkeypatch: pytest.MonkeyPatch) -> str:
    url = "https://jiandu.example.gov.cn"
    monkeypatch.setattr(get_settings(), "public_base_url", url + "/")
    return url


def test_unit_qr_png_scans_to_the_public_unit_page(client, world, base_url):
    response = client.get(f"/units/{world.village.code}/qr.png")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == (
        f'inline; filename="qr-{world.village.code}.png"'
    )
    assert response.headers["cache-control"].startswith("public, max-age=")
    assert decode(response.content) == [f"{base_url}/units/{world.village.code}"]


def test_unit_qr_svg_is_titled_with_the_unit_name(client, world, base_url):
    response = client.get(f"/units/{world.village.code}/qr.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "甲村"


def test_item_qr_codes_point_at_the_item_page(client, world, session, base_url):
    publish(session, world, world.village, duty_list(1))
    published = service.current_published(session, unit=world.village, kind=ListKind.DUTY)
    assert published is not None
    key = published.content.items[0].key

    png = client.get(f"/items/{key}/qr.png")
    svg = client.get(f"/items/{key}/qr.svg")

    assert decode(png.content) == [f"{base_url}/items/{key}"]
    title = ET.fromstring(svg.content).find(f"{SVG}title")
    assert title is not None
    assert title.text == "事项1"


@pytest.mark.parametrize("path", ["qr.svg", "qr.png", "poster"])
def test_hidden_units_have_no_qr_or_poster(client, world, session, path):
    world.township.is_active = False
    session.flush()

    assert client.get(f"/units/{world.village.code}/{path}").status_code == 404
    assert client.get(f"/units/999999999999/{path}").status_code == 404


def test_poster_has_contact_qr_lists_and_flowcharts(client, world, session, base_url):
    publish(session, world, world.village, duty_list(3))
    publish(session, world, world.village, negative_list(2))

    response = client.get(f"/units/{world.village.code}/poster")

    assert response.status_code == 200
    page = parse(response)
    # A sheet to print: no site header, navigation or footer.
    assert page.select("header.site-header, footer.site-footer, .site-nav") == []
    assert "poster-a4" in one(page, "body")["class"]
    assert text(one(page, "h1")) == "甲村 小微权力清单"
    assert text(one(page, "#poster-team")) == "甲镇纪委"
    assert text(one(page, "#poster-hotline")) == "0574-11111111"
    assert text(one(page, ".poster-url")) == f"{base_url}/units/{world.village.code}"
    qr = one(page, ".poster-qr svg")
    assert text(one(qr, "title")) == "甲村小微权力清单"
    rows = page.select(".poster-duty tbody tr")
    assert [[text(td) for td in row.select("td")] for row in rows] == [
        ["1.1", "事项1", "村委会主任", "10 个工作日"],
        ["1.2", "事项2", "村委会主任", "10 个工作日"],
        ["1.3", "事项3", "村委会主任", "10 个工作日"],
    ]
    assert texts(page, ".poster-negative .negative-act") == ["不得违规行为1", "不得违规行为2"]
    figures = page.select(".poster-flowcharts figure.poster-flowchart")
    assert [text(one(f, "figcaption")) for f in figures] == ["1.1 事项1", "1.2 事项2", "1.3 事项3"]
    assert all(f.select("svg text") for f in figures)
    # Flowchart element ids must not collide when several charts share one page.
    ids = [tag["id"] for tag in page.select("svg [id]")]
    assert len(ids) == len(set(ids))


def test_poster_qr_inline_svg_encodes_the_unit_url(client, world, base_url):
    # The inline QR is the same symbol as qr.svg, so scanning either reaches the unit page.
    page = parse(client.get(f"/units/{world.village.code}/poster"))
    standalone = ET.fromstring(client.get(f"/units/{world.village.code}/qr.svg").content)
    inline = one(page, ".poster-qr svg")

    path = standalone.find(f"{SVG}path[@stroke]")
    assert path is not None
    assert one(inline, "path[stroke]")["d"] == path.get("d")


def test_a3_poster_and_size_switch(client, world):
    page = parse(client.get(f"/units/{world.village.code}/poster?size=a3"))

    assert "poster-a3" in one(page, "body")["class"]
    assert one(page, "a#other-size")["href"].endswith(f"/units/{world.village.code}/poster?size=a4")
    assert client.get(f"/units/{world.village.code}/poster?size=letter").status_code == 422


def test_poster_without_lists_says_not_published(client, world):
    page = parse(client.get(f"/units/{world.village.code}/poster"))

    assert texts(page, ".not-published") == ["尚未公布", "尚未公布"]
    assert page.select(".poster-flowcharts") == []
    assert one(page, ".poster-qr svg")
