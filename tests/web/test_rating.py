"""Rating the ten challenges: saving, bad values, priorities, conflicts, agreeing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from assessment.extensions import db
from assessment.models import Assessment, AssessmentStatus, Rating
from tests.conftest import page

from .conftest import (
    CHALLENGES,
    FIRST,
    SECOND_FACILITATOR,
    assert_field_error,
    banner_text,
    field_error,
    query,
    summary_errors,
)


@pytest.fixture
def base(world) -> str:
    return f"/teams/{world.team_id}/rounds/{world.round_id}/assessment"


@pytest.fixture
def started(facilitator, base) -> str:
    """The facilitator has started the team's assessment for the open round."""
    response = facilitator.post(f"{base}/start")
    assert response.status_code == 302
    assert response.headers["Location"] == base
    return base


def stored(app) -> dict[str, tuple]:
    """challenge id -> (level, target, evidence, priority, version) as saved."""
    return query(app, lambda: {
        r.challenge_id: (r.level, r.target, r.evidence, r.priority, r.version)
        for r in db.session.scalars(select(Rating))
    })


def status(app) -> AssessmentStatus:
    return query(app, lambda: db.session.scalar(select(Assessment.status)))


def version_in(soup) -> str:
    return soup.find("input", {"name": "version"})["value"]


def rate(client, base: str, challenge: str, **fields):
    """Load the challenge's form (for its version) and save the given fields."""
    soup = page(client.get(f"{base}/{challenge}"))
    data = {"level": "", "target": "", "evidence": "", "version": version_in(soup), **fields}
    return client.post(f"{base}/{challenge}", data=data)


def checked_level(soup) -> str | None:
    checked = soup.select('input[name="level"][checked]')
    return checked[0]["value"] if checked else None


def test_starting_shows_all_ten_challenges_not_rated(app, facilitator, started):
    soup = page(facilitator.get(started))
    text = soup.get_text()
    assert "0 of 10 challenges rated" in re.sub(r"\s+", " ", text)
    assert text.count("Not rated yet") == 10
    assert len(stored(app)) == 10
    assert all(value[0] is None for value in stored(app).values())


def test_starting_twice_keeps_one_assessment(app, facilitator, started):
    assert facilitator.post(f"{started}/start").status_code == 302
    assert query(app, lambda: len(db.session.scalars(select(Assessment)).all())) == 1


def test_overview_before_starting_is_not_found(facilitator, base):
    assert facilitator.get(base).status_code == 404
    assert facilitator.get(f"{base}/{FIRST}").status_code == 404


def test_the_rating_page_shows_the_challenge_and_every_level(facilitator, started):
    soup = page(facilitator.get(f"{started}/{FIRST}"))
    assert soup.h1.get_text(strip=True).startswith("1.")
    values = [i["value"] for i in soup.select('input[name="level"]')]
    assert values == ["1", "2", "3", "4", ""]
    text = soup.get_text()
    for label in ("Not yet started", "Engagement", "Development", "Transformation",
                  "Not rated yet"):
        assert label in text
    targets = [o["value"] for o in soup.select('select[name="target"] option')]
    assert targets == ["", "1", "2", "3", "4"]


def test_a_rating_is_saved_and_the_next_challenge_follows(app, facilitator, started):
    response = rate(facilitator, started, FIRST, level="2", target="3",
                    evidence="People tell us staff listen.", priority="y")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{started}/{CHALLENGES[1]}"
    level, target, evidence, priority, version = stored(app)[FIRST]
    assert (level, target, evidence, priority) == (2, 3, "People tell us staff listen.", True)
    assert version == 2
    soup = page(facilitator.get(f"{started}/{FIRST}"))
    assert checked_level(soup) == "2"
    assert soup.select_one('select[name="target"] option[selected]')["value"] == "3"
    assert soup.find("textarea", {"name": "evidence"}).get_text() == "People tell us staff listen."
    assert soup.find("input", {"name": "priority"}).has_attr("checked")
    overview = re.sub(r"\s+", " ", page(facilitator.get(started)).get_text())
    assert "1 of 10 challenges rated" in overview
    assert "1 of 3 priorities chosen" in overview


