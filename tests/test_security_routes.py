"""Issue 17, finding 3: hostile input reaches no 500, on any route, under DEBUG off; the API answers every error
in JSON.

Every named route of the URL conf (the list of tests/test_security_scope.py) is first requested plainly by each
role, with every QueryDict look-up recorded: the parameters a route reads for that role are the keys it asked
for, and the keys of the `?…` links it rendered (Django admin reads its filters by iterating, and links every
one of them). Then each of those parameters alone gets each hostile value."""

import json
import re
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db import transaction
from django.http import QueryDict
from django.test import override_settings
from django.urls import reverse

from ledger.models import ApiToken
from reportgov import middleware

from . import test_security_scope as scope
from .test_foundation import run_python

HOSTILE = {
    "NUL": "%00",
    "lone surrogate": "%ED%A0%80",  # UTF-8 of U+D800, which is no character
    "first day": quote("0001-01-01"),
    "last day": quote("9999-12-31"),
    "10^30": "1" + "0" * 30,
    "100 000 characters": "x" * 100_000,
}
LINK_QUERY = re.compile(r'href="[^"?]*\?([^"#]*)')


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


world = scope.world


def parameters_read(client, url, monkeypatch):
    """The query keys a GET of `url` looks up, and those of the links it renders."""
    keys = set()
    for method in ("get", "__getitem__", "__contains__", "getlist"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, _original=original, **kwargs):
            keys.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, recording)
    try:
        response = client.get(url)
    finally:
        monkeypatch.undo()
    if response.get("Content-Type", "").startswith("text/html"):
        for query in LINK_QUERY.findall(response.content.decode()):
            keys.update(key for key, _value in parse_qsl(query.replace("&amp;", "&"), keep_blank_values=True))
    return {key for key in keys if isinstance(key, str) and key != "csrfmiddlewaretoken"}


def answers(client, url, query):
    try:
        with transaction.atomic():  # a database error must not hide the requests after it
            return client.get(url, QUERY_STRING=query).status_code
    except Exception as error:  # the test client re-raises what a view raised: that is a 500
        return f"500 ({error.__class__.__name__}: {str(error)[:120]})"


def hostile_problems(names, world, monkeypatch, roles=scope.ROLES, more_keys=lambda name: set()):
    problems, tried = [], 0
    for name in names:
        url = scope.url_of(name, world)
        for role in roles:
            client = scope.client_for(world, role)
            for key in sorted(parameters_read(client, url, monkeypatch) | more_keys(name)):
                for label, value in HOSTILE.items():
                    status = answers(client, url, f"{quote(key)}={value}")
                    tried += 1
                    if not isinstance(status, int) or status >= 500:
                        problems.append(f"GET {url}?{key}=<{label}> as {role}: {status}")
    return problems, tried


@override_settings(DEBUG=False)
def test_no_parameter_of_any_page_gives_a_server_error_for_any_role(world, monkeypatch):
    problems, tried = hostile_problems(scope.APP_ROUTES, world, monkeypatch)
    assert problems == [], "\n".join(problems)
    assert tried > 1000  # the parameters were found, not an empty walk


# --- Django admin's lists: their filters and date drill-downs ------------------------------------------------------

ADMIN_LISTS = [name for name in scope.ADMIN_ROUTES if name.endswith("_changelist")]


def model_admin_of(name):
    return next(
        model_admin
        for model, model_admin in admin.site._registry.items()
        if name == f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
    )


def drill_down_keys(name):
    """A list's date drill-down parameters: linked only when its rows fall in one month, so named from its admin."""
    field = model_admin_of(name).date_hierarchy
    return {f"{field}__{part}" for part in ("year", "month", "day")} if field else set()


