"""What was typed into a form whose session had expired comes back after signing in again.

A POST that a login-required view sends to the login page (the session ended: idle, absolute
lifetime) is kept, without its CSRF token or files, in the new anonymous session of that browser,
which Django's login carries over; the form's view asks `typed_before_login` for it and starts from
it. It is kept only for the user this browser was last signed in as (a signed cookie says who) and
given back only to that user, on that page: another person signing in at the same browser gets
nothing, and an anonymous POST with no such cookie stores nothing on the server.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

DRAFT_KEY = "reportgov_typed_before_login"
OWNER_COOKIE = "reportgov_signed_in_as"
OWNER_SALT = "reportgov.drafts.owner"
# A form typed and left open overnight is still given back the next morning.
OWNER_SECONDS = 24 * 60 * 60
# Larger posts are not kept (the progress form's fields hold a few thousand characters at most).
MAX_DRAFT_CHARACTERS = 20_000
NOT_KEPT = {"csrfmiddlewaretoken"}
RESTORED = _("登录已过期：您之前填写的内容已恢复，请核对后重新提交（附件需重新选择）。")


def _owner(request):
    """The user this browser was last signed in as (its id), from the signed cookie, or None."""
    value = request.get_signed_cookie(OWNER_COOKIE, default=None, salt=OWNER_SALT, max_age=OWNER_SECONDS)
    return int(value) if value and value.isdigit() else None


def _sent_to_login(response):
    return response.status_code == 302 and response.get("Location", "").startswith(
        resolve_url(settings.LOGIN_URL) + "?"
    )


class KeepTypedDataMiddleware:
    """Keeps a POST turned away for want of a session; tells the browser who is signed in. Goes after
    SessionLifetimeMiddleware (whose absolute lifetime ends a session before the view) and
    MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = request.user
        if user.is_authenticated:
            if _owner(request) != user.pk:
                response.set_signed_cookie(
                    OWNER_COOKIE,
                    str(user.pk),
                    salt=OWNER_SALT,
                    max_age=OWNER_SECONDS,
                    httponly=True,
                    secure=settings.SESSION_COOKIE_SECURE,
                    samesite="Lax",
                )
        elif request.method == "POST" and _sent_to_login(response):
            self._keep(request)
        return response

    @staticmethod
    def _keep(request):
        owner = _owner(request)
        if owner is None:
            return
        data = {key: request.POST.getlist(key) for key in request.POST if key not in NOT_KEPT}
        if not data or len(json.dumps(data, ensure_ascii=False)) > MAX_DRAFT_CHARACTERS:
            return
        request.session[DRAFT_KEY] = {"owner": owner, "path": request.path, "data": data}


@receiver(user_logged_in, dispatch_uid="targets.drafts.logged_in")
def _forget_someone_elses(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.get(DRAFT_KEY, {}).get("owner") not in (None, user.pk):
        del session[DRAFT_KEY]


def typed_before_login(request) -> dict:
    """The values the signed-in user typed into this page before their session expired (once), or {}."""
    draft = request.session.get(DRAFT_KEY)
    if not draft or draft.get("path") != request.path or draft.get("owner") != request.user.pk:
        return {}
    del request.session[DRAFT_KEY]
    messages.info(request, RESTORED)
    return {key: values[-1] for key, values in draft["data"].items() if values}
