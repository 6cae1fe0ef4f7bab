"""Writes to the ledger. Keyword-only, atomic, validated with full_clean()."""

import datetime
import decimal
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from . import errors, roles
from .choices import Measure, ReportState, ReviewStatus
from .models import ProgressEntry, Report, ReportingPeriodLock, ReportStateChange, Target
from .periods import Period
from .tables import format_number, with_unit
from .units import counts_whole_things

COUNTED_ANY = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)
# A value this many times the target value, or the value it follows, is taken for a slip of the unit
# or the decimal point until its reporter confirms it (ProgressEntry.unusual_confirmed).
UNUSUAL_FACTOR = 10


_TARGETS, _ENTRIES = Target._meta.db_table, ProgressEntry._meta.db_table
_REFRESH_LATEST = f"""
    UPDATE {_TARGETS} AS t SET
        latest_entry_id = (
            SELECT e.id FROM {_ENTRIES} AS e WHERE e.target_id = t.id AND e.review_status = ANY(%(counted)s)
            ORDER BY e.reported_on DESC, e.id DESC LIMIT 1
        ),
        latest_approved_entry_id = (
            SELECT e.id FROM {_ENTRIES} AS e WHERE e.target_id = t.id AND e.review_status = %(approved)s
            ORDER BY e.reported_on DESC, e.id DESC LIMIT 1
        )
    WHERE t.id = ANY(%(ids)s)
"""


def refresh_latest(*, target_ids) -> None:
    """Point each target at its latest counted entries, in one set-based UPDATE over the
    (target, reported_on, id) index. Written in SQL: for the one target of record_progress, building
    the same statement with the ORM cost several times what running it does."""
    with connection.cursor() as cursor:
        cursor.execute(
            _REFRESH_LATEST,
            {"counted": list(COUNTED_ANY), "approved": ReviewStatus.APPROVED, "ids": list(target_ids)},
        )


def _columns(model, alias):
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def _from_row(model, row):
    """A model instance from a row of _columns(model, …), without the ORM's query machinery."""
    return model.from_db(connection.alias, [field.attname for field in model._meta.concrete_fields], row)


_ENTRY_FIELDS = len(ProgressEntry._meta.concrete_fields)
# The latest entry still standing (not returned) of target {target} on or before day {day}.
_PREVIOUS = f"""
    SELECT * FROM {_ENTRIES} AS e
    WHERE e.target_id = {{target}} AND e.reported_on <= {{day}} AND e.review_status = ANY(%s)
    ORDER BY e.reported_on DESC, e.id DESC LIMIT 1
"""
_PREVIOUS_ENTRIES = f"""
    SELECT {_columns(ProgressEntry, "latest")}, v.reported_on
    FROM unnest(%s::bigint[], %s::date[]) AS v(target_id, reported_on)
    CROSS JOIN LATERAL ({_PREVIOUS.format(target="v.target_id", day="v.reported_on")}) AS latest
"""


