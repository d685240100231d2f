"""The organisation dashboard, trends, compare, chart images and downloads, for a lead (teams
by name) and a viewer (aggregates only), plus bad input and a constant number of queries.

The numbers on the pages are checked against a brute-force count of the same ratings with
Python's statistics module, so the SQL aggregation cannot drift from what it means.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
import zipfile
from dataclasses import asdict, dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from werkzeug.security import generate_password_hash

from assessment.extensions import db
from assessment.models import Organisation, Round, Unit
from assessment.services.dashboard import (
    dashboard,
    distribution_chart,
    make_scope,
    organisation_radar,
    trend_chart,
    trends,
)
from tests.builders import PASSWORD, World
from tests.bulk import build_organisation
from tests.conftest import normalize, page, sign_in
from tests.dashboard_data import (
    BIG_UNIT,
    FORMULA_TEAM,
    NOT_STARTED,
    SMALL_UNIT,
    TEAMS,
    Trust,
    build_trust,
)
from tests.test_cli_export import counted_queries

from .conftest import CHALLENGES, query

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def trust(app: Flask, world: World) -> Trust:
    return query(app, lambda: build_trust(world))


def expected_spread(levels: dict[str, dict[str, int | None]], challenge: str):
    values = [team[challenge] for team in levels.values() if team[challenge] is not None]
    lower, _, upper = statistics.quantiles(values, n=4, method="inclusive")
    return statistics.median(values), lower, upper, len(values)


def number(text: str) -> float | None:
    return None if text in ("–", "") else float(text)


def table(soup, caption: str) -> list[list[str]]:
    found = soup.find("caption", string=lambda s: s and caption in s)
    assert found is not None, f"no table captioned {caption!r}"
    return [[normalize(cell.get_text()) for cell in tr.find_all(["th", "td"])]
            for tr in found.parent.tbody.find_all("tr")]


# --- the dashboard page ---------------------------------------------------------------------


def test_a_lead_sees_medians_that_match_a_brute_force_count(lead, trust):
    soup = page(lead.get("/dashboard/"))
    rows = table(soup, "Median level by challenge")
    assert len(rows) == len(CHALLENGES)
    for challenge, cells in zip(CHALLENGES, rows, strict=True):
        median, lower, upper, rated = expected_spread(trust.current, challenge)
        before, *_ = expected_spread(trust.previous, challenge)
        assert number(cells[1]) == pytest.approx(median), (challenge, cells)
        low, high = cells[2].split(" to ")
        assert (number(low), number(high)) == (pytest.approx(lower), pytest.approx(upper))
        assert number(cells[3]) == pytest.approx(before)
        assert int(cells[4]) == rated


def test_distribution_change_priorities_and_actions_match_the_ratings(lead, trust):
    soup = page(lead.get("/dashboard/"))
    teams = len(TEAMS)
    caption = soup.find("caption", string=lambda s: s and "Teams at each level" in s)
    assert [normalize(th.get_text()) for th in caption.parent.thead.find_all("th")] == [
        "Challenge", "1. Not yet started", "2. Engagement", "3. Development",
        "4. Transformation", "Not rated"]
    for challenge, cells in zip(CHALLENGES, table(soup, "Teams at each level"), strict=True):
        levels = [team[challenge] for team in trust.current.values()]
        assert [int(c) for c in cells[1:5]] == [levels.count(v) for v in (1, 2, 3, 4)]
        assert int(cells[5]) == teams - sum(1 for v in levels if v is not None)
    changes = table(soup, "Teams whose level changed")
    for challenge, cells in zip(CHALLENGES, changes, strict=True):
        pairs = [(trust.current[n][challenge], trust.previous[n][challenge])
                 for n in trust.current if trust.current[n][challenge] is not None]
        assert [int(c) for c in cells[1:]] == [sum(1 for a, b in pairs if a > b),
                                               sum(1 for a, b in pairs if a == b),
                                               sum(1 for a, b in pairs if a < b)]
    priorities = table(soup, "Priorities in Spring 2027")
    assert [int(r[1]) for r in priorities[:3]] == [5, 5, 0]
    workforce = priorities[CHALLENGES.index("workforce")]
    assert workforce[2:] == ["2", "1", "1"]  # open (one of them overdue), done


def test_completion_counts_link_to_the_heatmap_filtered_by_status(lead, trust):
    soup = page(lead.get("/dashboard/"))
    completion = table(soup, "Teams by progress")
    assert [row[:2] for row in completion] == [["Agreed", "3"], ["In progress", "2"],
                                               ["Not started", "1"]]
    link = next(a for a in soup.find_all("a")
                if normalize(a.get_text()).startswith("Show the 1 team"))
    soup = page(lead.get(link["href"]))
    heat = table(soup, "Levels by team")
    assert [row[0] for row in heat] == [f"{NOT_STARTED} (not started)"]
    assert "Not rated" in heat[0][2]


def test_the_heatmap_names_teams_and_sorts_by_name_unit_and_mean(lead, trust):
    soup = page(lead.get("/dashboard/"))
    heat = table(soup, "Levels by team")
    names = [row[0].split(" (")[0] for row in heat]
    assert names == sorted(TEAMS, key=str.casefold)
    header = soup.find("caption", string=lambda s: s and "Levels by team" in s).parent
    assert header.find("th", attrs={"aria-sort": "ascending"}).get_text(strip=True).startswith(
        "Team")
    by_unit = table(page(lead.get("/dashboard/?sort=unit")), "Levels by team")
    assert [row[1] for row in by_unit] == [BIG_UNIT] * 4 + [SMALL_UNIT] * 2
    by_mean = table(page(lead.get("/dashboard/?sort=mean&dir=desc")), "Levels by team")
    means = [number(row[-1]) for row in by_mean]
    rated = [m for m in means if m is not None]
    assert rated == sorted(rated, reverse=True) and means[-1] is None


def test_the_heatmap_pages_through_teams(lead, trust, monkeypatch):
    monkeypatch.setattr("assessment.services.dashboard.HEATMAP_PAGE_SIZE", 4)
    first = page(lead.get("/dashboard/"))
    assert len(table(first, "teams 1 to 4 of 6")) == 4
    second = page(lead.get("/dashboard/?page=2"))
    assert len(table(second, "teams 5 to 6 of 6")) == 2
    assert len(table(page(lead.get("/dashboard/?page=99")), "teams 5 to 6 of 6")) == 2


def test_a_unit_filter_narrows_every_figure(lead, trust, world):
    soup = page(lead.get(f"/dashboard/?unit={world.unit_id}"))
    assert "Adult community services, Spring 2027: 4 teams" in normalize(soup.get_text())
    heat = table(soup, "Levels by team")
    assert {row[0].split(" (")[0] for row in heat} == {n for n, u in TEAMS.items()
                                                      if u == BIG_UNIT}


def test_a_viewer_sees_the_figures_but_never_a_team(viewer, trust):
    soup = page(viewer.get("/dashboard/"))
    text = soup.get_text()
    assert "Median level by challenge" in text and "Teams at each level" in text
    assert "Levels by team" not in text and "Compare teams" not in text
    assert not soup.select("a[href^='/teams/']")
    for name in TEAMS:
        assert name not in text
    assert table(soup, "Median level by challenge")[0][1] != ""


def test_a_viewer_is_not_shown_a_unit_of_fewer_than_three_teams(viewer, trust):
    soup = page(viewer.get(f"/dashboard/?unit={trust.small_unit_id}"))
    text = normalize(soup.get_text())
    assert "Fewer than 3 teams are in this group" in text
    assert "Median level by challenge" not in text
    for url in (f"/dashboard/charts/radar.png?unit={trust.small_unit_id}",
                f"/dashboard/organisation.xlsx?unit={trust.small_unit_id}",
                f"/dashboard/ratings.csv?unit={trust.small_unit_id}"):
        response = viewer.get(url)
        assert response.status_code == 404, url
        assert "Fewer than 3 teams" in response.get_data(as_text=True)
    trends_page = normalize(page(viewer.get(f"/dashboard/trends?unit={trust.small_unit_id}"))
                            .get_text())
    assert "Fewer than 3 teams are in this group" in trends_page


def test_a_lead_is_shown_a_small_unit_with_its_teams(lead, trust):
    soup = page(lead.get(f"/dashboard/?unit={trust.small_unit_id}"))
    assert "Kestrel Ward" in soup.get_text()


def test_a_viewer_of_an_organisation_of_two_teams_sees_no_numbers(viewer):
    text = normalize(page(viewer.get("/dashboard/")).get_text())
    assert "Fewer than 3 teams are in this group" in text
    assert "Riverside CMHT" not in text


@pytest.mark.parametrize("url", ["/dashboard/compare", "/dashboard/compare?team=1&team=2",
                                 "/dashboard/charts/heatmap.png", "/dashboard/trends?team={id}",
                                 "/dashboard/charts/team-trend.png?team={id}",
                                 "/dashboard/charts/compare.png?team=1&team=2",
                                 "/teams/{id}", "/teams/{id}/radar.png",
                                 "/teams/{id}/versus-organisation.png",
                                 "/teams/{id}/action-plan.xlsx"])
def test_a_viewer_may_not_open_anything_that_names_a_team(viewer, trust, url):
    response = viewer.get(url.format(id=trust.ids["Riverside CMHT"]))
    assert response.status_code == 403
    assert "Riverside CMHT" not in response.get_data(as_text=True)


def test_a_viewer_starts_on_the_dashboard_and_has_no_teams_menu(viewer, trust):
    response = viewer.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/"
    nav = page(viewer.get("/dashboard/")).select(".nhsuk-header__navigation-list a")
    assert [normalize(a.get_text()) for a in nav] == ["Dashboard"]


def test_facilitators_have_no_dashboard(facilitator, lead, trust):
    assert facilitator.get("/dashboard/").status_code == 403
    nav = page(facilitator.get("/")).select(".nhsuk-header__navigation-list a")
    assert "Dashboard" not in [normalize(a.get_text()) for a in nav]
    nav = page(lead.get("/")).select(".nhsuk-header__navigation-list a")
    assert "Dashboard" in [normalize(a.get_text()) for a in nav]


def test_an_organisation_without_rounds_gets_a_plain_page(app, lead, world):
    def drop_rounds() -> None:
        for round_ in db.session.scalars(db.select(Round).where(
                Round.organisation_id == world.org_id)):
            db.session.delete(round_)
        db.session.commit()

    query(app, drop_rounds)
    soup = page(lead.get("/dashboard/"))
    assert "has not opened a round yet" in soup.get_text()
    assert soup.find("a", string="Open the first round")


# --- trends and compare ---------------------------------------------------------------------


def test_trends_show_medians_by_round_and_one_teams_levels(lead, trust):
    riverside = trust.ids["Riverside CMHT"]
    soup = page(lead.get(f"/dashboard/trends?team={riverside}"))
    medians = table(soup, "Median level by challenge and round")
    for challenge, cells in zip(CHALLENGES, medians, strict=True):
        assert number(cells[1]) == pytest.approx(expected_spread(trust.previous, challenge)[0])
        assert number(cells[2]) == pytest.approx(expected_spread(trust.current, challenge)[0])
    levels = table(soup, "Riverside CMHT: level by challenge and round")
    assert [row[2] for row in levels] == [str(trust.current["Riverside CMHT"][c] or "–")
                                          for c in CHALLENGES]
    assert soup.find("img", src=lambda s: s and "team-trend.png" in s)


def test_compare_puts_two_to_six_teams_beside_the_organisation_median(lead, trust):
    ids = [trust.ids["Riverside CMHT"], trust.ids["Kestrel Ward"]]
    soup = page(lead.get(f"/dashboard/compare?team={ids[0]}&team={ids[1]}"))
    rows = table(soup, "Levels by challenge in Spring 2027")
    for challenge, cells in zip(CHALLENGES, rows, strict=True):
        for name, cell in zip(("Riverside CMHT", "Kestrel Ward"), cells[1:3], strict=True):
            level = trust.current[name][challenge]
            assert cell == (str(level) if level else "Not rated")
        assert number(cells[3]) == pytest.approx(expected_spread(trust.current, challenge)[0])
    assert "Challenges above the organisation median" in soup.get_text()
    checked = [box["value"] for box in soup.select("input[name=team][checked]")]
    assert checked == [str(i) for i in sorted(ids)]


@pytest.mark.parametrize(("count", "message"), [(1, "Choose between 2 and 6 teams"),
                                                (7, "Choose between 2 and 6 teams")])
def test_compare_with_too_few_or_too_many_teams_explains_itself(lead, trust, count, message):
    ids = list(trust.ids.values()) + [trust.ids["Riverside CMHT"] + 1000]
    url = "/dashboard/compare?" + "&".join(f"team={i}" for i in ids[:count])
    response = lead.get(url)
    assert response.status_code == 400
    soup = page(response)
    assert message in soup.select_one(".nhsuk-error-summary").get_text()
    assert soup.title.get_text().startswith("Error:")


def test_compare_with_twenty_teams_is_refused_plainly(lead, trust):
    response = lead.get("/dashboard/compare?" + "&".join(f"team={i}" for i in range(1, 21)))
    assert response.status_code == 400
    assert "Choose between 2 and 6 teams" in response.get_data(as_text=True)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/dashboard/?round=abc", 400, "Choose a round from the list"),
    ("/dashboard/?round=999999", 404, "There is no such round in your organisation"),
    ("/dashboard/?round={other_round}", 404, "There is no such round in your organisation"),
    ("/dashboard/?round=99999999999999999999", 400, "Choose a round from the list"),
    ("/dashboard/?unit=x1", 400, "Choose a unit from the list"),
    ("/dashboard/?unit=999999", 404, "There is no such unit in your organisation"),
    ("/dashboard/?sort=size", 400, "Sort the heatmap by team, unit or mean level"),
    ("/dashboard/?dir=up", 400, "ascending or descending"),
    ("/dashboard/?status=lost", 400, "Show teams that have agreed"),
    ("/dashboard/?page=0", 400, "The page number must be a whole number"),
    ("/dashboard/?page=-1", 400, "The page number must be a whole number"),
    ("/dashboard/?page=%C2%B2", 400, "The page number must be a whole number"),
    ("/dashboard/?round=%C2%B2", 400, "Choose a round from the list"),
    ("/dashboard/trends?unit=%00", 400, "Choose a unit from the list"),
    ("/dashboard/trends?team={other_team}", 404, "There is no such team in your organisation"),
    ("/dashboard/trends?team=abc", 400, "Choose a team from the list"),
    ("/dashboard/compare?team={other_team}&team={team}", 404, "not in your organisation"),
    ("/dashboard/compare?team=abc&team=2", 400, "Choose the teams to compare from the list"),
    ("/dashboard/compare?round={other_round}", 404, "There is no such round"),
    ("/dashboard/charts/compare.png?team={team}", 400, "Choose between 2 and 6 teams"),
    ("/dashboard/charts/team-trend.png", 400, "Choose a team to see its levels"),
    ("/dashboard/charts/pie.png", 404, "Page not found"),
    ("/dashboard/organisation.xlsx?round={other_round}", 404, "There is no such round"),
    ("/dashboard/ratings.csv?unit=zzz", 400, "Choose a unit from the list"),
])
def test_bad_filters_get_a_clear_message_never_a_500(lead, trust, world, url, status, message):
    response = lead.get(url.format(other_round=world.other_round_id,
                                   other_team=world.other_team_id, team=world.team_id))
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    text = normalize(page(response).get_text())
    assert message in text
    assert "Harbour Crisis Team" not in text


def test_another_organisations_unit_is_not_found(app, lead, trust, world):
    def south_unit() -> int:
        unit = Unit(organisation=db.session.get(Organisation, world.other_org_id), name="South")
        db.session.add(unit)
        db.session.commit()
        return unit.id

    unit_id = query(app, south_unit)
    for url in (f"/dashboard/?unit={unit_id}", f"/dashboard/trends?unit={unit_id}",
                f"/dashboard/ratings.csv?unit={unit_id}"):
        assert lead.get(url).status_code == 404, url


# --- chart images ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["radar", "distribution", "heatmap", "trend"])
def test_each_chart_is_a_cached_png_with_an_etag(lead, trust, name):
    response = lead.get(f"/dashboard/charts/{name}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")
    etag = response.headers["ETag"]
    again = lead.get(f"/dashboard/charts/{name}.png", headers={"If-None-Match": etag})
    assert again.status_code == 304
    download = lead.get(f"/dashboard/charts/{name}.png?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    assert download.headers["Cache-Control"] == "no-store"


def test_team_trend_and_compare_images(lead, trust):
    ids = list(trust.ids.values())[:3]
    for url in (f"/dashboard/charts/team-trend.png?team={ids[0]}",
                "/dashboard/charts/compare.png?" + "&".join(f"team={i}" for i in ids)):
        response = lead.get(url)
        assert response.status_code == 200 and response.data.startswith(b"\x89PNG"), url


def test_a_viewers_charts_hold_no_team_name(app, trust, world):
    """The chart data a viewer's images are drawn from: aggregates and titles only."""

    def charts() -> str:
        scope = make_scope(db.session.get(Round, world.round_id), None, named=False)
        board = dashboard(scope)
        history = trends(world.org_id, "North Trust", None, named=False)
        drawn = [organisation_radar(board), distribution_chart(board), trend_chart(history)]
        return json.dumps([asdict(chart) for chart in drawn])

    data = query(app, charts)
    assert "Median" in data
    for name in TEAMS:
        assert json.dumps(name)[1:-1] not in data


