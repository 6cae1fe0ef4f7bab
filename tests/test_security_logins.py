"""Logins: django-axes locks a username+address pair after 5 failures for 15 minutes, a success
resets the count, an admin unlocks; sessions are new on login, end on the server at logout, after
30 idle minutes and after an absolute lifetime; passwords are checked by Django's validators."""

import datetime
import logging
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reportgov.security import LOGIN_AT_KEY, RENEWED_AT_KEY

PASSWORD = "correct-horse-battery-9"  # tests/builders.person
OFFICE = "10.20.30.40"  # one NAT address for a whole office
ELSEWHERE = "10.99.0.7"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempt(username, password, address=OFFICE):
    client = Client(REMOTE_ADDR=address)
    return client, client.post(reverse("login"), {"username": username, "password": password})


def fail(times, username="reporter-a", address=OFFICE):
    return [attempt(username, "wrong-password", address)[1].status_code for _ in range(times)]


def logged_in(client):
    return client.get(reverse("target-list")).status_code == 200


def test_five_failures_lock_the_username_at_that_address(reporter_a, report):
    assert fail(4) == [200, 200, 200, 200]
    locked = attempt("reporter-a", "wrong-password")[1]
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode() and "15 分钟" in locked.content.decode()
    client, response = attempt("reporter-a", PASSWORD)
    assert response.status_code == 429 and not logged_in(client)


def test_the_same_username_from_another_address_is_not_locked(reporter_a, report):
    fail(5)
    client, response = attempt("reporter-a", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302 and logged_in(client)


def test_a_colleague_behind_the_same_nat_is_not_locked(reporter_a, reporter_b, report):
    fail(5, username="reporter-a")
    client, response = attempt("reporter-b", PASSWORD, address=OFFICE)
    assert response.status_code == 302 and logged_in(client)


def test_a_success_resets_the_count(reporter_a, report):
    fail(4)
    assert attempt("reporter-a", PASSWORD)[1].status_code == 302
    assert fail(4) == [200, 200, 200, 200]
    assert attempt("reporter-a", PASSWORD)[1].status_code == 302


def test_the_lock_ends_after_fifteen_minutes(reporter_a, report):
    fail(5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    client, response = attempt("reporter-a", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_an_admin_unlocks_in_django_admin(reporter_a, admin_user, report):
    fail(5)
    assert attempt("reporter-a", PASSWORD)[1].status_code == 429
    admin = Client()
    admin.force_login(admin_user)
    lock = AccessAttempt.objects.get(username="reporter-a")
    assert admin.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = admin.post(reverse("admin:axes_accessattempt_delete", args=[lock.pk]), {"post": "yes"})
    assert response.status_code == 302
    client, response = attempt("reporter-a", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_reporter_cannot_unlock_anyone(reporter_a, reporter_b, report):
    fail(5)
    client = Client()
    client.force_login(reporter_b)
    lock = AccessAttempt.objects.get(username="reporter-a")
    client.post(reverse("admin:axes_accessattempt_delete", args=[lock.pk]), {"post": "yes"})
    assert AccessAttempt.objects.filter(pk=lock.pk).exists()


def test_admin_login_is_guarded_the_same_way(admin_user, report):
    client = Client(REMOTE_ADDR=OFFICE)
    for _ in range(5):
        response = client.post(reverse("admin:login"), {"username": "admin", "password": "nope"})
    assert response.status_code == 429
    response = client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429


def test_security_events_are_logged_without_the_password(reporter_a, report, caplog):
    caplog.set_level(logging.INFO, logger="reportgov.security")
    fail(5)
    attempt("reporter-a", PASSWORD, address=ELSEWHERE)
    text = "\n".join(record.getMessage() for record in caplog.records if record.name == "reportgov.security")
    assert "login_failed" in text and "username=reporter-a" in text and f"ip={OFFICE}" in text
    assert "login_locked_out" in text
    assert "login_succeeded" in text
    assert "wrong-password" not in text and PASSWORD not in text


def test_login_starts_a_new_session(reporter_a, report):
    client = Client()
    session = client.session
    session["before"] = "anonymous"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    old_key = session.session_key
    client.post(reverse("login"), {"username": "reporter-a", "password": PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


def test_logout_ends_the_session_on_the_server(reporter_a, report):
    client, _ = attempt("reporter-a", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not logged_in(replay)


def test_thirty_idle_minutes_end_the_session(reporter_a, report):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client, _ = attempt("reporter-a", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry - timezone.now() <= datetime.timedelta(minutes=30)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert not logged_in(client)


def test_activity_renews_the_idle_timeout_at_most_once_a_minute(reporter_a, report):
    """Within a minute of the last renewal a page view writes nothing to the session table; after
    it, the next page view moves the expiry on to 30 minutes from then."""
    assert settings.REPORTGOV_SESSION_RENEW_SECONDS == 60
    client, _ = attempt("reporter-a", PASSWORD)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert logged_in(client)
    stored = Session.objects.get(session_key=key)
    assert logged_in(client)
    assert Session.objects.get(session_key=key).session_data == stored.session_data
    assert Session.objects.get(session_key=key).expire_date == stored.expire_date

    session = client.session
    session[RENEWED_AT_KEY] = time.time() - 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    assert logged_in(client)
    renewed = Session.objects.get(session_key=key).expire_date
    assert datetime.timedelta(minutes=29) < renewed - timezone.now() <= datetime.timedelta(minutes=30)


def test_an_active_session_still_ends_after_the_absolute_lifetime(reporter_a, report, caplog):
    assert settings.REPORTGOV_SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    client, _ = attempt("reporter-a", PASSWORD)
    assert logged_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = client.session
    session[LOGIN_AT_KEY] = time.time() - settings.REPORTGOV_SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    caplog.set_level(logging.WARNING, logger="reportgov.security")
    assert not logged_in(client)
    assert not Session.objects.filter(session_key=key).exists()
    assert any("session_expired" in record.getMessage() for record in caplog.records)


def test_a_session_within_its_lifetime_goes_on(reporter_a, report):
    client, _ = attempt("reporter-a", PASSWORD)
    session = client.session
    session[LOGIN_AT_KEY] = time.time() - settings.REPORTGOV_SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert logged_in(client)


@pytest.mark.parametrize("password", ["12345678", "password", "reporter-a1", "short"])
def test_weak_passwords_are_refused(reporter_a, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=reporter_a)


def test_changing_to_a_weak_password_is_refused_in_chinese(reporter_a, report):
    client, _ = attempt("reporter-a", PASSWORD)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    reporter_a.refresh_from_db()
    assert reporter_a.check_password(PASSWORD)
