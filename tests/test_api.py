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


def test_post_progress_answers_with_the_entry_and_the_ledger_row(client, reporter_a, target_a):
    response = post(
        client, target_a, {"reported_on": "2026-11-20", "value": "８", "note": "接口填报"}, token_for(reporter_a)
    )
    assert response.status_code == 201
    body = response.json()
    entry = ProgressEntry.objects.get()
    assert entry.created_by == reporter_a
    assert body["entry"] == {
        "id": entry.pk,
        "reported_on": "2026-11-20",
        "value": 8,
        "growth_rate": None,
        "stage": None,
        "review_status": "approved",
        "unusual_confirmed": False,
        "created_at": entry.created_at.isoformat(),
    }
    # Review is off: the entry counts at once, and the row is the official one, exactly as export_ledger has it.
    assert body["row_figures"] == "official"
    row = body["row"]
    assert (row["code"], row["latest_value"], row["gap"], row["percent_complete"]) == (target_a.code, 8, 2, 80.0)
    assert row == {t["code"]: t for t in call_ledger()["targets"]}[target_a.code]


def test_with_review_on_the_answer_counts_the_pending_entry_and_says_so(client, report, reporter_a, target_a):
    report.review_required = True
    report.save()
    builders.entry(target_a, "2026-10-31", 5, user=reporter_a)  # approved

    body = post(client, target_a, {"reported_on": "2026-11-20", "value": 7}, token_for(reporter_a)).json()

    assert body["entry"]["review_status"] == "submitted" and body["entry"]["value"] == 7
    assert body["row_figures"] == "pending"
    assert body["row"]["latest_value"] == 7  # what was just posted, not the approved 5
    assert body["row"] == {t["code"]: t for t in call_ledger("--pending")["targets"]}[target_a.code]
    assert {t["code"]: t for t in call_ledger()["targets"]}[target_a.code]["latest_value"] == 5  # official


def test_the_answer_carries_the_growth_rate_and_the_confirmation_posted(client, report, reporter_a, dept_a):
    gdp = builders.target(report, code="M01", lead=dept_a, unit="亿元", target_value=500, growth_rate_target=15)
    payload = {"reported_on": "2026-09-30", "value": "6000", "growth_rate": "9", "confirm_unusual": True}

    body = post(client, gdp, payload, token_for(reporter_a)).json()

    assert (body["entry"]["value"], body["entry"]["growth_rate"], body["entry"]["unusual_confirmed"]) == (6000, 9, True)
    assert (body["row"]["latest_value"], body["row"]["latest_growth_rate"], body["row"]["growth_gap"]) == (6000, 9, 6)


@pytest.mark.parametrize("confirmation", [False, "true", 1, "是", None])
def test_only_json_true_confirms_an_unusual_value(client, reporter_a, target_a, confirmation):
    payload = {"reported_on": "2026-11-20", "value": 1000, "confirm_unusual": confirmation}
    response = post(client, target_a, payload, token_for(reporter_a))
    assert response.status_code == 400 and list(response.json()["errors"]) == ["value"]
    payload["confirm_unusual"] = True
    assert post(client, target_a, payload, token_for(reporter_a)).status_code == 201


def call_ledger(*options):
    out = io.StringIO()
    call_command("export_ledger", "--format", "json", "--as-of", TODAY.isoformat(), *options, stdout=out)
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
