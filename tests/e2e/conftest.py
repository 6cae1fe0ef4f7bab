"""The browser side of the suite: Debian's Chromium driven by pytest-playwright against
pytest-django's `live_server` on PostgreSQL.

Every page a test opens is watched: a console error, a failed request, an HTTP error the test did
not expect, or any request to an origin other than the live server (blocked) fails the test, and a
full-page screenshot of each page loaded is kept under var/screenshots/<test>/<n>.png.

Without /usr/bin/chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (CI sets it):
then a missing browser fails them, so CI can never pass with the journeys silently skipped.
"""

import contextlib
import datetime
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections
from django.test import Client
from playwright.sync_api import sync_playwright


def _keep_database_connections_thread_local():
    """With a running event loop in the thread, Django's connection handler (an asgiref Local,
    thread_critical) keeps its connections per context instead of per thread: once Playwright has
    started, the test thread would get new connection objects, without the serialized contents that
    serialized rollback restores from, and every transactional test after the first browser test
    (browser or not) would lose the rows the migrations create. The test thread is sync code: its
    connections stay plain thread-locals, as they are before Playwright starts."""
    storage = getattr(connections._connections, "_storage", None)
    if isinstance(storage, threading.local):
        connections._connections = storage


_keep_database_connections_thread_local()

# Debian's Chromium; CHROMIUM=<path> points elsewhere (the tests of the skipping rule use a missing one).
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# The fixtures of pytest-playwright that start a browser; a test using none of them needs no browser.
BROWSER_FIXTURES = frozenset({"page", "context", "new_context", "browser", "browser_type", "launch_browser"})
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# The day the journeys happen on: the builders' report runs through 2026.
TODAY = datetime.date(2026, 11, 27)
PASSWORD = "correct-horse-battery-9"  # tests/builders.person's password


def browser_required(environ) -> bool:
    return environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def browser_gate(fixturenames, *, chromium: Path | None = None, environ=None) -> None:
    """Let a test that needs a browser run only when Chromium is there: otherwise skip it, or,
    when the browser is required, fail it."""
    chromium = chromium or CHROMIUM
    if not BROWSER_FIXTURES.intersection(fixturenames) or chromium.exists():
        return
    if browser_required(os.environ if environ is None else environ):
        pytest.fail(missing_browser_message(chromium, required=True), pytrace=False)
    pytest.skip(missing_browser_message(chromium, required=False))


def missing_browser_message(chromium: Path, *, required: bool) -> str:
    if required:
        return f"REQUIRE_BROWSER=1 but {chromium} is missing: the browser tests cannot run"
    return f"{chromium} is missing: browser tests skipped (install chromium; REQUIRE_BROWSER=1 makes this a failure)"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture is set up, so that a missing browser neither launches nor waits for one.
    browser_gate(item.fixturenames)


# --- The browser -----------------------------------------------------------------------------


# pytest-playwright starts Playwright once per session. Here it lives only as long as the browser
# tests (package scope): its event loop, running in the test thread, would otherwise stay for the
# tests after them, which need no browser and must not run beside a loop (nor inherit the switch
# below, as a subprocess running `check --deploy` would). So `playwright` and the fixtures built on
# it are defined again with this package's scope.


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts):
    """Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
    browser steps are plain blocking calls, which Django refuses inside a loop unless told otherwise,
    for as long as the loop runs."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(driver)
    try:
        yield driver
    finally:
        driver.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    """One browser for all the browser tests."""
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (Playwright's own download cannot reach its servers here), headless unless
    --headed is asked for, with nothing that calls home."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": browser_type_launch_args.get("headless", True),
        "args": LAUNCH_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative paths in page.goto() go to the live server."""
    return live_server.url


