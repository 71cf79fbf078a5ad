"""GET /docs serves the API reference from vendored files; /openapi.json describes the API."""

from urllib.parse import urlsplit

from tests.html import one, parse


def test_docs_page_uses_only_local_assets_and_no_inline_script(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = parse(response)
    assert one(page, "#swagger-ui")["data-spec-url"] == "/openapi.json"
    assets = [tag["src"] for tag in page.select("script")] + [
        tag["href"] for tag in page.select("link[href]")
    ]
    assert len(assets) >= 3
    for asset in assets:
        parts = urlsplit(asset)
        assert not parts.scheme, f"{asset} is not served by this app"
        assert not parts.netloc, f"{asset} is not served by this app"
        assert asset.startswith("/static/")
        assert client.get(asset).status_code == 200, asset
    for script in page.select("script"):
        assert script.get("src"), "inline scripts are forbidden by the CSP"
        assert not script.get_text(strip=True)
    assert page.select("[style]") == []


def test_docs_init_script_never_calls_the_public_validator(client):
    script = client.get("/static/js/api-docs.js").text
    assert "validatorUrl: null" in script


def test_openapi_lists_the_token_route_and_the_bearer_scheme(client):
    spec = client.get("/openapi.json").json()
    assert "post" in spec["paths"]["/api/v1/auth/token"]
    scheme = spec["components"]["securitySchemes"]["staffToken"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert "/docs" not in spec["paths"]