def previous_entries(pairs) -> dict:
    """The latest entry still standing (not returned) on or before each of many (target id,
    reported_on) pairs: {pair: entry or None}, in one query whatever the number of pairs (an import
    checks thousands of rows)."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_PREVIOUS_ENTRIES, [[pk for pk, _ in pairs], [day for _, day in pairs], list(COUNTED_ANY)])
        found = {}
        for row in cursor.fetchall():
            entry = _from_row(ProgressEntry, row[:_ENTRY_FIELDS])
            found[(entry.target_id, row[_ENTRY_FIELDS])] = entry
    return {pair: found.get(pair) for pair in pairs}


def validate_progress(
    *,
    target: Target,
    reported_on,
    value=None,
    growth_rate=None,
    stage="",
    correction_reason="",
    unusual_confirmed=False,
    today=None,
    previous: ProgressEntry | None,
    follows: "ProgressEntry | ProgressItem | None" = None,
) -> ProgressEntry | None:
    """Check an entry against the target's rules and against `previous`, the stored entry it follows
    (read under the target's lock: record_progress's read, or previous_entries for a batch); return
    `previous`. `follows` is the entry whose value this one's follows when that is not `previous`
    (an earlier row of the same batch): a decrease or a tenfold jump is judged against it."""
    if target.derivation:  # computed (M10 counts the practical tasks done): nobody types it
        derivation = target.get_derivation_display()
        raise ValidationError({NON_FIELD_ERRORS: errors.DERIVED_NOT_RECORDED % {"derivation": derivation}})
    today = today or timezone.localdate()
    problems = {}
    if reported_on > today:
        problems["reported_on"] = errors.DATE_IN_FUTURE
    elif not (target.period_start <= reported_on <= target.effective_deadline):
        problems["reported_on"] = errors.DATE_OUTSIDE_PERIOD % {
            "start": target.period_start.isoformat(),
            "end": target.effective_deadline.isoformat(),
        }
    if target.is_qualitative:
        if not stage:
            problems["stage"] = errors.STAGE_REQUIRED
    else:
        if stage:
            problems["stage"] = errors.STAGE_NOT_FOR_QUANTITATIVE
        growth_only = target.target_value is None
        if growth_only and growth_rate is None:
            problems["growth_rate"] = errors.GROWTH_REQUIRED
        if not growth_only and value is None:
            problems["value"] = errors.VALUE_REQUIRED
        if value is not None and value < 0 and not target.allows_negative:
            problems["value"] = errors.NEGATIVE_VALUE
        elif value is not None and counts_whole_things(target.unit) and value != value.to_integral_value():
            problems["value"] = errors.WHOLE_NUMBER_REQUIRED % {"unit": target.unit}
    if growth_rate is not None and target.growth_rate_target is None:
        problems["growth_rate"] = errors.GROWTH_NOT_APPLICABLE
    if problems:
        raise ValidationError(problems)

    follows = previous if follows is None else follows
    if unexplained_decrease(target, follows, reported_on=reported_on, value=value, reason=correction_reason):
        raise ValidationError(
            {"correction_reason": errors.DECREASE_NEEDS_REASON % {"previous": format_number(follows.value)}}
        )
    unusual = unusual_reference(target, follows, value=value)
    if unusual is not None and not unusual_confirmed:
        reference_name, reference = unusual
        raise ValidationError(
            {
                "value": errors.UNUSUAL_VALUE_NEEDS_CONFIRMATION
                % {
                    "value": format_number(value),
                    "reference_name": reference_name,
                    "reference": format_number(reference),
                }
            }
        )
    return previous


def unusual_reference(target, follows, *, value):
    """What `value` is more than UNUSUAL_FACTOR times: (its name, the number) — the target value, or
    the value of the entry it follows — or None for a plausible value."""
    if value is None:
        return None
    goal = target.effective_target_value
    if goal and abs(value) > UNUSUAL_FACTOR * abs(goal):
        return errors.UNUSUAL_AGAINST_TARGET, goal
    if follows is not None and follows.value and abs(value) > UNUSUAL_FACTOR * abs(follows.value):
        return errors.UNUSUAL_AGAINST_PREVIOUS, follows.value
    return None


def unexplained_decrease(target, earlier, *, reported_on, value, reason) -> bool:
    """A running total that goes down without a reason: a cumulative value ever, or a yearly total
    (每年值) within the same year (a new year starts again from nothing)."""
    running = target.measure == Measure.CUMULATIVE or (
        target.measure == Measure.ANNUAL and earlier is not None and earlier.reported_on.year == reported_on.year
    )
    return (
        running
        and earlier is not None
        and value is not None
        and earlier.value is not None
        and value < earlier.value
        and not (reason or "").strip()
    )


# The target's row is locked first; then, with a snapshot taken after the lock was granted, the read
# of _READ_LOCKED sees an entry committed by a transaction the lock waited for. A target the user may
# not write is locked only until PermissionDenied rolls the transaction back.
_LOCK = f"SELECT FROM {_TARGETS} WHERE id = %s FOR UPDATE"
# The target if the user may write it ({writable}: the rule of roles.writable_targets, compiled to SQL),
# its report's review setting and the periods closed to it (see closed_periods), and the entry an
# entry dated %s follows.
_LOCKS = ReportingPeriodLock._meta.db_table
_READ_LOCKED = f"""
    SELECT {_columns(Target, "t")}, r.review_required, ARRAY(
        SELECT ARRAY[l.period_start, l.period_end] FROM {_LOCKS} AS l
        WHERE l.report_id = t.report_id AND (l.reopened_at IS NULL OR (
            l.reopened_for_id <> t.lead_department_id AND NOT EXISTS (
                SELECT FROM {_LOCKS} AS later
                WHERE later.report_id = l.report_id AND later.period_start = l.period_start
                AND later.closed_at > l.closed_at
            )
        )) ORDER BY l.period_start
    ), {_columns(ProgressEntry, "previous")}
    FROM {_TARGETS} AS t JOIN {Report._meta.db_table} AS r ON r.id = t.report_id
    LEFT JOIN LATERAL ({_PREVIOUS.format(target="t.id", day="%s")}) AS previous ON true
    WHERE t.id = %s AND t.id IN ({{writable}})
