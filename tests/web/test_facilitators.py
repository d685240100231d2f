"""A lead assigns facilitators to teams; a facilitator then sees exactly those teams."""

from __future__ import annotations

from assessment.extensions import db
from assessment.models import User
from tests.conftest import page


def _facilitator_id(app, email: str) -> int:
    with app.app_context():
        return db.session.query(User.id).filter_by(email=email).scalar()


def test_set_up_page_lists_people_and_their_teams(lead, world):
    text = page(lead.get("/organisation/")).get_text()
    assert world.facilitator_email in text
    assert "Riverside CMHT" in text
    assert world.other_lead_email not in text


def test_lead_assigns_a_facilitator_who_then_sees_the_team(app, lead, facilitator, world):
    assert "Aurora Ward" not in facilitator.get("/").get_data(as_text=True)
    assert facilitator.get(f"/teams/{world.second_team_id}").status_code == 403

    user_id = _facilitator_id(app, world.facilitator_email)
    response = lead.post("/organisation/facilitators/assign",
                         data={"user_id": str(user_id), "team_id": str(world.second_team_id)})
    assert response.status_code == 302

    assert "Aurora Ward" in facilitator.get("/").get_data(as_text=True)
    assert facilitator.get(f"/teams/{world.second_team_id}").status_code == 200
    # Assigning twice changes nothing and is not an error.
    again = lead.post("/organisation/facilitators/assign",
                      data={"user_id": str(user_id), "team_id": str(world.second_team_id)})
    assert again.status_code == 302


def test_assigning_needs_a_facilitator_and_a_team_of_this_organisation(app, lead, world):
    user_id = _facilitator_id(app, world.facilitator_email)
    lead_id = _facilitator_id(app, world.lead_email)
    for data, message in [
        ({"user_id": "", "team_id": str(world.team_id)}, "Select a facilitator"),
        ({"user_id": str(user_id), "team_id": ""}, "Select a team"),
        ({"user_id": str(user_id), "team_id": str(world.other_team_id)}, "Not a valid choice"),
        ({"user_id": str(lead_id), "team_id": str(world.team_id)}, "Not a valid choice"),
        ({"user_id": "abc", "team_id": "1e3"}, "Not a valid choice"),
    ]:
        response = lead.post("/organisation/facilitators/assign", data=data)
        assert response.status_code == 400
        assert message in page(response).select_one(".nhsuk-error-summary").get_text()


def test_facilitator_cannot_assign(facilitator, world):
    assert facilitator.get("/organisation/facilitators/assign").status_code == 403
