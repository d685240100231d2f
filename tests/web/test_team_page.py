"""The team page: ratings table beside the radar chart, round picker, PNG download, escaping."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assessment.extensions import db
from assessment.models import Rating, Round, Team
from tests.builders import make_assessment
from tests.conftest import normalize, page

from .conftest import CHALLENGES, query

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def rated(app, world) -> dict[str, tuple]:
    """Riverside rated in both rounds: challenge -> (this round, previous round, target).
    The last challenge is not rated this round and has no target."""
    current = {c: (i % 4) + 1 for i, c in enumerate(CHALLENGES[:-1])}
    previous = {c: 1 + (i % 2) for i, c in enumerate(CHALLENGES)}
    targets = {c: min(level + 1, 4) for c, level in current.items()}

    def build() -> None:
        team = db.session.get(Team, world.team_id)
        make_assessment(team, db.session.get(Round, world.previous_round_id), previous,
                        agreed=True)
        assessment = make_assessment(team, db.session.get(Round, world.round_id), current)
        for rating in assessment.ratings:
            rating.target = targets.get(rating.challenge_id)
            rating.priority = rating.challenge_id == CHALLENGES[0]
        db.session.commit()

    query(app, build)
    return {c: (current.get(c), previous[c], targets.get(c)) for c in CHALLENGES}


def ratings_table(soup) -> tuple[list[str], list[list[str]]]:
    table = soup.find("caption", string=lambda s: s and "Levels by challenge" in s).parent
    headers = [normalize(th.get_text()) for th in table.thead.find_all("th")]
    rows = [[normalize(cell.get_text()) for cell in tr.find_all(["th", "td"])]
            for tr in table.tbody.find_all("tr")]
    return headers, rows


def test_the_table_shows_the_stored_numbers(app, world, lead, rated):
    soup = page(lead.get(f"/teams/{world.team_id}"))
    headers, rows = ratings_table(soup)
    assert headers == ["Challenge", "Spring 2027", "Autumn 2026", "Target"]
    assert len(rows) == 10
    stored = query(app, lambda: {
        r.challenge_id: (r.level, r.target)
        for r in db.session.scalars(select(Rating).join(Rating.assessment)
                                    .where(Rating.assessment.has(round_id=world.round_id)))
    })
    for challenge, row in zip(CHALLENGES, rows, strict=True):
        level, previous, target = rated[challenge]
        assert stored[challenge] == (level, target)
        assert row[0].startswith(f"{CHALLENGES.index(challenge) + 1}. ")
        assert row[1] == (str(level) if level else "Not rated"), (challenge, row)
        assert row[2] == str(previous), (challenge, row)
        assert row[3] == (str(target) if target else "–"), (challenge, row)
    assert "Priority" in rows[0][0] and "Priority" not in rows[1][0]
    assert "9 of 10 challenges rated" in normalize(soup.get_text())


def test_an_earlier_round_is_shown_on_request(world, lead, rated):
    soup = page(lead.get(f"/teams/{world.team_id}?round={world.previous_round_id}"))
    headers, rows = ratings_table(soup)
    assert headers == ["Challenge", "Autumn 2026", "Previous round", "Target"]
    assert [row[1] for row in rows] == [str(rated[c][1]) for c in CHALLENGES]
    assert {row[2] for row in rows} == {"–"}
    assert "This round is closed" in soup.get_text()
    picker = soup.select_one("select#round option[selected]")
    assert picker["value"] == str(world.previous_round_id)


def test_a_team_that_has_not_started_is_offered_the_start_button(world, facilitator):
    soup = page(facilitator.get(f"/teams/{world.team_id}"))
    action = f"/teams/{world.team_id}/rounds/{world.round_id}/assessment/start"
    assert soup.find("form", action=action) is not None
    _, rows = ratings_table(soup)
    assert {row[1] for row in rows} == {"Not rated"}


@pytest.mark.parametrize("value", ["abc", "", "-1", "1.5", "1 OR 1=1"])
def test_a_malformed_round_is_a_bad_request(world, lead, value):
    response = lead.get(f"/teams/{world.team_id}", query_string={"round": value})
    assert response.status_code == 400
    assert "there is a problem with your request" in response.get_data(as_text=True)
    assert lead.get(f"/teams/{world.team_id}/radar.png",
                    query_string={"round": value}).status_code == 400


def test_another_organisations_round_is_not_found(world, lead):
    for url in (f"/teams/{world.team_id}", f"/teams/{world.team_id}/radar.png",
                f"/teams/{world.team_id}/action-plan.xlsx"):
        response = lead.get(url, query_string={"round": world.other_round_id})
        assert response.status_code == 404, url


def test_a_round_id_that_does_not_exist_is_not_found(world, lead):
    assert lead.get(f"/teams/{world.team_id}?round=99999999").status_code == 404


def test_the_page_shows_the_radar_image_with_a_text_alternative(world, lead, rated):
    soup = page(lead.get(f"/teams/{world.team_id}"))
    image = soup.find("img", src=f"/teams/{world.team_id}/radar.png?round={world.round_id}")
    assert image is not None
    assert "Riverside CMHT" in image["alt"] and "table" in image["alt"]


def test_the_radar_is_a_png_with_an_etag_and_revalidates(app, world, lead, rated):
    url = f"/teams/{world.team_id}/radar.png?round={world.round_id}"
    response = lead.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(PNG_SIGNATURE)
    assert len(response.data) > 5000
    etag = response.headers["ETag"]
    assert etag

    again = lead.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert lead.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200

    # A changed rating is a different picture, so the old ETag no longer matches.
    def change() -> None:
        rating = db.session.scalar(select(Rating).where(
            Rating.challenge_id == CHALLENGES[-1],
            Rating.assessment.has(round_id=world.round_id)))
        rating.level = 4
        db.session.commit()

    query(app, change)
    changed = lead.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.data.startswith(PNG_SIGNATURE)


def test_the_radar_download_is_an_attachment_not_kept_in_caches(world, lead, rated):
    response = lead.get(f"/teams/{world.team_id}/radar.png?round={world.round_id}&download=1")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "riverside-cmht" in disposition and disposition.endswith('.png"')
    assert "no-store" in response.headers["Cache-Control"]


def test_a_team_name_with_markup_is_shown_as_text(app, world, lead):
    name = "<script>alert(1)</script>"
    assert lead.post("/organisation/teams/new", data={"name": name, "unit_id": ""}
                     ).status_code == 302
    team_id = query(app, lambda: db.session.scalar(select(Team.id).where(Team.name == name)))
    for url in (f"/teams/{team_id}", "/", "/organisation/"):
        body = lead.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
    soup = page(lead.get(f"/teams/{team_id}"))
    assert soup.h1.get_text(strip=True) == name
    assert not [s for s in soup.find_all("script") if "alert" in s.get_text()]
    response = lead.get(f"/teams/{team_id}/radar.png")
    assert response.status_code == 200 and response.data.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("name", ["Team $x^$", r"Team \frac{1}{0} $$", "=HYPERLINK(\"x\")",
                                  "Équipe 🌱 \u202eevil"])
def test_awkward_team_names_do_not_break_the_chart(app, world, lead, name):
    assert lead.post("/organisation/teams/new", data={"name": name, "unit_id": ""}
                     ).status_code == 302
    team_id = query(app, lambda: db.session.scalar(select(Team.id).where(Team.name == name)))
    assert lead.post(f"/teams/{team_id}/rounds/{world.round_id}/assessment/start"
                     ).status_code == 302
    page_ = lead.get(f"/teams/{team_id}")
    assert page_.status_code == 200
    assert page(page_).h1.get_text(strip=True) == name
    chart = lead.get(f"/teams/{team_id}/radar.png?download=1")
    assert chart.status_code == 200
    assert chart.data.startswith(PNG_SIGNATURE)
    assert chart.headers["Content-Disposition"].isascii()
    workbook = lead.get(f"/teams/{team_id}/action-plan.xlsx")
    assert workbook.status_code == 200
    assert workbook.data.startswith(b"PK")