def test_the_last_challenge_goes_back_to_the_overview(facilitator, started):
    response = rate(facilitator, started, CHALLENGES[-1], level="1")
    assert response.headers["Location"] == started


def test_not_rated_yet_can_be_chosen_with_a_note(app, facilitator, started):
    """'Not rated yet' is a choice on the form: the team can save a note before agreeing."""
    rate(facilitator, started, FIRST, level="3")
    response = rate(facilitator, started, FIRST, level="", evidence="Come back to this")
    assert response.status_code == 302, summary_errors(page(response))
    level, _, evidence, _, _ = stored(app)[FIRST]
    assert level is None  # stored apart from every level, never 0
    assert evidence == "Come back to this"
    assert checked_level(page(facilitator.get(f"{started}/{FIRST}"))) == ""


def test_a_form_without_any_level_asks_for_one(app, facilitator, started):
    before = stored(app)
    soup = page(facilitator.get(f"{started}/{FIRST}"))
    response = facilitator.post(f"{started}/{FIRST}",
                                data={"evidence": "typed", "version": version_in(soup)})
    assert response.status_code == 400
    assert_field_error(page(response), "level", "Select a level, or 'Not rated yet'")
    assert stored(app) == before


@pytest.mark.parametrize("level", ["5", "0", "-1", "abc", "2.5", " 3"])
def test_a_level_off_the_scale_is_refused_and_nothing_saved(app, facilitator, started, level):
    before = stored(app)
    response = rate(facilitator, started, FIRST, level=level, target="3",
                    evidence="We think we are great")
    assert response.status_code == 400
    soup = page(response)
    assert_field_error(soup, "level", "Select a level on the scale")
    # What was typed is still there.
    assert soup.find("textarea", {"name": "evidence"}).get_text() == "We think we are great"
    assert soup.select_one('select[name="target"] option[selected]')["value"] == "3"
    assert stored(app) == before


@pytest.mark.parametrize("target", ["5", "0", "abc"])
def test_a_target_off_the_scale_is_refused(app, facilitator, started, target):
    before = stored(app)
    response = rate(facilitator, started, FIRST, level="2", target=target)
    assert response.status_code == 400
    assert_field_error(page(response), "target", "Select a target level on the scale")
    assert stored(app) == before


def test_evidence_over_4000_characters_is_refused_and_kept_in_the_form(app, facilitator, started):
    before = stored(app)
    long_text = "e" * 4001
    response = rate(facilitator, started, FIRST, level="2", evidence=long_text)
    assert response.status_code == 400
    soup = page(response)
    assert_field_error(soup, "evidence", "The evidence note must be 4000 characters or fewer")
    assert soup.find("textarea", {"name": "evidence"}).get_text() == long_text
    assert checked_level(soup) == "2"
    assert stored(app) == before


def test_evidence_of_exactly_4000_characters_is_saved(app, facilitator, started):
    assert rate(facilitator, started, FIRST, level="2", evidence="e" * 4000).status_code == 302
    assert stored(app)[FIRST][2] == "e" * 4000


def test_characters_a_spreadsheet_cannot_hold_are_cleaned(app, facilitator, started):
    text = "Line one\x0bLine two\x00 and a bell\x07.\r\nLast line "
    assert rate(facilitator, started, FIRST, level="2", evidence=text).status_code == 302
    assert stored(app)[FIRST][2] == "Line one\nLine two and a bell.\nLast line"


