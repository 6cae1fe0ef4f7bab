"""HTTP-level guarantees, on every route: CSRF on every state-changing browser request, GET never
writes (the scope matrix fingerprints the database around every GET), security headers and
X-Request-ID on every response, no inline script or style in any page, generic Chinese error pages,
and exports that carry values, never live formulas."""

import csv
import datetime
import io
import logging
import re

import openpyxl
import pytest
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from targets.history import ChangeEvent
from targets.models import ProgressEntry

from . import builders
from .fingerprint import changed_tables, database_fingerprint
from .test_security_scope import ALL_ROUTES, progress_for_a, url_of

pytestmark = pytest.mark.django_db

# Token-authenticated, never cookie-authenticated: no cross-site request can ride on it.
CSRF_EXEMPT_BY_DESIGN = {"api-record-progress"}

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<(?!svg|path|rect|circle|line|polyline|text|g\b)[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(report, dept_a, dept_b, reporter_a, reporter_b, supervisor, official, admin_user, target_a, target_b):
    builders.entry(target_a, datetime.date(report.year, 3, 31), 2, user=reporter_a)
    return {
        "report": report,
        "target_a": target_a,
        "target_b": target_b,
        "users": {"reporter_a": reporter_a, "official": official, "admin": admin_user, "supervisor": supervisor},
    }


def logged_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


# --- CSRF -------------------------------------------------------------------------------------


def test_every_browser_route_refuses_a_post_without_a_csrf_token(world):
    client = logged_in(world["users"]["admin"], enforce_csrf_checks=True)
    before = database_fingerprint()
    accepted = {}
    for name in sorted(set(ALL_ROUTES) - CSRF_EXEMPT_BY_DESIGN):
        url = url_of(name, world)
        response = client.post(url, progress_for_a(world))
        if response.status_code != 403:
            accepted[url] = response.status_code
    assert accepted == {}
    assert changed_tables(before, database_fingerprint()) == []


def test_the_csrf_failure_page_is_chinese_and_generic(world):
    client = logged_in(world["users"]["reporter_a"], enforce_csrf_checks=True)
    response = client.post(url_of("record-progress", world), progress_for_a(world))
    page = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in page
    assert "CSRF" not in page and "Traceback" not in page


def test_with_its_csrf_token_the_same_post_goes_through(world):
    client = logged_in(world["users"]["reporter_a"], enforce_csrf_checks=True)
    url = url_of("record-progress", world)
    form = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    response = client.post(url, {**progress_for_a(world), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ProgressEntry.objects.filter(target=world["target_a"], note="矩阵测试").exists()


def test_the_csrf_cookie_is_not_readable_by_the_session_either(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True


# --- GET never writes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "statuses"),
    [("logout", {405}), ("progress-import-confirm", {405}), ("api-record-progress", {405}), ("record-progress", {200})],
)
def test_mutating_routes_refuse_get_or_only_show_a_form(name, statuses, world):
    client = logged_in(world["users"]["reporter_a"])
    before = database_fingerprint()
    response = client.get(url_of(name, world))
    assert response.status_code in statuses
    if response.status_code == 200:
        assert 'method="post"' in response.content.decode()
    assert changed_tables(before, database_fingerprint()) == []


# --- Headers and page content on every route --------------------------------------------------


def csp_directives(header):
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


def assert_security_headers(response, where):
    assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP, where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Frame-Options"] == "DENY", where
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]), where


def assert_no_inline_code(response, where):
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    page = response.content.decode()
    assert not INLINE_SCRIPT.search(page), (where, INLINE_SCRIPT.search(page).group(0))
    assert not INLINE_HANDLER.search(page), (where, INLINE_HANDLER.search(page).group(0))
    assert not INLINE_STYLE.search(page), (where, INLINE_STYLE.search(page).group(0))
    assert not JAVASCRIPT_URL.search(page), where


@pytest.mark.parametrize("role", ["anonymous", "reporter_a", "official", "admin"])
def test_every_page_carries_the_security_headers_and_no_inline_code(role, world):
    client = Client() if role == "anonymous" else logged_in(world["users"][role])
    for name in sorted(ALL_ROUTES):
        url = url_of(name, world)
        response = client.get(url)
        assert_security_headers(response, f"GET {url} as {role}")
        assert_no_inline_code(response, f"GET {url} as {role}")


def test_error_pages_carry_the_headers_too(world, monkeypatch):
    official = logged_in(world["users"]["official"])
    responses = {
        "404": Client().get("/no-such-page/"),
        "403": official.get(url_of("record-progress", world)),
        "405": official.get(reverse("logout")),
    }
    monkeypatch.setattr("targets.views.selectors.target_ledger", _raise(OperationalError("down")))
    responses["503"] = official.get(reverse("target-list"))
    for status, response in responses.items():
        assert str(response.status_code) == status
        assert_security_headers(response, status)
        assert_no_inline_code(response, status)


def test_a_sane_incoming_request_id_is_kept_and_a_strange_one_replaced(world):
    kept = Client().get(reverse("login"), HTTP_X_REQUEST_ID="edge-4b1c2d3e-9f")
    assert kept["X-Request-ID"] == "edge-4b1c2d3e-9f"
    replaced = Client().get(reverse("login"), HTTP_X_REQUEST_ID="x\r\nSet-Cookie: evil=1")
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


def test_the_request_id_is_stored_with_the_history_of_the_change(world):
    client = logged_in(world["users"]["reporter_a"])
    response = client.post(url_of("record-progress", world), progress_for_a(world))
    entry = ProgressEntry.objects.get(note="矩阵测试")
    events = ChangeEvent.objects.tracks(entry)
    assert {event.request_id for event in events} == {response["X-Request-ID"]}


# --- Error pages: generic, Chinese, logged with the request id --------------------------------


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


def test_not_found_is_a_generic_chinese_page(world):
    response = Client().get("/targets/../etc/passwd")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "Traceback" not in page and "urlpatterns" not in page


def test_someone_elses_target_looks_like_no_target(world, reporter_b):
    client = logged_in(reporter_b)
    theirs = client.get(url_of("target-detail", world))
    nothing = client.get(reverse("target-detail", args=[world["report"].code, "NO-SUCH"]))
    assert theirs.status_code == nothing.status_code == 404
    assert theirs.content.decode().replace(theirs["X-Request-ID"], "") == nothing.content.decode().replace(
        nothing["X-Request-ID"], ""
    )


def test_a_denial_is_a_chinese_page_and_a_security_event(world, caplog):
    caplog.set_level(logging.WARNING, logger="reportgov.security")
    response = logged_in(world["users"]["official"]).get(url_of("record-progress", world))
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    logged = [r.getMessage() for r in caplog.records if r.name == "reportgov.security"]
    assert any("permission_denied" in line and "user=leader" in line for line in logged)
    assert any(response["X-Request-ID"] in line for line in logged)


def test_an_unhandled_error_is_a_chinese_500_logged_with_its_request_id(world, monkeypatch, caplog):
    monkeypatch.setattr("targets.views.selectors.target_ledger", _raise(RuntimeError("secret internals")))
    client = logged_in(world["users"]["official"], raise_request_exception=False)
    caplog.set_level(logging.ERROR, logger="django.request")
    response = client.get(reverse("target-list"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in page and "secret internals" not in page and "Traceback" not in page
    assert response["X-Request-ID"] in page  # the user can quote it
    errors = [r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR]
    assert errors and errors[-1].exc_info is not None
    assert {getattr(r, "request_id", None) for r in errors} == {response["X-Request-ID"]}


def test_database_down_in_a_view_is_a_chinese_503_with_retry_after(world, monkeypatch):
    monkeypatch.setattr("targets.views.selectors.target_ledger", _raise(OperationalError("connection refused")))
    response = logged_in(world["users"]["official"]).get(reverse("target-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "系统暂时不可用" in page and "connection refused" not in page


def test_database_down_inside_a_middleware_is_also_a_503(world, monkeypatch):
    """The history middleware resolves the user of a POST before the view runs: an outage there
    is turned into a 500 by Django before any process_exception could see it."""
    monkeypatch.setattr("targets.history.HistoryMiddleware.get_context", _raise(OperationalError("gone")))
    client = logged_in(world["users"]["reporter_a"], raise_request_exception=False)
    before = ProgressEntry.objects.count()
    response = client.post(url_of("record-progress", world), progress_for_a(world))
    assert response.status_code == 503 and "系统暂时不可用" in response.content.decode()
    assert ProgressEntry.objects.count() == before


# --- Exports never carry live formulas --------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/","点击")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1"]


@pytest.fixture
def formula_targets(world):
    for index, text in enumerate(FORMULAS):
        builders.target(world["report"], code=f"F{index}", lead=world["target_a"].lead_department, name=text)
    return world


def test_csv_export_writes_formulas_as_text(formula_targets):
    client = logged_in(formula_targets["users"]["official"])
    text = client.get(reverse("target-list"), {"_export": "csv", "per_page": 100}).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    for formula in FORMULAS:
        assert formula not in cells
        assert "'" + formula in cells


@pytest.mark.parametrize(
    ("url_name", "params"), [("target-list", {"_export": "xlsx", "per_page": 100}), ("ledger-xlsx", {})]
)
def test_excel_exports_hold_no_formula_cells(formula_targets, url_name, params):
    client = logged_in(formula_targets["users"]["official"])
    content = client.get(reverse(url_name), params, follow=True).getvalue()  # the list's XLSX is the 台账
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    names = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "@")), (sheet.title, cell.coordinate, cell.value)
                    names.add(cell.value)
    assert {"'" + formula for formula in FORMULAS} <= names
