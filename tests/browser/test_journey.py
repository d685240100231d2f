"""The core loop in a real browser: sign in, rate the ten challenges, agree, see the radar and
its table, add two actions, download the Excel action plan and read it back.

axe-core runs on every page the tests visit (Site.visit / Site.check), and no page may ask
for anything outside the site (checked when the `site` fixture closes).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from io import BytesIO

import pytest
from flask import Flask
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from assessment.frameworks import default_framework
from tests.builders import World, make_action, make_assessment

from .conftest import Site

pytestmark = pytest.mark.browser

FRAMEWORK = default_framework()
# What the team agrees, challenge by challenge: level, target, evidence note, priority.
LEVELS = [2, 3, 1, 4, 2, 3, 2, 1, 3, 2]
TARGETS = [3, 4, 2, 4, 3, 4, 3, 2, 4, 3]
PRIORITIES = {"interactions", "workforce"}
SHEETS = ["Summary", "Action plan", "Evidence", "About"]
ACTIONS = [
    {"challenge": "workforce", "title": "Peer support worker in ward rounds",
     "lead": "Sam Okafor", "status": "in_progress", "due": "2027-07-31"},
    # A title that a spreadsheet would run as a formula if written carelessly.
    {"challenge": "interactions", "title": "=HYPERLINK(\"http://example.invalid\",\"Open\")",
     "lead": "Priya Shah", "status": "not_started", "due": "2027-09-30"},
]


def evidence_for(number: int) -> str:
    return f"Evidence note {number}: what people using the service told us"


def test_facilitator_rates_agrees_plans_and_downloads(site: Site, world: World) -> None:
    page = site.page

    # A wrong password is refused with an error summary that passes axe too.
    site.visit("/sign-in", "sign-in")
    assert page.locator("input[name=csrf_token]").input_value(), "CSRF should be on"
    page.get_by_label("Email address").fill(world.facilitator_email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Enter a correct email address and password").first.wait_for()
    site.check("sign-in with an error")

    site.sign_in(world.facilitator_email, world.password, visit=False)
    page.get_by_role("link", name="Riverside CMHT").click()
    site.check("team page before rating")
    team_url = page.url

    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url(re.compile(r"/assessment$"))
    site.check("assessment overview")
    overview_url = page.url

    # An empty evidence note is fine, but a level must be chosen: clear the choice to see
    # the error, and check nothing typed is lost.
    page.get_by_role("link", name=f"1. {FRAMEWORK.challenges[0].title}").click()
    site.check("rate page")
    site.screenshot("rate-desktop")
    page.get_by_label("What makes us say this?").fill("Typed before the error")
    clear_level(site)
    page.get_by_role("button", name="Save and continue").click()
    page.locator(".nhsuk-error-summary").wait_for()
    site.check("rate page with an error")
    site.screenshot("rate-error")
    assert page.get_by_label("What makes us say this?").input_value() == "Typed before the error"

    for number, (challenge, level, target) in enumerate(
        zip(FRAMEWORK.challenges, LEVELS, TARGETS, strict=True), start=1
    ):
        assert page.locator("h1").inner_text() == f"{number}. {challenge.title}"
        label = f"{level}. {FRAMEWORK.level_label(level)}"
        page.get_by_label(label, exact=True).check()
        page.get_by_label("Target level for the next round").select_option(str(target))
        page.get_by_label("What makes us say this?").fill(evidence_for(number))
        if challenge.id in PRIORITIES:
            page.get_by_label(re.compile("one of our priorities")).check()
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_load_state("load")
        # Every rate page is the same template with other words: axe the next one and the
        # last, which keeps the suite quick (an axe run takes about half a second).
        if number + 1 in (2, len(FRAMEWORK.challenges)):
            site.check(f"rate page {number + 1}")

    assert page.url == overview_url
    assert "10 of 10" in page.locator("main").inner_text()
    site.screenshot("overview")
    page.get_by_role("button", name="Mark as agreed").click()
    page.get_by_text("The assessment is agreed").first.wait_for()
    site.check("overview, agreed")

    site.visit(team_url.removeprefix(site.base_url), "team page, agreed")
    check_radar_and_table(site)

    for number, action in enumerate(ACTIONS, start=1):
        page.get_by_role("link", name="Add an action").click()
        site.check("action form")
        if number == 1:
            page.get_by_label("Start date").fill("2027-08-01")
            page.get_by_label("Due date").fill("2027-07-01")
            page.get_by_role("button", name="Save action").click()
            page.locator(".nhsuk-error-summary").wait_for()
            site.check("action form with errors")
            site.screenshot("action-form-errors")
            summary = page.locator(".nhsuk-error-summary").inner_text()
            assert "Select the challenge" in summary and "Enter a title" in summary
            assert "due date must be the same as or after" in summary
        fill_action(site, action, number)
        page.get_by_role("button", name="Save action").click()
        page.wait_for_url(re.compile(r"/teams/\d+(\?.*)?(#action-plan)?$"))
        site.check("team page with actions")
    for action in ACTIONS:
        assert page.get_by_role("link", name=action["title"], exact=True).is_visible()
    site.screenshot("team")

    workbook, raw, filename = download_plan(site)
    assert filename == "riverside-cmht-spring-2027-action-plan.xlsx"
    check_workbook(workbook, raw)

    site.visit("/no-such-page", "404 page", status=404)
    site.visit(f"/teams/{world.other_team_id}", "another trust's team", status=404)
    assert len(site.checked) >= 15
    assert site.requests and site.outside_requests() == []


def clear_level(site: Site) -> None:
    """Leave the level question unanswered (a browser offers no way to untick a radio)."""
    site.page.evaluate("document.querySelectorAll('input[type=radio]')"
                       ".forEach(radio => { radio.checked = false; })")


def fill_action(site: Site, action: dict[str, str], number: int) -> None:
    page = site.page
    page.get_by_label("Challenge it serves").select_option(action["challenge"])
    page.get_by_label("Title").fill(action["title"])
    page.get_by_label("What will be done").fill(f"What we will do, part {number}")
    page.get_by_label("Lead", exact=True).fill(action["lead"])
    page.get_by_label("People with lived experience involved").fill("Two peer workers")
    page.get_by_label("Start date").fill("2027-03-15")
    page.get_by_label("Due date").fill(action["due"])
    page.get_by_label("Status").select_option(action["status"])
    page.get_by_label("How success will be measured").fill("Fewer complaints about ward rounds")
    page.get_by_label("Review note").fill("")


def check_radar_and_table(site: Site) -> None:
    """The radar image loaded, and its table beside it shows the numbers the team agreed."""
    page = site.page
    radar = page.locator("img[src*='radar.png']")
    radar.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=radar.element_handle())
    assert radar.evaluate("img => img.naturalWidth") > 0
    assert radar.get_attribute("alt")

    rows = page.locator("table:has(caption:text('Levels by challenge')) tbody tr")
    assert rows.count() == len(FRAMEWORK.challenges)
    for index, (challenge, level, target) in enumerate(
        zip(FRAMEWORK.challenges, LEVELS, TARGETS, strict=True)
    ):
        row = rows.nth(index)
        heading = row.locator("th").inner_text()
        assert heading.startswith(f"{challenge.number}. {challenge.title}")
        assert ("Priority" in heading) == (challenge.id in PRIORITIES)
        cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
        assert cells[0] == str(level)
        assert cells[-1] == str(target)


def download_plan(site: Site) -> tuple[Workbook, bytes, str]:
    page = site.page
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the action plan (Excel)").click()
    download = info.value
    assert download.failure() is None
    with open(download.path(), "rb") as file:
        raw = file.read()
    return load_workbook(BytesIO(raw)), raw, download.suggested_filename


def header_columns(ws: Worksheet, row: int) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[row] if cell.value}


def find_row(ws: Worksheet, column: int, value: str) -> int:
    for cell in ws.iter_cols(min_col=column, max_col=column).__next__():
        if cell.value == value:
            return cell.row
    raise AssertionError(f"{value!r} not found in column {column} of {ws.title}")


def check_workbook(workbook: Workbook, raw: bytes) -> None:
    visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
    assert visible == SHEETS

    summary = workbook["Summary"]
    assert summary.cell(find_row(summary, 1, "Team"), 2).value == "Riverside CMHT"
    header = find_row(summary, 1, "No.")
    columns = header_columns(summary, header)
    for offset, (challenge, level, target) in enumerate(
        zip(FRAMEWORK.challenges, LEVELS, TARGETS, strict=True), start=1
    ):
        def value(name: str, row: int = header + offset):
            return summary.cell(row, columns[name]).value

        assert value("No.") == challenge.number
        assert value("Challenge") == challenge.title
        assert value("Level") == level
        assert value("Level label") == FRAMEWORK.level_label(level)
        assert value("Target") == target
        assert (value("Priority") == "Yes") == (challenge.id in PRIORITIES)

    plan = workbook["Action plan"]
    columns = header_columns(plan, 1)
    titles = {plan.cell(row, columns["Action"]).value: row for row in range(2, plan.max_row + 1)}
    for action in ACTIONS:
        cell = plan.cell(titles[action["title"]], columns["Action"])
        assert cell.data_type == "s", f"{cell.value!r} was written as {cell.data_type}"
    validations = plan.data_validations.dataValidation
    assert validations, "the Action plan sheet has no drop-down lists"
    assert any(v.type == "list" and "In progress" in (v.formula1 or "") for v in validations)

    evidence = workbook["Evidence"]
    notes = {cell.value for row in evidence.iter_rows() for cell in row}
    assert all(evidence_for(n) in notes for n in range(1, len(LEVELS) + 1))

    with zipfile.ZipFile(BytesIO(raw)) as archive:
        charts = [n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert charts, "no chart part in the workbook"
        assert any(b"radarChart" in archive.read(name) for name in charts)


def test_team_name_starting_with_equals_is_text_in_the_workbook(site: Site, world: World) -> None:
    """A lead sets up a team called '=1+2 Ward' on the set-up pages; it stays text."""
    page = site.page
    name = "=1+2 Ward"
    site.sign_in(world.lead_email, world.password)
    page.get_by_role("link", name="Organisation set-up").first.click()
    site.check("organisation set-up")
    site.screenshot("organisation")

    page.get_by_role("link", name="Add a unit").click()
    site.check("add a unit")
    page.get_by_role("button", name="Add unit").click()
    page.locator(".nhsuk-error-summary").wait_for()
    site.check("add a unit with an error")
    page.get_by_label("Unit name").fill("Inpatient services")
    page.get_by_role("button", name="Add unit").click()
    page.get_by_text("Unit 'Inpatient services' added.").wait_for()
    site.check("organisation set-up, unit added")

    page.get_by_role("link", name="Open a new round").click()
    site.check("open a round")
    page.get_by_label("Round name").fill("Autumn 2027")
    page.get_by_label("Start date").fill("2027-10-01")
    page.get_by_label("End date").fill("2027-09-01")
    page.get_by_role("button", name="Open round").click()
    page.locator(".nhsuk-error-summary").wait_for()
    site.check("open a round with an error")

    site.visit("/organisation/teams/new", "add a team")
    page.get_by_role("button", name="Add team").click()
    page.locator(".nhsuk-error-summary").wait_for()
    site.check("add a team with an error")
    page.get_by_label("Team name").fill(name)
    page.get_by_label("Unit (directorate or service line)").select_option(
        label="Inpatient services")
    page.get_by_role("button", name="Add team").click()
    page.get_by_text(f"Team '{name}' added.").wait_for()
    site.check("organisation set-up, team added")

    site.visit("/", "home")
    page.get_by_role("link", name=name).click()
    site.check("new team's page")
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url(re.compile(r"/assessment$"))
    site.check("new team's overview")
    page.get_by_role("link", name=f"1. {FRAMEWORK.challenges[0].title}").click()
    page.get_by_label("3. Development", exact=True).check()
    page.get_by_label("What makes us say this?").fill("+44 is not a number, -1 is not a sum")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Back to all challenges").click()
    page.get_by_role("link", name=f"Back to {name}").click()
    site.check("new team's page, rated")

    workbook, _, filename = download_plan(site)
    assert filename == "1-2-ward-spring-2027-action-plan.xlsx"
    summary = workbook["Summary"]
    cell = summary.cell(find_row(summary, 1, "Team"), 2)
    assert cell.value == name
    assert cell.data_type == "s", "the team name was written as a formula"
    evidence = workbook["Evidence"]
    note = next(c for row in evidence.iter_rows() for c in row
                if c.value == "+44 is not a number, -1 is not a sum")
    assert note.data_type == "s"


def test_rating_pages_fit_a_phone(site: Site, world: World, app: Flask) -> None:
    """At 360 px wide (a small phone) no page of the rating loop scrolls sideways."""
    with app.app_context():
        from assessment.extensions import db
        from assessment.models import Round, Team

        team = db.session.get(Team, world.team_id)
        make_assessment(team, db.session.get(Round, world.round_id), {"interactions": 2})
        # An action plan with long words and dates, which a five-column table cannot fit.
        make_action(team, "See https://intranet.example.nhs.uk/recovery/peer-support-pathway",
                    lead="Dr Bartholomew Featherstonehaugh-Cholmondeley",
                    due_on=date(2026, 2, 18))
        db.session.commit()
    page = site.page
    page.set_viewport_size({"width": 360, "height": 740})
    site.sign_in(world.facilitator_email, world.password)
    base = f"/teams/{world.team_id}/rounds/{world.round_id}/assessment"
    pages = {
        "rate page at 360px": f"{base}/{FRAMEWORK.challenges[1].id}",
        "overview at 360px": base,
        "team page at 360px": f"/teams/{world.team_id}",
        "home at 360px": "/",
    }
    too_wide = {}
    for name, path in pages.items():
        site.visit(path, name)
        site.screenshot(name.replace(" ", "-"))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide[name] = width
    assert too_wide == {}, f"pages wider than the phone: {too_wide}"

    # The rated first challenge: an unanswered level is an error that fits the phone too;
    # then 'Not rated yet' is a choice like any level and saving it moves on.
    first = f"{base}/{FRAMEWORK.challenges[0].id}"
    site.visit(first, "rated rate page at 360px")
    clear_level(site)
    page.get_by_role("button", name="Save and continue").click()
    page.locator(".nhsuk-error-summary").wait_for()
    site.check("rate page at 360px with an error")
    site.screenshot("rate-error-at-360px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_label("Not rated yet", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(site.base_url + pages["rate page at 360px"])

