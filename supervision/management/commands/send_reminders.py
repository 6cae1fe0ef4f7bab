"""send_reminders: e-mail today's 提醒/催办/督办 (cron-friendly: run it as often as you like; nobody gets the
same day's reminder twice). `--dry-run` prints what would be sent and sends nothing."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from supervision import reminders
from targets.models import Report


class Command(BaseCommand):
    help = (
        "E-mail each department's reporters the reports due (提醒) and late (催办, 督办) of the targets they lead, "
        "and the supervisors a summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--report", help="report code (default: the current report)")
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="the day to remind for (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")

    def handle(self, *args, report=None, date=None, dry_run=False, **options):
        chosen = Report.objects.filter(code=report).first() if report else Report.objects.current()
        if chosen is None:
            raise CommandError(f"no report {report!r}" if report else "no report loaded")
        today = date or timezone.localdate()
        if dry_run:
            with translation.override(settings.LANGUAGE_CODE):
                plan = reminders.plan_reminders(report=chosen, today=today)
                for reminder in plan.departments:
                    subject, body = reminders.department_message(plan, reminder)
                    to = ", ".join(u.email for u in reminder.recipients if u.pk not in reminder.already_sent)
                    self.stdout.write(f"To: {to or '-'}\nSubject: {subject}\n\n{body}\n")
                if plan.departments:
                    subject, body = reminders.summary_message(plan)
                    to = ", ".join(u.email for u in plan.supervisors if u.pk not in plan.already_sent_summary)
                    self.stdout.write(f"To: {to or '-'}\nSubject: {subject}\n\n{body}\n")
            return
        outcome = reminders.send_reminders(report=chosen, today=today)
        self.stdout.write(
            f"{today.isoformat()}: sent {len(outcome.sent)}, "
            f"already sent today {outcome.skipped}, failed {outcome.failed}"
        )
        if outcome.failed:
            raise CommandError(f"{outcome.failed} reminder(s) could not be sent; run again to retry them")