def test_user_text_is_shown_escaped(facilitator, started):
    rate(facilitator, started, FIRST, level="2", evidence="<script>alert(1)</script>")
    body = facilitator.get(f"{started}/{FIRST}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_fourth_priority_is_refused_and_everything_typed_is_kept(app, facilitator, started):
    for challenge in CHALLENGES[:3]:
        assert rate(facilitator, started, challenge, level="2", priority="y").status_code == 302
    before = stored(app)
    response = rate(facilitator, started, CHALLENGES[3], level="3", target="4",
                    evidence="Our fourth favourite", priority="y")
    assert response.status_code == 400
    soup = page(response)
    assert_field_error(soup, "priority", "The team already has 3 priorities")
    assert checked_level(soup) == "3"
    assert soup.select_one('select[name="target"] option[selected]')["value"] == "4"
    assert soup.find("textarea", {"name": "evidence"}).get_text() == "Our fourth favourite"
    assert soup.find("input", {"name": "priority"}).has_attr("checked")
    assert stored(app) == before
    # Unticking priority saves the rest.
    data = {"level": "3", "target": "4", "evidence": "Our fourth favourite",
            "version": version_in(soup)}
    assert facilitator.post(f"{started}/{CHALLENGES[3]}", data=data).status_code == 302
    assert stored(app)[CHALLENGES[3]][:4] == (3, 4, "Our fourth favourite", False)


def test_a_priority_can_be_saved_again_when_it_is_one_of_the_three(app, facilitator, started):
    for challenge in CHALLENGES[:3]:
        rate(facilitator, started, challenge, level="2", priority="y")
    response = rate(facilitator, started, CHALLENGES[0], level="3", priority="y")
    assert response.status_code == 302
    assert stored(app)[CHALLENGES[0]][:4] == (3, None, "", True)


def test_an_unknown_challenge_is_not_found(facilitator, started):
    assert facilitator.get(f"{started}/no-such-challenge").status_code == 404
    response = facilitator.post(f"{started}/no-such-challenge",
                                data={"level": "2", "version": "1"})
    assert response.status_code == 404


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "1.0", "9" * 30, "1 OR 1=1"])
def test_a_missing_or_forged_version_is_refused_not_a_crash(app, facilitator, started, version):
    before = stored(app)
    data = {"level": "2", "evidence": "typed before the problem"}
    if version is not None:
        data["version"] = version
    response = facilitator.post(f"{started}/{FIRST}", data=data)
    assert response.status_code == 400
    soup = page(response)
    assert "This form is out of date" in " ".join(summary_errors(soup))
    assert soup.find("textarea", {"name": "evidence"}).get_text() == "typed before the problem"
    assert stored(app) == before


def test_a_version_that_was_never_issued_is_a_conflict(app, facilitator, started):
    before = stored(app)
    response = facilitator.post(f"{started}/{FIRST}",
                                data={"level": "2", "target": "", "version": "999999999"})
    assert response.status_code == 409
    assert stored(app) == before


def test_two_facilitators_saving_the_same_challenge(app, facilitator, second_facilitator,
                                                   started):
    """Both load version 1; the first save wins, the second gets 409 and keeps their text."""
    first_form = page(facilitator.get(f"{started}/{FIRST}"))
    second_form = page(second_facilitator.get(f"{started}/{FIRST}"))
    assert version_in(first_form) == version_in(second_form) == "1"

    first = facilitator.post(f"{started}/{FIRST}", data={
        "level": "2", "target": "3", "evidence": "First view", "version": "1"})
    assert first.status_code == 302

    second = second_facilitator.post(f"{started}/{FIRST}", data={
        "level": "4", "target": "4", "evidence": "Second view, typed with care", "version": "1"})
    assert second.status_code == 409
    soup = page(second)
    message = field_error(soup, "level")
    assert "changed" in message
    assert "facilitator@north.example.nhs.uk" in message
    assert "changed" in " ".join(summary_errors(soup))
    # Their own input is still in the form...
    assert soup.find("textarea", {"name": "evidence"}).get_text() == "Second view, typed with care"
    assert checked_level(soup) == "4"
    # ...the other person's saved version is shown beside it...
    assert "First view" in soup.get_text()
    # ...and the first save is what is stored.
    assert stored(app)[FIRST][:3] == (2, 3, "First view")

    # Saving again, knowingly, keeps the second view.
    data = {"level": "4", "target": "4", "evidence": "Second view, typed with care",
            "version": version_in(soup)}
    assert version_in(soup) == "2"
    assert second_facilitator.post(f"{started}/{FIRST}", data=data).status_code == 302
    level, target, evidence, _, version = stored(app)[FIRST]
    assert (level, target, evidence, version) == (4, 4, "Second view, typed with care", 3)
    assert query(app, lambda: db.session.scalar(select(Rating.updated_by).where(
        Rating.challenge_id == FIRST))) == SECOND_FACILITATOR


