"""import_progress: record the progress a department filled into the 台账 (or its own export).

    python manage.py import_progress FILE --user USERNAME [--dry-run] [--report CODE]

Validated exactly as the staff page validates it, as USERNAME (their department's targets only);
all rows or none. --dry-run prints the preview and writes nothing.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from targets import imports
from targets.history import command_context
from targets.models import Report


class Command(BaseCommand):
    help = "从台账工作簿导入进度（先校验全部行，全部通过才写入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 工作簿")
        parser.add_argument("--user", required=True, help="以该用户身份填报（权限与网页相同）")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--report", default=None, help="报告代码（默认当前报告）")

    def handle(self, *args, file, user, dry_run=False, report=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        person = get_user_model().objects.filter(username=user, is_active=True).first()
        if person is None:
            raise CommandError(f"没有该用户：{user}")
        chosen = Report.objects.filter(code=report).first() if report else Report.objects.current()
        if chosen is None:
            raise CommandError("没有可导入的报告。")
        try:
            with command_context("import_progress", user=person), transaction.atomic():
                if dry_run:
                    plan = imports.plan_import(path, user=person, report=chosen)
                else:
                    plan = imports.commit_import(path, user=person, report=chosen, source=path.name)
        except imports.WorkbookRejected as rejected:
            raise CommandError(rejected.message) from None
        for error in plan.errors:
            self.stderr.write(f"{error.sheet} 第 {error.row} 行 {error.column or '-'}：{error.message}")
        self.stdout.write(
            f"工作表：{'、'.join(plan.sheets)}；可导入 {len(plan.items)} 行，已存在跳过 {len(plan.skipped)} 行，"
            f"错误 {len(plan.errors)} 处。"
        )
        if plan.errors:
            raise CommandError("有错误，未写入任何数据。")
        self.stdout.write("预览完成，未写入。" if dry_run else f"已导入 {len(plan.items)} 条进度。")
