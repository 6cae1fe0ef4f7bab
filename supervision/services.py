"""Writes of the 督查室: closing and reopening reporting periods, 补报申请 (reopen requests), 延期/调整
申请 (extension requests) and the batch review of the queue. Keyword-only, atomic; the report's own
writes (progress, the review of one entry, the report's state) are targets.services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from targets import errors, roles, services
from targets.choices import ExtensionStatus
from targets.models import ProgressEntry, ReportingPeriodLock, Target
from targets.periods import Period

from .models import ExtensionRequest, ReopenRequest


def user_department(user):
    profile = getattr(user, "staff_profile", None)
    return profile.department if profile is not None else None


@transaction.atomic
def close_period(*, user, report, period: Period, today=None) -> ReportingPeriodLock:
    """关闭填报期: from now on nobody adds an entry dated inside `period` until it is reopened."""
    services.require_supervisor(user)
    today = today or timezone.localdate()
    if period.end >= today:
        raise ValidationError(errors.PERIOD_NOT_ENDED)
    if ReportingPeriodLock.objects.filter(report=report, period_start=period.start, reopened_at__isnull=True).exists():
        raise ValidationError(errors.PERIOD_ALREADY_CLOSED)
    lock = ReportingPeriodLock(
        report=report, period_start=period.start, period_end=period.end, closed_at=timezone.now(), closed_by=user
    )
    lock.full_clean()
    lock.save()
    return lock


@transaction.atomic
def reopen_period(*, user, report, period: Period, reason: str, department=None) -> ReportingPeriodLock:
    """重新开放填报期, with the reason on record (the lock row keeps who closed and who reopened): for
    every department, or for `department` alone (the period stays closed to the others' targets)."""
    services.require_supervisor(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reopen_reason": errors.REOPEN_NEEDS_REASON})
    lock = (
        ReportingPeriodLock.objects.select_for_update()
        .filter(report=report, period_start=period.start, reopened_at__isnull=True)
        .first()
    )
    if lock is None:
        raise ValidationError(errors.PERIOD_NOT_CLOSED)
    lock.reopened_at = timezone.now()
    lock.reopened_by = user
    lock.reopen_reason = reason
    lock.reopened_for = department
    lock.full_clean()
    lock.save(update_fields=["reopened_at", "reopened_by", "reopen_reason", "reopened_for"])
    return lock


@transaction.atomic
def request_extension(
    *, user, target: Target, reason: str, requested_deadline=None, requested_target_value=None
) -> ExtensionRequest:
    """延期/调整申请 by the target's own department (or a supervisor); nothing changes until approved."""
    if not roles.writable_targets(Target.objects.filter(pk=target.pk), user).exists():
        raise PermissionDenied(services.refusal(target))
    target = Target.objects.select_for_update().get(pk=target.pk)
    problems = {}
    if requested_deadline is None and requested_target_value is None:
        problems["requested_deadline"] = errors.EXTENSION_ASKS_NOTHING
    if requested_deadline is not None and requested_deadline <= target.effective_deadline:
        problems["requested_deadline"] = errors.EXTENSION_DEADLINE_NOT_LATER % {
            "deadline": target.effective_deadline.isoformat()
        }
    if requested_target_value is not None:
        if target.target_value is None:
            problems["requested_target_value"] = errors.EXTENSION_VALUE_NOT_APPLICABLE
        elif requested_target_value == target.effective_target_value:
            problems["requested_target_value"] = errors.EXTENSION_VALUE_UNCHANGED
    if not (reason or "").strip():
        problems["reason"] = errors.EXTENSION_NEEDS_REASON
    if problems:
        raise ValidationError(problems)
    if target.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(errors.EXTENSION_ALREADY_PENDING)
    extension = ExtensionRequest(
        target=target,
        requested_deadline=requested_deadline,
        requested_target_value=requested_target_value,
        reason=reason.strip(),
        requested_by=user,
    )
    extension.full_clean()
    extension.save()
    return extension


@transaction.atomic
def decide_extension(*, user, extension: ExtensionRequest, approve: bool, comment: str = "") -> ExtensionRequest:
    """Approve (the target's adjusted deadline / target value take the requested ones, and status is
    judged against them from now on) or reject (nothing changes) a pending request. Once only, and
    never by the one who asked."""
    services.require_supervisor(user)
    target = Target.objects.select_for_update().get(pk=extension.target_id)
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(errors.EXTENSION_ALREADY_DECIDED)
    if extension.requested_by_id == user.pk:
        raise PermissionDenied(errors.CANNOT_DECIDE_OWN_REQUEST)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"decision_comment": errors.REJECT_NEEDS_COMMENT})
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by = user
    extension.decided_at = timezone.now()
    extension.decision_comment = comment
    extension.full_clean()
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    if approve:
        changed = []
        if extension.requested_deadline is not None:
            target.adjusted_deadline = extension.requested_deadline
            changed.append("adjusted_deadline")
        if extension.requested_target_value is not None:
            target.adjusted_target_value = extension.requested_target_value
            changed.append("adjusted_target_value")
        # The adjustment shown beside the report's own figures (调整：原 … → …) carries the request's
        # reason, the day and the supervisor who approved it, as an admin's adjustment does.
        target.adjustment_reason, target.adjusted_on, target.adjusted_by = extension.reason, timezone.localdate(), user
        target.save(update_fields=[*changed, "adjustment_reason", "adjusted_on", "adjusted_by"])
    return extension


