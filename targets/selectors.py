"""Reads: the annotated querysets every page, export and API use."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date

from . import roles
from .models import ProgressEntry, Report, Target


def selected_report(request) -> Report | None:
    """The report a page is about: `?report=<code>` or else the current one (read once per request)."""
    if not hasattr(request, "_selected_report"):
        code = request.GET.get("report")
        report = Report.objects.filter(code=code).first() if code else None
        request._selected_report = report or Report.objects.current()
    return request._selected_report


def as_of_from(request) -> datetime.date:
    """`?as_of=YYYY-MM-DD` replays the ledger on a past day; a bad or missing date means today."""
    parsed = None
    text = request.GET.get("as_of", "")
    if text:
        try:
            parsed = parse_date(text)
        except ValueError:
            parsed = None
    return parsed or timezone.localdate()


def include_pending_from(request) -> bool:
    return request.GET.get("pending") == "1"


def target_ledger(*, user, report, as_of=None, include_pending=False):
    """The targets of `report` that `user` may see, each with its standing on `as_of`."""
    queryset = Target.objects.filter(report=report).with_progress(as_of=as_of, include_pending=include_pending)
    return roles.visible_targets(queryset, user).select_related("report", "section", "lead_department")


def target_history(target):
    return ProgressEntry.objects.filter(target=target).select_related("created_by").order_by("-reported_on", "-id")


def chart_points(target, *, limit=60):
    """The value at the end of each month (the last entry of the month), oldest first, for the chart."""
    entries = (
        ProgressEntry.objects.filter(target=target, value__isnull=False)
        .exclude(review_status="returned")
        .order_by("-reported_on", "-id")
    )
    return list(reversed(list(entries.values("reported_on", "value")[:limit])))
