"""Security headers on every kind of page, and CSRF protection switched on as in production."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import Rating, Unit
from tests.builders import PASSWORD, World, build_world
from tests.conftest import page

from .conftest import FIRST, query

FRIENDLY = "This form has expired or was sent from somewhere else"


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    parts = [p.strip().split(None, 1) for p in policy.split(";") if p.strip()]
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


@pytest.mark.parametrize("url, status", [
    ("/", 200), ("/organisation/", 200), ("/teams/{team}", 200), ("/no-such-page", 404),
    ("/teams/{other_team}", 404),
])
def test_html_pages_carry_the_security_headers(lead, world, url, status):
    response = lead.get(url.format(team=world.team_id, other_team=world.other_team_id))
    assert response.status_code == status
    assert response.mimetype == "text/html"
    csp = directives(response)
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'self'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer",
                                                   "strict-origin-when-cross-origin")


def test_the_sign_in_page_carries_the_headers_and_a_fresh_script_nonce(app):
    client = app.test_client()
    first, second = client.get("/sign-in"), client.get("/sign-in")
    nonce = directives(first)["script-src"].split("'nonce-")[1].rstrip("'")
    assert nonce != directives(second)["script-src"].split("'nonce-")[1].rstrip("'")
    # Every inline script on the page carries the nonce; none runs without it.
    soup = page(first)
    inline = [s for s in soup.find_all("script") if not s.get("src")]
    assert inline and all(s.get("nonce") == nonce for s in inline)
    assert first.headers["X-Content-Type-Options"] == "nosniff"


def test_images_and_json_are_not_sniffed(lead, world):
    for url in (f"/teams/{world.team_id}/radar.png", "/healthz"):
        assert lead.get(url).headers["X-Content-Type-Options"] == "nosniff", url


def test_the_session_cookie_is_not_readable_by_scripts(app, world):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": world.lead_email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# CSRF on, as in production


@pytest.fixture
def csrf_world(csrf_app: Flask) -> World:
    with csrf_app.app_context():
        world = build_world()
        db.session.remove()
        return world


def token_from(client: FlaskClient, url: str, form_action: str | None = None) -> str:
    soup = page(client.get(url))
    form = soup.find("form", action=form_action) if form_action else soup.find("main").find("form")
    assert form is not None, f"no form on {url}"
    return form.find("input", {"name": "csrf_token"})["value"]


def signed_in(client: FlaskClient, world: World) -> FlaskClient:
    token = token_from(client, "/sign-in")
    response = client.post("/sign-in", data={"email": world.lead_email, "password": PASSWORD,
                                              "csrf_token": token})
    assert response.status_code == 302
    return client


def test_sign_in_without_a_token_is_refused_with_a_friendly_message(csrf_app, csrf_world):
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"email": csrf_world.lead_email,
                                             "password": PASSWORD})
    assert response.status_code == 400
    soup = page(response)
    assert FRIENDLY in soup.get_text()
    assert client.get("/").status_code == 302  # not signed in


def test_sign_in_with_the_token_from_the_page_works(csrf_app, csrf_world):
    client = signed_in(csrf_app.test_client(), csrf_world)
    assert client.get("/").status_code == 200


def test_a_form_post_without_a_token_changes_nothing(csrf_app, csrf_world):
    client = signed_in(csrf_app.test_client(), csrf_world)
    count = lambda: query(csrf_app, lambda: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(Unit)))
    before = count()
    response = client.post("/organisation/units/new", data={"name": "Forged unit"})
    assert response.status_code == 400
    assert FRIENDLY in page(response).get_text()
    assert count() == before

    token = token_from(client, "/organisation/units/new")
    response = client.post("/organisation/units/new", data={"name": "Real unit",
                                                            "csrf_token": token})
    assert response.status_code == 302
    assert count() == before + 1


def test_a_token_from_another_session_is_refused(csrf_app, csrf_world):
    mine = signed_in(csrf_app.test_client(), csrf_world)
    theirs = signed_in(csrf_app.test_client(), csrf_world)
    stolen = token_from(theirs, "/organisation/units/new")
    response = mine.post("/organisation/units/new", data={"name": "Forged", "csrf_token": stolen})
    assert response.status_code == 400
    assert FRIENDLY in response.get_data(as_text=True)


def test_rating_and_button_forms_need_the_token(csrf_app, csrf_world):
    client = signed_in(csrf_app.test_client(), csrf_world)
    team, round_ = csrf_world.team_id, csrf_world.round_id
    base = f"/teams/{team}/rounds/{round_}/assessment"
    # The start button's form carries a token; without it nothing starts.
    assert client.post(f"{base}/start").status_code == 400
    token = token_from(client, f"/teams/{team}", form_action=f"{base}/start")
    assert client.post(f"{base}/start", data={"csrf_token": token}).status_code == 302

    data = {"level": "3", "target": "4", "evidence": "Forged", "version": "1"}
    assert client.post(f"{base}/{FIRST}", data=data).status_code == 400
    assert query(csrf_app, lambda: db.session.scalar(
        select(Rating.level).where(Rating.challenge_id == FIRST))) is None

    token = token_from(client, f"{base}/{FIRST}", form_action=f"{base}/{FIRST}")
    response = client.post(f"{base}/{FIRST}", data={**data, "evidence": "Real",
                                                    "csrf_token": token})
    assert response.status_code == 302
    assert query(csrf_app, lambda: db.session.scalar(
        select(Rating.level).where(Rating.challenge_id == FIRST))) == 3


def test_closing_a_round_needs_the_token(csrf_app, csrf_world):
    client = signed_in(csrf_app.test_client(), csrf_world)
    url = f"/organisation/rounds/{csrf_world.round_id}/close"
    assert client.post(url).status_code == 400
    form = page(client.get(url)).find("form", action=url)
    assert form is not None, "the round was closed without a token"
    token = form.find("input", {"name": "csrf_token"})["value"]
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert page(client.get(url)).find("form", action=url) is None
    assert "This round closed on" in page(client.get(url)).get_text()


def test_sign_out_from_the_header_works_with_csrf_on(csrf_app, csrf_world):
    client = signed_in(csrf_app.test_client(), csrf_world)
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_behind_https_the_session_cookie_is_a_secure_host_only_cookie(monkeypatch, migrated):
    from assessment import create_app

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": migrated,
                      "WTF_CSRF_ENABLED": False})
    response = app.test_client().get("/", base_url="https://localhost")  # flashes "Sign in"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Domain" not in cookie


def test_behind_a_trusted_proxy_https_is_recognised_and_hsts_sent(migrated):
    from assessment import create_app

    config = {"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": migrated}
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
    direct = create_app(config).test_client().get("/healthz", headers=proxied)
    assert "Strict-Transport-Security" not in direct.headers  # nobody said to trust the header
    behind = create_app({**config, "PROXY_FIX_HOPS": 1}).test_client().get("/healthz",
                                                                          headers=proxied)
    assert behind.headers["Strict-Transport-Security"].startswith("max-age=31536000")
