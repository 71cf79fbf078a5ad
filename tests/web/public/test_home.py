"""GET / — title, search, townships with expanders, hotline, how it works; the text-size toggle."""

from app.unit.models import UnitKind
from tests.factories import make_unit
from tests.html import one, parse, text, texts


def test_home_shows_county_title_and_search_form(client, world):
    page = parse(client.get("/"))

    assert text(one(page, "h1")) == "测试县小微权力清单"
    assert "测试县" in text(one(page, "title"))
    form = one(page, "form[role=search]")
    assert form["method"] == "get"
    assert form["action"].endswith("/search")
    box = one(form, "input[name=q]")
    # htmx enhances the box with live results; the form works without it.
    assert box["hx-get"].endswith("/search")
    assert box["hx-target"] == "#search-results"
    assert one(page, "#search-results")


def test_home_lists_active_townships_linking_to_their_pages(client, world, session):
    make_unit(session, name="丙乡", kind=UnitKind.TOWNSHIP, parent=world.county, is_active=False)

    page = parse(client.get("/"))

    assert texts(page, ".township-name") == ["甲镇", "乙街道"]
    link = one(page, ".township-name[href$='/units/" + world.township.code + "']")
    assert text(link) == "甲镇"


def test_each_township_expands_to_its_villages_with_a_no_js_link(client, world, session):
    make_unit(session, name="甲镇社区", kind=UnitKind.COMMUNITY, parent=world.township)
    make_unit(session, name="甲镇社工站", kind=UnitKind.STATION, parent=world.township)

    page = parse(client.get("/"))

    township = page.select(".township")[0]
    details = one(township, "details")
    assert details["hx-get"].endswith(f"/units/{world.township.code}")
    assert details["hx-trigger"] == "toggle once"
    assert text(one(details, "summary")) == "2 个村（社区）"
    fallback = one(details, ".township-children a")
    assert fallback["href"].endswith(f"/units/{world.township.code}#child-units")


def test_township_without_villages_has_no_expander(client, world, session):
    empty = make_unit(session, name="空镇", kind=UnitKind.TOWNSHIP, parent=world.county)
    make_unit(session, name="空镇社工站", kind=UnitKind.STATION, parent=empty)
    make_unit(session, name="空镇撤并村", parent=empty, is_active=False)

    page = parse(client.get("/"))

    empty = [
        li for li in page.select(".township") if text(li.select_one(".township-name")) == "空镇"
    ]
    assert len(empty) == 1
    assert empty[0].select("details") == []


def test_home_shows_county_hotline_and_default_team(client, world):
    page = parse(client.get("/"))

    hotline = one(page, ".hotline-box .hotline a")
    assert text(hotline) == "0574-11111111"
    assert hotline["href"] == "tel:0574-11111111"
    assert "测试县纪委监委" in text(one(page, ".hotline-box"))


def test_home_explains_how_it_works_and_confidentiality(client, world):
    page = parse(client.get("/"))

    assert texts(page, ".steps li strong") == ["查清单", "对照监督", "投诉举报", "跟踪评价"]
    privacy = one(page, "#privacy-title").parent
    assert text(one(privacy, "h2")) == "保密承诺"
    assert "被反映的单位看不到您的身份" in text(privacy)


def test_home_page_is_zh_cn_and_links_the_stylesheet(client, world):
    response = client.get("/")

    assert response.status_code == 200
    page = parse(response)
    assert one(page, "html")["lang"] == "zh-CN"
    assert one(page, "link[rel=stylesheet]")["href"].endswith("/static/css/app.css")
    assert one(page, "a.skip-link")["href"] == "#main"
    assert one(page, "main#main")


# --- text size (适老化) ----------------------------------------------------------------------


def test_text_size_toggle_works_without_js_and_returns_to_the_same_page(client, world, csrf):
    unit_path = f"/units/{world.village.code}"
    page = parse(client.get(unit_path))
    form = one(page, "form.text-size")
    assert one(form, "input[name=next]")["value"] == unit_path
    assert one(form, "button[name=size]")["value"] == "large"
    assert "text-large" not in one(page, "body").get("class", [])

    response = client.post(
        "/prefs/text-size", data={"csrf_token": csrf, "size": "large", "next": unit_path}
    )

    assert response.status_code == 303
    assert response.headers["location"] == unit_path
    page = parse(client.get(unit_path))
    assert "text-large" in one(page, "body")["class"]
    assert text(one(page, "form.text-size button")) == "标准字号"

    response = client.post(
        "/prefs/text-size", data={"csrf_token": csrf, "size": "normal", "next": unit_path}
    )
    assert response.status_code == 303
    page = parse(client.get(unit_path))
    assert "text-large" not in one(page, "body").get("class", [])


def test_text_size_keeps_the_query_string(client, world, csrf):
    page = parse(client.get("/search?q=%E7%94%B2"))

    assert one(page, "form.text-size input[name=next]")["value"] == "/search?q=%E7%94%B2"


def test_text_size_never_redirects_off_site(client, csrf):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post(
            "/prefs/text-size", data={"csrf_token": csrf, "size": "large", "next": target}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"


def test_text_size_without_csrf_changes_nothing(client):
    response = client.post("/prefs/text-size", data={"size": "large", "next": "/"})

    assert response.status_code == 403
    assert "xw_text" not in response.headers.get("set-cookie", "")


def test_county_offices_are_listed_apart_from_townships(client, world, session):
    make_unit(session, name="测试县民政局", kind=UnitKind.OFFICE, parent=world.county)

    page = parse(client.get("/"))

    assert texts(page, ".township-name") == ["甲镇", "乙街道"]
    assert texts(page, ".county-units a") == ["测试县民政局"]