"""
_TARGET_FIELDS = len(Target._meta.concrete_fields)


def refusal(target: Target) -> str:
    """Why progress on `target` was refused, read only once it was: its report is not 执行中, the target
    was retired, or else it is not the user's to write."""
    report = Report.objects.filter(pk=target.report_id).values("title", "state").first()
    if report and report["state"] != ReportState.ACTIVE:
        return errors.REPORT_NOT_ACTIVE % {"report": report["title"], "state": ReportState(report["state"]).label}
    if Target.objects.filter(pk=target.pk, retired_at__isnull=False).exists():
        return errors.TARGET_RETIRED % {"code": target.code}
    return str(errors.NOT_YOUR_TARGET)


def _lock_writable_target(target: Target, user, reported_on) -> tuple[Target, dict, ProgressEntry | None]:
    """Lock the target for the transaction if `user` may write it; return it as it stands, the
    periods closed to it ({report id: [(Period, None)]}, as closed_periods gives them) and the entry an
    entry dated `reported_on` follows (as previous_entries reads it). One round trip."""
    writable = roles.writable_targets_sql(user)
    if writable is None:
        raise PermissionDenied(errors.NOT_YOUR_TARGET)
    writable_sql, writable_params = writable
    with connection.cursor() as cursor:
        read = _READ_LOCKED.format(writable=writable_sql)
        cursor.execute(f"{_LOCK}; {read}", [target.pk, reported_on, list(COUNTED_ANY), target.pk, *writable_params])
        row = cursor.fetchone()
    if row is None:
        raise PermissionDenied(refusal(target))
    locked = _from_row(Target, row[:_TARGET_FIELDS])
    review_required, closed, *previous = row[_TARGET_FIELDS:]
    locked.report_review_required = review_required
    closed = {locked.report_id: [(Period(start, end), None) for start, end in closed]}
    return locked, closed, _from_row(ProgressEntry, previous) if previous[0] is not None else None


@transaction.atomic
def record_progress(
    *,
    user,
    target: Target,
    reported_on,
    value=None,
    growth_rate=None,
    stage="",
    note="",
    evidence=None,
    correction_reason="",
    unusual_confirmed=False,
    today=None,
    resubmits: ProgressEntry | None = None,
) -> ProgressEntry:
    """Store one progress entry and move the target's latest pointers, all or nothing.

    The target row is locked for the transaction so that concurrent entries on one target
    are serialised and the pointers always name the true latest entry. `resubmits` is a returned
    entry (退回) this one replaces: the new entry supersedes it and goes to review again.
    Three round trips, written in SQL where building them with the ORM cost more than running them:
    the lock and what it reads (_lock_writable_target), the insert and the pointers' refresh.
    """
    target, closed, previous = _lock_writable_target(target, user, reported_on)
    if resubmits is not None:
        # Read again, as it stands now: the caller's copy may predate the review.
        resubmits = target.entries.filter(pk=resubmits.pk, review_status=ReviewStatus.RETURNED).first()
        if resubmits is None:
            raise ValidationError(errors.RESUBMIT_NOT_RETURNED)
    check_period_open(user=user, target=target, reported_on=reported_on, closed=closed)
    previous = validate_progress(
        target=target,
        reported_on=reported_on,
        value=value,
        growth_rate=growth_rate,
        stage=stage,
        correction_reason=correction_reason,
        unusual_confirmed=unusual_confirmed,
        today=today,
        previous=previous,
    )
    entry = ProgressEntry(
        target=target,
        reported_on=reported_on,
        value=value,
        growth_rate=growth_rate,
        stage=stage or "",
        note=note or "",
        correction_reason=correction_reason or "",
        supersedes=resubmits or (previous if correction_reason else None),
        # Kept only where it was needed: the review queue flags a value its reporter vouched for.
        unusual_confirmed=unusual_reference(target, previous, value=value) is not None,
        review_status=ReviewStatus.SUBMITTED if target.report_review_required else ReviewStatus.APPROVED,
        created_by=user,
    )
    if evidence:
        entry.evidence = evidence
    # As in record_progress_batch: the target was just locked, the superseded entry read under that
    # lock, the user is the caller, and validate_progress guarantees the entry reports something.
    # Skipping those checks saves eight round trips to the database per entry.
    entry.full_clean(exclude=["target", "created_by", "supersedes"], validate_constraints=False)
    entry.save()
    refresh_latest(target_ids=[target.pk])
    return entry