def test_saves_of_different_challenges_do_not_conflict(app, facilitator, second_facilitator,
                                                      started):
    one = page(facilitator.get(f"{started}/{CHALLENGES[0]}"))
    two = page(second_facilitator.get(f"{started}/{CHALLENGES[1]}"))
    response = facilitator.post(f"{started}/{CHALLENGES[0]}",
                                data={"level": "1", "target": "", "version": version_in(one)})
    assert response.status_code == 302
    assert second_facilitator.post(f"{started}/{CHALLENGES[1]}",
                                   data={"level": "2", "target": "", "version": version_in(two)}
                                   ).status_code == 302
    assert stored(app)[CHALLENGES[0]][0] == 1 and stored(app)[CHALLENGES[1]][0] == 2


def test_agreeing_needs_all_ten_rated(app, facilitator, started):
    for challenge in CHALLENGES[:9]:
        assert rate(facilitator, started, challenge, level="2").status_code == 302
    response = facilitator.post(f"{started}/agree")
    assert response.status_code == 302
    assert "Rate all 10 challenges before marking the assessment as agreed" in banner_text(
        page(facilitator.get(response.headers["Location"])))
    assert status(app) is AssessmentStatus.IN_PROGRESS

    assert rate(facilitator, started, CHALLENGES[9], level="3").status_code == 302
    soup = page(facilitator.get(started))
    assert soup.find("form", action=f"{started}/agree") is not None
    response = facilitator.post(f"{started}/agree")
    assert response.status_code == 302
    assert "The assessment is agreed" in banner_text(
        page(facilitator.get(response.headers["Location"])))
    assert status(app) is AssessmentStatus.AGREED


@pytest.fixture
def agreed(app, facilitator, started) -> str:
    for challenge in CHALLENGES:
        rate(facilitator, started, challenge, level="2", evidence=f"About {challenge}")
    assert facilitator.post(f"{started}/agree").status_code == 302
    assert status(app) is AssessmentStatus.AGREED
    return started


def test_an_agreed_assessment_cannot_be_changed_until_reopened(app, facilitator, agreed):
    before = stored(app)
    soup = page(facilitator.get(f"{agreed}/{FIRST}"))
    assert soup.find("form", action=f"{agreed}/{FIRST}") is None  # read-only page
    assert f"About {FIRST}" in soup.get_text()

    response = facilitator.post(f"{agreed}/{FIRST}",
                                data={"level": "4", "target": "", "evidence": "Sneaky",
                                      "version": "2"})
    assert response.status_code == 302
    assert "Reopen it before changing ratings" in banner_text(
        page(facilitator.get(response.headers["Location"])))
    assert stored(app) == before

    response = facilitator.post(f"{agreed}/reopen")
    assert response.status_code == 302
    assert "open for changes again" in banner_text(
        page(facilitator.get(response.headers["Location"])))
    assert status(app) is AssessmentStatus.IN_PROGRESS
    assert rate(facilitator, agreed, FIRST, level="4").status_code == 302
    assert stored(app)[FIRST][0] == 4


def test_the_overview_offers_reopening_an_agreed_assessment(facilitator, agreed):
    soup = page(facilitator.get(agreed))
    assert soup.find("form", action=f"{agreed}/reopen") is not None
    assert soup.find("form", action=f"{agreed}/agree") is None
    assert "10 of 10" in re.sub(r"\s+", " ", soup.get_text())


def test_a_get_never_changes_anything(app, facilitator, started):
    before = stored(app)
    for url in (f"{started}/agree", f"{started}/reopen", f"{started}/start"):
        assert facilitator.get(url).status_code in (404, 405)
    assert facilitator.get(f"{started}/{FIRST}?level=4&version=1").status_code == 200
    assert stored(app) == before
