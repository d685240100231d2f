"""Helpers for the test-client web tests: reading pages the way a user would, and data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.security import generate_password_hash

from assessment.extensions import db
from assessment.frameworks import default_framework
from assessment.models import Organisation, Role, Round, Team
from tests.builders import (
    PASSWORD,
    World,
    make_action,
    make_assessment,
    make_user,
    make_workshop,
)
from tests.conftest import normalize, sign_in

CHALLENGES = default_framework().challenge_ids
FIRST = CHALLENGES[0]

T = TypeVar("T")


_CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt takes 0.1-0.2 s a hash, and every sign-in checks one. These tests are about
    pages, not the KDF, so their users get a cheap hash (about 25 s saved on the suite).
    Checking still goes through User.check_password; the app itself keeps werkzeug's default."""
    monkeypatch.setattr("tests.builders._password_hash", lambda: _CHEAP_HASH)
    monkeypatch.setattr(
        "assessment.models.generate_password_hash",
        partial(generate_password_hash, method="pbkdf2:sha256:1"),
    )


def query(app: Flask, fn: Callable[[], T]) -> T:
    """Run fn in a fresh app context (a clean session) and return its result."""
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def summary_errors(soup: BeautifulSoup) -> list[str]:
    """The messages in the NHS error summary at the top of the page."""
    box = soup.select_one(".nhsuk-error-summary")
    assert box is not None, "no error summary on the page"
    return [normalize(a.get_text()) for a in box.select(".nhsuk-error-summary__list a")]


def summary_links(soup: BeautifulSoup) -> dict[str, str]:
    """Error summary message -> the id of the field it links to."""
    box = soup.select_one(".nhsuk-error-summary")
    assert box is not None, "no error summary on the page"
    return {normalize(a.get_text()): a["href"].lstrip("#")
            for a in box.select(".nhsuk-error-summary__list a")}


def field_error(soup: BeautifulSoup, field_id: str) -> str:
    """The inline error message shown next to a field (NHS pattern: <id>-error)."""
    message = soup.find(id=f"{field_id}-error")
    assert message is not None, f"no inline error next to {field_id}"
    return normalize(message.get_text()).removeprefix("Error:").strip()


def assert_field_error(soup: BeautifulSoup, field_id: str, text: str) -> None:
    """The message is next to the field and in the error summary, linking to the field."""
    assert text in field_error(soup, field_id)
    links = summary_links(soup)
    matching = [href for message, href in links.items() if text in message]
    assert matching, f"{text!r} not in error summary {list(links)}"
    assert soup.find(id=matching[0]) is not None, f"summary link #{matching[0]} goes nowhere"
    assert matching[0].startswith(field_id), (matching[0], field_id)


def banner_text(soup: BeautifulSoup) -> str:
    return " ".join(normalize(b.get_text()) for b in soup.select(".nhsuk-notification-banner"))


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by the many apps the tests create (one per test)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _MemoryBytecodeCache()


@pytest.fixture(autouse=True)
def shared_compiled_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiling the NHS.UK macros takes most of a page's time in a fresh app; compile once."""
    import assessment

    configure = assessment.configure_jinja

    def configure_with_cache(app: Flask) -> None:
        configure(app)
        app.jinja_env.bytecode_cache = _TEMPLATES

    monkeypatch.setattr(assessment, "configure_jinja", configure_with_cache)


@dataclass
class Objects:
    """Ids of records beyond the basic world: an assessment and actions on each North team."""

    assessment_id: int
    action_id: int
    second_team_action_id: int
    other_team_action_id: int


@pytest.fixture
def objects(app: Flask, world: World) -> Objects:
    """An assessment for the first team in the open round (previous round rated too) with a
    live workshop, and actions on the first team, the second team and the other
    organisation's team."""

    def build() -> Objects:
        team, second, other = (db.session.get(Team, i) for i in
                               (world.team_id, world.second_team_id, world.other_team_id))
        current = db.session.get(Round, world.round_id)
        previous = db.session.get(Round, world.previous_round_id)
        make_assessment(team, previous, {c: 1 for c in CHALLENGES}, agreed=True)
        assessment = make_assessment(team, current)
        make_workshop(assessment)
        actions = [make_action(team), make_action(second, "Recovery college course"),
                   make_action(other, "Harbour peer support")]
        db.session.commit()
        return Objects(assessment.id, *(a.id for a in actions))

    return query(app, build)


SECOND_FACILITATOR = "second.facilitator@north.example.nhs.uk"


def north_user(app: Flask, world: World, email: str, role: Role,
               team_ids: tuple[int, ...] = ()) -> FlaskClient:
    """Add a user to the first organisation and return a client signed in as them."""

    def build() -> None:
        make_user(db.session.get(Organisation, world.org_id), email, role,
                  [db.session.get(Team, team_id) for team_id in team_ids])
        db.session.commit()

    query(app, build)
    return sign_in(app.test_client(), email, PASSWORD)


@pytest.fixture
def second_facilitator(app: Flask, world: World) -> FlaskClient:
    """Another facilitator assigned to the first team, in their own browser."""
    return north_user(app, world, SECOND_FACILITATOR, Role.FACILITATOR, (world.team_id,))


VIEWER = "viewer@north.example.nhs.uk"


@pytest.fixture
def viewer(app: Flask, world: World) -> FlaskClient:
    """A client signed in as a viewer of the first organisation: aggregates, no team names."""
    return north_user(app, world, VIEWER, Role.VIEWER)
