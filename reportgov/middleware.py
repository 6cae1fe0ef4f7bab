import contextvars
import logging
import re
import sys
import time
import uuid

from django.conf import settings
from django.contrib import auth
from django.core.exceptions import RequestDataTooBig
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reportgov import security


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise with the language switch: a browser's
    Accept-Language does not turn the district's pages into English."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# --- Request id, absolute session lifetime, database outages ---------------------------------

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy in front is kept only if it cannot smuggle anything into a log line.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
current_request_id = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record (a dash outside requests), so that an error in the
    log, the X-Request-ID the user saw and the history entry it wrote can be matched."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            # Django logs a 4xx/5xx response after the middleware chain has returned; it passes the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id.get()
        return True


class RequestIdMiddleware:
    """Gives every request an id: `request.request_id`, the `X-Request-ID` response header, log
    records and — through targets.history.HistoryMiddleware, which reads `request.request_id` and
    must come after this one — the change history. It also logs denials (403) as security events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                security.log_event("permission_denied", request, status=403)
            response[REQUEST_ID_HEADER] = request.request_id
            return response
        finally:
            current_request_id.reset(token)


class SessionLifetimeMiddleware:
    """The two ends of a login. Idle: the session expires SESSION_COOKIE_AGE after it was last saved,
    and an active session is saved again (renewed) once REPORTGOV_SESSION_RENEW_SECONDS have passed
    since it last was, not on every request: a write and a commit per page view cost more than
    the page's own queries. Absolute: a login ends after REPORTGOV_SESSION_ABSOLUTE_SECONDS however
    active it has been, flushed on the server, not only forgotten by the browser. Goes after
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = time.time()
            started = session.get(security.LOGIN_AT_KEY)
            if started is None:
                session[security.LOGIN_AT_KEY] = now
            elif now - started > settings.REPORTGOV_SESSION_ABSOLUTE_SECONDS:
                security.log_event("session_expired", request, reason="absolute_lifetime")
                auth.logout(request)
                return self.get_response(request)
            if now - session.get(security.RENEWED_AT_KEY, 0) >= settings.REPORTGOV_SESSION_RENEW_SECONDS:
                session[security.RENEWED_AT_KEY] = now  # modified: saved, with a new expiry, after the view
        return self.get_response(request)


DATABASE_UNAVAILABLE = _("数据库暂时无法连接，请稍后重试；本次提交没有保存。")


def database_unavailable_response(request=None):
    """The friendly 503: rendered without a request context, because the context processors
    would ask the database that is down. The JSON API gets the same in JSON."""
    if request is not None and request.path.startswith("/api/"):
        response = JsonResponse(
            {"error": str(DATABASE_UNAVAILABLE)}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        body = loader.get_template("503.html").render({"request_id": getattr(request, "request_id", "")})
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.REPORTGOV_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


DATABASE_DOWN = (OperationalError, InterfaceError)


class DatabaseUnavailableMiddleware:
    """Turns "the database is unreachable" into a Chinese 503 page with Retry-After instead of a 500.

    A view's exception arrives in process_exception. An exception raised inside a later middleware
    (the history middleware resolving the user, say) has already been turned into a 500 by Django
    before it reaches here; the got_request_exception receiver below marks such a request, and the
    500 is replaced on its way out. Goes after SecurityMiddleware and CSPMiddleware so that the 503
    still carries their headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_reportgov_database_down", False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logging.getLogger("reportgov.database").error(
                "database unavailable: %s %s: %s", request.method, request.path, exception.__class__.__name__
            )
            return database_unavailable_response(request)
        return None


@receiver(got_request_exception, dispatch_uid="reportgov.database_down")
def _mark_database_down(sender, request=None, **kwargs):
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, DATABASE_DOWN):
        request._reportgov_database_down = True


# --- The API answers in JSON, errors included --------------------------------------------------

API_PREFIX = "/api/"
API_ERRORS = {
    400: _("请求有误。"),
    401: _("需要登录或有效的接口令牌。"),
    403: _("无权进行此操作。"),
    404: _("没有找到该地址或对象。"),
    405: _("该地址不支持此请求方法。"),
    413: _("请求内容过大。"),
    500: _("服务器出错，请稍后重试；如再次出现，请告知管理员并附上请求编号。"),
}


class ApiErrorsAsJsonMiddleware:
    """Under /api/ an error that a view did not answer in JSON itself (Django's 404 and 500 handlers, a
    405 from require_GET, a CSRF or permission 403, a 400 from a refused request) is answered as the
    API's own errors are: `{"error": <Chinese message>, "request_id": …}` with the same status and headers
    (Allow, Retry-After). Goes after the header middlewares (the JSON carries CSP and nosniff too) and
    outside everything that can fail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return api_error_response(request, response)
        return response


def api_error_response(request, response):
    message = API_ERRORS.get(response.status_code) or API_ERRORS[500 if response.status_code >= 500 else 400]
    answer = JsonResponse(
        {"error": str(message), "request_id": getattr(request, "request_id", "")},
        status=response.status_code,
        json_dumps_params={"ensure_ascii": False},
    )
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in response:
            answer[header] = response[header]
    return answer


# --- Text no field can hold ------------------------------------------------------------------------------------------

# A NUL can be neither stored nor compared by PostgreSQL (the driver refuses the statement); a lone surrogate is no
# character, and UTF-8 cannot encode it. Both reach request.GET and request.POST: a NUL as %00, a surrogate when the
# request declares a charset that decodes to one (`Content-Type: …; charset=unicode_escape` and `?q=\\ud800`).
UNREADABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
UNREADABLE_REQUEST = _("请求中含有无法处理的字符（如空字符），请检查地址或填写的内容后重试。")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnreadableTextMiddleware:
    """Answers 400, in Chinese (JSON under /api/), any request whose query parameters or form fields — keys or
    values — hold a NUL or a lone surrogate, before a view, a filter or Django admin's list filters pass them to the
    database. Uploaded files are content, not text, and are not looked at. Goes after the header middlewares (the
    400 carries CSP and nosniff) and before anything that reads the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = [request.GET]
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            try:
                fields.append(request.POST)
            except RequestDataTooBig:  # too large to read: refused whole, as Django refuses it
                return unreadable_request_response(request)
        if any(
            UNREADABLE_CHARACTERS.search(text)
            for query in fields
            for key, values in query.lists()
            for text in (key, *values)
        ):
            return unreadable_request_response(request)
        return self.get_response(request)


def unreadable_request_response(request):
    if request.path.startswith(API_PREFIX):
        body = {"error": str(UNREADABLE_REQUEST), "request_id": getattr(request, "request_id", "")}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    body = loader.get_template("400.html").render({"message": UNREADABLE_REQUEST})
    return HttpResponse(body, status=400, content_type="text/html; charset=utf-8")