# --- downloads ------------------------------------------------------------------------------


def zip_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def test_the_lead_downloads_the_organisation_workbook(lead, trust):
    response = lead.get("/dashboard/organisation.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Cache-Control"] == "no-store"
    assert "north-trust-spring-2027-organisation.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["About", "Matrix", "Distribution", "Trend", "Actions",
                               "Completion"]
    matrix = {row[0]: row for row in book["Matrix"].iter_rows(min_row=2, values_only=True)}
    assert set(matrix) == set(TEAMS)
    riverside = matrix["Riverside CMHT"]
    assert list(riverside[3:3 + len(CHALLENGES)]) == [trust.current["Riverside CMHT"][c]
                                                     for c in CHALLENGES]
    formula = book["Matrix"]["A2"] if book["Matrix"]["A2"].value == FORMULA_TEAM else None
    assert formula is not None and formula.data_type == "s" and formula.quotePrefix
    actions = [row for row in book["Actions"].iter_rows(min_row=2, values_only=True)]
    assert {row[3] for row in actions} == {"Peer worker at ward rounds",
                                           "+Recovery college taster", "=1+1"}
    assert "lineChart" in zip_text(response.data)
    trend = list(book["Trend"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in trend] == ["Autumn 2026", "Spring 2027"]


def test_the_viewers_workbook_and_csv_name_no_team(viewer, trust):
    workbook = viewer.get("/dashboard/organisation.xlsx")
    assert workbook.status_code == 200
    assert "organisation-summary.xlsx" in workbook.headers["Content-Disposition"]
    text = zip_text(workbook.data)
    assert "Matrix" not in load_workbook(io.BytesIO(workbook.data)).sheetnames
    ratings = viewer.get("/dashboard/ratings.csv")
    assert ratings.status_code == 200 and ratings.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(ratings.get_data(as_text=True))))
    assert {row["round"] for row in rows} == {"Autumn 2026", "Spring 2027"}
    assert "team" not in rows[0]
    for name in TEAMS:
        for found in (text, ratings.get_data(as_text=True)):
            assert name not in found and "HYPERLINK" not in found
    assert "Peer worker at ward rounds" not in text  # action titles are teams' own text


