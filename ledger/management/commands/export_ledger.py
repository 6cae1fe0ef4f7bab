import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ledger import rows, workbook
from targets.models import Report
from targets.roles import COMMAND_LINE

XLSX_NEEDS_OUTPUT = "xlsx 需要 --output 文件名。"


class Command(BaseCommand):
    help = "打印整本台账（JSON），或写出 Excel 台账。"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD")
        parser.add_argument("--report", help="报告代码（默认：当前报告）")
        parser.add_argument("--pending", action="store_true", help="计入待审核的填报")
        parser.add_argument("--output", help="输出文件（xlsx 必填）")

    def handle(self, *args, **options):
        report = (
            Report.objects.filter(code=options["report"]).first() if options["report"] else Report.objects.current()
        )
        if report is None:
            raise CommandError("没有报告：请先运行 load_report。")
        as_of = options["as_of"] or timezone.localdate()
        if options["format"] == "json":
            data = rows.ledger(user=COMMAND_LINE, report=report, as_of=as_of, include_pending=options["pending"])
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8") as handle:
                    handle.write(text)
            else:
                self.stdout.write(text)
            return
        if not options["output"]:
            raise CommandError(XLSX_NEEDS_OUTPUT)
        # The same workbook as /ledger.xlsx, for the operator, who reads the whole ledger.
        workbook.write_ledger(
            options["output"], user=COMMAND_LINE, report=report, as_of=as_of, include_pending=options["pending"]
        )
        self.stdout.write(f"{options['output']}")
