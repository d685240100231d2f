"""A live workshop through the test client: the facilitator's screens, joining, voting,
revealing, agreeing, closing, and every kind of bad input along the way."""

from __future__ import annotations

import time
from datetime import timedelta
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from openpyxl import load_workbook
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.models import Participant, Rating, Round, Team, Vote, VoteTally, Workshop
from assessment.services.assessments import start_assessment
from assessment.services.workshops import open_challenges, start_workshop
from assessment.votes import JOIN_CODE_ALPHABET, format_join_code
from tests.builders import World, build_world
from tests.conftest import normalize, page

from .conftest import CHALLENGES, FIRST, query
from .test_security import directives

SECOND = CHALLENGES[1]
JSON = {"Accept": "application/json"}


@pytest.fixture
def base(world: World) -> str:
    return f"/teams/{world.team_id}/rounds/{world.round_id}/workshop"


@pytest.fixture
def code(app: Flask, facilitator: FlaskClient, base: str) -> str:
    """The facilitator has started a workshop on Riverside's assessment: its join code."""
    response = facilitator.post(f"{base}/start")
    assert response.status_code == 302 and response.headers["Location"] == base
    return query(app, lambda: db.session.scalar(select(Workshop.join_code)))


@pytest.fixture
def opened(facilitator: FlaskClient, base: str, code: str) -> str:
    """The first challenge is open for voting."""
    response = facilitator.post(f"{base}/challenges/{FIRST}/open")
    assert response.status_code == 302
    return code


def join(app: Flask, code: str, perspective: str = "") -> FlaskClient:
    client = app.test_client()
    response = client.post("/join", data={"code": code, "perspective": perspective})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return client


def vote(client: FlaskClient, level: str, challenge: str = FIRST):
    return client.post(f"/join/vote/{challenge}", data={"level": level}, headers=JSON)


def stored_votes(app: Flask) -> list[tuple[str, int | None]]:
    return query(app, lambda: sorted(
        db.session.execute(select(Vote.challenge_id, Vote.level)).all(),
        key=str))


# --- the facilitator's side ----------------------------------------------------------------


