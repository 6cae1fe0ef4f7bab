"""API tokens carry an expiry (90 days unless `create_api_token --days` says otherwise) and a last-used
time written at most once a minute; admin lists and revokes them without ever showing a secret; an
expired or revoked token answers 401 in JSON."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ledger.models import ApiToken, digest

pytestmark = pytest.mark.django_db


def create_token(username, *args):
    out = io.StringIO()
    call_command("create_api_token", username, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def read_ledger(secret):
    return Client().get(reverse("api-ledger"), HTTP_AUTHORIZATION=f"Token {secret}")


def token_of(secret):
    return ApiToken.objects.get(digest=digest(secret))


def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_a_new_token_expires_in_ninety_days(reporter_a, report):
    before = timezone.now()
    secret = create_token("reporter-a")
    after = timezone.now()
    expires_at = token_of(secret).expires_at
    assert before + datetime.timedelta(days=90) <= expires_at <= after + datetime.timedelta(days=90)
    assert read_ledger(secret).status_code == 200


def test_create_api_token_takes_the_number_of_days(reporter_a, report):
    secret = create_token("reporter-a", "--days", "7")
    assert datetime.timedelta(days=6) < token_of(secret).expires_at - timezone.now() <= datetime.timedelta(days=7)
    assert read_ledger(secret).status_code == 200


@pytest.mark.parametrize("days", ["0", "-3", "3651", "99999999999"])
def test_create_api_token_refuses_a_number_of_days_out_of_range(reporter_a, days):
    with pytest.raises(CommandError, match="有效天数应在 1 到 3650 之间"):
        create_token("reporter-a", "--days", days)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", ["1", "3650"])
def test_create_api_token_accepts_the_ends_of_the_range(reporter_a, days):
    assert create_token("reporter-a", "--days", days)
    assert ApiToken.objects.count() == 1


def test_an_expired_token_answers_401_in_json(reporter_a, report):
    secret = create_token("reporter-a")
    assert read_ledger(secret).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = read_ledger(secret)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "需要登录或有效的接口令牌。"


def test_an_admin_revokes_a_token_and_it_answers_401_in_json(admin_user, reporter_a, report):
    secret = create_token("reporter-a", "--name", "统计局接口")
    other = create_token("reporter-a", "--name", "备用")
    token = token_of(secret)
    response = admin_client(admin_user).post(
        reverse("admin:ledger_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked
    response = read_ledger(secret)
    assert response.status_code == 401 and response.json()["error"]
    assert read_ledger(other).status_code == 200


def test_admin_lists_tokens_with_expiry_and_last_use_but_never_a_secret(admin_user, reporter_a, report):
    secret = create_token("reporter-a", "--name", "统计局接口")
    read_ledger(secret)
    token = token_of(secret)
    client = admin_client(admin_user)
    listing = client.get(reverse("admin:ledger_apitoken_changelist")).content.decode()
    assert "统计局接口" in listing and "reporter-a" in listing
    assert "有效期至" in listing and "最近使用" in listing
    change = client.get(reverse("admin:ledger_apitoken_change", args=[token.pk])).content.decode()
    for page in (listing, change):
        assert secret not in page and token.digest not in page


def test_admin_cannot_create_a_token(admin_user):
    assert admin_client(admin_user).get(reverse("admin:ledger_apitoken_add")).status_code == 403


def test_last_use_is_written_at_most_once_a_minute(reporter_a, report):
    secret = create_token("reporter-a")
    assert token_of(secret).last_used_at is None
    read_ledger(secret)
    first = token_of(secret).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        assert read_ledger(secret).status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "ledger_apitoken"')]
    assert token_of(secret).last_used_at == first

    ApiToken.objects.update(last_used_at=first - datetime.timedelta(seconds=61))
    read_ledger(secret)
    assert token_of(secret).last_used_at > first
