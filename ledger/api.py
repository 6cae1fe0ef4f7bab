"""The JSON API (/api/v1/…), for other systems and for checking. Authentication: an
`Authorization: Token <secret>` header (see `manage.py create_api_token`), or the browser session
for reads. Same validation, same service and the same rows as the pages and export_ledger."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from targets import errors, history, roles, selectors, services
from targets.choices import ReviewStatus
from targets.forms import ProgressForm
from targets.models import Target

from . import rows
from .models import ApiToken


def api_user(request):
    """The user a request acts for: its token's, or the session's for safe methods, or None."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Token "):
        return ApiToken.objects.user_for(header[len("Token ") :].strip())
    if request.method in ("GET", "HEAD") and request.user.is_authenticated:
        return request.user
    return None


def error(status, message, **extra):
    return JsonResponse({"error": str(message), **extra}, status=status, json_dumps_params={"ensure_ascii": False})


def unauthorized():
    response = error(401, _("需要登录或有效的接口令牌。"))
    response["WWW-Authenticate"] = "Token"
    return response


def ok(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
def ledger_view(request):
    user = api_user(request)
    if user is None:
        return unauthorized()
    report, refused = _report_for(request, user)
    if refused:
        return refused
    data = rows.ledger(
        user=user,
        report=report,
        as_of=selectors.as_of_from(request),
        include_pending=selectors.include_pending_from(request),
    )
    return ok(data)


@csrf_exempt  # token-authenticated: no cookie, so no cross-site request can ride on it
@require_POST
def record_progress_view(request, code):
    user = api_user(request)
    if user is None:
        return unauthorized()
    history.attribute_to(user)  # the change history names the token's user as the author
    report, refused = _report_for(request, user)
    if refused:
        return refused
    target = roles.visible_targets(Target.objects.filter(report=report, code=code), user).first()
    if target is None:
        return error(
            404,
            errors.NOT_IN_REPORT % {"report": report.title, "code": report.code, "target": code},
            report=report.code,
        )
    try:
        payload = json.loads(request.body or b"{}")
        # A lone surrogate ("\ud800") is valid JSON but no text: it could not be stored. Too deep a nesting
        # exhausts the parser's recursion. Both are bodies we cannot read, like bytes that are not UTF-8.
        json.dumps(payload, ensure_ascii=False).encode()
    except (ValueError, RecursionError):  # UnicodeDecodeError and UnicodeEncodeError among the ValueErrors
        return error(400, _("请求内容不是有效的 JSON。"))
    if not isinstance(payload, dict):
        return error(400, _("请求内容应为 JSON 对象。"))
    data = {key: "" if value is None else str(value) for key, value in payload.items() if key in FIELDS}
    # Only JSON true confirms an unusual value: "false", 0 or "no" read as text would be truthy.
    data["confirm_unusual"] = "on" if payload.get("confirm_unusual") is True else ""
    form = ProgressForm(data, target=target)
    if not form.is_valid():
        return error(400, _("填报内容有误。"), errors=_messages(form.errors))
    arguments = form.service_arguments()
    arguments.pop("evidence")
    try:
        entry = services.record_progress(user=user, target=target, **arguments)
    except PermissionDenied as denied:
        return error(403, denied)
    except ValidationError as invalid:
        return error(400, _("填报内容有误。"), errors=_messages(invalid.message_dict))
    # The row counts the entry just posted: with those awaiting review when it awaits review itself.
    pending = entry.review_status == ReviewStatus.SUBMITTED
    queryset = selectors.target_ledger(user=user, report=report, include_pending=pending).filter(pk=target.pk)
    row = rows.target_rows(user=user, report=report, queryset=queryset).get()
    return ok(
        {"entry": entry_json(entry), "row": rows.target_row(row), "row_figures": "pending" if pending else "official"},
        status=201,
    )


def _report_for(request, user):
    """The report a call is about (?report=, else the user's default: selectors.selected_report) and
    None, or None and the error to answer: ?report= names no report the user may see, or there is none."""
    report = selectors.selected_report(request, user)
    if request.unknown_report:
        return None, error(404, errors.UNKNOWN_REPORT % {"code": request.unknown_report})
    if report is None:
        return None, error(404, _("没有报告。"))
    return report, None


def entry_json(entry) -> dict:
    return {
        "id": entry.pk,
        "reported_on": rows.date(entry.reported_on),
        "value": rows.number(entry.value),
        "growth_rate": rows.number(entry.growth_rate),
        "stage": entry.stage or None,
        "review_status": entry.review_status,
        "unusual_confirmed": entry.unusual_confirmed,
        "created_at": entry.created_at.isoformat(),
    }


FIELDS = ("reported_on", "value", "growth_rate", "stage", "note", "correction_reason")


def _messages(errors):
    return {field: [str(message) for message in messages] for field, messages in errors.items()}
