"""Scope: who may see and do what, proved for every route.

The matrix walks every named URL of the URL conf × {anonymous, reporter A, reporter B, supervisor,
official, admin} × {GET, POST}. Path arguments name department A's objects, so reporter B is the
outsider. Each request must answer as the ROUTES table says, and — unless the table names that
role as a writer of that route — leave every table of the database exactly as it was (a fingerprint
of all rows, not a count). A route that nobody has classified fails
`test_every_route_has_an_expectation`: new routes must be added to the table.

Django admin's routes (generated per model) follow one rule for the whole `admin` namespace:
anyone who is not staff is sent to the admin login; an admin's GET never errs.
"""

import datetime
import functools
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from ledger.models import ApiToken
from targets import services
from targets.models import ProgressEntry

from . import builders
from .fingerprint import changed_tables, database_fingerprint

ROLES = ("anonymous", "reporter_a", "reporter_b", "supervisor", "official", "admin")
SIGNED_IN = ROLES[1:]

LOGIN = "login"  # a redirect to the login page
ADMIN_LOGIN = "admin-login"  # a redirect to the admin's login page
OK = {200}
OK_OR_REDIRECT = {200, 302}
NOT_YOURS = {403, 404}  # someone else's object looks like no object, or is refused
FORBIDDEN = {403}
NOT_ALLOWED = {405}
NO_SERVER_ERROR = set(range(200, 500))


@dataclass(frozen=True)
class Route:
    """What each role gets from one route. `get`/`post`: role -> expected (a set of statuses, or
    LOGIN); roles not named get `default_get`/`default_post`. `writers`: roles whose POST of
    `post_data` may change the database (everyone else's must change nothing)."""

    default_get: object = frozenset(OK)
    default_post: object = frozenset(NOT_ALLOWED)
    get: dict = field(default_factory=dict)
    post: dict = field(default_factory=dict)
    kwargs: object = None  # world -> path kwargs
    post_data: object = None  # world -> form data (or a JSON body for json=True)
    json: bool = False
    writers: frozenset = frozenset()

    def expected(self, method, role):
        table, default = (self.get, self.default_get) if method == "GET" else (self.post, self.default_post)
        return table.get(role, default)


def signed_in(*, get=OK, post=NOT_ALLOWED, **extra):
    """A page for anyone logged in (its rows narrowed to what the user may see)."""
    return Route(
        default_get=get,
        default_post=post,
        get={"anonymous": LOGIN, **extra.pop("get_roles", {})},
        post={"anonymous": LOGIN, **extra.pop("post_roles", {})},
        **extra,
    )


def supervisors_only(*, get=OK, post=NOT_ALLOWED, **extra):
    """督查 pages: supervisors and admins; reporters and officials are refused."""
    refused = {"reporter_a": FORBIDDEN, "reporter_b": FORBIDDEN, "official": FORBIDDEN}
    return signed_in(get=get, post=post, get_roles=dict(refused), post_roles=dict(refused), **extra)


def target_a(world):
    return {"report_code": world["target_a"].report.code, "code": world["target_a"].code}


def progress_for_a(world):
    target = world["target_a"]
    return {"reported_on": min(timezone.localdate(), target.deadline).isoformat(), "value": "3", "note": "矩阵测试"}


WRITERS = frozenset({"reporter_a", "supervisor", "admin"})