@transaction.atomic
def request_reopening(*, user, report, period: Period, reason: str, department=None) -> ReopenRequest:
    """补报申请: a reporter asks for their own department; a supervisor for any department or for all."""
    if not roles.is_supervisor(user):
        own = user_department(user)
        if own is None or (department is not None and department != own):
            raise PermissionDenied(errors.REOPEN_NOT_YOUR_DEPARTMENT)
        department = own
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": errors.EXTENSION_NEEDS_REASON})
    closed = ReportingPeriodLock.objects.filter(report=report, period_start=period.start, reopened_at__isnull=True)
    if not closed.exists():
        raise ValidationError(errors.REOPEN_PERIOD_NOT_CLOSED)
    pending = ReopenRequest.objects.filter(
        report=report, period_start=period.start, department=department, status=ExtensionStatus.PENDING
    )
    if pending.exists():
        raise ValidationError(errors.REOPEN_ALREADY_PENDING)
    request = ReopenRequest(
        report=report,
        period_start=period.start,
        period_end=period.end,
        department=department,
        reason=reason,
        requested_by=user,
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def decide_reopening(*, user, request: ReopenRequest, approve: bool, comment: str = "") -> ReopenRequest:
    """Approve (the period reopens for the request's department, or all, with its reason) or reject
    (with a comment) a pending 补报申请. Once only, and never by the one who asked."""
    services.require_supervisor(user)
    request = (
        ReopenRequest.objects.select_for_update(of=("self",)).select_related("report", "department").get(pk=request.pk)
    )
    if request.status != ExtensionStatus.PENDING:
        raise ValidationError(errors.EXTENSION_ALREADY_DECIDED)
    if request.requested_by_id == user.pk:
        raise PermissionDenied(errors.CANNOT_DECIDE_OWN_REQUEST)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"decision_comment": errors.REJECT_NEEDS_COMMENT})
    if approve:
        request.lock = reopen_period(
            user=user,
            report=request.report,
            period=Period(request.period_start, request.period_end),
            reason=request.reason,
            department=request.department,
        )
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.full_clean()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "lock"])
    return request


@transaction.atomic
def review_batch(*, user, entries: list[ProgressEntry], approve: bool, comment: str = "") -> list[ProgressEntry]:
    """批量通过 / 批量退回 (with one reason for all): each entry through review_entry, all or nothing —
    one refused entry (someone's own, a superseded one, already reviewed) refuses the batch, named."""
    if not entries:
        raise ValidationError(errors.BATCH_NOTHING_CHOSEN)
    if not approve and not (comment or "").strip():
        raise ValidationError({"review_comment": errors.RETURN_NEEDS_COMMENT})
    reviewed = []
    for entry in entries:
        try:
            reviewed.append(services.review_entry(user=user, entry=entry, approve=approve, comment=comment))
        except (ValidationError, PermissionDenied) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            label = services.entry_label(entry)
            raise ValidationError([f"{label}：{message}" for message in messages]) from error
    return reviewed
