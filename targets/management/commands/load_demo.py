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

from targets import roles, units
from targets.choices import Derivation, Direction, GrowthBasis, Measure, ReviewStatus, Stage
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
        # A derived target (M10 counts the practical tasks done) is never typed.
        targets = Target.objects.filter(report=report).exclude(derivation=Derivation.PRACTICAL_TASKS_DONE)
        for target in targets.order_by("order"):
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
    """Month-end entries from the target's start to today, each figure plausible for its kind on
    its date (see demo_figures); how fast a target moves varies by target."""
    pace = rng.choice([0.7, 0.85, 0.93, 1.0, 1.05, 1.1])
    steady = Decimal(str(round(rng.uniform(0.97, 1.01), 3)))  # the pace of a target with a growth goal
    start = Decimal(str(round(rng.uniform(0.7, 0.9), 2)))  # where a level without a baseline stands
    return [
        ProgressEntry(
            target=target,
            reported_on=on,
            review_status=ReviewStatus.APPROVED,
            created_by=user,
            note="演示数据",
            **demo_figures(target, on, pace=Decimal(str(pace)), steady=steady, start=start),
        )
        for on in month_ends(target.period_start, min(today, target.deadline))
    ]


def _elapsed(on, start, end):
    """The share of the days from start to end (both counted) gone by on `on`."""
    return Decimal((on - start).days + 1) / Decimal((end - start).days + 1)


def demo_figures(target, on, *, pace, steady, start):
    """The fields of a demo entry dated `on`, as its kind is reported:

    - a qualitative target: its stage, completed once most of the period has gone by at its pace;
    - a ceiling (控制在…以内): a value near its limit, most months below it;
    - a flow totalled within the year or over the period: the share of the goal the calendar and
      the target's pace say, never past the goal, whole numbers for counts of things (所, 座 …);
      a yearly goal (每年…) counts this year alone;
    - a level: between where it started (its baseline, or 70–90 % of the goal without one) and
      its goal;
    - a growth rate: year on year, realistic (the goal at the target's steady pace, 8–16 %); over
      the period (翻一番), the compounding path: (1 + G)^(years elapsed / years) − 1.
    """
    fields = {}
    period = _elapsed(on, target.period_start, target.deadline)
    year = _elapsed(on, max(target.period_start, datetime.date(on.year, 1, 1)), datetime.date(on.year, 12, 31))
    if target.direction == Direction.QUALITATIVE:
        fields["stage"] = Stage.COMPLETED if period * pace > Decimal("0.8") else Stage.IN_PROGRESS
        return fields
    goal = target.target_value
    if goal is not None:
        if target.is_ceiling:
            wobble = Decimal("0.9") + Decimal("0.1") * pace * period  # 0.9 … 1.02 of the limit
            value = goal * min(wobble, Decimal("1.02"))
        elif target.measure == Measure.LEVEL:
            base = target.baseline_value if target.baseline_value is not None else goal * start
            value = base + (goal - base) * min(period * (steady if target.growth_rate_target else pace), 1)
        else:
            elapsed = year if target.measure == Measure.ANNUAL or target.growth_rate_target else period
            value = goal * min(elapsed * (steady if target.growth_rate_target else pace), 1)
        whole = units.counts_whole_things(target.unit) or target.unit == "元"  # counts, and incomes in whole yuan
        fields["value"] = value.quantize(Decimal("1") if whole else Decimal("0.01"))
    if target.growth_rate_target is not None:
        growth = target.growth_rate_target / 100
        if target.growth_basis == GrowthBasis.OVER_PERIOD:
            years = Decimal((target.deadline - target.period_start).days + 1) / Decimal("365.25")
            elapsed_years = Decimal((on - target.period_start).days + 1) / Decimal("365.25")
            rate = ((1 + growth) ** (elapsed_years / years) - 1) * steady
        else:
            # The year-to-date figure against last year's: the goal's growth at the target's pace,
            # moving a few tenths of a point from month to month.
            month = Decimal((on.month * 7) % 5 - 2) / 1000
            rate = min(max((1 + growth) * steady - 1 + month, Decimal("0.08")), Decimal("0.16"))
        fields["growth_rate"] = (100 * rate).quantize(Decimal("0.1"))
    return fields