ROUTES = {
    # --- Accounts (django.contrib.auth) --------------------------------------------------------
    "login": Route(default_post=OK),  # an empty POST is a form with errors
    # Logging out writes (the session goes, axes notes the time): that is what it is for.
    "logout": Route(default_get=NOT_ALLOWED, default_post={302}, writers=frozenset(SIGNED_IN)),
    "password_change": signed_in(post=OK),
    "password_change_done": signed_in(),
    "password_reset": Route(default_post=OK),
    "password_reset_done": Route(),
    "password_reset_confirm": Route(
        default_post=OK_OR_REDIRECT, kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Route(),
    "set_language": Route(default_get={200, 204, 302}, default_post={200, 204, 302}),
    # --- Pages -------------------------------------------------------------------------------
    "home": Route(default_get={302}, default_post={302}, get={"anonymous": OK}, post={"anonymous": OK}),
    "status-css": Route(default_post=OK),
    "favicon": Route(),  # the app's icon, for everyone; a POST is refused (405)
    "target-list": signed_in(),
    "target-detail": signed_in(
        kwargs=target_a, post=OK, get_roles={"reporter_b": NOT_YOURS}, post_roles={"reporter_b": NOT_YOURS}
    ),
    "record-progress": signed_in(
        kwargs=target_a,
        post={302},
        get_roles={"reporter_b": NOT_YOURS, "official": FORBIDDEN},
        post_roles={"reporter_b": NOT_YOURS, "official": FORBIDDEN},
        post_data=progress_for_a,
        writers=WRITERS,
    ),
    # 佐证材料: the target's visibility (the world's entries carry no file: 404; tests/test_evidence.py downloads).
    "evidence": signed_in(
        get={200, 404}, kwargs=lambda w: {"pk": w["target_a"].entries.first().pk}, get_roles={"reporter_b": {404}}
    ),
    "evidence-legacy": signed_in(get={302, 404}, kwargs=lambda w: {"name": "evidence/test/A1.1.01/none.pdf"}),
    # 报告状态: anyone who sees the report reads it; only supervisors and admins change it (an empty POST
    # is a form with errors: nothing changes).
    "report-state": signed_in(
        kwargs=lambda w: {"report_code": w["target_a"].report.code},
        post=OK,
        post_roles={"reporter_a": FORBIDDEN, "reporter_b": FORBIDDEN, "official": FORBIDDEN},
    ),
    "progress-import": signed_in(post=OK, get_roles={"official": FORBIDDEN}, post_roles={"official": FORBIDDEN}),
    "progress-import-confirm": signed_in(get=NOT_ALLOWED, post={200, 302, 400}, post_roles={"official": FORBIDDEN}),
    "dashboard": signed_in(),
    "ledger-xlsx": signed_in(),
    "living-report": signed_in(post={200, 405}),
    "glossary": signed_in(post={200, 405}),
    "search": signed_in(post={200, 405}),
    "practical-tasks": signed_in(post={200, 405}),
    "public": Route(default_post={200, 405}),  # 政务公开: anonymous by design, read-only
    # --- 督查 (supervision) -------------------------------------------------------------------
    "supervision:index": supervisors_only(),
    "supervision:review-queue": supervisors_only(),
    # An empty POST is a decision not taken: back to the queue, nothing stored.
    "supervision:review-entry": supervisors_only(
        get=NOT_ALLOWED, post={302}, kwargs=lambda w: {"pk": w["target_a"].entries.first().pk}
    ),
    # 批量审核: an empty POST ticks nothing: back to the queue, nothing stored.
    "supervision:review-batch": supervisors_only(get=NOT_ALLOWED, post={302}),
    "supervision:periods": supervisors_only(),
    "supervision:close-period": supervisors_only(get=NOT_ALLOWED, post={302, 404}),
    "supervision:reopen-period": supervisors_only(get=NOT_ALLOWED, post={302}),
    "supervision:reminders": supervisors_only(),
    # 发送催办 sends what is due today (and logs it) for supervisors and admins.
    "supervision:send-reminders": supervisors_only(
        get=NOT_ALLOWED, post={302}, writers=frozenset({"supervisor", "admin"})
    ),
    "supervision:steps-css": Route(default_post=NOT_ALLOWED),
    # 补报申请: anyone with a department (an empty POST is a form with errors); decided by supervisors.
    "supervision:reopen-request-new": signed_in(
        post=OK, get_roles={"official": FORBIDDEN}, post_roles={"official": FORBIDDEN}
    ),
    "supervision:reopen-request-decide": supervisors_only(get=NOT_ALLOWED, post={302, 404}, kwargs=lambda w: {"pk": 1}),
    "supervision:extensions": signed_in(),
    "supervision:extension-new": signed_in(
        kwargs=target_a,
        post=OK,
        get_roles={"reporter_b": NOT_YOURS, "official": NOT_YOURS},
        post_roles={"reporter_b": NOT_YOURS, "official": NOT_YOURS},
    ),
    "supervision:extension-decide": supervisors_only(get=NOT_ALLOWED, post={302, 404}, kwargs=lambda w: {"pk": 1}),
    "supervision:ranking": signed_in(get_roles={"reporter_a": FORBIDDEN, "reporter_b": FORBIDDEN}),
    "supervision:circular": signed_in(get_roles={"reporter_a": FORBIDDEN, "reporter_b": FORBIDDEN}),
    # --- 起草 (drafting): supervisors and admins; the world holds no draft, so theirs is a 404 ----
    "drafting:upload": supervisors_only(post=OK),  # an empty POST is a form with errors
    "drafting:review": supervisors_only(get={404}, post={404}, kwargs=lambda w: {"pk": 1}),
    "drafting:edit": supervisors_only(get={404}, post={404}, kwargs=lambda w: {"pk": 1, "target_id": 1}),
    **{
        name: signed_in(
            get=NOT_ALLOWED,
            post={404},
            kwargs=kwargs,
            post_roles={"reporter_a": FORBIDDEN, "reporter_b": FORBIDDEN, "official": FORBIDDEN},
        )
        for name, kwargs in (
            ("drafting:decide", lambda w: {"pk": 1, "target_id": 1}),
            ("drafting:add-clause", lambda w: {"pk": 1}),
            ("drafting:bulk", lambda w: {"pk": 1}),
            ("drafting:publish", lambda w: {"pk": 1}),
        )
    },
    # --- JSON API: a token for writes, a token or the session for reads ----------------------
    "api-ledger": Route(get={"anonymous": {401}}),
    "api-dashboard": Route(get={"anonymous": {401}}),
    # A browser session cannot write through the API (it is CSRF-exempt because it takes tokens only).
    "api-record-progress": Route(
        default_get=NOT_ALLOWED,
        default_post={401},
        kwargs=lambda w: {"code": w["target_a"].code},
        post_data=lambda w: progress_for_a(w),
        json=True,
    ),
}

ADMIN_NAMESPACE_ROUTES = {
    "admin:login": Route(default_post=OK, get={"admin": OK_OR_REDIRECT}, post={"admin": OK_OR_REDIRECT}),
    # Logging out is harmless for anyone, and writes for whoever was logged in.
    "admin:logout": Route(default_get={302, 405}, default_post=OK_OR_REDIRECT, writers=frozenset(ROLES)),
}
ADMIN_RULE = Route(
    default_get=ADMIN_LOGIN,
    default_post=ADMIN_LOGIN,
    get={"admin": {200, 302, 403, 404}},
    post={"admin": None},  # an admin's writes in admin are admin's own business (and its tests')
)


def url_patterns():
    """(name, pattern) of every named route, including those added after this test was written."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern

    return dict(walk(get_resolver().url_patterns, "", None))


ALL_ROUTES = url_patterns()


def route_for(name):
    if name.startswith("admin:"):
        return ADMIN_NAMESPACE_ROUTES.get(name, ADMIN_RULE)
    return ROUTES[name]


def test_every_route_has_an_expectation():
    unclassified = sorted(name for name in ALL_ROUTES if not name.startswith("admin:") and name not in ROUTES)
    assert unclassified == [], f"classify these routes in ROUTES of {__name__}: {unclassified}"


def test_the_table_names_no_route_that_is_gone():
    assert sorted(set(ROUTES) - set(ALL_ROUTES)) == []


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(report, dept_a, dept_b, reporter_a, reporter_b, supervisor, official, admin_user, target_a, target_b):
    for target, user in ((target_a, reporter_a), (target_b, reporter_b)):
        builders.entry(target, datetime.date(report.year, 3, 31), 2, user=user, note="一季度")
    return {
        "report": report,
        "target_a": target_a,
        "target_b": target_b,
        "users": {
            "reporter_a": reporter_a,
            "reporter_b": reporter_b,
            "supervisor": supervisor,
            "official": official,
            "admin": admin_user,
        },
    }


def client_for(world, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def admin_kwargs(name, pattern, world):
    """Fill an admin route's path arguments with a real object where there is one."""
    kwargs = {}
    for key in pattern.pattern.converters or _regex_groups(pattern):
        if key == "app_label":
            kwargs[key] = "targets"
        elif key == "content_type_id":
            kwargs[key] = ContentType.objects.get_for_model(world["target_a"]).pk
        elif key in ("object_id", "id"):
            kwargs[key] = _object_of(name, world)
        else:
            kwargs[key] = "1"
    return kwargs


def _regex_groups(pattern):
    return list(pattern.pattern.regex.groupindex)


def _object_of(name, world):
    action_name = name.split(":", 1)[1]
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if action_name.startswith(prefix):
            obj = model._default_manager.order_by("pk").first()
            if obj is not None:
                return str(obj.pk)
    return str(world["target_a"].pk)


def url_of(name, world):
    route = route_for(name)
    if name.startswith("admin:"):
        return reverse(name, kwargs=admin_kwargs(name, ALL_ROUTES[name], world))
    return reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)


