"""ETag/304 and Cache-Control on the public list pages: 304 without rendering, and every change a
citizen could see (a new version, an inherited hotline, a team phone, staleness) changes the tag."""

from datetime import UTC, datetime, timedelta

import pytest
from starlette.requests import Request

from app.core import clock
from app.powerlist import service
from app.powerlist.specs import ListContent, ListKind
from app.unit import service as unit_service
from app.web import caching
from app.web.public import items, lists, posters, units
from tests.web.public.list_helpers import duty_list, negative_list, publish, publish_all, republish

MARCH = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def first_key(session, unit) -> str:  # type: ignore[no-untyped-def]
    published = service.current_published(session, unit=unit, kind=ListKind.DUTY)
    assert published is not None
    key = published.content.items[0].key
    assert key is not None
    return key


def paths(world, key: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    code = world.village.code
    return {
        "unit": f"/units/{code}",
        "list": f"/units/{code}/lists/duty",
        "history": f"/units/{code}/lists/duty/history",
        "item": f"/items/{key}",
        "poster": f"/units/{code}/poster",
        "flowchart": f"/items/{key}/flowchart.svg",
        "unit_qr": f"/units/{code}/qr.svg",
        "unit_qr_png": f"/units/{code}/qr.png",
        "item_qr": f"/items/{key}/qr.png",
    }


PAGES = {"unit", "list", "history", "item", "poster"}


@pytest.mark.parametrize(
    "name",
    ["unit", "list", "history", "item", "poster", "flowchart", "unit_qr", "unit_qr_png", "item_qr"],
)
def test_every_public_list_response_is_cacheable_and_revalidates(client, world, session, name):
    publish_all(session, world, world.village, items=2)
    path = paths(world, first_key(session, world.village))[name]

    first = client.get(path)

    assert first.status_code == 200
    etag = first.headers["etag"]
    assert "HX-Request" in first.headers["vary"]
    if name in PAGES:
        # Pages embed the visitor's CSRF token: only the browser may keep them.
        assert etag.startswith('W/"')
        assert first.headers["cache-control"] == "private, max-age=60"
    else:
        assert etag.startswith('"')
        assert first.headers["cache-control"] in (caching.IMAGE_CACHE, caching.QR_CACHE)
        assert first.headers["cache-control"].startswith("public, max-age=")

    again = client.get(path, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == first.headers["cache-control"]
    assert "HX-Request" in again.headers["vary"]


def test_flowchart_and_qr_cache_longer_than_pages(client, world, session):
    publish(session, world, world.village, duty_list(1))
    urls = paths(world, first_key(session, world.village))

    assert client.get(urls["flowchart"]).headers["cache-control"] == "public, max-age=3600"
    assert client.get(urls["unit_qr"]).headers["cache-control"] == "public, max-age=86400"


@pytest.mark.parametrize(
    ("module", "name"),
    [(units, "unit"), (lists, "list"), (lists, "history"), (items, "item"), (posters, "poster")],
)
def test_304_is_answered_without_rendering(client, world, session, monkeypatch, module, name):
    publish_all(session, world, world.village, items=2)
    path = paths(world, first_key(session, world.village))[name]
    etag = client.get(path).headers["etag"]

    def fail(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the template was rendered for a 304")

    monkeypatch.setattr(module, "render", fail)
    monkeypatch.setattr(service, "unit_lists_overview", fail)

    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_304_for_flowchart_skips_drawing(client, world, session, monkeypatch):
    publish(session, world, world.village, duty_list(1))
    path = paths(world, first_key(session, world.village))["flowchart"]
    etag = client.get(path).headers["etag"]

    def fail(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the flowchart was drawn for a 304")

    monkeypatch.setattr(items, "flowchart_svg", fail)

    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_a_new_version_changes_the_etag(client, world, session):
    publish(session, world, world.village, duty_list(2))
    key = first_key(session, world.village)
    before = {name: client.get(path).headers["etag"] for name, path in paths(world, key).items()}

    def rename(content: ListContent) -> None:
        content.items[0].name = "改名"

    republish(session, world, world.village, ListKind.DUTY, rename)
    after = {name: client.get(path).headers["etag"] for name, path in paths(world, key).items()}

    for name in ("unit", "list", "history", "item", "poster", "flowchart"):
        assert after[name] != before[name], name
    # The QR pictures encode only the address, which did not change.
    for name in ("unit_qr", "unit_qr_png", "item_qr"):
        assert after[name] == before[name], name
    response = client.get(paths(world, key)["item"], headers={"If-None-Match": before["item"]})
    assert response.status_code == 200


def test_a_township_hotline_change_changes_the_village_etag(client, world, session):
    publish(session, world, world.village, duty_list(1))
    key = first_key(session, world.village)
    urls = paths(world, key)
    before = {name: client.get(urls[name]).headers["etag"] for name in PAGES}

    unit_service.update_unit(
        session, unit=world.township, actor=world.admin, hotline="0574-22222222"
    )
    after = {name: client.get(urls[name]).headers["etag"] for name in PAGES}

    for name in PAGES:
        assert after[name] != before[name], name
    response = client.get(urls["unit"], headers={"If-None-Match": before["unit"]})
    assert response.status_code == 200
    assert "0574-22222222" in response.text


def test_a_hotline_set_without_touching_updated_at_still_changes_the_etag(client, world, session):
    before = client.get(f"/units/{world.village.code}").headers["etag"]

    world.township.hotline = "0574-33333333"
    session.flush()

    assert client.get(f"/units/{world.village.code}").headers["etag"] != before


def test_a_team_phone_change_changes_the_etag(client, world, session):
    before = client.get(f"/units/{world.village.code}").headers["etag"]

    unit_service.update_team(
        session, team=world.township_team, actor=world.admin, phone="0574-44444444"
    )

    assert client.get(f"/units/{world.village.code}").headers["etag"] != before


def test_a_new_child_unit_changes_the_township_etag(client, world, session):
    before = client.get(f"/units/{world.township.code}").headers["etag"]

    unit_service.create_unit(
        session, parent=world.township, actor=world.admin, name="甲镇财政所", kind="office"
    )

    assert client.get(f"/units/{world.township.code}").headers["etag"] != before


def test_turning_stale_changes_the_etag(client, world, session):
    publish(session, world, world.village, duty_list(1), at=MARCH)
    path = f"/units/{world.village.code}"

    with clock.frozen(MARCH + timedelta(days=300)):
        fresh = client.get(path).headers["etag"]
    with clock.frozen(MARCH + timedelta(days=301)):
        assert client.get(path).headers["etag"] == fresh
    with clock.frozen(MARCH + timedelta(days=400)):
        stale = client.get(path, headers={"If-None-Match": fresh})

    assert stale.status_code == 200
    assert stale.headers["etag"] != fresh


def test_related_negative_list_changes_the_item_etag(client, world, session):
    publish(session, world, world.village, duty_list(1))
    path = f"/items/{first_key(session, world.village)}"
    before = client.get(path).headers["etag"]

    publish(session, world, world.village, negative_list(1))

    assert client.get(path).headers["etag"] != before


def test_fragment_and_full_page_have_different_etags(client, world):
    path = f"/units/{world.township.code}"

    full = client.get(path).headers["etag"]
    fragment = client.get(path, headers={"HX-Request": "true"})

    assert fragment.headers["etag"] != full
    assert (
        client.get(path, headers={"HX-Request": "true", "If-None-Match": full}).status_code == 200
    )


def test_a_client_with_another_csrf_token_gets_a_fresh_page(client, world, csrf):
    path = f"/units/{world.village.code}"
    etag = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304

    client.cookies.set("xw_csrf", "another-token-0123456789abcdef")
    response = client.get(path, headers={"If-None-Match": etag})

    # Its cached copy carries a token that no longer matches its cookie.
    assert response.status_code == 200
    assert "another-token-0123456789abcdef" in response.text


def test_large_text_preference_is_part_of_the_etag(client, world, csrf):
    path = f"/units/{world.village.code}"
    etag = client.get(path).headers["etag"]

    client.cookies.set("xw_text", "large")

    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def request_with(if_none_match: str) -> Request:
    return Request(
        {"type": "http", "headers": [(b"if-none-match", if_none_match.encode())], "method": "GET"}
    )


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('W/"abc"', True),
        ('"abc"', True),  # If-None-Match compares weakly
        ('"x", W/"abc" ', True),
        ("*", True),
        ('"abcd"', False),
        ("", False),
    ],
)
def test_if_none_match_comparison(header, matches):
    assert caching.matches(request_with(header), 'W/"abc"') is matches


def test_fingerprint_is_stable_and_sensitive():
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    assert caching.fingerprint("a", 1, moment) == caching.fingerprint("a", 1, moment)
    assert caching.fingerprint("a", 1, moment) != caching.fingerprint("a", 2, moment)
    assert caching.fingerprint(["a", "b"]) != caching.fingerprint(["ab"])
