"""Logging out always ends the session, even when the database cannot delete it.

Logout deletes the session's row. When that fails (the database is down, or the delete fails half
way), LogoutMiddleware still ends the session: the browser's cookie is cleared, and the key is
noted in the `logouts` cache (files under var/logouts, shared by the workers of a machine), which
SessionStore consults before loading any session: a noted key loads as no session, and its row is
deleted as soon as the database answers. A note needs to outlive the row only until the row would
expire by itself: at most SESSION_COOKIE_AGE after its last save, and a noted session is never
saved again. Set SESSION_ENGINE = "reportgov.sessions" (settings) and put the middleware right
after SessionMiddleware.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.core.cache import caches
from django.http import HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import resolve_url
from django.urls import reverse

from reportgov import security
from reportgov.middleware import DATABASE_DOWN


def _logouts():
    return caches["logouts"]


def _note_key(session_key):
    return f"logout:{session_key}"


class SessionStore(db.SessionStore):
    """Database sessions that know which keys were logged out while their row could not be deleted."""

    def load(self):
        key = self.session_key
        if key and _logouts().has_key(_note_key(key)):
            self._session_key = None  # as the database backend does for a missing row
            try:
                self.delete(key)
            except DATABASE_DOWN:
                return {}  # still down: the note stays, and keeps refusing the key
            _logouts().delete(_note_key(key))
            return {}
        return super().load()


def end_without_the_database(request):
    """End `request`'s session when the database could not: note the key, forget it in the browser."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if key:
        _logouts().set(_note_key(key), True, timeout=settings.SESSION_COOKIE_AGE)
    # An empty session with no key: SessionMiddleware deletes the browser's cookie on the way out.
    request.session = SessionStore()
    request.user = AnonymousUser()
    security.log_event("logout", request, reason="session_row_not_deleted")


class LogoutMiddleware:
    """Whatever failed inside a logout (the session's delete, a handler of the logout signal, a
    middleware that could not read the session), the logout still happens: a POST to the logout
    page that does not succeed ends the session without the database and redirects as a logout does.
    The CSRF check, done by the view in the ordinary course, is done here first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "POST" or response.status_code < 500 or request.path_info != reverse("logout"):
            return response
        self.csrf.process_request(request)
        refused = self.csrf.process_view(request, None, (), {})
        if refused is not None:
            return refused
        logging.getLogger("reportgov.database").error("logout: the session could not be deleted; ended without it")
        end_without_the_database(request)
        return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
