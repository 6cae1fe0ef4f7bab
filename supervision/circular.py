"""督查通报: the monthly circular of the 督查室 as a .docx, in the layout of a Chinese official document
(GB/T 9704: title in 小标宋 二号, 文号 and date, body in 仿宋 三号 with 黑体 headings, 28-point lines).

Every figure comes from the dashboard's reading of with_progress at the month's end (ledger.selectors
.dashboard), the ranking from supervision.ranking, and 环比 from the same two at the end of the month
before: nothing is computed here but the differences between them.
"""

import calendar
import datetime
import io
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ledger import selectors as ledger_selectors
from targets import selectors as target_selectors
from targets import units
from targets.choices import BEHIND_ORDER, BEHIND_STATUSES, Status

from . import ranking as ranking_selectors

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE_FONT, BODY_FONT, HEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体"
NUMERALS = "一二三四五六七八九十"
RANKING_HEADERS = ("排名", "责任单位", "牵头", "配合", "正常推进占比", "环比", "逾期", "按时填报率")


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class Circular:
    report: object
    year: int
    month: int
    as_of: datetime.date  # the month's end, or today within the current month
    previous_as_of: datetime.date
    board: object  # ledger.selectors.Dashboard on as_of
    previous: object  # … at the end of the month before
    laggards: list  # every target behind on as_of, worst first
    ranking: object
    previous_ranking: object
    wenhao: str

    @property
    def on_track_change(self):
        return self.board.on_track_change  # 环比 against the end of the month before, as the dashboard has it

    def ranking_rows(self):
        """(score, 环比 of its 正常推进占比) for the ranking table."""
        before = {score.department.pk: score for score in self.previous_ranking.scores}
        return [
            (
                score,
                ledger_selectors.change(
                    score.on_track_share, getattr(before.get(score.department.pk), "on_track_share", None)
                ),
            )
            for score in self.ranking.scores
        ]


def build(*, user, report, year: int, month: int, wenhao: str = "") -> Circular:
    """The circular of `month` as `user` may see it (supervisors and leaders see everything)."""
    as_of = min(month_end(year, month), max(timezone.localdate(), datetime.date(year, month, 1)))
    previous_as_of = ledger_selectors.previous_month_end(datetime.date(year, month, 1))
    board = ledger_selectors.dashboard(user=user, report=report, as_of=as_of)
    previous = ledger_selectors.dashboard(user=user, report=report, as_of=previous_as_of)
    laggards = sorted(
        target_selectors.target_ledger(user=user, report=report, as_of=as_of).filter(status__in=BEHIND_STATUSES),
        key=lambda target: (BEHIND_ORDER.index(target.status), target.order, target.code),
    )
    return Circular(
        report=report,
        year=year,
        month=month,
        as_of=as_of,
        previous_as_of=previous_as_of,
        board=board,
        previous=previous,
        laggards=laggards,
        ranking=ranking_selectors.department_ranking(user=user, report=report, as_of=as_of),
        previous_ranking=ranking_selectors.department_ranking(user=user, report=report, as_of=previous_as_of),
        wenhao=wenhao or _("督查通报〔%(year)s〕%(month)s号") % {"year": year, "month": month},
    )


_percent = units.percent_text


def _tally_sentence(tally) -> str:
    return _(
        "共%(total)s项目标，已完成%(achieved)s项，正常推进%(on_track)s项，滞后%(behind)s项（其中逾期未完成%(overdue)s项），"
        "未填报%(no_data)s项，正常推进占比%(share)s，平均完成进度%(average)s（序时进度%(expected)s）。"
    ) % {
        "total": tally.total,
        "achieved": tally.achieved,
        "on_track": tally.on_track,
        "behind": tally.behind,
        "overdue": tally.overdue,
        "no_data": tally.counts[Status.NO_DATA],
        "share": _percent(tally.on_track_share),
        "average": _percent(tally.average_percent),
        "expected": _percent(tally.average_expected),
    }


