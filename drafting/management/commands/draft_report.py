"""draft_report: the draft of a ledger read from a report's text (.txt or .docx).

python manage.py draft_report FILE --json                  the draft as JSON; nothing written
python manage.py draft_report FILE --evaluate REPORT_CODE  precision and recall against a loaded report
python manage.py draft_report FILE --government CODE --year YEAR
                                                           a draft kept for review (drafting:review)
"""

import json as json_module
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from drafting import evaluation, services
from drafting.reading import NotAReport, read_upload
from targets.models import Government, Report


class Command(BaseCommand):
    help = "从报告全文（.txt/.docx）草拟台账：输出 JSON、与已导入报告对比，或保存草稿供审核。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出草拟结果，不写入数据库")
        parser.add_argument("--evaluate", metavar="REPORT_CODE", help="与已导入的报告对比，输出准确率和召回率")
        parser.add_argument("--government", help="保存草稿时：发布报告的人民政府代码")
        parser.add_argument("--year", type=int, help="保存草稿时：报告年度")

    def handle(self, *args, file, json=False, evaluate=None, government=None, year=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        started = time.perf_counter()
        try:
            text = read_upload(path.name, path.read_bytes())
            data = services.draft_text(text)
        except NotAReport as refused:
            raise CommandError(refused.message) from None
        seconds = time.perf_counter() - started
        if json:
            self.stdout.write(_json(data))
            return
        if evaluate:
            report = Report.objects.filter(code=evaluate).first()
            if report is None:
                raise CommandError(f"没有代码为 {evaluate} 的报告。")
            rows = evaluation.evaluate(data, evaluation.expected_from_report(report))
            self.stdout.write(f"草拟用时 {seconds:.2f} 秒")
            self.stdout.write(evaluation.table(rows))
            return
        if not government or not year:
            raise CommandError("请指定 --json、--evaluate，或用 --government 和 --year 保存草稿。")
        found = Government.objects.filter(code=government).first()
        if found is None:
            raise CommandError(f"没有代码为 {government} 的人民政府。")
        draft = services.create_draft(name=path.name, content=path.read_bytes(), government=found, year=year)
        self.stdout.write(
            f"已保存草稿 {draft.pk}：{len(data['sections'])} 个章节，{len(data['targets'])} 个目标，"
            f"{len(data['practical_tasks'])} 件实事，{len(data['glossary'])} 条名词解释；"
            f"请在 /drafting/{draft.pk}/ 审核。"
        )


def _json(data):
    public = {key: data[key] for key in ("meta", "sections", "targets", "practical_tasks", "glossary", "baselines")}
    return json_module.dumps(public, ensure_ascii=False, indent=1)
