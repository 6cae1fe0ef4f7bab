"""seed_scale: synthetic reports, targets and progress history at a city's scale, for benchmarks.

    manage.py seed_scale --reports R --targets-per-report T --entries-per-target E [--seed N] [--prefix P]

Rows go in with PostgreSQL COPY, not the ORM row by row; the same seed gives the same data.
Synthetic rows are not changes anyone made, so the session skips the history triggers
(session_replication_role = replica) while it loads them. Reference sizes (see bench/):
S = 1 × 300 × 3300 (≈ 1 M entries), L = 100 × 300 × 170 (≈ 5 M entries).
"""

import datetime
import io
import random

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from targets.choices import Direction, Kind, Measure, ReportState, ReviewStatus
from targets.models import Department, Government, ProgressEntry, Report, Section, Target
from targets.services import refresh_latest

AREAS = 6


def copy_rows(cursor, table, columns, rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


class Command(BaseCommand):
    help = "生成规模测试数据（合成的报告、目标和进度记录）。"

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=1)
        parser.add_argument("--targets-per-report", type=int, default=300)
        parser.add_argument("--entries-per-target", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--prefix", default="scale", help="报告代码前缀")
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--force", action="store_true", help="即使数据库中已有真实报告也生成")

    def handle(self, *args, reports, targets_per_report, entries_per_target, seed, prefix, year, force, **options):
        if min(reports, targets_per_report) < 1 or entries_per_target < 0:
            raise CommandError("数量必须为正数。")
        if not force and Report.objects.exclude(code__startswith=f"{prefix}-").exists():
            raise CommandError("数据库中已有真实报告：请在专用的测试数据库上运行（或加 --force）。")
        rng = random.Random(seed)
        year = year or timezone.localdate().year
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            user, _ = User.objects.get_or_create(username=f"{prefix}-reporter", defaults={"is_active": False})
            departments = self.departments(prefix)
            total = 0
            for index in range(reports):
                report = self.report(f"{prefix}-{seed}-{index:03d}", year, index)
                total += self.fill(report, departments, user, targets_per_report, entries_per_target, rng)
        self.stdout.write(f"{reports} 份报告，{reports * targets_per_report} 个目标，{total} 条进度记录")

    def departments(self, prefix):
        existing = list(Department.objects.order_by("pk"))
        if existing:
            return existing
        government, _ = Government.objects.get_or_create(code=f"{prefix}-gov", defaults={"name": "规模测试人民政府"})
        return [
            Department.objects.create(code=f"{prefix}-d{n:02d}", government=government, name=f"单位{n:02d}", order=n)
            for n in range(20)
        ]

    def report(self, code, year, index):
        self.remove(code)
        # Later synthetic reports sit in earlier years, as a city's archive would.
        year = year - index // 10
        return Report.objects.create(
            code=code,
            # The departments' government (the seed's, when the seed is loaded), open to reporting.
            government=Department.objects.order_by("pk").first().government,
            state=ReportState.ACTIVE,
            title=f"{year}年规模测试报告 {code}",
            year=year,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
        )

    @staticmethod
    def remove(code):
        """Drop an earlier run's synthetic report (the PROTECT on sections needs this order)."""
        targets = Target.objects.filter(report__code=code)
        targets.update(latest_entry=None, latest_approved_entry=None)
        ProgressEntry.objects.filter(target__in=targets).delete()
        targets.delete()
        Section.objects.filter(report__code=code).delete()
        Report.objects.filter(code=code).delete()

    def fill(self, report, departments, user, count, entries_each, rng):
        sections = [
            Section.objects.create(report=report, code=f"3.{area}", title=f"领域{area}", order=area)
            for area in range(1, AREAS + 1)
        ]
        start, end = report.period_start, report.period_end
        targets = Target.objects.bulk_create(
            Target(
                report=report,
                code=f"S{n:05d}",
                section=sections[n % AREAS],
                name=f"规模测试目标{n}",
                unit="个",
                kind=Kind.ANNUAL_TASK,
                direction=Direction.AT_LEAST,
                measure=Measure.CUMULATIVE,
                target_value=rng.randint(10, 10000),
                period_start=start,
                deadline=end,
                lead_department=departments[n % len(departments)],
                source_text=f"规模测试目标{n}",
                order=n,
            )
            for n in range(count)
        )
        span = (min(end, timezone.localdate()) - start).days or 1
        now = timezone.now().isoformat()

        def rows():
            for target in targets:
                value = 0
                for i in range(entries_each):
                    value += rng.randint(0, 5)
                    day = start + datetime.timedelta(days=i * span // max(entries_each, 1))
                    yield (
                        target.pk,
                        day.isoformat(),
                        value,
                        "",
                        "",
                        "",
                        "",
                        ReviewStatus.APPROVED,
                        "",
                        "f",
                        user.pk,
                        now,
                    )

        columns = [
            "target_id",
            "reported_on",
            "value",
            "stage",
            "note",
            "evidence",
            "correction_reason",
            "review_status",
            "review_comment",
            "unusual_confirmed",
            "created_by_id",
            "created_at",
        ]
        with connection.cursor() as cursor:
            copy_rows(cursor, ProgressEntry._meta.db_table, columns, rows())
        refresh_latest(target_ids=[target.pk for target in targets])
        return len(targets) * entries_each
