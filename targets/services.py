"""Writes to the ledger. Keyword-only, atomic, validated with full_clean()."""

import datetime

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
