"""Reads for the 督查 pages: the review queue with each target's standing beside its entry, the
reporting periods of a report with their locks, and extension requests a user may see."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, Q, When
from django.db.models.expressions import RawSQL

from targets import roles
from targets.choices import EntryKind, ExtensionStatus, ReviewStatus
from targets.models import ProgressEntry, ReportingPeriodLock, Target
from targets.periods import Period, periods_of

from .models import ExtensionRequest, ReopenRequest


def review_queue(*, report, department=None):
    """Entries awaiting review (待审核), oldest submission first, optionally of one lead department."""
    entries = ProgressEntry.objects.filter(target__report=report, review_status=ReviewStatus.SUBMITTED)
    if department is not None:
        entries = entries.filter(target__lead_department=department)
    return (
        entries.select_related("target__report", "target__lead_department", "created_by")
        .defer("target__report__text", "target__source_text")
        .order_by("created_at", "id")
    )


def entry_kind(entry, corrected) -> EntryKind:
    """What `entry` is, from the data: `corrected` is the entry it supersedes. A resubmission
    supersedes an entry that review had returned before it was submitted; a correction supersedes
    one still standing when it was submitted (whatever became of that one afterwards)."""
    if corrected is None:
        return EntryKind.FIRST
    if (
        corrected.review_status == ReviewStatus.RETURNED
        and corrected.reviewed_at is not None
        and corrected.reviewed_at <= entry.created_at
    ):
        return EntryKind.RESUBMISSION
    return EntryKind.CORRECTION


_ENTRIES = ProgressEntry._meta.db_table
# Every entry linked to the given ones by corrections: those they correct, directly or through
# others, and those correcting them. Each step follows the primary key or the supersedes index.
_CHAINS = f"""
    WITH RECURSIVE earlier(id, supersedes_id) AS (
        SELECT id, supersedes_id FROM {_ENTRIES} WHERE id = ANY(%s)
        UNION
        SELECT e.id, e.supersedes_id FROM {_ENTRIES} AS e JOIN earlier ON e.id = earlier.supersedes_id
    ), later(id) AS (
        SELECT id FROM {_ENTRIES} WHERE id = ANY(%s)
        UNION
        SELECT e.id FROM {_ENTRIES} AS e JOIN later ON e.supersedes_id = later.id
    )
    SELECT id FROM earlier UNION SELECT id FROM later
"""


def attach_chains(entries) -> None:
    """Put each entry's correction chain beside it, in one query for the page: `entry.chain`, the
    entries it corrects and those correcting it with itself among them, oldest first, each with
    its `kind`; `entry.kind`; `entry.latest_correction`, the newest entry correcting it (None for the
    latest of its chain, the only one that may be reviewed)."""
    ids = [entry.pk for entry in entries]
    if not ids:
        return
    linked = {
        entry.pk: entry
        for entry in ProgressEntry.objects.filter(pk__in=RawSQL(_CHAINS, [ids, ids]))
        .select_related("created_by", "reviewed_by")
        .order_by("id")
    }
    corrections = defaultdict(list)
    for entry in linked.values():
        entry.kind = entry_kind(entry, linked.get(entry.supersedes_id))
        if entry.supersedes_id is not None:
            corrections[entry.supersedes_id].append(entry)
    for entry in entries:
        earlier, step = [], linked[entry.pk].supersedes_id
        while step is not None:
            earlier.append(linked[step])
            step = linked[step].supersedes_id
        later, frontier = [], list(corrections[entry.pk])
        while frontier:
            later.extend(frontier)
            frontier = [correction for step in frontier for correction in corrections[step.pk]]
        entry.kind = linked[entry.pk].kind
        entry.chain = sorted([*earlier, linked[entry.pk], *later], key=lambda member: member.pk)
        entry.latest_correction = max(later, key=lambda member: member.pk) if later else None


def attach_standing(entries, *, as_of: datetime.date) -> None:
    """Put each entry's target standing beside it: `entry.official` counts approved entries only,
    `entry.with_pending` also those awaiting review. Two queries for the whole page."""
    target_ids = {entry.target_id for entry in entries}
    base = Target.objects.filter(pk__in=target_ids).select_related(None).defer("source_text")
    official = {t.pk: t for t in base.with_progress(as_of=as_of)}
    pending = {t.pk: t for t in base.with_progress(as_of=as_of, include_pending=True)}
    for entry in entries:
        entry.official = official.get(entry.target_id)
        entry.with_pending = pending.get(entry.target_id)


@dataclass
class PeriodRow:
    period: Period
    locks: list = field(default_factory=list)  # every close of the period, oldest first
    entries: int = 0
    pending: int = 0

    @property
    def current_lock(self):
        """The lock that keeps the period closed now, if any."""
        return next((lock for lock in self.locks if lock.reopened_at is None), None)

    @property
    def is_closed(self):
        return self.current_lock is not None

    @property
    def open_to(self):
        """The one department the period was last reopened for (closed to the others), if so."""
        return self.locks[-1].reopened_for if self.locks and not self.is_closed else None


def period_rows(*, report, today: datetime.date) -> list[PeriodRow]:
    """The report's periods that have begun, newest first, with their close/reopen record and
    how many entries are dated in each (three queries)."""
    rows = [PeriodRow(period) for period in periods_of(report) if period.start <= today]
    by_start = {row.period.start: row for row in rows}
    locks = ReportingPeriodLock.objects.filter(report=report).select_related("closed_by", "reopened_by", "reopened_for")
    for lock in locks.order_by("closed_at", "id"):
        if lock.period_start in by_start:
            by_start[lock.period_start].locks.append(lock)
    if rows:
        counts = (
            ProgressEntry.objects.filter(
                target__report=report, reported_on__gte=rows[0].period.start, reported_on__lte=rows[-1].period.end
            )
            .values("reported_on__year", "reported_on__month")
            .annotate(total=Count("id"), pending=Count("id", filter=Q(review_status=ReviewStatus.SUBMITTED)))
        )
        for row in rows:
            for count in counts:
                day = datetime.date(count["reported_on__year"], count["reported_on__month"], 1)
                if day in row.period:
                    row.entries += count["total"]
                    row.pending += count["pending"]
    return list(reversed(rows))


def visible_extensions(user, *, report):
    """Extension requests on the targets `user` may see (supervisors: all), pending first."""
    targets = roles.visible_targets(Target.objects.filter(report=report), user)
    return (
        ExtensionRequest.objects.filter(target__in=targets)
        .select_related("target__lead_department", "requested_by", "decided_by")
        # pending first, then the latest
        .order_by(Case(When(status=ExtensionStatus.PENDING, then=0), default=1), "-requested_at", "-id")
    )


def reopen_requests(*, report):
    """补报申请 of the report, pending first, then the latest (the periods page shows the last 50)."""
    return (
        ReopenRequest.objects.filter(report=report)
        .select_related("department", "requested_by", "decided_by")
        .order_by(Case(When(status=ExtensionStatus.PENDING, then=0), default=1), "-requested_at", "-id")[:50]
    )
