"""Shared fixtures: an app on a real, migrated database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), emptied between tests, plus signed-in clients."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assessment import create_app
from assessment.extensions import db, limiter

from .builders import World, build_world


def _worker_database_url(base_url: str, worker: str) -> str:
    """A PostgreSQL database of this test process's own (so parallel runs never share one)."""
    url = make_url(base_url)
    name = f"{url.database}_{worker}_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = _worker_database_url(base, worker)
    yield url
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _config(database_url: str, exports: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "EXPORTS_DIR": exports,
        "RATELIMIT_ENABLED": True,
    }


@pytest.fixture(scope="session")
def migrated(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Bring the test database to the current schema once, through the real migrations."""
    app = create_app(_config(database_url, tmp_path_factory.mktemp("exports")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def app(migrated: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app on an empty, migrated database. No app context is pushed."""
    yield from _fresh_app(_config(migrated, tmp_path / "exports"))


@pytest.fixture
def csrf_app(migrated: str, tmp_path: Path) -> Iterator[Flask]:
    """Like app, but with CSRF protection on, as in production."""
    yield from _fresh_app({**_config(migrated, tmp_path / "exports"), "WTF_CSRF_ENABLED": True})


def _fresh_app(config: dict[str, object]) -> Iterator[Flask]:
    application = create_app(config)
    _empty_tables(application)
    with application.app_context():
        limiter.reset()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def world(app: Flask) -> World:
    """Two organisations with units, teams, rounds and users: see builders.build_world."""
    with app.app_context():
        return build_world()


def sign_in(client: FlaskClient, email: str, password: str) -> FlaskClient:
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def lead(app: Flask, world: World) -> FlaskClient:
    """A client signed in as the first organisation's lead."""
    return sign_in(app.test_client(), world.lead_email, world.password)


@pytest.fixture
def facilitator(app: Flask, world: World) -> FlaskClient:
    """A client signed in as a facilitator assigned to the first team only."""
    return sign_in(app.test_client(), world.facilitator_email, world.password)


@pytest.fixture
def other_lead(app: Flask, world: World) -> FlaskClient:
    """A client signed in as the lead of the second organisation."""
    return sign_in(app.test_client(), world.other_lead_email, world.password)


def normalize(text_: str) -> str:
    return re.sub(r"\s+", " ", text_).strip()


def page(response) -> BeautifulSoup:
    """Parse an HTML response and check the basics every page must get right."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    headings = soup.find_all("h1")
    assert len(headings) == 1, f"expected one h1, found {len(headings)}"
    title = normalize(soup.title.get_text())
    h1 = normalize(headings[0].get_text())
    assert title.removeprefix("Error: ").startswith(h1), (title, h1)
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate ids: {duplicates}"
    for form in soup.find_all("form"):
        assert form.get("action"), "every form needs an action"
    return soup