def problems_with(response, expected, where):
    status = response.status_code
    if expected == LOGIN:
        ok = status == 302 and response["Location"].startswith(reverse("login"))
    elif expected == ADMIN_LOGIN:
        ok = status == 302 and response["Location"].startswith(reverse("admin:login"))
    else:
        ok = status in expected
    wanted = expected if isinstance(expected, str) else sorted(expected)
    return [] if ok else [f"{where}: got {status}, expected {wanted}"]


def walk_matrix(names, world):
    """Every route of `names` × every role × GET and POST; the list of everything that was not as declared."""
    problems = []
    for name in names:
        route = route_for(name)
        url = url_of(name, world)
        for role in ROLES:
            client = client_for(world, role)
            before = database_fingerprint()
            for method in ("GET", "POST"):
                expected = route.expected(method, role)
                if expected is None:
                    continue
                if method == "GET":
                    response = client.get(url)
                else:
                    data = route.post_data(world) if route.post_data else {}
                    if route.json:
                        response = client.post(url, json.dumps(data), content_type="application/json")
                    else:
                        response = client.post(url, data)
                problems += problems_with(response, expected, f"{method} {url} as {role}")
                if method == "GET" and role in route.writers:  # a writer's GET must not write either
                    changed = changed_tables(before, database_fingerprint())
                    problems += [f"GET {url} as {role} changed {changed}"] if changed else []
            if role not in route.writers:
                changed = changed_tables(before, database_fingerprint())
                problems += [f"{url} as {role} changed {changed}"] if changed else []
    return problems


