"""Signing in and out, as a user meets it: messages, redirects, brute-force limits, sessions."""

from __future__ import annotations

import pytest

from tests.conftest import page, sign_in

from .conftest import assert_field_error, summary_errors

WRONG = "Enter a correct email address and password"


def test_sign_in_page_shows_the_form(app):
    soup = page(app.test_client().get("/sign-in"))
    assert soup.h1.get_text(strip=True) == "Sign in"
    assert soup.find("input", {"name": "email"}) is not None
    assert soup.find("input", {"name": "password", "type": "password"}) is not None


def test_sign_in_goes_to_the_start_page_and_shows_the_teams(app, world):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": world.lead_email, "password": world.password})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    soup = page(client.get("/"))
    assert "Riverside CMHT" in soup.get_text()
    assert world.lead_email in soup.get_text()


def test_email_is_matched_whatever_its_case_and_spaces(app, world):
    response = app.test_client().post(
        "/sign-in", data={"email": f"  {world.lead_email.upper()} ", "password": world.password})
    assert response.status_code == 302


def test_sign_in_follows_a_local_next_page(app, world):
    response = app.test_client().post(
        f"/sign-in?next=/teams/{world.team_id}",
        data={"email": world.lead_email, "password": world.password},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/teams/{world.team_id}"


@pytest.mark.parametrize("target", [
    "https://evil.example.com/",
    "//evil.example.com/path",
    "/\\evil.example.com",
    "http:/evil.example.com",
    "javascript:alert(1)",
])
def test_next_pointing_to_another_site_is_ignored(app, world, target):
    response = app.test_client().post(
        "/sign-in", query_string={"next": target},
        data={"email": world.lead_email, "password": world.password},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_page_keeps_next_in_the_form_action(app):
    soup = page(app.test_client().get("/sign-in?next=/teams/1"))
    assert "next=/teams/1" in soup.find("form")["action"].replace("%2F", "/")


def test_anonymous_visit_is_sent_to_sign_in_and_back_afterwards(app, world):
    client = app.test_client()
    response = client.get(f"/teams/{world.team_id}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/sign-in?next=")
    response = client.post(location, data={"email": world.lead_email, "password": world.password})
    assert response.headers["Location"] == f"/teams/{world.team_id}"


def test_wrong_password_is_refused_with_the_error_summary(app, world):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": world.lead_email, "password": "wrong one"})
    assert response.status_code == 400
    soup = page(response)
    assert soup.title.get_text(strip=True).startswith("Error:")
    assert_field_error(soup, "email", WRONG)
    # The email typed is kept; the password never comes back.
    assert soup.find("input", {"name": "email"})["value"] == world.lead_email
    assert not soup.find("input", {"name": "password"}).get("value")
    assert client.get("/").status_code == 302  # still signed out


def test_unknown_email_gets_the_same_message_as_a_wrong_password(app, world):
    response = app.test_client().post(
        "/sign-in", data={"email": "nobody@north.example.nhs.uk", "password": world.password})
    assert response.status_code == 400
    assert summary_errors(page(response)) == [WRONG]


@pytest.mark.parametrize("data, field, message", [
    ({}, "email", "Enter your email address"),
    ({"email": "", "password": "x"}, "email", "Enter your email address"),
    ({"email": "lead@north.example.nhs.uk"}, "password", "Enter your password"),
    ({"email": "not an email", "password": "x"}, "email", "Enter an email address in the correct"),
])
def test_missing_or_malformed_fields_are_named(app, world, data, field, message):
    response = app.test_client().post("/sign-in", data=data)
    assert response.status_code == 400
    assert_field_error(page(response), field, message)


def test_a_300_character_email_is_refused_without_an_error_page(app, world):
    email = "a" * 280 + "@north.example.nhs.uk"
    assert len(email) > 300
    response = app.test_client().post("/sign-in", data={"email": email, "password": "x"})
    assert response.status_code == 400
    soup = page(response)
    assert soup.h1.get_text(strip=True) == "Sign in"
    assert summary_errors(soup)


def test_the_eleventh_sign_in_attempt_in_a_minute_is_refused(app, world):
    assert app.config["LOGIN_RATE_LIMIT"].startswith("10 per minute")
    client = app.test_client()
    for _ in range(10):
        response = client.post("/sign-in", data={"email": world.lead_email, "password": "guess"})
        assert response.status_code == 400
    response = client.post("/sign-in", data={"email": world.lead_email, "password": world.password})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # the right password did not get through
    # Looking at the page is not limited, only attempts.
    assert client.get("/sign-in").status_code == 200


def test_signed_in_user_visiting_sign_in_goes_home(lead):
    response = lead.get("/sign-in")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, world):
    client = sign_in(app.test_client(), world.lead_email, world.password)
    name = app.config["SESSION_COOKIE_NAME"]
    stolen = client.get_cookie(name).value
    assert client.get("/").status_code == 200

    response = client.post("/sign-out")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert "You have signed out" in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/").status_code == 302

    # Someone holding the cookie from before sign-out is signed out too.
    replay = app.test_client()
    replay.set_cookie(name, stolen)
    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert replay.get(f"/teams/{world.team_id}").status_code == 302


def test_signing_out_in_one_browser_signs_out_the_other(app, world):
    first = sign_in(app.test_client(), world.lead_email, world.password)
    second = sign_in(app.test_client(), world.lead_email, world.password)
    first.post("/sign-out")
    assert second.get("/").status_code == 302
    # Signing in again works.
    again = sign_in(app.test_client(), world.lead_email, world.password)
    assert again.get("/").status_code == 200


def test_sign_out_is_post_only(lead):
    assert lead.get("/sign-out").status_code == 405
    assert lead.get("/").status_code == 200