@pytest.fixture
def admin_world(world):
    """Rows in every list whose filters offer only the values present (the login records' path_info)."""
    seen = {"username": "somebody", "ip_address": "127.0.0.1", "user_agent": "test", "path_info": "/login/"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    return world


@override_settings(DEBUG=False)
def test_no_filter_or_date_drill_down_of_any_admin_list_gives_a_server_error(admin_world, monkeypatch):
    problems, tried = hostile_problems(
        ADMIN_LISTS, admin_world, monkeypatch, roles=("admin",), more_keys=drill_down_keys
    )
    assert problems == [], "\n".join(problems)
    assert tried > 300


DATE_LISTS = [name for name in ADMIN_LISTS if model_admin_of(name).date_hierarchy]


@override_settings(DEBUG=False)
@pytest.mark.parametrize("name", DATE_LISTS)
@pytest.mark.parametrize(
    "drill_down",
    [
        {"year": "9999"},
        {"year": "9999", "month": "12"},
        {"year": "9999", "month": "12", "day": "31"},
        {"year": "0"},
        {"year": "2026", "month": "1" + "0" * 30},
        {"year": "2026", "month": "3", "day": "1" + "0" * 30},
        {"year": "2026", "month": "2", "day": "30"},
    ],
    ids=lambda drill_down: "-".join(drill_down.values())[:20],
)
def test_a_date_drill_down_past_the_calendar_is_an_incorrect_lookup_not_a_server_error(admin_world, name, drill_down):
    field = model_admin_of(name).date_hierarchy
    query = "&".join(f"{field}__{part}={value}" for part, value in drill_down.items())
    response = scope.client_for(admin_world, "admin").get(scope.url_of(name, admin_world), QUERY_STRING=query)
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


@override_settings(DEBUG=False)
def test_a_date_drill_down_inside_the_calendar_lists_the_rows_of_that_day(admin_world):
    url = reverse("admin:targets_progressentry_changelist")
    year = admin_world["report"].year
    client = scope.client_for(admin_world, "admin")
    on_the_day = client.get(url, {"reported_on__year": year, "reported_on__month": 3, "reported_on__day": 31})
    the_day_after = client.get(url, {"reported_on__year": year, "reported_on__month": 4, "reported_on__day": 1})
    assert on_the_day.context["cl"].result_count == 2
    assert the_day_after.context["cl"].result_count == 0
    last_year = client.get(reverse("admin:axes_accesslog_changelist"), {"attempt_time__year": 9998})
    assert last_year.status_code == 200 and last_year.context["cl"].result_count == 0


@override_settings(DEBUG=False)
def test_the_users_department_filter_lists_that_departments_people_and_ignores_a_value_that_is_no_id(
    admin_world, dept_a
):
    client = scope.client_for(admin_world, "admin")
    url = reverse("admin:auth_user_changelist")
    listed = client.get(url, {"department": dept_a.pk})
    assert [user.username for user in listed.context["cl"].result_list] == [admin_world["users"]["reporter_a"].username]
    for no_id in ("fgw", "1e3", "１", "-1"):
        response = client.get(url, {"department": no_id})
        assert response.status_code == 200, no_id
        assert response.context["cl"].result_count == client.get(url).context["cl"].result_count


# --- A NUL or a lone surrogate in a query or a form: refused before anything reads it --------------------------------

# The test client encodes a str as UTF-8 and Django decodes the query as the request's declared charset: one that
# decodes `\\ud800` to a lone surrogate lets it through to request.GET, as a client can.
SURROGATE_CHARSET = {"CONTENT_TYPE": "text/plain; charset=unicode_escape"}


def refused_in_chinese(response):
    assert response.status_code == 400, response.content[:300]
    assert str(middleware.UNREADABLE_REQUEST) in response.content.decode()
    return response


@override_settings(DEBUG=False)
def test_a_nul_or_a_lone_surrogate_in_a_query_is_refused_in_chinese_and_the_same_parameter_without_it_is_read(
    client, report
):
    public = reverse("public")
    refused_in_chinese(client.get(public, QUERY_STRING="report=%00"))
    refused_in_chinese(client.get(public, QUERY_STRING="re%00port=" + report.code))
    refused_in_chinese(client.get(public, QUERY_STRING="report=%5Cud800", **SURROGATE_CHARSET))
    read = client.get(public, QUERY_STRING=f"report={report.code}", **SURROGATE_CHARSET)
    assert read.status_code == 200 and report.title in read.content.decode()


@override_settings(DEBUG=False)
def test_under_the_api_a_nul_in_the_query_is_a_json_400_and_without_it_the_ledger_answers(client, reporter_a, report):
    secret = ApiToken.objects.issue(user=reporter_a)[1]
    url = reverse("api-ledger")
    refused = client.get(url, QUERY_STRING="report=%00", headers={"Authorization": f"Token {secret}"})
    assert json_error(refused, 400) == str(middleware.UNREADABLE_REQUEST)
    assert refused.json()["request_id"] == refused["X-Request-ID"]
    read = client.get(url, QUERY_STRING=f"report={report.code}", headers={"Authorization": f"Token {secret}"})
    assert read.status_code == 200 and read["Content-Type"].startswith("application/json")


@override_settings(DEBUG=False)
@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_nul_in_a_form_field_or_its_name_is_refused_and_stores_nothing_and_the_same_form_without_it_is_recorded(
    world, encoding
):
    client = scope.client_for(world, "reporter_a")
    url = scope.url_of("record-progress", world)
    target = world["target_a"]
    before = target.entries.count()

    def post(data):
        if encoding == "multipart":
            return client.post(url, data)
        return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")

    refused_in_chinese(post({**scope.progress_for_a(world), "note": "一季度\x00完成"}))
    refused_in_chinese(post({**scope.progress_for_a(world), "no\x00te": "一季度完成"}))
    assert target.entries.count() == before
    assert post({**scope.progress_for_a(world), "note": "一季度完成"}).status_code == 302
    assert target.entries.latest("id").note == "一季度完成"


# --- The JSON API -------------------------------------------------------------------------------


def api_post(client, target, body, *, user, content_type="application/json"):
    secret = ApiToken.objects.issue(user=user)[1]
    url = reverse("api-record-progress", kwargs={"code": target.code})
    return client.post(url, body, content_type=content_type, headers={"Authorization": f"Token {secret}"})


def progress(target, **extra):
    return {"reported_on": f"{target.report.year}-03-31", "value": "2", **extra}


def json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda target: json.dumps(progress(target, note="\ud800")), id="lone surrogate in the note"),
        pytest.param(lambda target: "[" * 100_000 + "]" * 100_000, id="nested 100 000 deep"),
        pytest.param(
            lambda target: json.dumps(progress(target, note="说明"), ensure_ascii=False).encode("gb18030"),
            id="not UTF-8",
        ),
    ],
)
def test_an_unreadable_api_body_is_a_json_400_and_stores_nothing(client, reporter_a, target_a, body):
    response = api_post(client, target_a, body(target_a), user=reporter_a)
    assert json_error(response, 400) == "请求内容不是有效的 JSON。"
    assert not target_a.entries.exists()