# One world for many routes: the matrix is about the routes, and building the world per route
# would cost more than walking it. Every problem is listed, not only the first.
APP_ROUTES = sorted(name for name in ALL_ROUTES if not name.startswith("admin:"))
ADMIN_ROUTES = sorted(name for name in ALL_ROUTES if name.startswith("admin:"))


@pytest.mark.parametrize("names", [APP_ROUTES, ADMIN_ROUTES], ids=["app", "admin"])
def test_every_route_answers_each_role_as_declared_and_writes_only_for_writers(names, world):
    assert walk_matrix(names, world) == []


def test_writers_really_write_through_the_matrix_route(world):
    """The matrix's writers are not vacuous: the same POST does store an entry for reporter A."""
    before = ProgressEntry.objects.filter(target=world["target_a"]).count()
    response = client_for(world, "reporter_a").post(url_of("record-progress", world), progress_for_a(world))
    assert response.status_code == 302
    assert ProgressEntry.objects.filter(target=world["target_a"]).count() == before + 1


@pytest.mark.parametrize(
    ("role", "may"),
    [("reporter_a", True), ("co_reporter", True), ("supervisor", True), ("admin", True)]
    + [("reporter_b", False), ("official", False), ("staff_without_group", False)],
)
def test_the_service_writes_exactly_where_the_rule_allows(world, role, may):
    """record_progress checks the permission in its own locking statement (roles.writable_targets
    compiled to SQL): the lead department's and a co-department's reporters, supervisors and admins
    write; another department's reporter, an official and a user with no role are refused, and
    nothing is written."""
    target = world["target_a"]
    co_department = builders.department("co", "配合单位")
    target.co_departments.add(co_department)
    users = dict(world["users"])
    users["co_reporter"] = builders.person("co-reporter", builders.REPORTER, co_department)
    users["staff_without_group"] = builders.person("no-role", None, co_department)
    day = min(timezone.localdate(), target.deadline)
    before = ProgressEntry.objects.filter(target=target).count()
    record = functools.partial(services.record_progress, target=target, reported_on=day, value=Decimal(3))
    if may:
        record(user=users[role])
        assert ProgressEntry.objects.filter(target=target).count() == before + 1
    else:
        with pytest.raises(PermissionDenied):
            record(user=users[role])
        assert ProgressEntry.objects.filter(target=target).count() == before