# --- Many entries at once (imports) ---------------------------------------------------------


@dataclass
class ProgressItem:
    """One entry to record in a batch; `key` is the caller's name for it (e.g. sheet and row)."""

    target: Target
    reported_on: datetime.date
    value: decimal.Decimal | None = None
    growth_rate: decimal.Decimal | None = None
    stage: str = ""
    note: str = ""
    correction_reason: str = ""
    unusual_confirmed: bool = False
    key: object = None
    previous: ProgressEntry | None = field(default=None, repr=False)
    earlier_in_batch: "ProgressItem | None" = field(default=None, repr=False)


class BatchInvalid(ValidationError):
    """Some items of a batch cannot be stored; `problems` maps each item's key to its ValidationError."""

    def __init__(self, problems: dict):
        self.problems = problems
        super().__init__([error for errors in problems.values() for error in errors.messages])


def check_progress_batch(*, user, items: list[ProgressItem], today=None) -> dict:
    """Validate every item exactly as record_progress would (permission, then validate_progress),
    each judged against the entry it follows: an earlier item of the same batch where there is one
    (a lower cumulative value needs a reason, a tenfold jump a confirmation). Returns
    {key: ValidationError}; writes nothing."""
    problems = {}
    target_ids = {item.target.pk for item in items}
    writable = set(roles.writable_targets(Target.objects.filter(pk__in=target_ids), user).values_list("pk", flat=True))
    closed = closed_periods(report_ids={item.target.report_id for item in items})
    previous = previous_entries((item.target.pk, item.reported_on) for item in items if item.target.pk in writable)
    last_in_batch: dict[int, ProgressItem] = {}
    for item in sorted(items, key=lambda i: (i.target.pk, i.reported_on)):
        if item.target.pk not in writable:
            problems[item.key] = ValidationError(refusal(item.target))
            continue
        stored = previous.get((item.target.pk, item.reported_on))
        earlier = last_in_batch.get(item.target.pk)
        if earlier is not None and stored is not None and earlier.reported_on < stored.reported_on:
            earlier = None  # a stored entry between them is the one this item follows
        try:
            check_period_open(user=user, target=item.target, reported_on=item.reported_on, closed=closed)
            item.previous = validate_progress(
                target=item.target,
                reported_on=item.reported_on,
                value=item.value,
                growth_rate=item.growth_rate,
                stage=item.stage,
                correction_reason=item.correction_reason,
                unusual_confirmed=item.unusual_confirmed,
                today=today,
                previous=stored,
                follows=earlier,
            )
        except ValidationError as error:
            problems[item.key] = error
            continue
        item.earlier_in_batch = earlier
        last_in_batch[item.target.pk] = item
    return problems


