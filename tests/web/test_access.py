"""Every route in the app, walked as users who must not get in (reliability.md T4).

The routes come from app.url_map, and SAMPLES gives each endpoint the ids to fill in, all
taken from the first organisation (North). Adding a route without adding it here fails
test_every_route_has_a_sample, so no route escapes the walk.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import (
    Action,
    Assessment,
    Rating,
    Round,
    RoundStatus,
    Team,
    Unit,
    Workshop,
)
from tests.builders import World

from .conftest import FIRST, Objects, query

Sample = Callable[[World, Objects], dict[str, object]]


def _team(w: World, o: Objects) -> dict[str, object]:
    return {"team_id": w.team_id}


def _team_round(w: World, o: Objects) -> dict[str, object]:
    return {"team_id": w.team_id, "round_id": w.round_id}


def _none(w: World, o: Objects) -> dict[str, object]:
    return {}


# endpoint -> the URL values for a North object. Keep in step with the routes.
SAMPLES: dict[str, Sample] = {
    "auth.login": _none,
    "auth.logout": _none,
    "api.healthz": _none,
    "home.index": _none,
    "organisation.index": _none,
    "organisation.new_unit": _none,
    "organisation.new_team": _none,
    "organisation.new_round": _none,
    "organisation.close": lambda w, o: {"round_id": w.round_id},
    "organisation.assign": _none,
    "teams.show": _team,
    "teams.radar_png": _team,
    "teams.action_plan_xlsx": _team,
    "assessments.start": _team_round,
    "assessments.overview": _team_round,
    "assessments.rate": lambda w, o: {**_team_round(w, o), "challenge_id": FIRST},
    "assessments.agree": _team_round,
    "assessments.reopen": _team_round,
    "actions.new": _team,
    "actions.edit": lambda w, o: {"team_id": w.team_id, "action_id": o.action_id},
    "teams.versus_png": _team,
    "dashboard.index": _none,
    "dashboard.trends_page": _none,
    "dashboard.compare_page": _none,
    "dashboard.chart_png": lambda w, o: {"name": "radar"},
    "dashboard.workbook": _none,
    "dashboard.ratings_csv": _none,
    "workshop.start": _team_round,
    "workshop.show": _team_round,
    "workshop.challenge": lambda w, o: {**_team_round(w, o), "challenge_id": FIRST},
    "workshop.open_challenge": lambda w, o: {**_team_round(w, o), "challenge_id": FIRST},
    "workshop.reveal": lambda w, o: {**_team_round(w, o), "challenge_id": FIRST},
    "workshop.agree": lambda w, o: {**_team_round(w, o), "challenge_id": FIRST},
    "workshop.open_all": _team_round,
    "workshop.close": _team_round,
    "workshop.live": _team_round,
    "workshop.qr_code": _team_round,
    "join.join": _none,
    "join.vote_page": lambda w, o: {"challenge_id": FIRST},
    "join.vote": lambda w, o: {"challenge_id": FIRST},
    "join.state": _none,
}

# Routes anyone may use without signing in.
# Workshop participants have no account: their pass is a cookie (tests/web/test_workshop.py).
PUBLIC = {"auth.login", "api.healthz", "static", "join.join", "join.vote_page", "join.vote",
          "join.state"}
# Routes about the user's own organisation as a whole, not about an object named by an id.
OWN_ORGANISATION = {"auth.logout", "home.index", "organisation.index", "organisation.new_unit",
                    "organisation.new_team", "organisation.new_round", "organisation.assign"}
LEADS_ONLY = {"organisation.index", "organisation.new_unit", "organisation.new_team",
              "organisation.new_round", "organisation.close", "organisation.assign"}
# The organisation dashboard: leads and viewers, never facilitators. Ids come in the query
# string (tests/web/test_dashboard.py tries other organisations' ids there).
DASHBOARD = {"dashboard.index", "dashboard.trends_page", "dashboard.compare_page",
             "dashboard.chart_png", "dashboard.workbook", "dashboard.ratings_csv"}
OWN_ORGANISATION |= DASHBOARD
NOT_FOR_FACILITATORS = LEADS_ONLY | DASHBOARD
# What a viewer may open (aggregates only): the dashboard without compare.
FOR_VIEWERS = DASHBOARD - {"dashboard.compare_page"}

# A POST body that would change something if the request got through.
POST_DATA = {
    "name": "Intruder",
    "unit_id": "",
    "starts_on": "2027-01-01",
    "ends_on": "2027-02-01",
    "level": "4",
    "target": "4",
    "evidence": "written by an intruder",
    "priority": "y",
    "version": "1",
    "challenge_id": FIRST,
    "title": "Intruder action",
    "status": "done",
}


def _rules(app: Flask):
    """The routes to walk. A route without a sample fails test_every_route_has_a_sample
    (one clear failure naming it) and is left out here, so the walk still guards the rest."""
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint in SAMPLES]


def _requests(app: Flask, world: World, objects: Objects):
    """(endpoint, method, url) for every route and method, with North's ids."""
    with app.test_request_context():
        from flask import url_for

        for rule in _rules(app):
            values = SAMPLES[rule.endpoint](world, objects)
            url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield rule.endpoint, method, url


