"""Reads: the annotated querysets every page, export and API use."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_date

from . import roles
from .models import Checkpoint, ProgressEntry, Report, Target

# The report a browser chose last (?report=), kept by RememberReportMiddleware: pages without
# ?report= show it again while the user may still see it.
REPORT_COOKIE = "report"


def selected_report(request, user=None) -> Report | None:
    """The report a page is about, among those `user` (default: the request's) may see: `?report=<code>`,
    else the one this browser chose last, else the newest report 执行中 that the user's department has
    targets in, else the newest 执行中, else the newest. Read once per request.

    One query reads every visible report (for the header's report switcher, `request.available_reports`),
    its full text left behind (the living report reads it). A `?report=` naming no visible report is kept
    in `request.unknown_report` (the API answers 404 for it; pages show the default)."""
    if not hasattr(request, "_selected_report"):
        user = user or request.user
        code = query_text(request, "report")
        last = request.COOKIES.get(REPORT_COOKIE, "").replace("\x00", "")
        visible = roles.visible_reports(Report.objects.all(), user)
        scope = roles.read_scope(user)
        if isinstance(scope, int):
            theirs = Target.objects.filter(report=OuterRef("pk")).filter(
                Q(lead_department=scope) | Q(co_departments=scope)
            )
            visible = visible.annotate(theirs=Exists(theirs))
        else:
            visible = visible.annotate(theirs=Value(False))
        reports = list(visible.order_by("-year", "-id").select_related("government").defer("text"))
        by_code = {r.code: r for r in reports}
        fallback = min(reports, key=lambda r: (not r.theirs, r.current_order), default=None)
        request.unknown_report = code if code and code not in by_code else ""
        if code in by_code and code != last:
            request.remember_report = code
        request.available_reports = reports
        request._selected_report = by_code.get(code) or by_code.get(last) or fallback
    return request._selected_report


class RememberReportMiddleware:
    """Keeps the report a browser chose with ?report= in a cookie, so that its next page without
    ?report= shows the same report (selected_report). A cookie rather than the session: choosing a
    report writes nothing to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        code = getattr(request, "remember_report", "")
        if code:
            response.set_cookie(
                REPORT_COOKIE,
                code,
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response


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


def target_ledger(*, user, report, as_of=None, include_pending=False, retired=False, figures=None):
    """The targets of `report` that `user` may see, each with its standing on `as_of` (all its figures, or
    those named); with `retired`, also those an update import retired (a target's own page: its history
    stays readable)."""
    return ledger_in_scope(
        scope=roles.read_scope(user),
        report=report,
        as_of=as_of,
        include_pending=include_pending,
        retired=retired,
        figures=figures,
    )


def ledger_in_scope(*, scope, report, as_of=None, include_pending=False, retired=False, figures=None):
    """target_ledger for the targets of a roles.read_scope rather than of a user."""
    return (
        targets_in_scope(scope=scope, report=report, retired=retired)
        .with_progress(as_of=as_of, include_pending=include_pending, figures=figures)
        .select_related("report", "section", "lead_department")
    )


def targets_in_scope(*, scope, report, retired=False):
    """The targets of `report` in a roles.read_scope, without their figures (what a filter offers, say)."""
    targets = Target.objects.filter(report=report)
    return roles.in_scope(targets if retired else targets.filter(retired_at__isnull=True), scope)


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


def target_history(target):
    return ProgressEntry.objects.filter(target=target).select_related("created_by").order_by("-reported_on", "-id")


def chart_points(target, *, limit=60):
    """The latest `limit` values reported, approved and awaiting review, oldest first, for the chart."""
    entries = (
        ProgressEntry.objects.filter(target=target, value__isnull=False)
        .exclude(review_status__in=["returned", "superseded"])  # sent back, or withdrawn by a correction
        .order_by("-reported_on", "-id")
    )
    return list(reversed(list(entries.values("reported_on", "value", "review_status")[:limit])))


# The 序时 path of one target, from the figures' own functions (targets/figures.sql): the expected %
# at the first and last day of every month of its period and at its checkpoints, with nothing counted
# (so the figure's day is the day itself), the goal, where the way starts and the deadline — an
# approved extension's where there is one, and a yearly goal's calendar starting again each January.
_PLAN_PATH = f"""
    SELECT days.day,
        reportgov_expected_percent(t, NULL::{ProgressEntry._meta.db_table}, cb, ca, days.day, false),
        reportgov_from(t), reportgov_goal_of(t), reportgov_deadline(t)
    FROM {Target._meta.db_table} AS t
    CROSS JOIN LATERAL (
        SELECT DISTINCT least(greatest(d::date, t.period_start), reportgov_deadline(t)) AS day FROM (
            SELECT t.period_start AS d UNION ALL SELECT reportgov_deadline(t)
            UNION ALL SELECT generate_series(
                date_trunc('month', t.period_start::timestamp), reportgov_deadline(t)::timestamp, '1 month'
            )
            UNION ALL SELECT generate_series(
                date_trunc('month', t.period_start::timestamp) + interval '1 month',
                (reportgov_deadline(t) + 1)::timestamp,
                '1 month'
            ) - interval '1 day'
            UNION ALL SELECT due_on FROM {Checkpoint._meta.db_table} WHERE target_id = t.id
        ) AS candidates
    ) AS days
    LEFT JOIN {Checkpoint._meta.db_table} AS cb ON cb.target_id = t.id AND cb.due_on = (
        SELECT max(due_on) FROM {Checkpoint._meta.db_table} WHERE target_id = t.id AND due_on <= days.day)
    LEFT JOIN {Checkpoint._meta.db_table} AS ca ON ca.target_id = t.id AND ca.due_on = (
        SELECT min(due_on) FROM {Checkpoint._meta.db_table} WHERE target_id = t.id AND due_on > days.day)
    WHERE t.id = %s
    ORDER BY days.day
"""


def plan_path(target):
    """(day, expected %) along `target`'s 序时 path, and its start value, goal and deadline, as the one
    computation judges them (one query). The expected % is None where nothing is prorated (a ceiling)."""
    with connection.cursor() as cursor:
        cursor.execute(_PLAN_PATH, [target.pk])
        rows = cursor.fetchall()
    if not rows:
        return PlanPath([], None, None, None)
    _, _, start_from, goal, deadline = rows[0]
    return PlanPath([(day, expected) for day, expected, *_ in rows], start_from, goal, deadline)


@dataclass(frozen=True)
class PlanPath:
    points: list  # (day, expected %), oldest first
    start_from: Decimal | None
    goal: Decimal | None
    deadline: datetime.date | None


def awaiting_review(target):
    """The target's latest entry if it awaits review (its latest entry is not its latest approved one), else None."""
    from .choices import ReviewStatus

    if target.latest_entry_id is None or target.latest_entry_id == target.latest_approved_entry_id:
        return None
    return ProgressEntry.objects.filter(pk=target.latest_entry_id, review_status=ReviewStatus.SUBMITTED).first()


def returned_entries(user) -> list:
    """退回: the entries of the user's department sent back by review and not yet resubmitted, newest
    first (a reporter sees them above 我的目标), read in one query. Nobody without a department has any:
    for them no query is even compiled (Django compiles an empty queryset's before finding it empty)."""
    from django.db.models import Exists, OuterRef

    from .choices import ReviewStatus

    if roles.department_of(user) is None:
        return []
    resubmitted = ProgressEntry.objects.filter(supersedes=OuterRef("pk"))
    return list(
        ProgressEntry.objects.filter(
            review_status=ReviewStatus.RETURNED, target__in=roles.writable_targets(Target.objects.all(), user)
        )
        .exclude(Exists(resubmitted))
        .select_related("target__report", "reviewed_by")
        .order_by("-reviewed_at", "-id")
    )