@transaction.atomic
def record_progress_batch(*, user, items: list[ProgressItem], today=None) -> list[ProgressEntry]:
    """Store many entries all or nothing: lock their targets, validate every item (BatchInvalid names
    each bad one), insert with set-based bulk_create and move the latest pointers in one UPDATE."""
    if not items:
        return []
    target_ids = sorted({item.target.pk for item in items})
    # Locked in id order so that two imports touching the same targets cannot deadlock.
    locked = {
        t.pk: t
        for t in Target.objects.select_for_update(of=("self",))
        .select_related("report")
        .filter(pk__in=target_ids)
        .order_by("pk")
    }
    locked = {pk: locked[pk] for pk in target_ids if pk in locked}
    for item in items:
        item.target = locked.get(item.target.pk, item.target)
    problems = check_progress_batch(user=user, items=items, today=today)
    if problems:
        raise BatchInvalid(problems)

    entries = {}
    # Waves: the n-th item of each target goes in wave n, so that a correction may supersede an
    # entry stored by an earlier wave of this same batch.
    waves: list[list[ProgressItem]] = []
    depth: dict[int, int] = {}
    for item in sorted(items, key=lambda i: (i.target.pk, i.reported_on)):
        n = depth.get(item.target.pk, 0)
        depth[item.target.pk] = n + 1
        if len(waves) <= n:
            waves.append([])
        waves[n].append(item)
    for wave in waves:
        batch = []
        for item in wave:
            supersedes = None
            if item.correction_reason:
                supersedes = entries[id(item.earlier_in_batch)] if item.earlier_in_batch else item.previous
            entry = ProgressEntry(
                target=item.target,
                reported_on=item.reported_on,
                value=item.value,
                growth_rate=item.growth_rate,
                stage=item.stage or "",
                note=item.note or "",
                correction_reason=item.correction_reason or "",
                supersedes=supersedes,
                unusual_confirmed=unusual_reference(
                    item.target, item.earlier_in_batch or item.previous, value=item.value
                )
                is not None,
                review_status=ReviewStatus.SUBMITTED if item.target.report.review_required else ReviewStatus.APPROVED,
                created_by=user,
            )
            # The foreign keys were just locked or built here, and validate_progress guarantees each
            # entry reports something: skip the per-row existence and constraint queries.
            entry.full_clean(exclude=["target", "created_by", "supersedes"], validate_constraints=False)
            entries[id(item)] = entry
            batch.append(entry)
        ProgressEntry.objects.bulk_create(batch)
    refresh_latest(target_ids=target_ids)
    return [entries[id(item)] for item in items]


# --- Review (审核) and the reporting periods it reads -------------------------------------------


def closed_periods(*, report_ids) -> dict[int, list[tuple[Period, int | None]]]:
    """The periods now closed, by report id, in one query (for checking many entries at once): each
    with the one department it was reopened for (its targets may take entries), or None. A period
    reopened for a department stays so until it is closed again (a later lock)."""
    closed: dict[int, list[tuple[Period, int | None]]] = {}
    latest = {}
    locks = ReportingPeriodLock.objects.filter(report_id__in=report_ids).order_by("closed_at", "id")
    for lock in locks.values("report_id", "period_start", "period_end", "reopened_at", "reopened_for_id"):
        latest[lock["report_id"], lock["period_start"]] = lock
    for (report_id, _start), lock in sorted(latest.items()):
        if lock["reopened_at"] is None or lock["reopened_for_id"] is not None:
            period = Period(lock["period_start"], lock["period_end"])
            closed.setdefault(report_id, []).append((period, lock["reopened_for_id"]))
    return closed


def check_period_open(*, user, target: Target, reported_on, closed: dict | None = None) -> None:
    """Refuse an entry dated inside a closed reporting period, whoever records it: a reporter asks
    the 督查室 to reopen it; a supervisor reopens it first, with a reason, and then records. A period
    reopened for one department takes entries on the targets that department leads, and no others."""
    if closed is None:
        closed = closed_periods(report_ids=[target.report_id])
    for period, open_to in closed.get(target.report_id, ()):
        if reported_on in period and open_to != target.lead_department_id:
            message = errors.PERIOD_CLOSED_REOPEN_FIRST if roles.is_supervisor(user) else errors.PERIOD_CLOSED
            raise ValidationError(
                {"reported_on": message % {"start": period.start.isoformat(), "end": period.end.isoformat()}}
            )


def require_supervisor(user) -> None:
    if not roles.is_supervisor(user):
        raise PermissionDenied(errors.SUPERVISORS_ONLY)


def entry_figure(entry, unit: str) -> str:
    """What an entry reported, as one short text: the stage, the value in `unit`, the growth rate."""
    parts = []
    if entry.stage:
        parts.append(str(entry.get_stage_display()))
    if entry.value is not None:
        parts.append(with_unit(entry.value, unit))
    if entry.growth_rate is not None:
        parts.append(with_unit(entry.growth_rate, "%"))
    return " · ".join(parts) or "—"


def entry_label(entry, target: Target | None = None) -> str:
    """An entry named so that no other can be taken for it, in review's messages: its target, the
    date it reports, what it reported and when it was submitted. `target`: the entry's, if loaded."""
    target = target or entry.target
    return _("%(code)s %(name)s · %(date)s · %(figure)s（%(submitted)s 提交）") % {
        "code": target.code,
        "name": target.name,
        "date": entry.reported_on.isoformat(),
        "figure": entry_figure(entry, target.unit),
        "submitted": timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
    }