def test_the_leads_csv_has_a_row_per_team_round_and_challenge(lead, trust):
    response = lead.get("/dashboard/ratings.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('north-trust-ratings.csv')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    started = len(trust.current) + len(trust.previous)
    assert len(rows) == started * len(CHALLENGES)
    assert set(rows[0]) == {"round", "round_starts_on", "team", "unit", "challenge_number",
                            "challenge_id", "challenge", "level", "level_label", "target",
                            "priority", "assessment_status"}
    assert "'" + FORMULA_TEAM in {row["team"] for row in rows}
    riverside = [row for row in rows if row["team"] == "Riverside CMHT"
                 and row["round"] == "Spring 2027"]
    assert [row["level"] for row in riverside] == [str(trust.current["Riverside CMHT"][c] or "")
                                                   for c in CHALLENGES]
    assert riverside[0]["priority"] == "yes" and riverside[0]["unit"] == BIG_UNIT


# --- the team page --------------------------------------------------------------------------


def test_the_team_page_shows_the_team_beside_the_organisation_median(facilitator, trust):
    soup = page(facilitator.get(f"/teams/{trust.ids['Riverside CMHT']}"))
    rows = table(soup, "Riverside CMHT and the organisation")
    for challenge, cells in zip(CHALLENGES, rows, strict=True):
        median, lower, upper, _ = expected_spread(trust.current, challenge)
        shown_median, middle = cells[2].split(" (") if " (" in cells[2] else cells[2].split("(")
        assert number(shown_median) == pytest.approx(median)
        low, high = middle.rstrip(")").split(" to ")
        assert (number(low), number(high)) == (pytest.approx(lower), pytest.approx(upper))
    assert "is above the organisation median on" in soup.get_text()
    image = soup.find("img", src=lambda s: s and "versus-organisation.png" in s)
    assert facilitator.get(image["src"]).data.startswith(b"\x89PNG")


def test_the_team_page_hides_a_median_of_fewer_than_three_teams(facilitator, objects, world):
    soup = page(facilitator.get(f"/teams/{world.team_id}"))
    rows = table(soup, "Riverside CMHT and the organisation")
    assert all("Fewer than 3 teams rated this" in row[2] for row in rows)


# --- a constant number of queries -----------------------------------------------------------


@dataclass
class Counted:
    client: FlaskClient
    viewer: FlaskClient
    team_ids: list[int]
    unit_id: int


def _organisation(app: Flask, name: str, teams: int) -> Counted:
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    built = query(app, lambda: build_organisation(name, teams, units=3, rounds=3,
                                                  actions_per_team=2, password_hash=cheap))
    return Counted(sign_in(app.test_client(), built.lead_email, PASSWORD),
                   sign_in(app.test_client(), built.viewer_email, PASSWORD),
                   built.team_ids, built.unit_ids[0])


def _statements(app: Flask, client: FlaskClient, url: str) -> int:
    with app.app_context(), counted_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)