def paragraphs(circular: Circular) -> list[tuple[str, str]]:
    """The circular's text, (style, text) by paragraph, before any layout: heading or body."""
    board, previous = circular.board, circular.previous
    date = _("%(year)s年%(month)s月%(day)s日") % {
        "year": circular.as_of.year,
        "month": circular.as_of.month,
        "day": circular.as_of.day,
    }
    before = _("%(month)s月%(day)s日") % {"month": circular.previous_as_of.month, "day": circular.previous_as_of.day}
    text = [("salutation", _("各责任单位："))]
    text.append(
        (
            "body",
            _("截至%(date)s，%(report)s确定的目标任务") % {"date": date, "report": circular.report.title}
            + _tally_sentence(board.overall)
            + _("正常推进占比环比%(change)s个百分点。")
            % {"change": ledger_selectors.signed_change(circular.on_track_change)},
        )
    )
    sections = [
        (_("各领域推进情况"), [f"{area.section.title}：" + _tally_sentence(area.tally) for area in board.areas]),
    ]
    behind = [row for row in board.departments if row.tally.behind]
    behind.sort(key=lambda row: (-row.tally.overdue, -row.tally.behind, row.department.order, row.department.code))
    laggard_text = [
        _("%(department)s：滞后%(behind)s项，其中逾期未完成%(overdue)s项。")
        % {"department": row.department.name, "behind": row.tally.behind, "overdue": row.tally.overdue}
        for row in behind
    ] or [_("没有进度滞后的单位。")]
    laggard_text += [
        _("%(code)s %(name)s（%(department)s）：%(status)s，完成进度%(percent)s，序时进度%(expected)s。")
        % {
            "code": target.code,
            "name": target.name,
            "department": target.lead_department.name,
            "status": Status(target.status).label,
            "percent": _percent(target.percent_complete),
            "expected": _percent(target.expected_percent),
        }
        for target in circular.laggards
    ]
    sections.append((_("进度滞后的单位和目标"), laggard_text))
    cards = board.practical_tasks
    tasks = [
        _("为民兴办%(count)s件实事已完成%(done)s件（%(before)s为%(done_before)s件）。")
        % {
            "count": len(cards),
            "done": board.practical_tasks_done,
            "before": before,
            "done_before": previous.practical_tasks_done,
        }
    ]
    tasks += [
        _("第%(no)s件 %(title)s：%(done)s/%(metrics)s项指标完成。")
        % {"no": card.task.no, "title": card.task.title, "done": card.metrics_done, "metrics": len(card.metrics)}
        for card in cards
        if not card.done
    ]
    sections.append((_("为民兴办实事"), tasks))
    sections.append(
        (
            _("环比变化"),
            [
                _(
                    "与%(before)s相比：已完成%(achieved_before)s项→%(achieved)s项，正常推进占比%(share_before)s→%(share)s"
                    "（%(change)s个百分点），平均完成进度%(average_before)s→%(average)s，逾期未完成%(overdue_before)s项→%(overdue)s项。"
                )
                % {
                    "before": before,
                    "achieved_before": previous.overall.achieved,
                    "achieved": board.overall.achieved,
                    "share_before": _percent(previous.overall.on_track_share),
                    "share": _percent(board.overall.on_track_share),
                    "change": ledger_selectors.signed_change(circular.on_track_change),
                    "average_before": _percent(previous.overall.average_percent),
                    "average": _percent(board.overall.average_percent),
                    "overdue_before": previous.overall.overdue,
                    "overdue": board.overall.overdue,
                }
            ],
        )
    )
    sections.append((_("单位考核排名"), [_("各单位考核排名见下表（计分规则：牵头目标权重1，配合目标权重0.5）。")]))
    for number, (heading, lines) in enumerate(sections):
        text.append(("heading", f"{NUMERALS[number]}、{heading}"))
        text.extend(("body", line) for line in lines)
    return text


def ranking_table(circular: Circular) -> list[tuple]:
    return [RANKING_HEADERS] + [
        (
            str(score.rank),
            score.department.name,
            str(score.led),
            str(score.supported),
            _percent(score.on_track_share),
            ledger_selectors.signed_change(moved),
            str(score.overdue),
            _percent(score.timeliness),
        )
        for score, moved in circular.ranking_rows()
    ]


def _font(run, name, size):
    run.font.name = name
    run.font.size = Pt(size)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text, *, font=BODY_FONT, size=16, align=None, bold=False, indent=True):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold = bold
    _font(run, font, size)
    return paragraph


def circular_docx(circular: Circular) -> io.BytesIO:
    with translation.override("zh-hans"):
        document = Document()
        section = document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        document.core_properties.title = _("督查通报")
        _paragraph(document, _("督查通报"), font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        _paragraph(document, circular.wenhao, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        issued = _("%(year)s年%(month)s月%(day)s日") % {
            "year": circular.as_of.year,
            "month": circular.as_of.month,
            "day": circular.as_of.day,
        }
        _paragraph(document, issued, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        title = _("关于%(report)s目标任务%(month)s月推进情况的通报") % {
            "report": circular.report.title,
            "month": circular.month,
        }
        _paragraph(document, title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        for style, text in paragraphs(circular):
            if style == "heading":
                _paragraph(document, text, font=HEADING_FONT)
            else:
                _paragraph(document, text, indent=style == "body")
        rows = ranking_table(circular)
        table = document.add_table(rows=len(rows), cols=len(RANKING_HEADERS))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = ""
                run = cell.paragraphs[0].add_run(value)
                run.bold = values is rows[0]
                _font(run, BODY_FONT, 12)
        _paragraph(document, _("督查室"), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        output = io.BytesIO()
        document.save(output)
    output.seek(0)
    return output
