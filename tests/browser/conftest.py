"""Browser fixtures: the real app served on 127.0.0.1 in a background thread, driven by
Debian's Chromium through Playwright, with axe-core run on every page a test looks at.

The app is the one tests/conftest.py builds (same migrated database, emptied per test), with
CSRF switched back on so the forms are exercised exactly as a user submits them. Each test
gets its own server on a port the OS picks, so pytest-xdist workers never collide.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Set SCREENSHOT_DIR (for example /tmp/screens) to keep screenshots of the pages tests name.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR")

_HTTP_ERROR_NOTE = re.compile(r"^Failed to load resource: the server responded with a status "
                              r"of 4\d\d")
_axe = None


def _axe_runner():
    """axe-playwright-python reads axe.min.js on construction: do that once per process."""
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    return _axe


@pytest.fixture
def app(app: Flask) -> Flask:
    """The shared test app, with CSRF protection on as in production.

    Flask-WTF reads WTF_CSRF_ENABLED on every request and form, so switching it on before the
    server starts is the same as building the app with it.
    """
    app.config["WTF_CSRF_ENABLED"] = True
    return app


class QuietHandler(WSGIRequestHandler):
    """No access log: a journey makes hundreds of requests; failures show the app's own logs."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the app on 127.0.0.1 and a free port; yields the base URL (no trailing slash)."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Site:
    """A browser tab on the live server that checks every page it is asked to look at."""

    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def visit(self, path: str, name: str | None = None, status: int = 200) -> Page:
        """Go to a path on the site, expect the status, and check the page (see check)."""
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == status, (
            f"{path}: expected {status}, got {response.status if response else None}"
        )
        self.check(name or path)
        return self.page

    def check(self, name: str) -> None:
        """Run axe-core on the current page: zero violations, or the report in the failure."""
        self.page.wait_for_load_state("load")
        results = _axe_runner().run(self.page)
        self.checked.append(name)
        assert results.violations_count == 0, (
            f"axe-core found problems on {name} ({self.page.url}):\n"
            + results.generate_report()
        )

    def screenshot(self, name: str, full_page: bool = True) -> None:
        if SCREENSHOT_DIR:
            Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"),
                                 full_page=full_page)

    def sign_in(self, email: str, password: str, visit: bool = True) -> None:
        """Sign in through the form (from the sign-in page already open unless visit)."""
        if visit:
            self.visit("/sign-in", "sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.base_url + "/")
        self.check("home")

    def console(self, message) -> None:
        """Keep console errors (a CSP refusal shows up here), except for the browser's own
        note that a page came back 4xx, which tests of error pages expect."""
        if message.type == "error" and not _HTTP_ERROR_NOTE.search(message.text):
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def outside_requests(self) -> list[str]:
        local = re.compile(rf"^{re.escape(self.base_url)}/|^data:")
        return [url for url in self.requests if not local.match(url)]


@pytest.fixture
def site(browser: Browser, live_server: str) -> Iterator[Site]:
    """A fresh browser context per test (no shared cookies), 1280 px wide."""
    with open_site(browser, live_server) as tab:
        yield tab


@contextmanager
def open_site(browser: Browser, base_url: str, width: int = 1280,
              height: int = 900) -> Iterator[Site]:
    """A browser context of its own (another person's device), checked like `site`."""
    context = browser.new_context(viewport={"width": width, "height": height},
                                  accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Site(page=page, base_url=base_url)
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on("pageerror", lambda error: tab.problems.append(f"script error: {error}"))
    page.on("console", tab.console)
    page.on("response", lambda response: tab.problems.append(
        f"{response.status} for {response.url}")
        if response.status >= 400 and response.request.resource_type != "document" else None)
    try:
        yield tab
    finally:
        context.close()
    assert tab.outside_requests() == [], "pages asked for something outside the site"
    assert tab.problems == [], "the browser reported errors"
