import pytest
from django.db import connection


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_dependency(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    expected = {"database", "channel_layer"} | ({"broker"} if settings.USE_REDIS else set())
    assert set(body["checks"]) == expected


def _drop_pool() -> None:
    # PostgreSQL's pool keeps the address it was made with: a new one takes the new address.
    if connection.vendor == "postgresql":
        connection.close_pool()


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_database_when_it_is_unreachable(client, monkeypatch):
    connection.close()
    if connection.vendor == "sqlite":
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/dir/diadi.sqlite3")
    else:
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", "1")
        pool = connection.settings_dict["OPTIONS"]["pool"]
        monkeypatch.setitem(connection.settings_dict["OPTIONS"], "pool", {**pool, "timeout": 1})
    _drop_pool()
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        _drop_pool()
        monkeypatch.undo()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["channel_layer"] == "ok"


@pytest.mark.django_db
def test_readyz_names_the_channel_layer_when_it_fails(client, monkeypatch):
    from diadi import health

    class BrokenLayer:
        async def new_channel(self, prefix: str = "") -> str:
            raise ConnectionError("refused")

    monkeypatch.setattr(health, "get_channel_layer", lambda: BrokenLayer())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["channel_layer"]
