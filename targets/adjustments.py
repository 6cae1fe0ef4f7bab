"""调整: a target's goal changed outside the extension flow (the 延期/调整 requests of supervision),
by an admin in Django admin, always with a reason.

The report's own target_value and deadline stay as the report wrote them (its text says 8): the goal
in force goes into adjusted_target_value / adjusted_deadline, the fields an approved extension sets
and with_progress already judges against (figures.sql: reportgov_goal_of, reportgov_deadline), and
who, which day and why into adjusted_by / adjusted_on / adjustment_reason. Pages show it beside the
original ("调整：原 8 → 9（理由，日期）", templates/targets/adjustment_note.html) and the change
history (the triggers of targets.history) keeps every adjustment, so a later one never erases an
earlier one. Going back to the report's own value or deadline ends that adjustment.

A target's growth rate and upper bound have no adjusted field that the figures read: they are not
adjusted here (a mistake in the report's data is corrected by the report's update import)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import errors
from .models import Target

# The fields that set a target's goal; the first two are adjusted, the others are the report's.
ADJUSTED = ("target_value", "deadline")
NOT_ADJUSTABLE = ("target_value_max", "growth_rate_target")
# Who, which day and why: set with every adjustment.
RECORD = ("adjustment_reason", "adjusted_on", "adjusted_by")


def goal_in_force(target: Target) -> dict:
    """What an admin sees and edits as the target's 目标值 and 完成期限: the goal in force."""
    return {"target_value": target.effective_target_value, "deadline": target.effective_deadline}


def goal_version(target: Target) -> str:
    """The goal in force as the change form saw it. The form's row version (targets.admin_locking)
    reads only the typed fields, so without this a save would undo an adjustment made meanwhile."""
    return f"{target.effective_target_value}|{target.effective_deadline.isoformat()}"


def problems(target: Target, *, changed, target_value, reason: str) -> dict:
    """The form's errors for changing the fields `changed` of `target`'s goal (empty: the change is
    an adjustment that may be recorded)."""
    found = {name: errors.GOAL_NOT_ADJUSTABLE for name in NOT_ADJUSTABLE if name in changed}
    if "target_value" in changed and target_value is None and target.target_value is not None:
        found["target_value"] = errors.ADJUSTED_VALUE_REQUIRED
    if any(name in changed for name in ADJUSTED) and not reason.strip():
        found["reason"] = errors.ADJUSTMENT_NEEDS_REASON
    return found


def adjust(target: Target, *, user, target_value, deadline, reason: str) -> None:
    """Make `target_value` by `deadline` `target`'s goal in force, keeping the report's own beside it.
    On the object only: the caller saves it in its transaction (the admin's save, adjust_deadlines)."""
    target.adjusted_target_value = None if target_value == target.target_value else target_value
    target.adjusted_deadline = None if deadline == target.deadline else deadline
    target.adjustment_reason = reason.strip()
    target.adjusted_on = timezone.localdate()
    target.adjusted_by = user


@transaction.atomic
def adjust_deadlines(*, user, target_ids, deadline, reason: str) -> int:
    """One 完成期限 for many targets (the admin's bulk action), each an adjustment with `reason`. The
    caller has refused a deadline before a target's start (the database refuses it too)."""
    if not reason.strip():
        raise ValidationError({"reason": errors.ADJUSTMENT_NEEDS_REASON})
    targets = list(Target.objects.select_for_update().filter(pk__in=target_ids).order_by("pk"))
    for target in targets:
        adjust(target, user=user, target_value=target.effective_target_value, deadline=deadline, reason=reason)
        target.save(update_fields=["adjusted_target_value", "adjusted_deadline", *RECORD])
    return len(targets)
