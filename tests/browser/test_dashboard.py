"""The organisation dashboard in a real browser: a lead walks the dashboard, its filters, the
heatmap, trends and compare, and downloads the workbook; a viewer sees figures and no team.
axe-core runs on every page (Site.visit / Site.check) and must find nothing.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook

from assessment.extensions import db
from assessment.models import Organisation, Role
from tests.builders import World, make_user
from tests.dashboard_data import BIG_UNIT, SMALL_UNIT, TEAMS, Trust, build_trust
from tests.web.conftest import VIEWER, query

from .conftest import SCREENSHOT_DIR, Site

pytestmark = pytest.mark.browser


@pytest.fixture
def trust(app: Flask, world: World) -> Trust:
    return query(app, lambda: build_trust(world))


def element_screenshot(site: Site, selector: str, name: str) -> None:
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        site.page.locator(selector).screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"))


def test_a_lead_walks_the_dashboard_filters_heatmap_trends_and_compare(site: Site, world: World,
                                                                        trust: Trust):
    page = site.page
    site.sign_in(world.lead_email, world.password)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    site.check("dashboard")
    site.screenshot("dashboard")
    for name in ("radar", "distribution"):
        assert page.locator(f"img[src*='/charts/{name}.png']").evaluate("i => i.naturalWidth") > 0

    # The unit filter, then the heatmap sorted by mean, highest first.
    page.get_by_label("Unit").select_option(label=f"{BIG_UNIT} (4 teams)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"unit=\d+"))
    site.check("dashboard for one unit")
    page.get_by_role("link", name=re.compile(r"^Mean")).click()
    page.get_by_role("link", name=re.compile(r"^Mean")).click()
    page.wait_for_url(re.compile(r"sort=mean&dir=desc"))
    site.check("heatmap by mean")
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Mean")
    element_screenshot(site, "#heatmap ~ .app-table-scroll", "heatmap")

    # Completion links filter the heatmap to those teams.
    site.visit("/dashboard/", "dashboard again")
    page.get_by_role("link", name=re.compile(r"Show the 1 team")).click()
    site.check("teams not started")
    assert page.locator(".app-heatmap tbody tr").count() == 1

    # Trends, with one team beside the median.
    page.get_by_role("link", name="Trends across rounds").click()
    site.check("trends")
    page.get_by_label("Also show one team").select_option(label="Riverside CMHT")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Riverside CMHT across rounds").wait_for()
    site.check("trends with a team")

    # Compare: one team is not enough, three are shown on one radar.
    page.get_by_role("link", name="Compare teams").click()
    site.check("compare form")
    ids = [trust.ids["Riverside CMHT"], trust.ids["Kestrel Ward"]]
    page.get_by_label("Riverside CMHT").check()
    page.get_by_role("button", name="Compare").click()
    page.locator(".nhsuk-error-summary").wait_for()
    site.check("compare with an error")
    for name in ("Aurora Ward", "Kestrel Ward"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="Compare").click()
    heading = page.locator("#comparison")
    heading.wait_for()
    assert all(name in heading.inner_text() for name in ("Riverside CMHT", "Aurora Ward",
                                                          "Kestrel Ward"))
    site.check("comparison")
    site.screenshot("compare")
    assert page.locator("img[src*='/charts/compare.png']").evaluate("i => i.naturalWidth") > 0

    # The organisation workbook from the button.
    site.visit("/dashboard/", "dashboard for the download")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the organisation workbook (Excel)").click()
    book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    assert "Matrix" in book.sheetnames

    # On a small phone wide tables scroll inside their own region; the page does not.
    page.set_viewport_size({"width": 360, "height": 740})
    too_wide = {}
    for path in ("/dashboard/", "/dashboard/trends",
                 f"/dashboard/compare?team={ids[0]}&team={ids[1]}"):
        site.visit(path, f"{path} at 360px")
        if (width := page.evaluate("document.documentElement.scrollWidth")) > 360:
            too_wide[path] = width
    assert too_wide == {}


def test_a_viewer_sees_figures_and_never_a_team(app: Flask, site: Site, world: World,
                                                trust: Trust):
    query(app, lambda: (make_user(db.session.get(Organisation, world.org_id), VIEWER,
                                  Role.VIEWER), db.session.commit()))
    page = site.page
    site.visit("/sign-in", "sign-in")
    page.get_by_label("Email address").fill(VIEWER)
    page.get_by_label("Password").fill(world.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    site.check("viewer dashboard")
    site.screenshot("viewer-dashboard")
    text = page.locator("main").inner_text()
    assert "Median level by challenge" in text
    for name in TEAMS:
        assert name not in page.content()

    page.get_by_label("Unit").select_option(label=f"{SMALL_UNIT} (2 teams, not shown apart)")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("Fewer than 3 teams are in this group").wait_for()
    site.check("viewer, small unit")

    page.get_by_role("link", name="Trends across rounds").click()
    site.check("viewer trends")
    assert page.get_by_label("Also show one team").count() == 0
    assert site.visit("/dashboard/compare", "compare refused", status=403)