def test_the_team_page_offers_a_workshop_and_starting_one_shows_the_join_screen(
        app, facilitator, world, base, code):
    team_page = page(facilitator.get(f"/teams/{world.team_id}"))
    assert team_page.find("button", string=lambda s: s and "Run a live workshop" in s)
    assert len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET)
    soup = page(facilitator.get(base))
    assert soup.h1.get_text(strip=True) == "Join the workshop"
    assert soup.select_one(".app-join__code").get_text(strip=True) == format_join_code(code)
    assert "localhost/join" in soup.select_one(".app-join__address").get_text()
    qr = facilitator.get(f"{base}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.data.lstrip().startswith(b"<svg") and b"<script" not in qr.data
    # Starting again (a second click, another facilitator) goes back to the same workshop.
    assert facilitator.post(f"{base}/start").status_code == 302
    assert query(app, lambda: db.session.scalar(select(func.count()).select_from(Workshop))) == 1


def test_live_counts_follow_joins_and_votes(app, facilitator, base, opened):
    assert facilitator.get(f"{base}/live").json == {"joined": 0, "votes": {}, "open": True}
    people = [join(app, opened) for _ in range(3)]
    vote(people[0], "2")
    vote(people[1], "not-sure")
    live = facilitator.get(f"{base}/live")
    assert live.json == {"joined": 3, "votes": {FIRST: 2}, "open": True}
    assert live.headers["Cache-Control"] == "no-store"
    soup = page(facilitator.get(f"{base}/challenges/{FIRST}"))
    assert "2 of 3 people have voted" in normalize(soup.get_text())
    assert "How people voted" not in soup.get_text(), "votes are hidden until revealed"


def test_revealing_shows_counts_median_spread_and_a_wide_views_flag(app, facilitator, base,
                                                                    opened):
    for level, perspective in [("1", "staff"), ("3", "staff"), ("3", "staff"), ("4", "carer"),
                               ("not-sure", "")]:
        vote(join(app, opened, perspective), level)
    assert facilitator.post(f"{base}/challenges/{FIRST}/reveal").status_code == 302
    soup = page(facilitator.get(f"{base}/challenges/{FIRST}"))
    rows = {normalize(tr.th.get_text()): normalize(tr.td.get_text())
            for tr in soup.select("table.app-votes tbody tr")}
    assert rows == {"1. Not yet started": "1", "2. Engagement": "0", "3. Development": "2",
                    "4. Transformation": "1", "Not sure": "1"}
    text = normalize(soup.get_text())
    assert "5 (1 not sure)" in text
    assert "3 (Development)" in text
    assert "Votes run from 1 (Not yet started) to 4 (Transformation), across 4 levels." in text
    assert "Views differ widely" in text
    # Three staff, one carer, one other: the carer and the other are never shown on their own.
    assert "By perspective" not in text
    assert "needs at least 3 people of a perspective" in text


def test_the_split_by_perspective_shows_groups_of_three_and_folds_the_rest(app, facilitator,
                                                                          base, opened):
    for level, perspective in [("3", "staff")] * 3 + [("2", "service_user")] * 3 + [
            ("1", "carer"), ("1", "peer_worker"), ("4", "")]:
        vote(join(app, opened, perspective), level)
    facilitator.post(f"{base}/challenges/{FIRST}/reveal")
    soup = page(facilitator.get(f"{base}/challenges/{FIRST}"))
    table = next(t for t in soup.select("table") if "By perspective" in t.caption.get_text())
    groups = [normalize(tr.th.get_text()) for tr in table.select("tbody tr")]
    assert groups == ["Staff (3)", "Person using services (3)", "Other (3)"]


def test_the_agreed_level_recorded_on_the_workshop_screen_becomes_the_rating(
        app, facilitator, world, base, opened):
    vote(join(app, opened), "3")
    facilitator.post(f"{base}/challenges/{FIRST}/reveal")
    soup = page(facilitator.get(f"{base}/challenges/{FIRST}"))
    version = soup.find("input", {"name": "version"})["value"]
    response = facilitator.post(f"{base}/challenges/{FIRST}/agree", data={
        "level": "3", "target": "4", "evidence": "Peer workers lead ward rounds",
        "version": version})
    assert response.status_code == 302
    rating = query(app, lambda: db.session.scalar(
        select(Rating).where(Rating.challenge_id == FIRST)))
    assert (rating.level, rating.target, rating.evidence) == (3, 4, "Peer workers lead ward rounds")
    # A second save from the same (now stale) form is a conflict, with the input kept.
    stale = facilitator.post(f"{base}/challenges/{FIRST}/agree", data={
        "level": "2", "target": "", "evidence": "Typed in another tab", "version": version})
    assert stale.status_code == 409
    assert "Typed in another tab" in stale.get_data(as_text=True)
    # Nothing chosen: a 400 with the error next to the field, not a 500.
    missing = facilitator.post(f"{base}/challenges/{FIRST}/agree", data={"version": "2"})
    assert missing.status_code == 400
    team = normalize(page(facilitator.get(f"/teams/{world.team_id}")).get_text())
    assert "1 of 10 challenges rated" in team


def test_closing_stops_the_code_keeps_counts_and_deletes_who_voted_what(
        app, facilitator, world, base, opened):
    voters = [join(app, opened, "staff") for _ in range(3)]
    for person, level in zip(voters, ["2", "3", "3"], strict=True):
        vote(person, level)
    facilitator.post(f"{base}/challenges/{SECOND}/open")
    vote(voters[0], "4", SECOND)  # opened, never revealed: counted at closing
    facilitator.post(f"{base}/challenges/{FIRST}/reveal")
    assert facilitator.post(f"{base}/close").status_code == 302

    late = app.test_client().post("/join", data={"code": opened})
    assert late.status_code == 410
    assert "This workshop has ended" in normalize(page(late).get_text())
    gone = voters[1].get("/join/vote")
    assert gone.status_code == 410 and "This workshop has ended" in gone.get_data(as_text=True)
    assert vote(voters[1], "1").status_code == 410

    def kept():
        participants = db.session.scalar(select(func.count()).select_from(Participant))
        votes = db.session.scalar(select(func.count()).select_from(Vote))
        tallies = {t.challenge_id: (t.counts, t.not_sure) for t in db.session.scalars(
            select(VoteTally))}
        return participants, votes, tallies

    assert query(app, kept) == (0, 0, {FIRST: ({"2": 1, "3": 2}, 0), SECOND: ({"4": 1}, 0)})
    closed = normalize(page(facilitator.get(base)).get_text())
    assert "The workshop is closed" in closed and "Start a new workshop" in closed

    workbook = load_workbook(BytesIO(facilitator.get(
        f"/teams/{world.team_id}/action-plan.xlsx").data))
    assert "Workshop" in workbook.sheetnames
    sheet = workbook["Workshop"]
    header = [c.value for c in sheet[4]]
    first = {h: c.value for h, c in zip(header, sheet[5], strict=True)}
    assert first["2. Engagement"] == 1 and first["3. Development"] == 2
    assert first["Votes"] == 3 and first["Median"] == 3 and first["Levels spanned"] == 2
    assert first["Views differ widely"] == "No"
    values = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    for personal in ("Perspective", "Person using services", "Carer", "@"):
        assert personal not in values, "no perspective or personal detail in the sheet"


def test_a_workbook_without_a_workshop_has_no_workshop_sheet(facilitator, world, objects):
    workbook = load_workbook(BytesIO(facilitator.get(
        f"/teams/{world.team_id}/action-plan.xlsx").data))
    assert "Workshop" not in workbook.sheetnames


def test_a_workshop_cannot_start_on_an_agreed_assessment(app, lead, world):
    base = f"/teams/{world.team_id}/rounds/{world.round_id}"
    lead.post(f"{base}/assessment/start")
    for challenge in CHALLENGES:
        soup = page(lead.get(f"{base}/assessment/{challenge}"))
        lead.post(f"{base}/assessment/{challenge}", data={
            "level": "2", "target": "", "evidence": "",
            "version": soup.find("input", {"name": "version"})["value"]})
    lead.post(f"{base}/assessment/agree")
    response = lead.post(f"{base}/workshop/start", follow_redirects=True)
    assert "Reopen it before running a workshop" in response.get_data(as_text=True)
    assert query(app, lambda: db.session.scalar(select(func.count()).select_from(Workshop))) == 0


WORKSHOP_ROUTES = [
    ("GET", ""), ("GET", f"/challenges/{FIRST}"), ("POST", f"/challenges/{FIRST}/open"),
    ("POST", f"/challenges/{FIRST}/reveal"), ("POST", f"/challenges/{FIRST}/agree"),
    ("POST", "/open-all"), ("POST", "/close"), ("GET", "/live"), ("GET", "/qr.svg"),
    ("POST", "/start"),
]


@pytest.fixture
def second_team_workshop(app: Flask, lead: FlaskClient, world: World) -> str:
    """The lead has started a workshop for Aurora Ward, which the facilitator does not run."""
    base = f"/teams/{world.second_team_id}/rounds/{world.round_id}/workshop"
    assert lead.post(f"{base}/start").status_code == 302
    lead.post(f"{base}/challenges/{FIRST}/open")
    return base


@pytest.mark.parametrize("method, path", WORKSHOP_ROUTES)
def test_nobody_drives_another_teams_workshop(app, facilitator, other_lead, second_team_workshop,
                                             method, path):
    """Another team's facilitator gets 403, another trust's lead 404; nothing changes."""
    before = query(app, lambda: db.session.scalar(select(Workshop.status)))
    for client, status in ((facilitator, 403), (other_lead, 404)):
        response = client.open(second_team_workshop + path, method=method)
        assert response.status_code == status, (client, path)
    signed_out = app.test_client().open(second_team_workshop + path, method=method)
    assert signed_out.status_code in (302, 401)
    assert query(app, lambda: db.session.scalar(select(Workshop.status))) == before


def test_a_team_without_a_workshop_has_no_workshop_pages(facilitator, base):
    assert facilitator.get(base).status_code == 404
    assert facilitator.get(f"{base}/live").status_code == 404


def test_an_unknown_challenge_is_not_found(facilitator, base, code):
    assert facilitator.get(f"{base}/challenges/no-such").status_code == 404
    assert facilitator.post(f"{base}/challenges/no-such/open").status_code == 404


# --- participants ----------------------------------------------------------------------------


def test_joining_shows_the_open_challenge_with_its_level_descriptors(app, opened):
    form = page(app.test_client().get(f"/join?code={opened}"))
    assert form.find("input", {"name": "code"})["value"] == opened
    client = app.test_client()
    response = client.post("/join", data={"code": f" {opened[:3].lower()}-{opened[3:]} ",
                                          "perspective": "peer_worker"})
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    soup = page(response)
    assert soup.h1.get_text(strip=True).startswith("1. ")
    radios = [i["value"] for i in soup.select('input[name="level"]')]
    assert radios == ["1", "2", "3", "4", "not-sure"]
    assert "Not sure" in soup.get_text() and "Conversations are mostly about" in soup.get_text()
    assert soup.select_one("#workshop-view")["data-view-url"] == "/join/vote"
    assert query(app, lambda: db.session.scalar(select(Participant.perspective))) == "peer_worker"


def test_joining_again_from_the_same_browser_keeps_one_participant(app, opened):
    client = join(app, opened, "staff")
    vote(client, "2")
    client.post("/join", data={"code": opened, "perspective": "carer"})
    count = query(app, lambda: db.session.scalar(select(func.count()).select_from(Participant)))
    assert count == 1
    assert stored_votes(app) == [(FIRST, 2)]


def test_a_participant_waits_until_the_facilitator_opens_a_challenge(app, facilitator, base,
                                                                     code):
    client = join(app, code)
    soup = page(client.get("/join/vote"))
    assert soup.h1.get_text(strip=True) == "You have joined the workshop"
    before = client.get("/join/state").json["state"]
    facilitator.post(f"{base}/challenges/{FIRST}/open")
    assert client.get("/join/state").json["state"] != before
    assert page(client.get("/join/vote")).h1.get_text(strip=True).startswith("1. ")


def test_votes_are_idempotent_and_can_be_changed_until_revealed(app, facilitator, base, opened):
    client = join(app, opened)
    first = vote(client, "2")
    assert first.status_code == 200 and first.json["ok"]
    assert "Your vote: 2. Engagement" in first.json["message"]
    for _ in range(3):  # a double tap, then a retry
        vote(client, "2")
    assert stored_votes(app) == [(FIRST, 2)]
    assert vote(client, "not-sure").json["level"] == "not-sure"
    assert stored_votes(app) == [(FIRST, None)]
    facilitator.post(f"{base}/challenges/{FIRST}/reveal")
    late = vote(client, "4")
    assert late.status_code == 409 and "closed for voting" in late.json["message"]
    assert stored_votes(app) == [(FIRST, None)], "the counted vote is kept"
    soup = page(client.get("/join/vote"))
    assert "Your vote (Not sure) was counted" in normalize(soup.get_text())


def test_a_vote_without_the_script_posts_and_comes_back_to_the_challenge(app, opened):
    client = join(app, opened)
    response = client.post(f"/join/vote/{FIRST}", data={"level": "3"})
    assert response.status_code == 303 and response.headers["Location"] == f"/join/vote/{FIRST}"
    soup = page(client.get(response.headers["Location"]))
    assert "Your vote: 3. Development" in soup.select_one("[data-vote-status]").get_text()
    assert soup.select_one('input[name="level"][checked]')["value"] == "3"
    assert soup.find("button", string=lambda s: s and "Change my vote" in s)


@pytest.mark.parametrize("level, status, message", [
    ("5", 400, "Choose one of the levels"), ("0", 400, "Choose one of the levels"),
    ("", 400, "Choose one of the levels"), ("<script>", 400, "Choose one of the levels"),
    ("99999999999999999999", 400, "Choose one of the levels"),
])
def test_a_level_off_the_scale_is_refused_and_the_earlier_vote_kept(app, opened, level, status,
                                                                    message):
    client = join(app, opened)
    vote(client, "2")
    response = vote(client, level)
    assert response.status_code == status and message in response.json["message"]
    page_response = client.post(f"/join/vote/{FIRST}", data={"level": level})
    assert page_response.status_code == status
    soup = page(page_response)
    assert message in soup.select_one(".nhsuk-error-summary").get_text()
    assert soup.find(id="level-error"), "the error sits next to the question"
    assert stored_votes(app) == [(FIRST, 2)]


def test_a_vote_on_a_challenge_not_yet_open_or_unknown_is_refused(app, opened):
    client = join(app, opened)
    not_open = vote(client, "2", SECOND)
    assert not_open.status_code == 409 and "has not started yet" in not_open.json["message"]
    assert vote(client, "2", "no-such-challenge").status_code == 404
    assert client.get("/join/vote/no-such-challenge").status_code == 404
    waiting = page(client.get(f"/join/vote/{SECOND}"))
    assert "has not started yet" in waiting.get_text()
    assert stored_votes(app) == []


@pytest.mark.parametrize("cookie", [None, "forged", "eyJ3IjoxLCJ0IjoieCJ9.forged-signature"])
def test_a_missing_or_forged_pass_cannot_vote(app, opened, cookie):
    client = join(app, opened)
    vote(client, "3")
    stranger = app.test_client()
    if cookie is not None:
        stranger.set_cookie("participant", cookie)
    response = vote(stranger, "1")
    assert response.status_code == 403 and "not joined" in response.json["message"]
    assert stranger.post(f"/join/vote/{FIRST}", data={"level": "1"}).status_code == 403
    assert stranger.get("/join/vote").status_code == 302  # to the join page
    assert stranger.get("/join/state").status_code == 403
    assert stored_votes(app) == [(FIRST, 3)]


def test_a_pass_signed_with_another_key_is_refused(app, opened):
    client = join(app, opened)
    token = query(app, lambda: db.session.scalar(select(Participant.token_hash)))
    forged = URLSafeSerializer("not-our-secret", salt="workshop-participant").dumps(
        {"w": 1, "t": token})
    stranger = app.test_client()
    stranger.set_cookie("participant", forged)
    assert vote(stranger, "1").status_code == 403
    assert vote(client, "1").status_code == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"},
    {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"},
])
def test_posts_from_another_site_are_refused(app, opened, headers):
    client = join(app, opened)
    response = client.post(f"/join/vote/{FIRST}", data={"level": "2"},
                           headers={**JSON, **headers})
    assert response.status_code == 403
    assert app.test_client().post("/join", data={"code": opened},
                                  headers=headers).status_code == 403
    assert stored_votes(app) == []
    same_site = client.post(f"/join/vote/{FIRST}", data={"level": "2"},
                            headers={**JSON, "Origin": "http://localhost",
                                     "Sec-Fetch-Site": "same-origin"})
    assert same_site.status_code == 200