LEAD_URLS = ["/dashboard/", "/dashboard/?sort=mean&dir=desc&page=2", "/dashboard/?unit={unit}",
             "/dashboard/trends", "/dashboard/trends?team={team}",
             "/dashboard/compare?team={team}&team={other}", "/dashboard/charts/radar.png",
             "/dashboard/charts/distribution.png", "/dashboard/charts/heatmap.png",
             "/dashboard/charts/trend.png", "/dashboard/charts/team-trend.png?team={team}",
             "/dashboard/charts/compare.png?team={team}&team={other}",
             "/dashboard/organisation.xlsx", "/dashboard/ratings.csv", "/teams/{team}",
             "/teams/{team}/versus-organisation.png"]
VIEWER_URLS = ["/dashboard/", "/dashboard/?unit={unit}", "/dashboard/trends",
               "/dashboard/organisation.xlsx", "/dashboard/ratings.csv"]


def test_pages_and_exports_run_the_same_queries_for_10_and_200_teams(app, world):
    small, large = _organisation(app, "Small Trust", 10), _organisation(app, "Large Trust", 200)
    counts: dict[str, tuple[int, int]] = {}
    for who, urls in (("lead", LEAD_URLS), ("viewer", VIEWER_URLS)):
        for url in urls:
            found = []
            for org in (small, large):
                client = org.client if who == "lead" else org.viewer
                found.append(_statements(app, client, url.format(
                    team=org.team_ids[0], other=org.team_ids[1], unit=org.unit_id)))
            counts[f"{who} {url}"] = (found[0], found[1])
    unequal = {url: pair for url, pair in counts.items() if pair[0] != pair[1]}
    assert not unequal, unequal
    assert max(small for small, _ in counts.values()) <= 20, counts
