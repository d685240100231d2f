"""GET /healthz for load balancers and monitoring: 200 when the database answers, 503 when not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from assessment import create_app
from assessment.extensions import db


def test_healthz_is_200_and_small_json_when_the_database_answers(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_needs_no_sign_in_and_shows_nothing_else(app, world):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert len(response.data) < 100


@pytest.mark.parametrize("url", [
    "sqlite:///{tmp}/no/such/directory/app.db",
    "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2",
])
def test_healthz_is_503_with_json_when_the_database_is_unreachable(tmp_path: Path, url):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": url.format(tmp=tmp_path),
        "EXPORTS_DIR": tmp_path / "exports",
    })
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.mimetype == "application/json"
        assert response.json == {"status": "error", "database": "unreachable"}
        # A page that needs the database shows the plain error page, not a traceback.
        app.testing = False
        page = app.test_client().post("/sign-in", data={"email": "a@b.nhs.uk", "password": "x"})
        assert page.status_code == 500
        assert "Sorry, there is a problem with the service" in page.get_data(as_text=True)
        assert "Traceback" not in page.get_data(as_text=True)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_healthz_recovers_when_the_database_comes_back(app, monkeypatch):
    client = app.test_client()
    real_execute = db.session.execute
    calls = {"n": 0}

    def failing_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return real_execute(*args, **kwargs)

    monkeypatch.setattr(db.session, "execute", failing_once, raising=False)
    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200