@pytest.mark.parametrize("typed, status, message", [
    ("", 400, "Enter the join code shown on the screen"),
    ("ABC", 400, "Enter the 6-character code"),
    ("ABC23O", 400, "Enter the 6-character code"),
    ("ZZZ999", 404, "There is no workshop with this code"),
    ("x" * 500, 400, "Enter the 6-character join code"),
])
def test_mistyped_and_unknown_codes_get_a_clear_message(app, code, typed, status, message):
    response = app.test_client().post("/join", data={"code": typed, "perspective": "staff"})
    assert response.status_code == status
    soup = page(response)
    assert message in soup.select_one(".nhsuk-error-summary").get_text()
    assert soup.find(id="code-error")
    assert "set-cookie" not in {k.lower() for k in response.headers.keys()}


def test_a_perspective_off_the_list_is_an_error_not_a_500(app, code):
    response = app.test_client().post("/join", data={"code": code, "perspective": "admin"})
    assert response.status_code == 400
    assert "Select one of the options" in page(response).get_text()


def test_sixty_correct_joins_from_one_address_all_get_in_but_guessing_is_limited(app, code):
    """A ward behind one NHS address: joins do not count towards the limit, failures do."""
    for _ in range(60):
        join(app, code)
    guesser = app.test_client()
    statuses = [guesser.post("/join", data={"code": "ZZZ999"}).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    assert guesser.post("/join", data={"code": code}).status_code == 429, \
        "while limited, even a right code is refused, or guessing could go on"
    assert query(app, lambda: db.session.scalar(select(func.count()).select_from(Participant)))\
        == 60


def test_participants_need_no_csrf_token_and_their_pass_does_not_expire(
        csrf_app, monkeypatch):
    """CSRF on as in production, and the clock three hours on since the page was loaded."""
    with csrf_app.app_context():
        world = build_world()
        # The facilitator's side is tested elsewhere: start the workshop through services.
        assessment = start_assessment(db.session.get(Team, world.team_id),
                                      db.session.get(Round, world.round_id))
        workshop = start_workshop(assessment, "lead")
        open_challenges(workshop, [FIRST], FIRST)
        code = workshop.join_code
        db.session.remove()
    client = join(csrf_app, code)
    later = time.time() + 3 * 60 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert vote(client, "3").status_code == 200
    assert client.post(f"/join/vote/{FIRST}", data={"level": "4"}).status_code == 303
    assert stored_votes(csrf_app) == [(FIRST, 4)]


def test_without_a_pass_the_vote_page_sends_you_to_join(app):
    response = app.test_client().get("/join/vote")
    assert response.status_code == 302 and response.headers["Location"] == "/join"
    soup = page(app.test_client().get("/join"))
    assert soup.h1.get_text(strip=True) == "Join a workshop"


def test_participant_pages_are_compressed_and_their_files_kept_by_the_browser(app, opened):
    """The join and vote pages and what they load: compressed, under 100 kB together, and
    the CSS and script cached for good under versioned addresses (so the vote page after
    joining needs one round trip on a slow connection)."""
    compressed = {"Accept-Encoding": "br, gzip"}  # files are streamed, and so never gzipped
    client = app.test_client()
    join_page = client.get(f"/join?code={opened}", headers=compressed)
    vote_page = client.post("/join", data={"code": opened}, headers=compressed)
    assets = [tag.get("href") or tag.get("src") for tag in page(client.get("/join")).select(
        "link[rel=stylesheet], script[src]")]
    assert assets and all("?v=" in url for url in assets)
    files = [client.get(url, headers=compressed) for url in assets]
    for response in [join_page, vote_page, *files]:
        assert response.headers.get("Content-Encoding") == "br", response.request.path
    for response in files:
        assert response.cache_control.max_age == 365 * 24 * 60 * 60
        assert response.cache_control.immutable
    total = sum(len(r.get_data()) for r in [join_page, vote_page, *files])
    assert total < 100_000, total
    unversioned = client.get("/static/js/workshop.js")
    assert not unversioned.cache_control.immutable, "an address without the hash may change"


def test_participant_pages_carry_the_security_headers_and_run_no_inline_handlers(app, opened):
    client = app.test_client()
    for response in (client.get("/join"), client.post("/join", data={"code": opened})):
        csp = directives(response)
        assert csp["script-src"].startswith("'self' 'nonce-") and csp["object-src"] == "'none'"
        soup = page(response)
        nonce = csp["script-src"].split("'nonce-")[1].rstrip("'")
        assert all(s.get("src") or s.get("nonce") == nonce for s in soup.find_all("script"))
        assert not soup.find(lambda tag: any(a.startswith("on") for a in tag.attrs))
        assert not soup.find(style=True), "the CSP allows no inline styles"


def test_closing_the_round_closes_its_workshops_and_keeps_their_counts(
        app, lead, world, opened):
    person = join(app, opened, "staff")
    assert vote(person, "3").status_code == 200
    response = lead.post(f"/organisation/rounds/{world.round_id}/close")
    assert response.status_code == 302

    late = app.test_client().post("/join", data={"code": opened})
    assert late.status_code == 410
    assert vote(person, "2").status_code == 410
    tallies = query(app, lambda: [(t.challenge_id, t.counts) for t in db.session.scalars(
        select(VoteTally))])
    assert tallies == [(FIRST, {"3": 1})]


def test_a_code_stops_working_a_day_after_the_workshop_started(app, opened):
    def age_workshop() -> None:
        workshop = db.session.scalar(select(Workshop))
        workshop.created_at = workshop.created_at - timedelta(hours=25)
        db.session.commit()

    query(app, age_workshop)
    late = app.test_client().post("/join", data={"code": opened})
    assert late.status_code == 410
    assert "This workshop has ended" in normalize(page(late).get_text())
