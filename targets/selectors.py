"""Reads: the annotated querysets every page, export and API use."""

import datetime
import functools

from django.conf import settings
from django.db.models import Case, F, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_date

from . import roles
from .models import ProgressEntry, Report, Target


def selected_report(request) -> Report | None:
    """The report a page is about: `?report=<code>` or else the current one (read once per request).

    One query reads every report (for the header's report switcher, `request.available_reports`),
    the full text only of the chosen one and the current one."""
    if not hasattr(request, "_selected_report"):
        code = query_text(request, "report")
        newest_first = ("-year", "-id")
        current = Report.objects.order_by(*newest_first).values("pk")[:1]
        reports = list(
            Report.objects.order_by(*newest_first)
            .defer("text")
            .annotate(
                chosen_text=Case(When(Q(code=code) | Q(pk=Subquery(current)), then=F("text")), default=Value(None))
            )
        )
        chosen = next((r for r in reports if code and r.code == code), None) or (reports[0] if reports else None)
        if chosen is not None:
            chosen.text = chosen.chosen_text
        request.available_reports = reports
        request._selected_report = chosen
    return request._selected_report


# --- Request parameters: every page reads its query through these, so that no value reaches a 500 -----------------

# The days a ledger can be replayed on: date arithmetic around 0001-01-01 overflows, and no report is that old.
EARLIEST_AS_OF = datetime.date(1900, 1, 1)
LATEST_AS_OF = datetime.date(2999, 12, 31)
LAST_PAGE = 1_000_000  # past it a page's OFFSET would overflow bigint; no list has that many pages


def query_text(request, name) -> str:
    """`?name=` as text, "" when absent. A value holding a NUL or a lone surrogate never gets here: the request
    was answered 400 by reportgov.middleware.UnreadableTextMiddleware."""
    return request.GET.get(name, "")


def query_page(request, name) -> int:
    """`?name=` as a page number from 1; a bad, missing or absurd one means the first page."""
    text = query_text(request, name)
    number = int(text) if text.isascii() and text.isdigit() else 0
    return number if 0 < number <= LAST_PAGE else 1


def as_of_from(request) -> datetime.date:
    """`?as_of=YYYY-MM-DD` replays the ledger on a past day; a bad, missing or far-off date means today."""
    try:
        parsed = parse_date(query_text(request, "as_of"))
    except ValueError:
        parsed = None
    return parsed if parsed and EARLIEST_AS_OF <= parsed <= LATEST_AS_OF else timezone.localdate()


def include_pending_from(request) -> bool:
    return query_text(request, "pending") == "1"


def target_ledger(*, user, report, as_of=None, include_pending=False):
    """The targets of `report` that `user` may see, each with its standing on `as_of`."""
    return ledger_in_scope(scope=roles.read_scope(user), report=report, as_of=as_of, include_pending=include_pending)


def ledger_in_scope(*, scope, report, as_of=None, include_pending=False):
    """target_ledger for the targets of a roles.read_scope rather than of a user."""
    as_of = as_of or timezone.localdate()
    standing = _standing(as_of, include_pending, timezone.localdate(), settings.REPORTGOV_TOLERANCE)
    return roles.in_scope(standing.filter(report=report), scope).select_related("report", "section", "lead_department")


def ledger_page(ledger, start, stop):
    """Rows start to stop of a ledger (a filtered, ordered with_progress queryset), with their figures.

    Past the first row the page's ids are picked in a subquery that selects no figure, and the
    figures are computed for those rows only: PostgreSQL evaluates every selected expression for each
    row an OFFSET skips (page 12 of 我的目标, 25 rows of 300: 9.8 ms, and 3.7 ms this way). The
    subquery goes in as the SQL Django compiles for it: handed over as a queryset, it is copied with
    every annotation relabelled, which took longer than the SQL it saved."""
    if not start or ledger.query.distinct:  # DISTINCT's ORDER BY columns would join the subquery's select
        return ledger[start:stop]
    page = ledger.values("pk")[start:stop]
    return ledger.filter(pk__in=RawSQL(*page.query.get_compiler(ledger.db).as_sql()))


@functools.lru_cache(maxsize=32)
def _standing(as_of, include_pending, today, tolerance):
    """`Target.objects.with_progress(...)`, built once per day, as-of date and tolerance and never
    evaluated itself: every caller filters a clone of it. Resolving the computation's expressions
    took longer than running its SQL for a report of 300 targets. `today` and the tolerance are in
    the key because with_progress reads them when it builds the query."""
    return Target.objects.with_progress(as_of=as_of, include_pending=include_pending)


def target_history(target):
    return ProgressEntry.objects.filter(target=target).select_related("created_by").order_by("-reported_on", "-id")


def chart_points(target, *, limit=60):
    """The value at the end of each month (the last entry of the month), oldest first, for the chart."""
    entries = (
        ProgressEntry.objects.filter(target=target, value__isnull=False)
        .exclude(review_status__in=["returned", "superseded"])  # sent back, or withdrawn by a correction
        .order_by("-reported_on", "-id")
    )
    return list(reversed(list(entries.values("reported_on", "value")[:limit])))


def returned_entries(user):
    """退回: the entries of the user's department sent back by review and not yet resubmitted, newest
    first (a reporter sees them above 我的目标). Nobody without a department has any."""
    from django.db.models import Exists, OuterRef

    from .choices import ReviewStatus

    if roles.department_of(user) is None:
        return ProgressEntry.objects.none()
    resubmitted = ProgressEntry.objects.filter(supersedes=OuterRef("pk"))
    return (
        ProgressEntry.objects.filter(
            review_status=ReviewStatus.RETURNED, target__in=roles.writable_targets(Target.objects.all(), user)
        )
        .exclude(Exists(resubmitted))
        .select_related("target__report", "reviewed_by")
        .order_by("-reviewed_at", "-id")
    )
