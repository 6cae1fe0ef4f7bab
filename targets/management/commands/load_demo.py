"""load_demo: demo accounts and a plausible progress history, for trying reportgov out.

Never in production: it refuses to run unless DEBUG is on. Accounts: admin, leader, supervisor
and reporter-<department code>, all with the password demo12345.
"""

import calendar
import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from targets import roles
from targets.choices import Direction, Measure, ReviewStatus, Stage
from targets.models import Department, ProgressEntry, Report, StaffProfile, Target
from targets.services import refresh_latest

DEMO_PASSWORD = "demo12345"


class Command(BaseCommand):
    help = "创建演示账号和演示进度数据（仅限开发环境）。"

    def add_arguments(self, parser):
        parser.add_argument("--accounts-only", action="store_true", help="只创建演示账号")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, accounts_only=False, seed=2026, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo 只能在开发环境（DEBUG=1）中运行：生产环境不应有演示账号。")
        with transaction.atomic():
            accounts = self.create_accounts()
            entries = 0 if accounts_only else self.create_progress(random.Random(seed))
        self.stdout.write(f"演示账号（密码 {DEMO_PASSWORD}）：{', '.join(accounts)}")
        if entries:
            self.stdout.write(f"演示进度：{entries} 条")

    def create_accounts(self):
        names = []

        def account(username, group=None, department=None, **flags):
            user, created = User.objects.get_or_create(username=username, defaults=flags)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if not user.email:
                # A reserved domain: send_reminders has somebody to address (the console backend in development).
                user.email = f"{username}@demo.invalid"
                user.save(update_fields=["email"])
            if group:
                user.groups.add(Group.objects.get(name=group))
            if department:
                StaffProfile.objects.update_or_create(user=user, defaults={"department": department})
            names.append(username)
            return user

        account("admin", roles.ADMIN, is_superuser=True, is_staff=True)
        account("leader", roles.OFFICIAL)
        account("supervisor", roles.SUPERVISOR, is_staff=False)
        for department in Department.objects.order_by("order", "code"):
            account(f"reporter-{department.code}", roles.REPORTER, department)
        return names

    def create_progress(self, rng):
        report = Report.objects.current()
        if report is None or report.demo_data:
            return 0
        today = timezone.localdate()
        reporters = {p.department_id: p.user for p in StaffProfile.objects.select_related("user")}
        fallback = User.objects.get(username="admin")
        entries = []
        targets = Target.objects.filter(report=report).order_by("order")
        for target in targets:
            if rng.random() < 0.12:
                continue  # some units have not reported yet
            user = reporters.get(target.lead_department_id, fallback)
            entries += demo_history(target, today, rng, user)
        ProgressEntry.objects.bulk_create(entries, batch_size=1000)
        refresh_latest(target_ids=targets.values_list("pk", flat=True))
        report.demo_data = True
        report.save(update_fields=["demo_data"])
        return len(entries)


def month_ends(start, end):
    day = start
    while True:
        last = datetime.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        if last > end:
            return
        yield last
        day = last + datetime.timedelta(days=1)


def demo_history(target, today, rng, user):
    """Month-end entries from the target's start to today, at a pace that varies by target."""
    pace = rng.choice([0.55, 0.75, 0.9, 1.0, 1.05, 1.2])
    dates = list(month_ends(target.period_start, min(today, target.deadline)))
    span = (target.deadline - target.period_start).days or 1
    base = target.baseline_value or Decimal(0) if target.measure == Measure.LEVEL else Decimal(0)
    entries = []
    for on in dates:
        share = Decimal((on - target.period_start).days / span)
        fields = {}
        if target.direction == Direction.QUALITATIVE:
            fields["stage"] = Stage.COMPLETED if share * Decimal(pace) > Decimal("0.8") else Stage.IN_PROGRESS
        elif target.direction == Direction.AT_MOST:
            fields["value"] = (target.target_value * Decimal(rng.uniform(0.85, 1.05))).quantize(Decimal("0.01"))
        elif target.target_value is not None:
            planned = base + (target.target_value - base) * share * Decimal(pace)
            counted = target.unit not in ("%", "‰") and target.target_value == target.target_value.to_integral_value()
            fields["value"] = planned.quantize(Decimal("1") if counted else Decimal("0.01"))
        if target.growth_rate_target is not None:
            fields["growth_rate"] = (
                target.growth_rate_target * Decimal(pace) * Decimal(rng.uniform(0.95, 1.02))
            ).quantize(Decimal("0.1"))
        entries.append(
            ProgressEntry(
                target=target,
                reported_on=on,
                review_status=ReviewStatus.APPROVED,
                created_by=user,
                note="演示数据",
                **fields,
            )
        )
    return entries
