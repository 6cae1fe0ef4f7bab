"""import_report: a new year's report (outline, targets, glossary) from a workbook, beside the others.

    python manage.py import_report FILE --code CODE --year YEAR [--title T] [--dry-run]

See targets/report_import.py for the sheets and headers. All or nothing; earlier reports are untouched.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from targets.history import command_context
from targets.imports import WorkbookRejected
from targets.report_import import create_report, plan_report


class Command(BaseCommand):
    help = "从工作簿导入新一年的报告（章节、目标、名词解释），原有报告保持不变。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code", required=True, help="新报告的代码（如 chengguan-2027）")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--title", default="")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不导入")

    def handle(self, *args, file, code, year, title="", dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            plan = plan_report(path, code=code, year=year, title=title)
        except WorkbookRejected as rejected:
            raise CommandError(rejected.message) from None
        for error in plan.errors:
            self.stderr.write(f"{error.sheet or '-'} 第 {error.row} 行 {error.column or '-'}：{error.message}")
        if plan.errors:
            raise CommandError("有错误，未导入。")
        summary = f"{len(plan.sections)} 个章节，{len(plan.targets)} 个目标，{len(plan.terms)} 条名词解释"
        if dry_run:
            self.stdout.write(f"校验通过：{summary}（未导入）。")
            return
        with command_context("import_report", file=path.name):
            report = create_report(plan)
        self.stdout.write(f"已导入 {report.code}（{report.year}）：{summary}。")
