"""催办: what send_reminders e-mails today, and the sending itself.

Each department (牵头单位: the unit answerable for a target) gets, addressed to each of its reporters,
the targets it leads that are stale (nothing reported this period), lagging, far behind or overdue;
each supervisor (督查) gets a summary by department. The standing comes from the one computation
with pending entries included: a unit that has reported is not chased while its entry awaits review.
Every message is one e-mail to one person, logged in ReminderLog; a person already logged today is
skipped, so running the command twice the same day sends nothing the second time.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from targets import roles
from targets.choices import Status
from targets.models import Department, Report, Target
from targets.periods import Period, period_containing

from .models import ReminderKind, ReminderLog

logger = logging.getLogger(__name__)

STALE = "stale"
# Why a target is on a reminder, most urgent first (the statuses' own labels name the others).
REASON_ORDER = (Status.OVERDUE, Status.FAR_BEHIND, Status.LAGGING, STALE)
CHASED_STATUSES = frozenset({Status.OVERDUE, Status.FAR_BEHIND, Status.LAGGING})
STALE_LABEL = gettext_lazy("本期未填报")


@dataclass
class Item:
    """One target on a reminder and why it is there."""

    target: Target
    reasons: list

    @property
    def reason_labels(self):
        return [str(STALE_LABEL) if reason == STALE else str(Status(reason).label) for reason in self.reasons]


@dataclass
class DepartmentReminder:
    department: Department
    items: list
    recipients: list = field(default_factory=list)  # users with an e-mail address
    unreachable: list = field(default_factory=list)  # reporters without one
    already_sent: set = field(default_factory=set)  # recipient ids logged today

    def count(self, reason):
        return sum(1 for item in self.items if reason in item.reasons)

    @property
    def counts(self):
        return {reason: self.count(reason) for reason in REASON_ORDER}


@dataclass
class Plan:
    """Everything send_reminders would send on `today`."""

    report: Report
    today: datetime.date
    period: Period
    departments: list
    supervisors: list
    already_sent_summary: set

    @property
    def target_count(self):
        return sum(len(reminder.items) for reminder in self.departments)


def plan_reminders(*, report: Report, today: datetime.date) -> Plan:
    """Who would be reminded of what on `today`, in four queries whatever the number of targets."""
    period = period_containing(today)
    targets = (
        Target.objects.filter(report=report, period_start__lte=today)
        .with_progress(as_of=today, include_pending=True)
        .select_related("report", "lead_department")
        .defer("source_text", "report__text")
        .order_by("lead_department__order", "lead_department__code", "order", "code")
    )
    by_department: dict[int, DepartmentReminder] = {}
    for target in targets:
        reasons = [target.status] if target.status in CHASED_STATUSES else []
        if target.status != Status.DONE and (
            target.latest_reported_on is None or target.latest_reported_on < period.start
        ):
            reasons.append(STALE)
        if not reasons:
            continue
        reasons.sort(key=REASON_ORDER.index)
        reminder = by_department.get(target.lead_department_id)
        if reminder is None:
            reminder = by_department[target.lead_department_id] = DepartmentReminder(target.lead_department, [])
        reminder.items.append(Item(target, reasons))

    User = get_user_model()
    reporters = (
        User.objects.filter(
            is_active=True,
            groups__name=roles.REPORTER,
            staff_profile__department__in=list(by_department),
        )
        .select_related("staff_profile")
        .order_by("username")
        .distinct()
    )
    for user in reporters:
        reminder = by_department[user.staff_profile.department_id]
        (reminder.recipients if user.email else reminder.unreachable).append(user)
    supervisors = list(
        User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR).exclude(email="").order_by("username")
    )
    sent = ReminderLog.objects.filter(sent_on=today).values_list("kind", "recipient_id")
    sent_to = {ReminderKind.DEPARTMENT: set(), ReminderKind.SUMMARY: set()}
    for kind, recipient_id in sent:
        sent_to[kind].add(recipient_id)
    for reminder in by_department.values():
        reminder.already_sent = {u.pk for u in reminder.recipients if u.pk in sent_to[ReminderKind.DEPARTMENT]}
    return Plan(
        report=report,
        today=today,
        period=period,
        departments=list(by_department.values()),
        supervisors=supervisors,
        already_sent_summary=sent_to[ReminderKind.SUMMARY],
    )


def department_message(plan: Plan, reminder: DepartmentReminder) -> tuple[str, str]:
    subject = _("【催办】%(department)s：%(count)s 项目标需要跟进（%(date)s）") % {
        "department": reminder.department.name,
        "count": len(reminder.items),
        "date": plan.today.isoformat(),
    }
    body = render_to_string(
        "supervision/email/department_reminder.txt",
        {"plan": plan, "reminder": reminder, "site_url": settings.REPORTGOV_SITE_URL},
    )
    return subject, body


def summary_message(plan: Plan) -> tuple[str, str]:
    subject = _("【督查汇总】%(date)s 催办 %(departments)s 个单位、%(count)s 项目标") % {
        "date": plan.today.isoformat(),
        "departments": len(plan.departments),
        "count": plan.target_count,
    }
    body = render_to_string("supervision/email/summary.txt", {"plan": plan})
    return subject, body


@dataclass
class Outcome:
    sent: list = field(default_factory=list)  # ReminderLog rows written
    skipped: int = 0  # already sent today
    failed: int = 0  # the mail server refused; tried again on the next run


def send_reminders(*, report: Report, today: datetime.date, connection=None) -> Outcome:
    """Send today's reminders that have not gone out yet. Each e-mail and its log row commit together:
    a failed send leaves no row, so the next run tries that person again."""
    with translation.override(settings.LANGUAGE_CODE):
        plan = plan_reminders(report=report, today=today)
        outcome = Outcome()
        for reminder in plan.departments:
            subject, body = department_message(plan, reminder)
            for user in reminder.recipients:
                if user.pk in reminder.already_sent:
                    outcome.skipped += 1
                    continue
                _send_once(
                    outcome,
                    ReminderLog(
                        sent_on=today,
                        kind=ReminderKind.DEPARTMENT,
                        recipient=user,
                        email=user.email,
                        department=reminder.department,
                        subject=subject[:200],
                        target_count=len(reminder.items),
                    ),
                    body,
                    connection,
                )
        if plan.departments:
            subject, body = summary_message(plan)
            for user in plan.supervisors:
                if user.pk in plan.already_sent_summary:
                    outcome.skipped += 1
                    continue
                _send_once(
                    outcome,
                    ReminderLog(
                        sent_on=today,
                        kind=ReminderKind.SUMMARY,
                        recipient=user,
                        email=user.email,
                        subject=subject[:200],
                        target_count=plan.target_count,
                    ),
                    body,
                    connection,
                )
    return outcome


def _send_once(outcome: Outcome, log: ReminderLog, body: str, connection) -> None:
    try:
        with transaction.atomic():
            log.save()  # the unique (day, kind, recipient) refuses a second one
            EmailMessage(log.subject, body, to=[log.email], connection=connection).send()
    except IntegrityError:  # another run logged this person a moment ago
        outcome.skipped += 1
        return
    except Exception:  # the mail server: log it, go on with the others, retry on the next run
        logger.exception("reminder_failed kind=%s recipient=%s", log.kind, log.recipient_id)
        outcome.failed += 1
        return
    logger.info("reminder_sent kind=%s recipient=%s targets=%s", log.kind, log.recipient_id, log.target_count)
    outcome.sent.append(log)
