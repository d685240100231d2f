"""The action plan: adding and editing actions, bad values, overlapping edits, other teams."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from assessment.extensions import db
from assessment.models import Action, ActionStatus
from tests.conftest import page

from .conftest import CHALLENGES, assert_field_error, banner_text, field_error, query

FULL = {
    "challenge_id": "workforce",
    "title": "Peer support workers in every team",
    "description": "Recruit and support two peer support workers.",
    "lead": "Sam Patel",
    "coproduction": "Two people who use the service sit on the interview panel.",
    "starts_on": "2027-04-01",
    "due_on": "2027-09-30",
    "status": "in_progress",
    "success_measure": "Both posts filled and staying after six months.",
    "review_note": "Job description agreed with the lived experience group.",
    "version": "1",  # as the new-action page sends it
}


def actions(app, team_id: int) -> list[dict]:
    def read():
        return [
            {column: getattr(a, column) for column in
             ("id", "challenge_id", "title", "description", "lead", "coproduction", "starts_on",
              "due_on", "status", "success_measure", "review_note", "version")}
            for a in db.session.scalars(select(Action).where(Action.team_id == team_id)
                                        .order_by(Action.id))
        ]

    return query(app, read)


@pytest.fixture
def new_url(world) -> str:
    return f"/teams/{world.team_id}/actions/new"


def test_the_form_offers_the_ten_challenges_and_four_statuses(facilitator, new_url):
    soup = page(facilitator.get(new_url))
    challenges = [o["value"] for o in soup.select('select[name="challenge_id"] option')]
    assert challenges == ["", *CHALLENGES]
    statuses = [o["value"] for o in soup.select('select[name="status"] option')]
    assert statuses == ["not_started", "in_progress", "done", "stopped"]
    assert soup.find("input", {"name": "version"})["value"] == FULL["version"]


def test_an_action_with_every_field_is_added(app, world, facilitator, new_url):
    response = facilitator.post(new_url, data=FULL)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/teams/{world.team_id}#action-plan"
    [saved] = actions(app, world.team_id)
    assert saved["starts_on"] == date(2027, 4, 1) and saved["due_on"] == date(2027, 9, 30)
    assert saved["status"] is ActionStatus.IN_PROGRESS
    for name in ("challenge_id", "title", "description", "lead", "coproduction",
                 "success_measure", "review_note"):
        assert saved[name] == FULL[name], name
    soup = page(facilitator.get(f"/teams/{world.team_id}"))
    assert "Action 'Peer support workers in every team' added" in banner_text(soup)
    row = soup.find("a", string="Peer support workers in every team").find_parent("tr")
    assert "Sam Patel" in row.get_text() and "In progress" in row.get_text()


def test_an_action_needs_only_a_challenge_and_a_title(app, world, facilitator, new_url):
    response = facilitator.post(new_url, data={"challenge_id": "leadership_culture",
                                               "title": "Board walkround", "status": "not_started",
                                               "version": "1"})
    assert response.status_code == 302
    [saved] = actions(app, world.team_id)
    assert saved["starts_on"] is None and saved["lead"] == ""


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "Enter a title"),
    ({"title": "t" * 121}, "title", "The title must be 120 characters or fewer"),
    ({"challenge_id": ""}, "challenge_id", "Select the challenge this action serves"),
    ({"challenge_id": "no_such_challenge"}, "challenge_id",
     "Select the challenge this action serves"),
    ({"due_on": "2027-03-31"}, "due_on", "The due date must be the same as or after the start"),
    ({"due_on": "31/12/2027"}, "due_on", "The due date must be a real date"),
    ({"starts_on": "2027-13-01"}, "starts_on", "The start date must be a real date"),
    ({"status": "finished"}, "status", "Select a status from the list"),
    ({"status": ""}, "status", "Select a status from the list"),
    ({"description": "d" * 4001}, "description", "The description must be 4000 characters"),
    ({"coproduction": "c" * 4001}, "coproduction", "The co-production note must be 4000"),
    ({"success_measure": "s" * 4001}, "success_measure", "The success measure must be 4000"),
    ({"review_note": "r" * 4001}, "review_note", "The review note must be 4000 characters"),
    ({"lead": "l" * 121}, "lead", "The lead must be 120 characters or fewer"),
])
def test_bad_values_are_refused_next_to_the_field(app, world, facilitator, new_url, changes,
                                                  field, message):
    data = {**FULL, **changes}
    response = facilitator.post(new_url, data=data)
    assert response.status_code == 400
    soup = page(response)
    assert_field_error(soup, field, message)
    # Everything typed is still in the form.
    for name in ("title", "lead", "starts_on", "due_on"):
        assert soup.find("input", {"name": name})["value"] == data[name], name
    for name in ("description", "coproduction", "success_measure", "review_note"):
        assert soup.find("textarea", {"name": name}).get_text() == data[name], name
    assert actions(app, world.team_id) == []


def test_a_form_without_a_status_is_refused(app, world, facilitator, new_url):
    data = {k: v for k, v in FULL.items() if k != "status"}
    assert facilitator.post(new_url, data=data).status_code == 400
    assert actions(app, world.team_id) == []


def test_text_is_cleaned_of_characters_a_spreadsheet_cannot_hold(app, world, facilitator,
                                                                 new_url):
    data = {**FULL, "title": "Ward\x00 rounds\x1f", "description": "One\x0bTwo"}
    assert facilitator.post(new_url, data=data).status_code == 302
    [saved] = actions(app, world.team_id)
    assert (saved["title"], saved["description"]) == ("Ward rounds", "One\nTwo")


@pytest.fixture
def action(app, world, facilitator, new_url) -> dict:
    assert facilitator.post(new_url, data=FULL).status_code == 302
    [saved] = actions(app, world.team_id)
    return saved


def edit_url(world, action_id: int) -> str:
    return f"/teams/{world.team_id}/actions/{action_id}/edit"


def test_the_edit_form_shows_the_saved_action(world, facilitator, action):
    soup = page(facilitator.get(edit_url(world, action["id"])))
    assert soup.find("input", {"name": "title"})["value"] == FULL["title"]
    assert soup.find("input", {"name": "due_on"})["value"] == "2027-09-30"
    assert soup.select_one('select[name="status"] option[selected]')["value"] == "in_progress"
    assert soup.select_one('select[name="challenge_id"] option[selected]')["value"] == "workforce"
    assert soup.find("input", {"name": "version"})["value"] == str(action["version"])


def test_an_action_is_edited(app, world, facilitator, action):
    data = {**FULL, "status": "done", "review_note": "Both posts filled.",
            "version": str(action["version"])}
    response = facilitator.post(edit_url(world, action["id"]), data=data)
    assert response.status_code == 302
    [saved] = actions(app, world.team_id)
    assert saved["status"] is ActionStatus.DONE and saved["review_note"] == "Both posts filled."
    assert saved["version"] == action["version"] + 1


def test_bad_values_on_edit_change_nothing(app, world, facilitator, action):
    before = actions(app, world.team_id)
    data = {**FULL, "title": "", "due_on": "2020-01-01", "version": str(action["version"])}
    response = facilitator.post(edit_url(world, action["id"]), data=data)
    assert response.status_code == 400
    soup = page(response)
    assert_field_error(soup, "title", "Enter a title")
    assert_field_error(soup, "due_on", "The due date must be the same as or after the start")
    assert actions(app, world.team_id) == before


def test_editing_with_a_stale_version_is_a_conflict_and_keeps_the_input(
    app, world, facilitator, second_facilitator, action
):
    url = edit_url(world, action["id"])
    version = page(facilitator.get(url)).find("input", {"name": "version"})["value"]
    assert page(second_facilitator.get(url)).find("input", {"name": "version"})["value"] == version
    assert facilitator.post(url, data={**FULL, "lead": "Alex", "version": version}
                            ).status_code == 302

    mine = {**FULL, "lead": "Jo", "review_note": "My careful review", "version": version}
    response = second_facilitator.post(url, data=mine)
    assert response.status_code == 409
    soup = page(response)
    assert "changed this action" in field_error(soup, "title")
    assert soup.find("input", {"name": "lead"})["value"] == "Jo"
    assert soup.find("textarea", {"name": "review_note"}).get_text() == "My careful review"
    [saved] = actions(app, world.team_id)
    assert saved["lead"] == "Alex" and saved["review_note"] == FULL["review_note"]
    # The form now carries the newer version, so saving again is a deliberate overwrite.
    newer = soup.find("input", {"name": "version"})["value"]
    assert newer == str(saved["version"])
    assert second_facilitator.post(url, data={**mine, "version": newer}).status_code == 302
    assert actions(app, world.team_id)[0]["lead"] == "Jo"


@pytest.mark.parametrize("version", ["", "abc", "-3", "99999999999"])
def test_a_forged_version_on_edit_is_refused(app, world, facilitator, action, version):
    before = actions(app, world.team_id)
    response = facilitator.post(edit_url(world, action["id"]), data={**FULL, "version": version})
    assert response.status_code == 400
    assert actions(app, world.team_id) == before


def test_an_action_of_another_team_is_not_found(app, world, objects, lead):
    """Aurora Ward's action, asked for through Riverside's URL."""
    url = f"/teams/{world.team_id}/actions/{objects.second_team_action_id}/edit"
    assert lead.get(url).status_code == 404
    response = lead.post(url, data={**FULL, "version": "1"})
    assert response.status_code == 404
    titles = query(app, lambda: db.session.get(Action, objects.second_team_action_id).title)
    assert titles == "Recovery college course"


def test_actions_carry_across_rounds(app, world, facilitator, action):
    """An action belongs to the team, so it shows whichever round is on screen."""
    for round_id in (world.round_id, world.previous_round_id):
        text = facilitator.get(f"/teams/{world.team_id}?round={round_id}").get_data(as_text=True)
        assert FULL["title"] in text


def test_overdue_open_actions_are_marked(app, world, facilitator, new_url):
    facilitator.post(new_url, data={**FULL, "title": "Late one", "starts_on": "2020-01-01",
                                    "due_on": "2020-02-01"})
    facilitator.post(new_url, data={**FULL, "title": "Late but done", "starts_on": "2020-01-01",
                                    "due_on": "2020-02-01", "status": "done"})
    soup = page(facilitator.get(f"/teams/{world.team_id}"))
    late = soup.find("a", string="Late one").find_parent("tr")
    done = soup.find("a", string="Late but done").find_parent("tr")
    assert "Overdue" in late.get_text()
    assert "Overdue" not in done.get_text()
