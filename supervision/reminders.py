"""提醒/催办/督办: what send_reminders e-mails today, and the sending itself.

Only what is due or late is chased, as supervision.cycles computes it (the report of each target's
latest ended period): 提醒 while it is due (up to its due day), 催办 once the due day has passed, 督办
when it is more than cycles.SUPERVISE_AFTER_DAYS days late. Each department (牵头单位: the unit
answerable for a target) gets one e-mail per step, addressed to each of its reporters; each
supervisor (督查) gets a summary by department. Every message is one e-mail to one person, logged in
ReminderLog with its step; a person already logged today for that step is skipped, so running the
command (or pressing 发送催办) twice the same day sends nothing the second time.
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
from targets.models import Department, Report

from . import cycles
from .models import EscalationStep, ReminderKind, ReminderLog

logger = logging.getLogger(__name__)

# Most severe first: the order of the e-mails and of the page.
STEP_ORDER = (EscalationStep.SUPERVISE, EscalationStep.URGE, EscalationStep.REMIND)


@dataclass
class DepartmentReminder:
    """One department's reports at one step, and who receives the e-mail."""

    department: Department
    step: EscalationStep
    items: list  # cycles.Obligation
    recipients: list = field(default_factory=list)  # users with an e-mail address
    unreachable: list = field(default_factory=list)  # reporters without one
    already_sent: set = field(default_factory=set)  # recipient ids logged today at this step

    @property
    def first_due_on(self):
        return min(item.due_on for item in self.items)


@dataclass
class Plan:
    """Everything send_reminders would send on `today`."""

    report: Report
    today: datetime.date
    departments: list  # DepartmentReminder, by department then step
    supervisors: list
    already_sent_summary: set

    @property
    def target_count(self):
        return sum(len(reminder.items) for reminder in self.departments)

    @property
    def department_count(self):
        return len({reminder.department.pk for reminder in self.departments})

    def step_count(self, step):
        return sum(len(reminder.items) for reminder in self.departments if reminder.step == step)

    @property
    def step_counts(self):
        return [(step, self.step_count(step)) for step in STEP_ORDER]


def plan_reminders(*, report: Report, today: datetime.date) -> Plan:
    """Who would be reminded of what on `today`, in six queries whatever the number of targets."""
    by_key: dict[tuple[int, str], DepartmentReminder] = {}
    for obligation in cycles.obligations(report=report, as_of=today):
        step = obligation.step
        if step is None:
            continue
        target = obligation.target
        key = (target.lead_department_id, step)
        if key not in by_key:
            by_key[key] = DepartmentReminder(target.lead_department, EscalationStep(step), [])
        by_key[key].items.append(obligation)
    reminders = sorted(
        by_key.values(),
        key=lambda r: (r.department.order, r.department.code, STEP_ORDER.index(r.step)),
    )

    User = get_user_model()
    departments = {reminder.department.pk for reminder in reminders}
    reporters = (
        User.objects.filter(
            is_active=True, groups__name=roles.REPORTER, staff_profile__department__in=list(departments)
        )
        .select_related("staff_profile")
        .order_by("username")
        .distinct()
    )
    for user in reporters:
        for reminder in reminders:
            if reminder.department.pk == user.staff_profile.department_id:
                (reminder.recipients if user.email else reminder.unreachable).append(user)
    supervisors = list(
        User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR).exclude(email="").order_by("username")
    )
    sent = set(ReminderLog.objects.filter(sent_on=today).values_list("kind", "step", "recipient_id"))
    for reminder in reminders:
        reminder.already_sent = {
            u.pk for u in reminder.recipients if (ReminderKind.DEPARTMENT, reminder.step, u.pk) in sent
        }
    return Plan(
        report=report,
        today=today,
        departments=reminders,
        supervisors=supervisors,
        already_sent_summary={pk for kind, _step, pk in sent if kind == ReminderKind.SUMMARY},
    )


SUBJECTS = {
    EscalationStep.REMIND: gettext_lazy("【提醒】%(department)s：%(count)s 项目标的进度请于 %(due)s 前报送"),
    EscalationStep.URGE: gettext_lazy("【催办】%(department)s：%(count)s 项目标的进度已过报送截止日未报"),
    EscalationStep.SUPERVISE: gettext_lazy("【督办】%(department)s：%(count)s 项目标的进度逾期未报，列入督办"),
}


def department_message(plan: Plan, reminder: DepartmentReminder) -> tuple[str, str]:
    subject = str(SUBJECTS[reminder.step]) % {
        "department": reminder.department.name,
        "count": len(reminder.items),
        "due": reminder.first_due_on.isoformat(),
    }
    body = render_to_string(
        "supervision/email/department_reminder.txt",
        {"plan": plan, "reminder": reminder, "site_url": settings.REPORTGOV_SITE_URL},
    )
    return subject, body


def summary_message(plan: Plan) -> tuple[str, str]:
    subject = _("【督查汇总】%(date)s 提醒、催办、督办 %(departments)s 个单位、%(count)s 项目标") % {
        "date": plan.today.isoformat(),
        "departments": plan.department_count,
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
                        step=reminder.step,
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
            log.save()  # the unique (day, kind, step, recipient) refuses a second one
            EmailMessage(log.subject, body, to=[log.email], connection=connection).send()
    except IntegrityError:  # another run logged this person a moment ago
        outcome.skipped += 1
        return
    except Exception:  # the mail server: log it, go on with the others, retry on the next run
        logger.exception("reminder_failed kind=%s recipient=%s", log.kind, log.recipient_id)
        outcome.failed += 1
        return
    logger.info(
        "reminder_sent kind=%s step=%s recipient=%s targets=%s", log.kind, log.step, log.recipient_id, log.target_count
    )
    outcome.sent.append(log)
