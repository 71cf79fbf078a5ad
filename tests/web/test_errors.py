"""Error pages: zh-CN, in the public layout, for every path; no traceback leaks."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.html import one, parse, text


def assert_error_page(response, status: int, title: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response)
    assert one(page, "html")["lang"] == "zh-CN"
    assert text(one(page, "title")).startswith(title)
    assert text(one(page, "#error-box h1")) == title
    assert f"错误代码 {status}" == text(one(page, "#error-box .error-code"))
    assert one(page, "#error-box a.button.primary")["href"].endswith("/")
    # The public layout frames it: header, main landmark, footer.
    assert one(page, "header.site-header")
    assert one(page, "main#main")


@pytest.mark.parametrize("path", ["/no-such-page", "/units/", "/staff/no-such-screen/1", "/静态"])
def test_unknown_path_is_a_zh_cn_404_page(client, path):
    response = client.get(path)

    assert_error_page(response, 404, "页面不存在")
    assert "页面不存在或已被移除" in text(one(parse(response), "#error-box"))


def test_htmx_404_gets_only_the_error_box(client):
    response = client.get("/no-such-page", headers={"HX-Request": "true"})

    assert response.status_code == 404
    fragment = parse(response)
    assert fragment.select("html, header") == []
    assert text(one(fragment, "#error-box h1")) == "页面不存在"


def test_wrong_method_is_a_zh_cn_405_page(client):
    assert_error_page(client.put("/"), 405, "请求方式不被允许")


def test_invalid_parameter_is_a_zh_cn_422_page(client):
    response = client.get("/search", params={"page": "not-a-number"})

    assert_error_page(response, 422, "提交的内容有误")
    assert "请求参数有误" in text(one(parse(response), "#error-box"))


def test_refused_form_is_a_zh_cn_403_page(client):
    response = client.post("/prefs/text-size", data={"size": "large"})

    assert_error_page(response, 403, "没有权限")


def test_api_errors_stay_json(client):
    response = client.get("/api/v1/no-such-endpoint")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


SECRET = "internal-detail-4f1c9e"


@pytest.fixture
def broken_app(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The app with one test-only route that fails, removed again afterwards."""

    def explode() -> None:
        raise RuntimeError(f"database password is {SECRET}")

    app.add_api_route("/test-only/explode", explode, methods=["GET"])
    route = app.router.routes[-1]
    try:
        # The server error middleware re-raises after answering; keep the answer instead.
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        app.router.routes.remove(route)


def test_unhandled_exception_is_a_zh_cn_500_page_without_traceback(broken_app):
    response = broken_app.get("/test-only/explode")

    assert_error_page(response, 500, "系统出错了")
    assert SECRET not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text


def test_the_test_only_route_is_gone_afterwards(client):
    assert client.get("/test-only/explode").status_code == 404