@pytest.fixture(scope="package")
def browser_context_args(base_url):
    return {"base_url": base_url, "viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """The server's today (the default as-of date and reporting date), in the live server's thread too."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


# --- Watching every page ---------------------------------------------------------------------


class Tab:
    """One browser page of a test: it goes where the test says, screenshots each page it arrives at,
    and collects what went wrong on the way (the `tab` fixture fails the test on any of it).

    Navigate with `tab.goto(path)` or `with tab.navigation(): <click>`, which wait for the page to
    load and take its screenshot. A page that loads some other way is counted, and a load without
    its screenshot is reported too, so that no page goes unseen."""

    def __init__(self, page, *, origin: str, folder: Path):
        self.page = page
        self.origin = origin
        self.folder = folder
        self.problems: list[str] = []
        self.expected_statuses: dict[str, int] = {}
        self.loads = 0
        self.screenshots: list[Path] = []

    def attach(self):
        page = self.page
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"JavaScript error on {page.url}: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("load", self._on_load)
        page.route(lambda url: not self.is_own(url), self._block_foreign)

    # Navigation --------------------------------------------------------------------------------

    def goto(self, path: str, *, status: int = 200):
        """Open `path` on the live server; the response must have `status` (a 404 the test provokes
        is then not a problem)."""
        if status >= 400:
            self.expect_status(path, status)
        response = self.page.goto(path)
        assert response is not None and response.status == status, f"{path}: HTTP {response and response.status}"
        self.arrived()
        return response

    @contextlib.contextmanager
    def navigation(self):
        """Wrap the click that leaves the page: waits for the next page, then screenshots it."""
        with self.page.expect_navigation() as navigation:
            yield navigation
        self.arrived()

    def arrived(self):
        self.page.wait_for_load_state("load")
        return self.screenshot()

    def screenshot(self):
        path = self.folder / f"{len(self.screenshots) + 1}.png"
        self.page.screenshot(path=path, full_page=True)
        self.screenshots.append(path)
        return path

    def expect_status(self, path: str, status: int):
        """A response for `path` is meant to be `status`."""
        self.expected_statuses[urlsplit(path).path] = status

    # What the browser reports --------------------------------------------------------------------

    def is_own(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _on_load(self, page):
        self.loads += 1

    def _on_console(self, message):
        if message.type != "error":
            return
        location = (message.location or {}).get("url", "")
        # Chromium logs each 4xx/5xx response as a console error: one the test expects is no problem.
        if message.text.startswith("Failed to load resource") and self._expected(location):
            return
        self.problems.append(f"console error on {self.page.url}: {message.text} ({location})")

    def _on_request_failed(self, request):
        if not self.is_own(request.url):
            return  # reported when it was blocked
        if request.failure == "net::ERR_ABORTED" and request.resource_type == "document":
            return  # a link that downloads a file (the Excel ledger) aborts the would-be page load
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _on_response(self, response):
        if response.status >= 400 and self.is_own(response.url) and not self._expected(response.url, response.status):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def _expected(self, url: str, status: int | None = None) -> bool:
        expected = self.expected_statuses.get(urlsplit(url).path)
        return expected is not None and status in (None, expected)

    def _block_foreign(self, route):
        self.problems.append(f"request to another origin blocked: {route.request.method} {route.request.url}")
        route.abort("blockedbyclient")

    def finish(self) -> list[str]:
        if self.loads > len(self.screenshots):
            self.problems.append(
                f"{self.loads} pages loaded but {len(self.screenshots)} screenshots taken: "
                "navigate with tab.goto() or `with tab.navigation():`"
            )
        return self.problems


def _folder_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", node_name).strip("-")


@pytest.fixture(scope="session")
def migrated_data(django_db_setup, django_db_blocker):
    """The rows the migrations create (the role groups …), kept across the flushes of browser tests.

    A browser test commits its data for the live server's thread to read, so the database is flushed
    after it and restored from the migrated state before the next one (serialized rollback). The last
    flush would leave the kept (--reuse-db) test database without those rows for the next run, so
    they are put back once the session ends."""
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents is not None and '"auth.group"' not in contents:
        pytest.fail(
            f"The test database {connection.settings_dict['NAME']} lost the rows its migrations create "
            "(an interrupted browser run?): run once with --create-db.",
            pytrace=False,
        )
    yield
    if contents:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            connection.creation.deserialize_db_from_string(contents)
            # The rows came back with their ids: move each sequence past them, or the next run's
            # migrate (a model added meanwhile gets its content type) collides with them.
            models = apps.get_models(include_auto_created=True)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)


@pytest.fixture
def new_context(new_context, django_db_serialized_rollback, migrated_data):
    """Every browser context (and so every page) of a test comes with the migrated rows restored."""
    return new_context


@pytest.fixture
def tab(context, live_server, request):
    """A watched page (see Tab); whatever went wrong on it fails the test at its end."""
    folder = SCREENSHOTS / _folder_name(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tab = Tab(context.new_page(), origin=live_server.url, folder=folder)
    tab.attach()
    yield tab
    problems = tab.finish()
    tab.page.close()
    if problems:
        pytest.fail("The browser saw problems:\n" + "\n".join(f"- {problem}" for problem in problems), pytrace=False)


@pytest.fixture
def page(tab):
    return tab.page


# --- Signing in ------------------------------------------------------------------------------


def sign_in_by_form(tab, username: str, password: str = PASSWORD):
    """Sign in as a person does: the login page, the two fields, the button."""
    tab.goto("/accounts/login/")
    tab.page.get_by_label("用户名").fill(username)
    tab.page.get_by_label("密码").fill(password)
    with tab.navigation():
        tab.page.locator("main").get_by_role("button", name="登录").click()


@pytest.fixture
def sign_in(context, live_server):
    """Sign `user` in without the login form: a session made server-side, its cookie put in the
    browser. Journey 1 signs in through the form; the others start signed in, which is faster."""

    def sign_in_as(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return sign_in_as