def _send(client, method: str, url: str):
    if method == "POST":
        return client.post(url, data=POST_DATA)
    return client.get(url)


def _snapshot(app: Flask) -> dict[str, object]:
    """What an intruder's request might change."""

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    def read() -> dict[str, object]:
        return {
            "units": count(Unit), "teams": count(Team), "rounds": count(Round),
            "assessments": count(Assessment), "actions": count(Action),
            "rated": db.session.scalar(select(func.count()).select_from(Rating)
                                       .where(Rating.level.is_not(None))),
            "open rounds": db.session.scalar(select(func.count()).select_from(Round)
                                             .where(Round.status == RoundStatus.OPEN)),
            "action titles": sorted(db.session.scalars(select(Action.title))),
            "statuses": sorted(str(s) for s in db.session.scalars(select(Assessment.status))),
            "workshops": sorted(f"{w.status}:{w.current_challenge_id}:{len(w.challenges)}"
                                for w in db.session.scalars(select(Workshop))),
        }

    return query(app, read)


def test_every_route_has_a_sample(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    missing = endpoints - SAMPLES.keys()
    assert not missing, f"add these endpoints to SAMPLES (and check who may use them): {missing}"
    stale = SAMPLES.keys() - endpoints
    assert not stale, f"these endpoints no longer exist: {stale}"
    assert PUBLIC - {"static"} <= endpoints
    assert OWN_ORGANISATION <= endpoints
    assert LEADS_ONLY <= endpoints


def test_the_walk_reaches_real_pages_for_the_owner(app, world, objects, lead):
    """The samples are right: North's lead gets pages, not 404s, from every GET route."""
    for endpoint, method, url in _requests(app, world, objects):
        if method != "GET" or endpoint.startswith("join."):
            continue  # participants' pages need a participant's pass, not an account
        response = lead.get(url)
        assert response.status_code in (200, 302), (endpoint, url, response.status_code)
        if endpoint != "auth.login":
            assert response.status_code == 200, (endpoint, url, response.status_code)


def test_anonymous_users_are_sent_to_sign_in_everywhere(app, world, objects):
    client = app.test_client()
    before = _snapshot(app)
    for endpoint, method, url in _requests(app, world, objects):
        if endpoint in PUBLIC:
            continue
        response = _send(client, method, url)
        assert response.status_code in (302, 401, 404), (endpoint, method, url,
                                                         response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/sign-in"), (endpoint, method, url)
        body = response.get_data(as_text=True)
        for secret in ("Riverside CMHT", "Aurora Ward", "Adult community services"):
            assert secret not in body, (endpoint, method, url, secret)
    assert _snapshot(app) == before


def test_public_routes_show_no_organisation_data(app, world, objects):
    client = app.test_client()
    for endpoint in ("auth.login", "api.healthz"):
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint)
        body = client.get(url).get_data(as_text=True)
        for secret in ("Riverside CMHT", "North Trust", "Spring 2027"):
            assert secret not in body, (endpoint, secret)


def test_another_organisations_lead_finds_nothing_by_id(app, world, objects, other_lead):
    """South's lead, with North's ids in the URL, gets 404 on every object route, GET and POST,
    and nothing of North's changes."""
    before = _snapshot(app)
    checked = set()
    for endpoint, method, url in _requests(app, world, objects):
        if endpoint in PUBLIC or endpoint in OWN_ORGANISATION:
            continue
        response = _send(other_lead, method, url)
        assert response.status_code == 404, (endpoint, method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert "Riverside CMHT" not in body and "North Trust" not in body, (endpoint, url)
        checked.add(endpoint)
    assert checked == SAMPLES.keys() - PUBLIC - OWN_ORGANISATION
    assert _snapshot(app) == before


def test_another_organisations_lead_cannot_reach_norths_round_through_their_own_team(
    app, world, objects, other_lead
):
    """A South team with a North round id: the round is not found either."""
    team = world.other_team_id
    round_ = world.round_id
    for url in (f"/teams/{team}?round={round_}", f"/teams/{team}/radar.png?round={round_}",
                f"/teams/{team}/action-plan.xlsx?round={round_}",
                f"/teams/{team}/rounds/{round_}/assessment",
                f"/teams/{team}/rounds/{round_}/assessment/{FIRST}"):
        assert other_lead.get(url).status_code == 404, url
    response = other_lead.post(f"/teams/{team}/rounds/{round_}/assessment/start")
    assert response.status_code == 404
    assert query(app, lambda: db.session.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.round_id == round_))) == 1