@override_settings(DEBUG=False)
def test_a_readable_api_body_with_chinese_and_astral_characters_is_recorded(client, reporter_a, target_a):
    response = api_post(client, target_a, json.dumps(progress(target_a, note="一季度 𠀀 完成")), user=reporter_a)
    assert response.status_code == 201, response.content[:300]
    assert target_a.entries.get().note == "一季度 𠀀 完成"


@override_settings(DEBUG=False)
def test_every_api_error_is_answered_in_json(client, reporter_a, official, target_a, monkeypatch):
    client.force_login(reporter_a)
    assert json_error(client.get("/api/v1/no-such-thing"), 404) == "没有找到该地址或对象。"
    not_allowed = client.get(reverse("api-record-progress", kwargs={"code": target_a.code}))
    assert json_error(not_allowed, 405) == "该地址不支持此请求方法。"
    assert not_allowed["Allow"] == "POST"
    assert json_error(client.post(reverse("api-ledger")), 405)
    assert json_error(api_post(client, target_a, json.dumps(progress(target_a)), user=official), 403)

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("ledger.rows.ledger", broken)
    client.raise_request_exception = False
    failed = client.get(reverse("api-ledger"))
    assert json_error(failed, 500) == str(middleware.API_ERRORS[500])
    assert failed.json()["request_id"] == failed["X-Request-ID"]
    assert failed["X-Content-Type-Options"] == "nosniff"


@override_settings(DEBUG=False)
def test_pages_outside_the_api_keep_their_html_error_pages(client, reporter_a):
    client.force_login(reporter_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- Proxy trust (finding 7) ------------------------------------------------------------------------

BELIEVES_FORWARDED_PROTO = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "reportgov.settings"
django.setup()
from django.test import RequestFactory
request = RequestFactory().get("/", headers={"X-Forwarded-Proto": "https"})
print(request.is_secure())
"""


@pytest.mark.parametrize(("proxies", "believed"), [("0", "False"), ("", "False"), ("1", "True"), ("2", "True")])
def test_x_forwarded_proto_is_believed_only_when_a_proxy_is_declared(proxies, believed):
    """With DEBUG off and gunicorn on 0.0.0.0, any client could send X-Forwarded-Proto: https."""
    environment = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "SECRET_KEY": "s" * 50}
    if proxies:
        environment["REPORTGOV_TRUSTED_PROXIES"] = proxies
    result = run_python(BELIEVES_FORWARDED_PROTO, **environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == believed
