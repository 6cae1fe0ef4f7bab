"""The rules the browser tests live by: when they run, skip or fail for want of a browser, and what
the watched page counts as a problem."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from . import conftest as e2e

ROOT = Path(settings.BASE_DIR)
MISSING = Path("/nonexistent/chromium")


@pytest.fixture
def chromium(tmp_path):
    path = tmp_path / "chromium"
    path.touch()
    return path


def test_browser_test_runs_when_chromium_is_there(chromium):
    e2e.browser_gate(["page"], chromium=chromium, environ={"REQUIRE_BROWSER": "1"})
    e2e.browser_gate(["page"], chromium=chromium, environ={})


def test_browser_test_is_skipped_without_chromium():
    with pytest.raises(pytest.skip.Exception, match="browser tests skipped"):
        e2e.browser_gate(["tab", "page", "live_server"], chromium=MISSING, environ={})


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_missing_chromium_fails_the_browser_test_when_the_browser_is_required(value):
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER=1 but /nonexistent/chromium is missing"):
        e2e.browser_gate(["page"], chromium=MISSING, environ={"REQUIRE_BROWSER": value})


@pytest.mark.parametrize("value", ["", "0", "no"])
def test_browser_is_not_required_unless_asked(value):
    with pytest.raises(pytest.skip.Exception):
        e2e.browser_gate(["browser"], chromium=MISSING, environ={"REQUIRE_BROWSER": value})


def test_a_test_without_a_browser_is_never_gated():
    e2e.browser_gate(["db", "client", "tmp_path"], chromium=MISSING, environ={"REQUIRE_BROWSER": "1"})


def test_the_setup_hook_gates_each_test_by_the_fixtures_it_uses(monkeypatch):
    monkeypatch.setattr(e2e, "CHROMIUM", MISSING)
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception):
        e2e.pytest_runtest_setup(SimpleNamespace(fixturenames=["tab", "page", "context", "browser"]))
    e2e.pytest_runtest_setup(SimpleNamespace(fixturenames=["db"]))


def run_browser_test_without_chromium(**environment):
    """A real browser test, run by pytest in a fresh process, with Chromium pointed at nothing."""
    env = {key: value for key, value in os.environ.items() if key != "REQUIRE_BROWSER"}
    env.update(CHROMIUM=str(MISSING), **environment)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e/test_language.py", "-rs", "-p", "no:randomly"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_missing_browser_fails_the_run_when_required_before_any_fixture_is_set_up():
    """What CI relies on: REQUIRE_BROWSER=1 without Chromium is a failed run, never a quiet skip.
    (Without REQUIRE_BROWSER the same hook skips, as the tests above show.)"""
    result = run_browser_test_without_chromium(REQUIRE_BROWSER="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout
    assert "REQUIRE_BROWSER=1 but /nonexistent/chromium is missing" in result.stdout


# --- What a watched page counts as a problem ---------------------------------------------------


@pytest.fixture
def watched(new_context, live_server, tmp_path):
    """A Tab outside the `tab` fixture, so that the problems it finds can be looked at, not failed on.
    The page's Content-Security-Policy is bypassed: it would stop a foreign request before the check."""
    tab = e2e.Tab(new_context(bypass_csp=True).new_page(), origin=live_server.url, folder=tmp_path)
    tab.attach()
    yield tab
    tab.page.close()


def test_request_to_another_origin_is_blocked_and_reported(watched):
    watched.goto("/accounts/login/")
    with watched.page.expect_event("requestfailed"):
        watched.page.evaluate("() => { const img = new Image(); img.src = 'https://cdn.example.com/logo.png'; }")
    assert watched.finish() == ["request to another origin blocked: GET https://cdn.example.com/logo.png"]


def test_console_errors_and_unexpected_http_errors_are_problems(watched):
    watched.goto("/accounts/login/")
    watched.page.evaluate("() => console.error('boom')")
    watched.goto("/no-such-page/", status=404)  # expected: no problem
    with watched.page.expect_response(lambda response: response.status == 404):
        watched.page.evaluate("() => fetch('/static/missing.css')")
    problems = watched.finish()
    assert any("console error" in problem and "boom" in problem for problem in problems)
    assert any(problem.startswith("HTTP 404: GET") and "/static/missing.css" in problem for problem in problems)
    # Each problem ends with the URL at fault: the expected 404 is not one of them.
    assert not any(problem.rstrip(")").endswith("/no-such-page/") for problem in problems), problems


def test_every_page_loaded_needs_its_screenshot(watched):
    watched.goto("/accounts/login/")
    assert watched.finish() == []
    assert watched.screenshots == [watched.folder / "1.png"] and watched.screenshots[0].stat().st_size > 0
    watched.page.goto("/accounts/login/")  # past tab.goto(): no screenshot
    watched.page.wait_for_load_state("load")
    assert any("2 pages loaded but 1 screenshots taken" in problem for problem in watched.finish())
