"""Writes to the ledger. Keyword-only, atomic, validated with full_clean()."""

import datetime
import decimal
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from . import errors, roles
from .choices import Measure, ReviewStatus
from .models import ProgressEntry, Target

COUNTED_ANY = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def refresh_latest(*, target_ids) -> None:
    """Point each target at its latest counted entries, in one set-based UPDATE."""
    entries = ProgressEntry.objects.filter(target=OuterRef("pk")).order_by("-reported_on", "-id")
    Target.objects.filter(pk__in=list(target_ids)).update(
        latest_entry=Subquery(entries.filter(review_status__in=COUNTED_ANY).values("pk")[:1]),
        latest_approved_entry=Subquery(entries.filter(review_status=ReviewStatus.APPROVED).values("pk")[:1]),
    )


def previous_entry(target: Target, reported_on: datetime.date):
    """The latest entry still standing (not returned) on or before `reported_on`."""
    return (
        target.entries.filter(reported_on__lte=reported_on, review_status__in=COUNTED_ANY)
        .order_by("-reported_on", "-id")
        .first()
    )


def validate_progress(
    *, target: Target, reported_on, value=None, growth_rate=None, stage="", correction_reason="", today=None
) -> ProgressEntry | None:
    """Check an entry against the target's rules; return the entry it corrects, if any."""
    today = today or timezone.localdate()
    problems = {}
    if reported_on > today:
        problems["reported_on"] = errors.DATE_IN_FUTURE
    elif not (target.period_start <= reported_on <= target.deadline):
        problems["reported_on"] = errors.DATE_OUTSIDE_PERIOD % {
            "start": target.period_start.isoformat(),
            "end": target.deadline.isoformat(),
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
    if growth_rate is not None and target.growth_rate_target is None:
        problems["growth_rate"] = errors.GROWTH_NOT_APPLICABLE
    if problems:
        raise ValidationError(problems)

    previous = previous_entry(target, reported_on)
    if (
        previous is not None
        and target.measure == Measure.CUMULATIVE
        and value is not None
        and previous.value is not None
        and value < previous.value
        and not correction_reason.strip()
    ):
        raise ValidationError(
            {"correction_reason": errors.DECREASE_NEEDS_REASON % {"previous": previous.value.normalize()}}
        )
    return previous


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
    today=None,
) -> ProgressEntry:
    """Store one progress entry and move the target's latest pointers, all or nothing.

    The target row is locked for the transaction so that concurrent entries on one target
    are serialised and the pointers always name the true latest entry.
    """
    if not roles.writable_targets(Target.objects.filter(pk=target.pk), user).exists():
        raise PermissionDenied(errors.NOT_YOUR_TARGET)
    target = Target.objects.select_for_update().select_related("report").get(pk=target.pk)
    previous = validate_progress(
        target=target,
        reported_on=reported_on,
        value=value,
        growth_rate=growth_rate,
        stage=stage,
        correction_reason=correction_reason,
        today=today,
    )
    entry = ProgressEntry(
        target=target,
        reported_on=reported_on,
        value=value,
        growth_rate=growth_rate,
        stage=stage or "",
        note=note or "",
        correction_reason=correction_reason or "",
        supersedes=previous if correction_reason else None,
        review_status=ReviewStatus.SUBMITTED if target.report.review_required else ReviewStatus.APPROVED,
        created_by=user,
    )
    if evidence:
        entry.evidence = evidence
    entry.full_clean()
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
    plus what a batch adds: a lower cumulative value than an earlier item of the same batch needs a
    reason too. Returns {key: ValidationError}; writes nothing."""
    problems = {}
    target_ids = {item.target.pk for item in items}
    writable = set(roles.writable_targets(Target.objects.filter(pk__in=target_ids), user).values_list("pk", flat=True))
    last_in_batch: dict[int, ProgressItem] = {}
    for item in sorted(items, key=lambda i: (i.target.pk, i.reported_on)):
        if item.target.pk not in writable:
            problems[item.key] = ValidationError(errors.NOT_YOUR_TARGET)
            continue
        try:
            item.previous = validate_progress(
                target=item.target,
                reported_on=item.reported_on,
                value=item.value,
                growth_rate=item.growth_rate,
                stage=item.stage,
                correction_reason=item.correction_reason,
                today=today,
            )
        except ValidationError as error:
            problems[item.key] = error
            continue
        earlier = last_in_batch.get(item.target.pk)
        if earlier is not None and item.previous is not None and earlier.reported_on < item.previous.reported_on:
            earlier = None  # a stored entry between them is the one this item follows
        if (
            earlier is not None
            and item.target.measure == Measure.CUMULATIVE
            and item.value is not None
            and earlier.value is not None
            and item.value < earlier.value
            and not item.correction_reason.strip()
        ):
            problems[item.key] = ValidationError(
                {"correction_reason": errors.DECREASE_NEEDS_REASON % {"previous": earlier.value.normalize()}}
            )
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
    locked = {t.pk: t for t in Target.objects.select_for_update().select_related("report").filter(pk__in=target_ids)}
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
