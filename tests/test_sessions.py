"""Sessions end when they should and lose nothing typed: a logout ends the session even when the
database cannot delete it (the cookie is cleared, the key refused until its row is gone), and a
progress form posted after the session expired comes back filled after signing in again, to that
user only."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db as db_sessions
from django.contrib.sessions.models import Session
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reportgov import sessions
from reportgov.security import LOGIN_AT_KEY
from targets import roles
from targets.drafts import RESTORED
from targets.models import ProgressEntry

from . import builders

PASSWORD = "correct-horse-battery-9"  # tests/builders.person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {**settings.CACHES, "logouts": {**settings.CACHES["logouts"], "LOCATION": str(tmp_path)}}


def sign_in(client, username="reporter-a", next_url=None):
    data = {"username": username, "password": PASSWORD, **({"next": next_url} if next_url else {})}
    response = client.post(reverse("login"), data)
    assert response.status_code == 302
    return response


def signed_in(client):
    return client.get(reverse("target-list")).status_code == 200


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def replay(key):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def database_down(*args, **kwargs):
    raise OperationalError("could not connect to server")


# --- Logout --------------------------------------------------------------------------------


def test_logout_ends_the_session_even_when_its_row_cannot_be_deleted(monkeypatch, reporter_a, report):
    client = Client()
    sign_in(client)
    key = session_key(client)
    monkeypatch.setattr(sessions.SessionStore, "delete", database_down)

    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    cleared = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cleared.value == "" and cleared["max-age"] == 0
    assert Session.objects.filter(session_key=key).exists()  # the row is still there…
    assert not signed_in(replay(key))  # …and refused

    monkeypatch.undo()  # the database answers again: the row goes at the next sight of the key
    assert not signed_in(replay(key))
    assert not Session.objects.filter(session_key=key).exists()
    assert not signed_in(replay(key))


def test_logout_ends_the_session_when_the_database_cannot_even_read_it(monkeypatch, reporter_a, report):
    # A middleware's failure reaches the client as a response, as in production (not re-raised).
    client = Client(raise_request_exception=False)
    sign_in(client)
    key = session_key(client)
    monkeypatch.setattr(db_sessions.SessionStore, "_get_session_from_db", database_down)
    monkeypatch.setattr(sessions.SessionStore, "delete", database_down)

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""

    monkeypatch.undo()
    assert not signed_in(replay(key))
    assert not Session.objects.filter(session_key=key).exists()


def test_a_logout_without_its_csrf_token_is_refused_even_then(monkeypatch, reporter_a, report):
    client = Client(enforce_csrf_checks=True)
    sign_in_page = client.get(reverse("login"))
    csrf = sign_in_page.cookies[settings.CSRF_COOKIE_NAME].value
    client.post(reverse("login"), {"username": "reporter-a", "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    key = session_key(client)
    monkeypatch.setattr(sessions.SessionStore, "delete", database_down)
    assert client.post(reverse("logout")).status_code == 403
    monkeypatch.undo()
    assert signed_in(replay(key))

    monkeypatch.setattr(sessions.SessionStore, "delete", database_down)
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": csrf}).status_code == 302
    monkeypatch.undo()
    assert not signed_in(replay(key))


def test_an_ordinary_logout_deletes_the_row_at_once(reporter_a, report):
    client = Client()
    sign_in(client)
    key = session_key(client)
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert not signed_in(replay(key))


# --- A form posted after the session expired ----------------------------------------------


def progress_url(target):
    return reverse("record-progress", args=[target.report.code, target.code])


TYPED = {"reported_on": "2026-11-20", "value": "7", "note": "三季度：第七座市场已完工验收"}


def expire_idle(client):
    Session.objects.filter(session_key=session_key(client)).update(expire_date=timezone.now() - datetime.timedelta(1))


def expire_absolute(client):
    session = client.session
    session[LOGIN_AT_KEY] = time.time() - settings.REPORTGOV_SESSION_ABSOLUTE_SECONDS - 1
    session.save()


def post_after_expiry(client, target, expire):
    assert client.get(progress_url(target)).status_code == 200
    expire(client)
    response = client.post(progress_url(target), TYPED)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={progress_url(target)}"
    assert not ProgressEntry.objects.exists()
    return response


@pytest.mark.parametrize("expire", [expire_idle, expire_absolute], ids=["idle", "absolute"])
def test_a_form_posted_after_expiry_comes_back_filled_after_signing_in(reporter_a, target_a, expire):
    client = Client()
    sign_in(client)
    post_after_expiry(client, target_a, expire)

    back = sign_in(client, next_url=progress_url(target_a))
    assert back["Location"] == progress_url(target_a)
    page = client.get(progress_url(target_a)).content.decode()
    assert 'value="7"' in page and TYPED["note"] in page and 'value="2026-11-20"' in page
    assert str(RESTORED) in page

    again = client.get(progress_url(target_a)).content.decode()
    assert TYPED["note"] not in again  # given back once

    assert client.post(progress_url(target_a), TYPED).status_code == 302
    assert ProgressEntry.objects.get().note == TYPED["note"]


def test_someone_else_signing_in_at_the_same_browser_gets_nothing(reporter_a, dept_a, target_a):
    builders.person("reporter-a2", roles.REPORTER, dept_a)
    client = Client()
    sign_in(client)
    post_after_expiry(client, target_a, expire_idle)

    sign_in(client, username="reporter-a2", next_url=progress_url(target_a))
    page = client.get(progress_url(target_a)).content.decode()
    assert TYPED["note"] not in page and str(RESTORED) not in page
    sign_in(client, username="reporter-a")
    assert TYPED["note"] not in client.get(progress_url(target_a)).content.decode()


def test_an_anonymous_post_that_never_signed_in_stores_nothing(reporter_a, target_a):
    sessions_before = Session.objects.count()
    response = Client().post(progress_url(target_a), TYPED)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Session.objects.count() == sessions_before
