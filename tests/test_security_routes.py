"""Issue 17, finding 3: hostile input reaches no 500, on any route, under DEBUG off; the API answers every error
in JSON.

Every named route of the URL conf (the list of tests/test_security_scope.py) is first requested plainly by each
role, with every QueryDict look-up recorded: the parameters a route reads for that role are the keys it asked
for, and the keys of the `?…` links it rendered (Django admin reads its filters by iterating, and links every
one of them). Then each of those parameters alone gets each hostile value."""

import json
import re
from urllib.parse import parse_qsl, quote

import pytest
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


def hostile_problems(names, world, monkeypatch, roles=scope.ROLES):
    problems, tried = [], 0
    for name in names:
        url = scope.url_of(name, world)
        for role in roles:
            client = scope.client_for(world, role)
            for key in sorted(parameters_read(client, url, monkeypatch)):
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