# The entries an entry corrects, directly or through the entries between them (its chain upwards).
_EARLIER_IN_CHAIN = f"""
    WITH RECURSIVE chain(id, supersedes_id) AS (
        SELECT id, supersedes_id FROM {_ENTRIES} WHERE id = %s
        UNION ALL
        SELECT e.id, e.supersedes_id FROM {_ENTRIES} AS e JOIN chain ON e.id = chain.supersedes_id
    )
    SELECT id FROM chain WHERE id <> %s
"""


@transaction.atomic
def review_entry(*, user, entry: ProgressEntry, approve: bool, comment: str = "") -> ProgressEntry:
    """审核: approve a submitted entry (it counts in the official figures from now on) or return it
    with a comment (it never counts; the reporter resubmits a corrected entry). Once only.

    Only the latest entry of a correction chain is reviewed: an entry its reporter has corrected
    since is refused (approving it would make the withdrawn figure official). Reviewing the latest
    settles the chain: the earlier entries still awaiting review are marked 已被更正 (superseded) by
    the same review, and never count; their values stay as they were reported."""
    require_supervisor(user)
    # The target first, as record_progress locks it: the two never wait on each other in a cycle.
    target = Target.objects.select_for_update().filter(pk=entry.target_id).first()
    entry = ProgressEntry.objects.select_for_update().get(pk=entry.pk)
    entry.target = target
    successor = entry.superseded_by.order_by("-id").first()
    if successor is not None and entry.review_status in (ReviewStatus.SUBMITTED, ReviewStatus.SUPERSEDED):
        raise ValidationError(errors.ENTRY_SUPERSEDED % {"latest": entry_label(successor, target)})
    if entry.review_status != ReviewStatus.SUBMITTED:
        raise ValidationError(errors.ALREADY_REVIEWED)
    if entry.created_by_id == user.pk:
        raise PermissionDenied(errors.CANNOT_REVIEW_OWN_ENTRY)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"review_comment": errors.RETURN_NEEDS_COMMENT})
    entry.review_status = ReviewStatus.APPROVED if approve else ReviewStatus.RETURNED
    entry.reviewed_by = user
    entry.reviewed_at = timezone.now()
    entry.review_comment = comment
    entry.full_clean(exclude=["evidence"])
    entry.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_comment"])
    ProgressEntry.objects.filter(
        pk__in=RawSQL(_EARLIER_IN_CHAIN, [entry.pk, entry.pk]), review_status=ReviewStatus.SUBMITTED
    ).update(review_status=ReviewStatus.SUPERSEDED, reviewed_by=user, reviewed_at=entry.reviewed_at)
    refresh_latest(target_ids=[entry.target_id])
    return entry


# --- A report's state (草稿 → 执行中 → 收官) -------------------------------------------------------

# Which state a report may move to from which; 收官 → 执行中 takes a reason.
STATE_MOVES = {
    ReportState.DRAFT: {ReportState.ACTIVE},
    ReportState.ACTIVE: {ReportState.CLOSED},
    ReportState.CLOSED: {ReportState.ACTIVE},
}


@transaction.atomic
def change_report_state(*, user, report: Report, state: str, reason: str = "") -> ReportStateChange:
    """Move one report to `state` and record who (None: a management command), when and why. Only
    this report changes: any number of reports are 执行中 at once. Closing (收官) takes every entry
    reviewed, so that its figures are the final account; going back from 收官 takes a reason."""
    if user is not None:
        require_supervisor(user)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    current = locked.state
    reason = (reason or "").strip()
    if state not in STATE_MOVES.get(current, ()):
        label = ReportState(state).label if state in ReportState.values else state
        raise ValidationError(errors.STATE_CHANGE_NOT_ALLOWED % {"from": ReportState(current).label, "to": label})
    if current == ReportState.CLOSED and not reason:
        raise ValidationError({"reason": errors.REOPEN_NEEDS_REASON})
    if state == ReportState.CLOSED:
        waiting = ProgressEntry.objects.filter(target__report=locked, review_status=ReviewStatus.SUBMITTED).count()
        if waiting:
            raise ValidationError(errors.CLOSE_NEEDS_REVIEW % {"count": waiting})
    change = ReportStateChange(
        report=locked, from_state=current, to_state=state, changed_at=timezone.now(), changed_by=user, reason=reason
    )
    change.full_clean()
    change.save()
    locked.state = state
    locked.save(update_fields=["state"])
    report.state = state
    return change
