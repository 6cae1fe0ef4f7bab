"""import_report: a report (outline, targets, glossary, title page, full text) from a workbook: a new one
(草稿, beside the others) or, for an existing code, the update of that report.

    python manage.py import_report FILE --code CODE [--year YEAR] [--title T] [--government NAME]
        [--text FILE.txt|FILE.docx] [--dry-run]

See targets/report_import.py for the sheets and headers. The full text is read from --text, else from a
.txt or .docx of the workbook's name beside it, else from its sheet 全文. Every change is listed first;
then all of it is applied in one transaction, or nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from targets.history import command_context
from targets.imports import WorkbookRejected
from targets.models import Government
from targets.report_import import apply_report, plan_report, read_full_text


class Command(BaseCommand):
    help = "从工作簿导入新报告（草稿），或按工作簿更新已有报告；先列出全部变更，再在一个事务中写入。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code", required=True, help="报告代码（如 chengguan-2027）；已有代码则更新该报告")
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--title", default="")
        parser.add_argument("--government", default="", help="人民政府的名称或代码（默认按“报告”表）")
        parser.add_argument("--text", default="", help="报告全文（.txt 或 .docx）")
        parser.add_argument("--dry-run", action="store_true", help="只列出变更，不导入")

    def handle(self, *args, file, code, year=None, title="", government="", text="", dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        chosen = None
        if government:
            chosen = (
                Government.objects.filter(name=government).first() or Government.objects.filter(code=government).first()
            )
            if chosen is None:
                raise CommandError(f"没有该人民政府：{government}")
        beside = [Path(text)] if text else [path.with_suffix(".txt"), path.with_suffix(".docx")]
        full_text = None
        try:
            for candidate in beside:
                if candidate.is_file():
                    full_text = read_full_text(candidate.name, candidate.read_bytes())
                    break
            else:
                if text:
                    raise CommandError(f"找不到文件：{text}")
            plan = plan_report(path, code=code, year=year, title=title, government=chosen, text=full_text)
        except WorkbookRejected as rejected:
            raise CommandError(rejected.message) from None
        for error in plan.errors:
            self.stderr.write(f"{error.sheet or '-'} 第 {error.row} 行 {error.column or '-'}：{error.message}")
        if plan.errors:
            raise CommandError("有错误，未导入。")
        for change in plan.changes:
            self.stdout.write(
                f"{change.what} {change.key}：{change.action}{'（' + change.fields + '）' if change.fields else ''}"
            )
        summary = f"{len(plan.sections)} 个章节，{len(plan.targets)} 个目标，{len(plan.terms)} 条名词解释"
        if dry_run:
            self.stdout.write(f"校验通过：{summary}，{len(plan.changes)} 项变更（未导入）。")
            return
        with command_context("import_report", file=path.name):
            report = apply_report(plan)
        self.stdout.write(f"已导入 {report.code}（{report.year}，{report.get_state_display()}）：{summary}。")
