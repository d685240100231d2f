"""`make loadtest`: a live workshop under load, through HTTP only, on the real server.

Starts the app under gunicorn on 127.0.0.1 (several worker processes, so nothing can be
shared through one process's memory) on a scratch database: SQLite by default, or a scratch
PostgreSQL database with --database postgresql+psycopg://.../name (created, then dropped).
A facilitator signs in, starts a workshop and opens all ten challenges; then 100 participants
join and every one of them votes on all ten challenges at once, through a bounded pool of
connections. The votes the server says it stored are read back from the facilitator's live
counts. Everything is bounded (requests, time), and the server is stopped at the end.

Prints one line per database, for example

    participants=100 votes_sent=1000 votes_stored=1000 errors=0 p50_ms=12 p95_ms=45 database=sqlite

and exits non-zero when a vote was lost or a request failed. The goal (p95 under 150 ms on
a 2-core machine) is reported, not enforced: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from assessment import create_app  # noqa: E402
from assessment.extensions import db  # noqa: E402
from assessment.frameworks import default_framework  # noqa: E402
from assessment.models import Role  # noqa: E402
from assessment.services.accounts import create_user  # noqa: E402
from assessment.services.organisation import add_team, open_round  # noqa: E402

HOST = "127.0.0.1"
EMAIL, PASSWORD = "loadtest-lead@example.nhs.uk", "load-test-password"
SECRET = "load-test-secret-key"
GOAL_P95_MS = 150
START_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 30
CHALLENGES = default_framework().challenge_ids
LEVELS = ["1", "2", "3", "4", "not-sure"]


@dataclass
class Outcome:
    ok: bool
    ms: float
    detail: str = ""


# --- the scratch database --------------------------------------------------------------------


@contextmanager
def scratch_database(url: str | None) -> Iterator[str]:
    """A new, empty database for one run: a SQLite file, or a PostgreSQL database created
    beside the one named in url (which is left alone) and dropped afterwards."""
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="loadtest-"))
        try:
            yield f"sqlite:///{folder / 'loadtest.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    base = make_url(url)
    name = f"loadtest_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(database_url: str) -> tuple[int, int]:
    """Migrate and add an organisation, a team, an open round and a lead who runs the
    workshop; returns (team id, round id). Only set-up: the workshop itself goes over HTTP."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
        lead = create_user(EMAIL, PASSWORD, "Load Test Trust", Role.LEAD)
        team = add_team(lead.organisation_id, "Load Test Ward", None)
        round_ = open_round(lead.organisation_id, "Load test round", date(2027, 1, 1),
                            date(2027, 12, 31))
        ids = team.id, round_.id
        db.engine.dispose()
    return ids


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def redis_answers() -> bool:
    try:
        with socket.create_connection((HOST, 6379), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def gunicorn(database_url: str, workers: int, threads: int) -> Iterator[int]:
    """The app under gunicorn on 127.0.0.1 and a free port; stopped (SIGTERM, then SIGKILL)
    when the block ends, whatever happened."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
           "FLASK_DEBUG": "0"}
    if redis_answers():  # join failures are counted once for all workers, as in production
        env["RATELIMIT_STORAGE_URI"] = f"redis://{HOST}:6379/15"
    command = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"{HOST}:{port}",
               "--workers", str(workers), "--worker-class", "gthread", "--threads",
               str(threads), "--log-level", "warning", "app:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until_up(port, server)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped with exit code {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {START_TIMEOUT_S} s")


# --- HTTP clients ----------------------------------------------------------------------------


class Browser:
    """One person's connection: keeps its cookies and sends what a browser would."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"http://{HOST}:{port}"
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                accept: str = "text/html") -> tuple[int, str, float]:
        headers = {"Accept": accept, "Accept-Encoding": "identity", "Origin": self.origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read().decode()
        except (OSError, http.client.HTTPException):
            # The server closed an idle keep-alive connection: reconnect and send again,
            # which is safe because joins and votes are idempotent.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read().decode()
        elapsed_ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content, elapsed_ms


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if match is None:
        raise SystemExit("no CSRF token on the page")
    return match.group(1)


def start_workshop(port: int, team_id: int, round_id: int) -> str:
    """The facilitator's side over HTTP: sign in, start a workshop, open every challenge."""
    host = Browser(port)
    status, page, _ = host.request("GET", "/sign-in")
    status, page, _ = host.request("POST", "/sign-in", {
        "email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(page)})
    if status != 302:
        raise SystemExit(f"sign-in failed with {status}")
    _, page, _ = host.request("GET", f"/teams/{team_id}")
    base = f"/teams/{team_id}/rounds/{round_id}/workshop"
    token = csrf_token(page)
    for action in ("start", "open-all"):
        status, _, _ = host.request("POST", f"{base}/{action}", {"csrf_token": token})
        if status != 302:
            raise SystemExit(f"{action} failed with {status}")
    _, page, _ = host.request("GET", base)
    match = re.search(r'class="app-join__code">([A-Z0-9 ]+)<', page)
    if match is None:
        raise SystemExit("no join code on the workshop page")
    return match.group(1).replace(" ", "")


def live_counts(port: int, team_id: int, round_id: int) -> dict:
    host = Browser(port)
    _, page, _ = host.request("GET", "/sign-in")
    host.request("POST", "/sign-in", {"email": EMAIL, "password": PASSWORD,
                                      "csrf_token": csrf_token(page)})
    _, body, _ = host.request("GET", f"/teams/{team_id}/rounds/{round_id}/workshop/live",
                              accept="application/json")
    return json.loads(body)


# --- the load --------------------------------------------------------------------------------


def run_load(port: int, code: str, participants: int, concurrency: int
             ) -> tuple[list[Outcome], list[Outcome], float]:
    """Everyone joins, then all votes go at once through `concurrency` connections."""
    local = threading.local()

    def connection_for(person: Browser) -> Browser:
        # Each pool thread has one keep-alive connection; the person's cookie travels with
        # the request, as it would from their own phone.
        if not hasattr(local, "browser"):
            local.browser = Browser(port)
        local.browser.cookies = person.cookies
        return local.browser

    people = [Browser(port) for _ in range(participants)]

    def join(person: Browser) -> Outcome:
        status, _, ms = connection_for(person).request("POST", "/join", {"code": code})
        return Outcome(status == 200 and "participant" in person.cookies, ms, str(status))

    def vote(job: tuple[Browser, str, str]) -> Outcome:
        person, challenge, level = job
        status, body, ms = connection_for(person).request(
            "POST", f"/join/vote/{challenge}", {"level": level}, accept="application/json")
        ok = status == 200 and json.loads(body).get("ok") is True
        return Outcome(ok, ms, "" if ok else f"{status} {body[:120]}")

    chooser = random.Random(20270301)
    jobs = [(person, challenge, chooser.choice(LEVELS))
            for person in people for challenge in CHALLENGES]
    chooser.shuffle(jobs)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        joins = list(pool.map(join, people))
        started = time.perf_counter()
        votes = list(pool.map(vote, jobs))
    return joins, votes, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(database: str | None, participants: int, workers: int, threads: int,
        concurrency: int) -> bool:
    label = "sqlite" if database is None else make_url(database).get_backend_name()
    with scratch_database(database) as url:
        team_id, round_id = prepare(url)
        with gunicorn(url, workers, threads) as port:
            code = start_workshop(port, team_id, round_id)
            joins, votes, seconds = run_load(port, code, participants, concurrency)
            counts = live_counts(port, team_id, round_id)
    errors = [o for o in [*joins, *votes] if not o.ok]
    stored = sum(counts["votes"].values())
    times = [o.ms for o in votes]
    print(f"participants={counts['joined']} votes_sent={len(votes)} votes_stored={stored} "
          f"errors={len(errors)} p50_ms={statistics.median(times):.1f} "
          f"p95_ms={percentile(times, 0.95):.1f} database={label}", flush=True)
    join_times = [o.ms for o in joins]
    print(f"  joins: p50_ms={statistics.median(join_times):.1f} "
          f"p95_ms={percentile(join_times, 0.95):.1f}; votes: {len(votes) / seconds:.0f} per "
          f"second; gunicorn {workers} workers x "
          f"{threads} threads, {concurrency} connections; goal p95 < {GOAL_P95_MS} ms: "
          f"{'met' if percentile(times, 0.95) < GOAL_P95_MS else 'MISSED'}", flush=True)
    for error in errors[:5]:
        print(f"  error: {error.detail}", file=sys.stderr)
    return not errors and stored == len(votes) and counts["joined"] == participants


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append",
                        help="a PostgreSQL URL whose server gets a scratch database "
                             "(repeatable); 'sqlite' for a scratch SQLite file (default)")
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    databases = [None if d == "sqlite" else d for d in (args.database or ["sqlite"])]
    results = [run(d, args.participants, args.workers, args.threads, args.concurrency)
               for d in databases]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
