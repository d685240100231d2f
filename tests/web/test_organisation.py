"""Organisation set-up by a lead: units, teams and rounds, with bad input, and closing a round."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import Assessment, Rating, Round, RoundStatus, Team, Unit
from tests.conftest import page

from .conftest import FIRST, assert_field_error, banner_text, query, summary_errors

LONG_NAME = "x" * 121


def _names(app, model, organisation_id: int) -> list[str]:
    return query(app, lambda: sorted(db.session.scalars(
        select(model.name).where(model.organisation_id == organisation_id))))


def test_lead_sees_the_set_up_page(lead, world):
    soup = page(lead.get("/organisation/"))
    text = soup.get_text()
    assert "North Trust" in text
    assert "Spring 2027" in text and "Autumn 2026" in text
    assert "Riverside CMHT" in text and "Aurora Ward" in text
    assert "South" not in text and "Harbour" not in text


def test_facilitator_may_not_see_set_up(facilitator):
    assert facilitator.get("/organisation/").status_code == 403


@pytest.mark.parametrize("url", ["/organisation/units/new", "/organisation/teams/new",
                                 "/organisation/rounds/new"])
def test_facilitator_may_not_set_up_the_organisation(app, world, facilitator, url):
    assert facilitator.get(url).status_code == 403
    before = [_names(app, model, world.org_id) for model in (Unit, Team, Round)]
    response = facilitator.post(url, data={"name": "Facilitator's", "starts_on": "2027-06-01",
                                           "ends_on": "2027-07-01", "unit_id": ""})
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)
    assert [_names(app, model, world.org_id) for model in (Unit, Team, Round)] == before


def test_facilitator_may_not_close_a_round(app, world, facilitator):
    assert facilitator.post(f"/organisation/rounds/{world.round_id}/close").status_code == 403
    assert query(app, lambda: db.session.get(Round, world.round_id).status) is RoundStatus.OPEN


def test_facilitator_is_not_offered_set_up(facilitator):
    assert "/organisation/" not in facilitator.get("/").get_data(as_text=True)


# Units


def test_lead_adds_a_unit(app, lead, world):
    response = lead.post("/organisation/units/new", data={"name": "  Inpatient wards  "})
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisation/"
    soup = page(lead.get("/organisation/"))
    assert "Unit 'Inpatient wards' added." in banner_text(soup)
    assert "Inpatient wards" in _names(app, Unit, world.org_id)


@pytest.mark.parametrize("name, message", [
    ("", "Enter a unit name"),
    ("   ", "Enter a unit name"),
    (LONG_NAME, "The unit name must be 120 characters or fewer"),
    ("Adult community services", "There is already a unit with this name"),
    ("ADULT COMMUNITY SERVICES", "There is already a unit with this name"),
])
def test_bad_unit_names_are_refused_next_to_the_field(app, lead, world, name, message):
    before = _names(app, Unit, world.org_id)
    response = lead.post("/organisation/units/new", data={"name": name})
    assert response.status_code == 400
    soup = page(response)
    assert soup.title.get_text(strip=True).startswith("Error:")
    assert_field_error(soup, "name", message)
    assert soup.find("input", {"name": "name"})["value"] == name.strip()
    assert _names(app, Unit, world.org_id) == before


def test_another_organisation_may_use_the_same_unit_name(app, other_lead, world):
    response = other_lead.post("/organisation/units/new", data={"name": "Adult community services"})
    assert response.status_code == 302
    assert _names(app, Unit, world.other_org_id) == ["Adult community services"]


def test_a_120_character_name_is_accepted(app, lead, world):
    assert lead.post("/organisation/units/new", data={"name": "u" * 120}).status_code == 302
    assert "u" * 120 in _names(app, Unit, world.org_id)


# Teams


def test_lead_adds_a_team_in_a_unit(app, lead, world):
    form = page(lead.get("/organisation/teams/new"))
    options = {o["value"]: o.get_text(strip=True) for o in form.select("#unit_id option")}
    assert options == {"": "No unit", str(world.unit_id): "Adult community services"}
    response = lead.post("/organisation/teams/new",
                         data={"name": "Early Intervention", "unit_id": str(world.unit_id)})
    assert response.status_code == 302
    team = query(app, lambda: db.session.scalar(
        select(Team).where(Team.name == "Early Intervention")))
    assert team.unit_id == world.unit_id and team.organisation_id == world.org_id
    assert "Early Intervention" in lead.get("/").get_data(as_text=True)


def test_lead_adds_a_team_without_a_unit(app, lead, world):
    response = lead.post("/organisation/teams/new", data={"name": "Crisis line", "unit_id": ""})
    assert response.status_code == 302
    team = query(app, lambda: db.session.scalar(select(Team).where(Team.name == "Crisis line")))
    assert team.unit_id is None


@pytest.fixture
def south_unit_id(app, world) -> int:
    def build() -> int:
        unit = Unit(organisation_id=world.other_org_id, name="South services")
        db.session.add(unit)
        db.session.commit()
        return unit.id

    return query(app, build)


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "unit_id": ""}, "name", "Enter a team name"),
    ({"name": LONG_NAME, "unit_id": ""}, "name", "The team name must be 120 characters or fewer"),
    ({"name": "Riverside CMHT", "unit_id": ""}, "name", "There is already a team with this name"),
    ({"name": "riverside cmht", "unit_id": ""}, "name", "There is already a team with this name"),
    ({"name": "New team", "unit_id": "abc"}, "unit_id", "Select a unit from the list"),
    ({"name": "New team", "unit_id": "999999"}, "unit_id", "Select a unit from the list"),
    ({"name": "New team", "unit_id": "SOUTH"}, "unit_id", "Select a unit from the list"),
])
def test_bad_team_values_are_refused_next_to_the_field(app, lead, world, south_unit_id, data,
                                                       field, message):
    data = {**data, "unit_id": data["unit_id"].replace("SOUTH", str(south_unit_id))}
    before = _names(app, Team, world.org_id)
    response = lead.post("/organisation/teams/new", data=data)
    assert response.status_code == 400
    soup = page(response)
    assert_field_error(soup, field, message)
    assert soup.find("input", {"name": "name"})["value"] == data["name"]
    assert _names(app, Team, world.org_id) == before
    assert _names(app, Team, world.other_org_id) == ["Harbour Crisis Team"]


def test_a_team_form_sent_without_a_unit_field_is_refused(app, lead, world):
    before = _names(app, Team, world.org_id)
    response = lead.post("/organisation/teams/new", data={"name": "New team"})
    assert response.status_code == 400
    assert _names(app, Team, world.org_id) == before


# Rounds


def test_lead_opens_a_round(app, lead, world):
    response = lead.post("/organisation/rounds/new",
                         data={"name": "Autumn 2027", "starts_on": "2027-09-01",
                               "ends_on": "2027-11-30"})
    assert response.status_code == 302
    round_ = query(app, lambda: db.session.scalar(select(Round).where(Round.name == "Autumn 2027")))
    assert (round_.starts_on, round_.ends_on) == (date(2027, 9, 1), date(2027, 11, 30))
    assert round_.is_open and round_.organisation_id == world.org_id
    assert "Round 'Autumn 2027' is open." in banner_text(page(lead.get("/organisation/")))


def test_a_round_may_start_and_end_on_the_same_day(lead):
    response = lead.post("/organisation/rounds/new",
                         data={"name": "Away day", "starts_on": "2027-09-01",
                               "ends_on": "2027-09-01"})
    assert response.status_code == 302


GOOD_ROUND = {"name": "Autumn 2027", "starts_on": "2027-09-01", "ends_on": "2027-11-30"}


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Enter a round name"),
    ({"name": LONG_NAME}, "name", "The round name must be 120 characters or fewer"),
    ({"name": "Spring 2027"}, "name", "There is already a round with this name"),
    ({"name": "spring 2027"}, "name", "There is already a round with this name"),
    ({"ends_on": "2027-08-31"}, "ends_on", "The end date must be the same as or after the start"),
    ({"starts_on": "01/09/2027"}, "starts_on", "The start date must be a real date"),
    ({"starts_on": "2027-02-30"}, "starts_on", "The start date must be a real date"),
    ({"ends_on": "next year"}, "ends_on", "The end date must be a real date"),
    ({"starts_on": ""}, "starts_on", "Enter a start date"),
    ({"ends_on": ""}, "ends_on", "Enter an end date"),
])
def test_bad_round_values_are_refused_next_to_the_field(app, lead, world, changes, field,
                                                        message):
    before = _names(app, Round, world.org_id)
    data = {**GOOD_ROUND, **changes}
    response = lead.post("/organisation/rounds/new", data=data)
    assert response.status_code == 400
    soup = page(response)
    assert_field_error(soup, field, message)
    for name, value in data.items():  # what was typed stays in the form
        assert soup.find("input", {"name": name})["value"] == value, name
    assert _names(app, Round, world.org_id) == before


def test_several_mistakes_are_all_listed(lead):
    response = lead.post("/organisation/rounds/new",
                         data={"name": "", "starts_on": "soon", "ends_on": ""})
    assert response.status_code == 400
    assert len(summary_errors(page(response))) == 3


# Closing a round


def test_closing_a_round_makes_its_ratings_read_only(app, lead, world):
    base = f"/teams/{world.team_id}/rounds/{world.round_id}/assessment"
    assert lead.post(f"{base}/start").status_code == 302
    response = lead.post(f"{base}/{FIRST}", data={"level": "2", "target": "3",
                                                  "evidence": "Before closing", "version": "1"})
    assert response.status_code == 302

    response = lead.post(f"/organisation/rounds/{world.round_id}/close")
    assert response.status_code == 302
    soup = page(lead.get("/organisation/"))
    assert "Round 'Spring 2027' is closed" in banner_text(soup)
    assert query(app, lambda: db.session.get(Round, world.round_id).status) is RoundStatus.CLOSED

    def stored():
        return query(app, lambda: [(r.challenge_id, r.level, r.target, r.evidence, r.version)
                                   for r in db.session.scalars(
                                       select(Rating).order_by(Rating.challenge_id))])

    before = stored()
    response = lead.post(f"{base}/{FIRST}", data={"level": "4", "target": "4",
                                                  "evidence": "After closing", "version": "2"})
    assert response.status_code in (302, 400, 409)
    shown = page(lead.get(response.headers["Location"]) if response.status_code == 302
                 else response)
    assert "This round is closed" in shown.get_text()
    assert stored() == before

    # The rating page shows the saved rating without a form.
    soup = page(lead.get(f"{base}/{FIRST}"))
    assert soup.find("form", action=f"{base}/{FIRST}") is None
    assert "Before closing" in soup.get_text()
    # Agreeing or starting in a closed round changes nothing either.
    lead.post(f"{base}/agree")
    assert query(app, lambda: db.session.scalar(select(Assessment.status))).value == "in_progress"


def test_starting_an_assessment_in_a_closed_round_is_refused(app, lead, world):
    response = lead.post(
        f"/teams/{world.team_id}/rounds/{world.previous_round_id}/assessment/start")
    assert response.status_code == 302
    assert "This round is closed" in banner_text(page(lead.get(response.headers["Location"])))
    assert query(app, lambda: db.session.scalar(
        select(func.count()).select_from(Assessment))) == 0


def test_closing_a_closed_round_again_is_harmless(app, lead, world):
    response = lead.post(f"/organisation/rounds/{world.previous_round_id}/close")
    assert response.status_code == 302
    assert query(app, lambda: db.session.get(Round, world.previous_round_id).status) \
        is RoundStatus.CLOSED


def test_closing_another_organisations_round_is_not_found(app, lead, world):
    assert lead.post(f"/organisation/rounds/{world.other_round_id}/close").status_code == 404
    assert query(app, lambda: db.session.get(Round, world.other_round_id).status) \
        is RoundStatus.OPEN
