"""The 考核 ranking as an xlsx file: values only (no formulas), written with openpyxl's write-only
mode; every text cell goes through targets.spreadsheet.safe_cell."""

import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from targets.spreadsheet import safe_cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    "排名",
    "责任单位",
    "牵头目标数",
    "配合目标数",
    "正常推进数",
    "正常推进占比(加权,%)",
    "牵头逾期数",
    "应报送期次",
    "按时报送期次",
    "按时填报率(%)",
    "最近填报日期",
)


def ranking_xlsx(ranking) -> io.BytesIO:
    # Fixed Chinese headers whatever the reader's language, like the 台账.
    with translation.override("zh-hans"):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("考核排名"))
        basis = _("含待审核的填报") if ranking.include_pending else _("仅计审核通过的填报")
        title = _("%(report)s 考核排名 · 数据截至 %(date)s · %(basis)s") % {
            "report": ranking.report.title,
            "date": ranking.as_of.isoformat(),
            "basis": basis,
        }
        heading = WriteOnlyCell(sheet, value=safe_cell(title))
        heading.font = Font(bold=True)
        sheet.append([heading])
        sheet.append([_header(sheet, text) for text in HEADERS])
        for score in ranking.scores:
            last = WriteOnlyCell(sheet, value=score.last_reported_on)
            last.number_format = "yyyy-mm-dd"
            sheet.append(
                [
                    score.rank,
                    safe_cell(score.department.name),
                    score.led,
                    score.supported,
                    score.on_track,
                    score.on_track_share,
                    score.overdue,
                    score.due_reports,
                    score.timely_reports,
                    score.timeliness,
                    last if score.last_reported_on else None,
                ]
            )
        output = io.BytesIO()
        workbook.save(output)
    output.seek(0)
    return output


def _header(sheet, text):
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell
