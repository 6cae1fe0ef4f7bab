"""Writes of the 督查室's own records: 补报申请 (reopen requests) and the batch review of the queue.
Keyword-only, atomic; the report's own writes (review, periods, extensions) are targets.services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from targets import errors, roles, services
from targets.choices import ExtensionStatus
from targets.models import ProgressEntry, ReportingPeriodLock
from targets.periods import Period

from .models import ReopenRequest


def user_department(user):
    profile = getattr(user, "staff_profile", None)
    return profile.department if profile is not None else None


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
    if not roles.is_supervisor(user):
        raise PermissionDenied(errors.SUPERVISORS_ONLY)
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
        request.lock = services.reopen_period(
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