# --- The API with tokens ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("reporter_a", 201), ("supervisor", 201), ("admin", 201), ("reporter_b", 404), ("official", 403)],
)
def test_api_writes_only_where_the_tokens_owner_may(world, role, status):
    token, secret = ApiToken.objects.issue(user=world["users"][role], name="test")
    # Used a moment ago: its last use is not written again within the minute, so a refused write changes nothing.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    before = database_fingerprint()
    response = Client().post(
        reverse("api-record-progress", args=[world["target_a"].code]),
        json.dumps(progress_for_a(world)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {secret}",
    )
    assert response.status_code == status, response.content
    if status != 201:
        assert changed_tables(before, database_fingerprint()) == []


def test_a_revoked_or_made_up_token_is_refused(world):
    token, secret = ApiToken.objects.issue(user=world["users"]["reporter_a"], name="old")
    token.revoked = True
    token.save()
    url = reverse("api-record-progress", args=[world["target_a"].code])
    for header in (f"Token {secret}", "Token not-a-real-token", "Bearer whatever"):
        response = Client().post(url, "{}", content_type="application/json", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


# --- Lists, exports, the dashboard and the API hold only permitted rows -----------------------


def codes_in(text, world):
    return {code for code in (world["target_a"].code, world["target_b"].code) if code in text}


@pytest.mark.parametrize(("role", "sees"), [("reporter_a", {"a"}), ("reporter_b", {"b"}), ("official", {"a", "b"})])
def test_lists_and_exports_hold_only_the_rows_the_user_may_see(world, role, sees):
    expected = {world[f"target_{x}"].code for x in sees}
    client = client_for(world, role)
    page = client.get(reverse("target-list")).content.decode()
    assert codes_in(page, world) == expected
    csv = client.get(reverse("target-list"), {"_export": "csv"}).content.decode("utf-8-sig")
    assert codes_in(csv, world) == expected
    api = client.get(reverse("api-ledger")).json()
    assert {row["code"] for row in api["targets"]} == expected
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(reverse("ledger-xlsx")).getvalue()), read_only=True)
    cells = " ".join(str(c) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row)
    assert codes_in(cells, world) == expected


def test_the_dashboard_and_search_of_reporter_b_know_nothing_of_department_a(world):
    target_a = world["target_a"]
    target_a.name = "甲单位专有目标"
    target_a.save()
    client = client_for(world, "reporter_b")
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert target_a.code not in dashboard and target_a.name not in dashboard
    found = client.get(reverse("search"), {"q": "甲单位专有"}).content.decode()
    assert target_a.code not in found
    api = client.get(reverse("api-dashboard")).content.decode()
    assert target_a.code not in api
    # The dashboard counts one target for reporter B, two for the official.
    assert _total_in_dashboard_api(client) == 1
    assert _total_in_dashboard_api(client_for(world, "official")) == 2


def _total_in_dashboard_api(client):
    return client.get(reverse("api-dashboard")).json()["totals"]["targets"]


def test_a_reporter_cannot_move_a_target_to_another_department(world):
    """Reporters have no admin and no route that edits a target: the only write they have,
    recording progress, ignores any other field posted with it."""
    target_a, dept_b = world["target_a"], world["target_b"].lead_department
    client = client_for(world, "reporter_a")
    data = {**progress_for_a(world), "lead_department": dept_b.pk, "lead_department_id": dept_b.pk}
    assert client.post(url_of("record-progress", world), data).status_code == 302
    target_a.refresh_from_db()
    assert target_a.lead_department_id != dept_b.pk
    response = client.post(reverse("admin:targets_target_change", args=[target_a.pk]), {"lead_department": dept_b.pk})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    target_a.refresh_from_db()
    assert target_a.lead_department_id != dept_b.pk


def test_history_is_for_supervisors_and_admins_only(world):
    url = url_of("target-detail", world)
    history_marker = 'id="change-history"'
    assert history_marker not in client_for(world, "reporter_a").get(url).content.decode()
    assert client_for(world, "reporter_b").get(url).status_code == 404
    assert history_marker in client_for(world, "supervisor").get(url).content.decode()
