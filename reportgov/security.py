"""Security plumbing that is configuration rather than domain: the security-event log, the client
address used for lockouts and the login bookkeeping for the absolute session
lifetime. Connected by reportgov.apps.SecurityConfig. Imports no models: the logging
configuration loads it (through reportgov.middleware) before the apps are ready.

Security events go to the `reportgov.security` logger as one line each: the event, who (username,
never a password), from where (IP), what (method, path) and the request id. Other apps log their
own events to the same logger by name (`logging.getLogger("reportgov.security")`), without
importing this module.
"""

import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("reportgov.security")

LOGIN_AT_KEY = "reportgov_login_at"
RENEWED_AT_KEY = "reportgov_renewed_at"  # when the idle timeout was last renewed
# Whatever a caller passes, these never reach a log line.
SECRET_WORDS = ("password", "token", "secret", "authorization", "cookie", "csrf", "session")


def client_ip(request) -> str | None:
    """The client's address. Behind REPORTGOV_TRUSTED_PROXIES reverse proxies (nginx in front of
    gunicorn), the address those proxies appended to X-Forwarded-For; otherwise REMOTE_ADDR. A
    header the client wrote itself is never believed beyond the proxies we run."""
    proxies = settings.REPORTGOV_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def _clean(value) -> str:
    # One event, one line: no newline or control character from a username reaches the log.
    return "".join(ch if ch.isprintable() else "?" for ch in str(value))[:200]


def log_event(event: str, request=None, *, level=logging.WARNING, **fields) -> None:
    """Log one security event without secrets."""
    details = {}
    if request is not None:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            details["user"] = user.get_username()
        details.update(
            ip=client_ip(request),
            method=request.method,
            path=request.path,
            request_id=getattr(request, "request_id", "-"),
        )
    details.update({key: value for key, value in fields.items() if not any(w in key.lower() for w in SECRET_WORDS)})
    logger.log(
        level,
        "%s %s",
        event,
        " ".join(f"{key}={_clean(value)}" for key, value in details.items() if value not in (None, "")),
        extra={"security_event": event},
    )


@receiver(user_logged_in, dispatch_uid="reportgov.security.logged_in")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = time.time()
        log_event("login_succeeded", request, level=logging.INFO, username=user.get_username())


@receiver(user_login_failed, dispatch_uid="reportgov.security.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has been cleansed by Django (the password is masked); only the username is kept.
    log_event("login_failed", request, username=credentials.get("username", ""))


@receiver(user_logged_out, dispatch_uid="reportgov.security.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if request is not None and user is not None:
        log_event("logout", request, level=logging.INFO, username=user.get_username())


def _locked_out(sender, request, username, ip_address, **kwargs):
    log_event("login_locked_out", request, username=username, locked_ip=ip_address)


def connect():
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="reportgov.security.locked_out")


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (AXES_LOCKOUT_CALLABLE): 429, in Chinese, saying for how long."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/lockout.html", context, status=429)