def test_another_organisations_action_is_not_found_through_their_own_team(
    app, world, objects, other_lead
):
    response = other_lead.get(f"/teams/{world.other_team_id}/actions/{objects.action_id}/edit")
    assert response.status_code == 404
    response = other_lead.get(
        f"/teams/{world.other_team_id}/actions/{objects.other_team_action_id}/edit")
    assert response.status_code == 200


def test_a_facilitator_cannot_use_a_team_they_are_not_assigned_to(app, world, objects,
                                                                 facilitator):
    """North's facilitator is assigned to Riverside only: Aurora Ward is 403 everywhere,
    and organisation set-up is for leads only."""

    def second_team(values: dict[str, object]) -> dict[str, object]:
        if "team_id" in values:
            values["team_id"] = world.second_team_id
        if "action_id" in values:
            values["action_id"] = objects.second_team_action_id
        return values

    before = _snapshot(app)
    checked = set()
    with app.test_request_context():
        from flask import url_for

        urls = [
            (rule.endpoint, method,
             url_for(rule.endpoint, **second_team(SAMPLES[rule.endpoint](world, objects))))
            for rule in _rules(app)
            for method in sorted(rule.methods & {"GET", "POST"})
        ]
    for endpoint, method, url in urls:
        if endpoint in PUBLIC or (endpoint in OWN_ORGANISATION
                                  and endpoint not in NOT_FOR_FACILITATORS):
            continue
        response = _send(facilitator, method, url)
        assert response.status_code == 403, (endpoint, method, url, response.status_code)
        assert "Aurora Ward" not in response.get_data(as_text=True), (endpoint, url)
        checked.add(endpoint)
    assert {e for e in SAMPLES if e.startswith(("teams.", "assessments.", "actions."))} <= checked
    assert NOT_FOR_FACILITATORS <= checked
    assert _snapshot(app) == before


def test_a_viewer_opens_no_team_and_changes_nothing(app, world, objects, viewer):
    """Viewers see aggregates only: every route about a team, a workshop or the set-up is
    403, GET and POST. North has two teams, fewer than three, so even the dashboard's own
    routes show a message (200) or refuse (404) rather than any number."""
    before = _snapshot(app)
    checked = set()
    for endpoint, method, url in _requests(app, world, objects):
        if endpoint in PUBLIC or endpoint.startswith("join.") or endpoint in {"auth.logout",
                                                                            "home.index"}:
            continue
        response = _send(viewer, method, url)
        expected = (200, 404) if endpoint in FOR_VIEWERS else (403,)
        assert response.status_code in expected, (endpoint, method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert "Riverside CMHT" not in body and "Aurora Ward" not in body, (endpoint, url)
        checked.add(endpoint)
    assert {e for e in SAMPLES if e.startswith(("teams.", "assessments.", "actions.",
                                                "organisation."))} <= checked
    assert _snapshot(app) == before


def test_a_facilitator_sees_only_their_teams_on_the_start_page(facilitator):
    text = facilitator.get("/").get_data(as_text=True)
    assert "Riverside CMHT" in text
    assert "Aurora Ward" not in text


def test_a_facilitator_can_use_their_own_team(world, objects, facilitator):
    assert facilitator.get(f"/teams/{world.team_id}").status_code == 200
    assert facilitator.get(
        f"/teams/{world.team_id}/rounds/{world.round_id}/assessment/{FIRST}").status_code == 200


@pytest.mark.parametrize("url", ["/teams/999999", "/teams/999999/radar.png",
                                 "/teams/{team}/rounds/999999/assessment",
                                 "/teams/{team}/actions/999999/edit", "/no-such-page"])
def test_ids_that_do_not_exist_are_404_pages(lead, world, objects, url):
    response = lead.get(url.format(team=world.team_id))
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_ids_too_large_for_the_database_are_not_found(lead, world):
    for url in ["/teams/99999999999", f"/teams/{world.team_id}/rounds/99999999999/assessment",
                f"/teams/{world.team_id}/actions/2147483648/edit"]:
        assert lead.get(url).status_code == 404


def test_round_ids_in_the_query_that_are_not_plain_numbers_are_refused(lead, world):
    team = f"/teams/{world.team_id}"
    assert lead.get(f"{team}?round=%C2%B2").status_code == 400  # "²" passes str.isdigit
    assert lead.get(f"{team}?round=-1").status_code == 400
    assert lead.get(f"{team}?round=99999999999").status_code == 404
    assert lead.get(f"{team}/radar.png?round=99999999999").status_code == 404
