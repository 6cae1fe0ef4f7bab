"""The JSON API: token authentication, the same validation and service as the form, the same rows
as export_ledger, scoped to the caller."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from ledger.models import ApiToken
from targets import errors
from targets.models import ProgressEntry

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def token_for(user):
    return ApiToken.objects.issue(user=user)[1]


def post(client, target, payload, token):
    return client.post(
        reverse("api-record-progress", args=[target.code]),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )


def test_create_api_token_prints_a_working_token(client, reporter_a, target_a):
    out = io.StringIO()
    call_command("create_api_token", reporter_a.username, stdout=out)
    secret = out.getvalue().strip()
    assert len(secret) > 30
    assert not ApiToken.objects.filter(digest=secret).exists()  # only the digest is stored
    response = post(client, target_a, {"reported_on": "2026-11-20", "value": 4}, secret)
    assert response.status_code == 201


def test_post_progress_returns_the_ledger_row(client, reporter_a, target_a):
    response = post(
        client, target_a, {"reported_on": "2026-11-20", "value": "８", "note": "接口填报"}, token_for(reporter_a)
    )
    assert response.status_code == 201
    row = response.json()
    assert row["code"] == target_a.code
    assert (row["latest_value"], row["gap"], row["percent_complete"], row["status"]) == (8, 2, 80.0, "lagging")
    ledger = {t["code"]: t for t in call_ledger()["targets"]}
    assert row == ledger[target_a.code]
    assert ProgressEntry.objects.get().created_by == reporter_a


def call_ledger():
    out = io.StringIO()
    call_command("export_ledger", "--format", "json", "--as-of", TODAY.isoformat(), stdout=out)
    return json.loads(out.getvalue())


def test_bad_fields_get_per_field_chinese_errors(client, reporter_a, target_a):
    response = post(client, target_a, {"reported_on": "2026-12-30", "value": "abc"}, token_for(reporter_a))
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["value"] == [str(errors.NOT_A_NUMBER)]
    response = post(client, target_a, {"reported_on": "2026-12-30", "value": "3"}, token_for(reporter_a))
    assert response.json()["errors"]["reported_on"] == [str(errors.DATE_IN_FUTURE)]
    assert not ProgressEntry.objects.exists()


def test_malformed_json_is_a_clean_400(client, reporter_a, target_a):
    response = client.post(
        reverse("api-record-progress", args=[target_a.code]),
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token_for(reporter_a)}",
    )
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_missing_or_wrong_token_is_401(client, target_a, reporter_a):
    assert post(client, target_a, {"reported_on": "2026-11-20", "value": 1}, "wrong").status_code == 401
    response = client.post(
        reverse("api-record-progress", args=[target_a.code]), data="{}", content_type="application/json"
    )
    assert response.status_code == 401
    assert client.get(reverse("api-ledger")).status_code == 401


def test_revoked_token_is_refused(client, target_a, reporter_a):
    token, secret = ApiToken.objects.issue(user=reporter_a)
    token.revoked = True
    token.save()
    assert post(client, target_a, {"reported_on": "2026-11-20", "value": 1}, secret).status_code == 401


def test_reporter_cannot_post_to_another_departments_target(client, reporter_a, target_b):
    response = post(client, target_b, {"reported_on": "2026-11-20", "value": 1}, token_for(reporter_a))
    assert response.status_code == 404
    assert not ProgressEntry.objects.exists()


def test_official_can_read_but_not_post(client, official, target_a):
    response = post(client, target_a, {"reported_on": "2026-11-20", "value": 1}, token_for(official))
    assert response.status_code == 403
    assert not ProgressEntry.objects.exists()


def test_ledger_is_scoped_to_the_caller(client, reporter_a, official, target_a, target_b):
    builders.entry(target_a, "2026-10-31", 5, user=reporter_a)
    mine = client.get(reverse("api-ledger"), HTTP_AUTHORIZATION=f"Token {token_for(reporter_a)}").json()
    assert [t["code"] for t in mine["targets"]] == [target_a.code]
    everything = client.get(
        reverse("api-ledger"), {"as_of": "2026-11-01"}, HTTP_AUTHORIZATION=f"Token {token_for(official)}"
    )
    data = everything.json()
    assert {t["code"] for t in data["targets"]} == {target_a.code, target_b.code}
    assert data["as_of"] == "2026-11-01"
    assert {t["code"]: t["latest_value"] for t in data["targets"]}[target_a.code] == 5


def test_ledger_replays_as_of(client, official, reporter_a, target_a):
    builders.entry(target_a, "2026-10-31", 5, user=reporter_a)
    data = client.get(
        reverse("api-ledger"), {"as_of": "2026-10-30"}, HTTP_AUTHORIZATION=f"Token {token_for(official)}"
    ).json()
    assert data["targets"][0]["status"] == "no_data" and data["targets"][0]["latest_value"] is None


def test_export_ledger_has_the_documented_keys(report, target_a, reporter_a):
    builders.entry(target_a, "2026-10-31", Decimal("2.5"), user=reporter_a)
    data = call_ledger()
    assert set(data) >= {
        "report",
        "as_of",
        "sections",
        "departments",
        "targets",
        "practical_tasks",
        "projects",
        "glossary",
    }
    assert set(data["report"]) >= {"title", "year", "period_start", "period_end"}
    target = data["targets"][0]
    assert set(target) >= {
        "code",
        "kind",
        "section",
        "name",
        "unit",
        "direction",
        "target_value",
        "target_value_max",
        "growth_rate_target",
        "measure",
        "baseline_value",
        "period_start",
        "deadline",
        "lead_department",
        "co_departments",
        "practical_task",
        "projects",
        "source_text",
        "latest_value",
        "latest_reported_on",
        "percent_complete",
        "expected_percent",
        "gap",
        "status",
    }
    assert target["latest_value"] == 2.5 and target["target_value"] == 10 and target["lead_department"] == "fgw"
