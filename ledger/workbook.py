"""The Excel ledger (台账): one workbook with the sheets 主要指标, 年度任务, 实事, 五年目标 and 名词解释,
written with openpyxl's write-only mode from the annotated ledger (rows streamed with
`iterator(chunk_size=…)`). Every figure comes from Target.objects.with_progress; cells hold values,
never formulas (targets.spreadsheet.safe_cell). Each target row ends with the empty columns
填报日期 / 本期累计完成值 / 本期说明, which a department fills in and uploads back (the import reads them)."""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from types import MethodType

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Subquery
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from projects.models import PracticalTask
from targets import columns, selectors, units
from targets.choices import Direction, Kind, Stage, Status
from targets.models import GlossaryTerm, Target
from targets.spreadsheet import safe_cell

from .selectors import change, previous_month_end

CHUNK_SIZE = 2000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EAED")
ENTRY_FILL = PatternFill("solid", fgColor="FFF4CE")  # the columns a department fills in
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
STATUS_FONT = Font(bold=True, color="FFFFFF")
STATUS_FILLS = {status.value: PatternFill("solid", fgColor=status.colour.lstrip("#").upper()) for status in Status}

# The workbook is an interchange file as well as a report: its sheet names and headers are fixed
# Chinese whatever the reader's language, because the import reads them back. The round trip: a
# department fills in these three columns.
WORKBOOK_LANGUAGE = "zh-hans"
ENTRY_DATE, ENTRY_VALUE, ENTRY_NOTE = "填报日期", "本期累计完成值", "本期说明"
MONTH_ON_MONTH, PERCENT_CHANGE = "环比", "percent_change"  # the one column read from a second day
CHANGE_FORMAT = '+0.0" 个百分点";-0.0" 个百分点";0.0" 个百分点"'


@dataclass(frozen=True)
class Column:
    header: str
    key: str | None  # the field of the row; None for the columns left empty for the round trip
    width: float
    # text | value | direction | date, or a figure's kind (targets.columns): reading | rate | stage | percent | date
    # | gap | growth_gap | status
    kind: str = "text"


TARGET_COLUMNS = (
    Column("编号", "code", 10),
    Column("名称", "name", 36),
    Column("章节", "section__code", 8),
    Column("牵头单位", "lead_department__name", 18),
    Column("配合单位", "co_department_names", 18),
    Column("方向", "direction", 8, "direction"),
    Column("单位", "unit", 8),
    Column("目标值", "target_value", 14, "value"),
    Column("调整后目标值", "adjusted_target_value", 12, "value"),  # an approved 延期/调整, beside the original
    Column("目标上限", "target_value_max", 12, "value"),
    Column("目标增速", "growth_rate_target", 10, "rate"),
    Column("基数", "baseline_value", 14, "value"),
    Column("基数来源", "baseline_source", 16),
    Column("完成期限", "deadline", 12, "date"),
    Column("调整后完成期限", "adjusted_deadline", 12, "date"),
    Column("调整理由", "adjustment_reason", 24),  # an admin's 调整 (targets.adjustments): why, and which day
    Column("调整日期", "adjusted_on", 12, "date"),
    *(Column(figure.header, figure.key, figure.width, figure.kind) for figure in columns.shown_on(columns.WORKBOOK)),
    # 完成进度 against the last day of the month before, in points (ledger.selectors.change, as on the 看板).
    Column(MONTH_ON_MONTH, PERCENT_CHANGE, 10, "change"),
    Column("报告原文", "source_text", 48),
    Column(ENTRY_DATE, None, 13),
    Column(ENTRY_VALUE, None, 16),
    Column(ENTRY_NOTE, None, 30),
)
PRACTICAL_TASK_COLUMNS = (Column("实事序号", "task_no", 9), Column("实事", "task_title", 36), *TARGET_COLUMNS)
GLOSSARY_COLUMNS = (Column("名词", "term", 24), Column("解释", "definition", 100))

SHEETS = (
    ("主要指标", Kind.MAIN_INDICATOR, TARGET_COLUMNS),
    ("年度任务", Kind.ANNUAL_TASK, TARGET_COLUMNS),
    ("实事", Kind.PRACTICAL_TASK_METRIC, PRACTICAL_TASK_COLUMNS),
    ("五年目标", Kind.FIVE_YEAR_GOAL, TARGET_COLUMNS),
)
GLOSSARY_SHEET, INSTRUCTIONS_SHEET = "名词解释", "说明"
SHEET_NAMES = (*(name for name, _kind, _columns in SHEETS), GLOSSARY_SHEET, INSTRUCTIONS_SHEET)
INSTRUCTIONS_COLUMNS = (Column("事项", "topic", 16), Column("说明", "text", 100))


def ledger_queryset(*, user, report, as_of, include_pending=False):
    """The annotated ledger the workbook is written from (the view narrows it with the list's filters)."""
    return selectors.target_ledger(user=user, report=report, as_of=as_of, include_pending=include_pending)


def write_ledger(output, *, user, report, as_of, include_pending=False, queryset=None):
    """Write the 台账 of `report` on `as_of`, as `user` may see it, to `output` (a path or binary file).
    `queryset` (from ledger_queryset, possibly filtered) chooses the targets; the glossary is whole."""
    if queryset is None:
        queryset = ledger_queryset(user=user, report=report, as_of=as_of, include_pending=include_pending)
    with translation.override(WORKBOOK_LANGUAGE):
        _write(output, report=report, as_of=as_of, include_pending=include_pending, queryset=queryset)


def _write(output, *, report, as_of, include_pending, queryset):
    workbook = Workbook(write_only=True)
    workbook.properties.title = _("%(title)s 台账") % {"title": report.title}
    workbook.properties.subject = _("数据截至 %(date)s") % {"date": as_of.isoformat()}
    workbook.properties.identifier = report.code
    workbook.properties.keywords = "include_pending" if include_pending else "approved_only"
    workbook.properties.creator = "reportgov"
    writer = _SheetWriter(workbook)
    # One pass over the ledger (one query) feeds the four target sheets: each write-only sheet
    # streams to its own file, so rows can go to whichever sheet their kind belongs to.
    sheets = {kind: writer.open(title, columns) for title, kind, columns in SHEETS}
    for row in _target_values(queryset, as_of=as_of, include_pending=include_pending):
        if row["kind"] in sheets:
            sheets[row["kind"]].append(row)
    glossary = writer.open(GLOSSARY_SHEET, GLOSSARY_COLUMNS)
    for row in GlossaryTerm.objects.filter(report=report).order_by("order").values("term", "definition"):
        glossary.append(row)
    instructions = writer.open(INSTRUCTIONS_SHEET, INSTRUCTIONS_COLUMNS)
    for topic, text in _instructions(as_of=as_of, include_pending=include_pending):
        instructions.append({"topic": topic, "text": text})
    for sheet in (*sheets.values(), glossary, instructions):
        sheet.close()
    workbook.save(output)


def _instructions(*, as_of, include_pending):
    """The 说明 sheet: what the workbook holds and how a department fills it in for the import (fixed
    Chinese, like the headers)."""
    counted = "已通过审核和待审核的填报" if include_pending else "已通过审核的填报"
    day = as_of.isoformat()
    return (
        ("数据口径", f"数据截至 {day}，计入{counted}。"),
        ("工作表", "主要指标、年度任务、实事、五年目标各一张表，每个目标一行；名词解释列出报告中的名词。"),
        (
            "如何填报",
            f"在表头为黄色的“{ENTRY_DATE}”“{ENTRY_VALUE}”“{ENTRY_NOTE}”三列填写本期进度，其余列请勿修改；"
            "保存为 .xlsx 后在系统“导入进度”页上传，预览无误后确认导入。",
        ),
        (ENTRY_DATE, f"写成日期（如 {day}），不晚于今天；未填写日期的行不导入。"),
        (ENTRY_VALUE, "期初至填报日的累计数，单位与“单位”列相同；只填数字。"),
        (
            "数字与日期",
            "单元格保存数值和日期：完成率、完成进度、序时进度为百分数，环比为完成进度较上月末变化的百分点。",
        ),
    )


TARGET_KEYS = tuple({column.key: None for column in PRACTICAL_TASK_COLUMNS if column.key not in (None, PERCENT_CHANGE)})


def _target_values(queryset, *, as_of, include_pending):
    """The ledger's rows as dicts, each with its 环比: 完成进度 now against the end of the month before, read
    from with_progress on that day (one more query, for the same targets)."""
    before = dict(
        Target.objects.with_progress(as_of=previous_month_end(as_of), include_pending=include_pending)
        .filter(pk__in=queryset.values("pk"))
        .values_list("pk", "percent_complete")
    )
    for row in _ledger_values(queryset):
        row[PERCENT_CHANGE] = change(row["percent_complete"], before.get(row["id"]))
        yield row


def _ledger_values(queryset):
    co_units = (
        Target.co_departments.through.objects.filter(target=OuterRef("pk"))
        .order_by("department__order", "department__code")
        .values("department__name")
    )
    tasks = PracticalTask.targets.through.objects.filter(target=OuterRef("pk")).order_by("practicaltask__no")
    queryset = queryset.annotate(
        co_department_names=ArraySubquery(co_units),
        task_no=Subquery(tasks.values("practicaltask__no")[:1]),
        task_title=Subquery(tasks.values("practicaltask__title")[:1]),
    )
    return queryset.order_by("order", "code").values("id", "kind", *TARGET_KEYS).iterator(chunk_size=CHUNK_SIZE)


class _StyledCell(Cell):
    """A cell whose style the workbook registered once, when the writer first met it: writing it
    reads its `style_id` instead of looking its style up again (openpyxl hashes a cell's style at
    every write, and its font or fill at every assignment)."""

    __slots__ = ("style_id",)

    def __init__(self, sheet, style, value, data_type):
        # Cell.__init__ without its type inference: the column's converter knows the value's type
        # ("n" number, "d" date, "s" one of our own labels).
        self.parent, self._style, self.style_id = sheet, style.array, style.id  # shared: never restyled
        self.row = self.column = 1  # placed by the sheet's append
        self._value, self.data_type = value, data_type
        self._hyperlink = self._comment = None


@dataclass(frozen=True)
class _Style:
    array: object  # openpyxl's StyleArray: indexes into the workbook's fonts, fills and formats
    id: int  # its index among the workbook's cell styles


def _place_cells(sheet, values, row_idx):
    """openpyxl's WriteOnlyWorksheet._values_to_row for the ledger's rows, installed on each of its
    sheets: a row holds None, plain values and _StyledCells, and never a hyperlink. openpyxl's own
    tries to store a styled cell as a value first and catches the error (a repr of the cell and an
    exception per styled cell), then makes a fresh cell after it; this places it directly. Written
    against openpyxl 3.1 (pinned in requirements.lock); tests/test_workbook.py reads the result."""
    cell = WriteOnlyCell(sheet)  # the one cell that carries every plain value in turn
    for column, value in enumerate(values, 1):
        if value is None:
            continue
        if value.__class__ is _StyledCell:
            value.column, value.row = column, row_idx
            yield value
        else:
            cell.value = value
            cell.column, cell.row = column, row_idx
            yield cell


class _Sheet:
    def __init__(self, sheet, columns, converters):
        self.sheet, self.columns, self.converters, self.count = sheet, columns, converters, 0

    def append(self, row):
        self.sheet.append([convert(row) for convert in self.converters])
        self.count += 1

    def close(self):
        """The auto-filter covers the header and every row written."""
        self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.count + 1}"


def _text_width(text):
    """How wide a text is in Excel's width units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _empty(row):
    return None


class _SheetWriter:
    """Turns ledger rows into cells. Each column gets one converter, chosen once by its kind; each
    distinct style (a status's fill, a number format with its unit) is registered once."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.status_labels = {status.value: str(status.label) for status in Status}
        self.direction_labels = {direction.value: str(direction.label) for direction in Direction}
        self.stage_labels = {stage.value: str(stage.label) for stage in Stage}
        self.formats = {}
        self.styles = {}

    def open(self, title, columns):
        sheet = self.workbook.create_sheet(title)
        # Widths and the frozen header go before the first row: write-only sheets stream.
        for index, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = max(column.width, _text_width(column.header) + 2)
        sheet.freeze_panes = "C2" if len(columns) > 2 else "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.append([self._header(sheet, column) for column in columns])
        sheet._values_to_row = MethodType(_place_cells, sheet)  # after the header: its cells are plain Cells
        return _Sheet(sheet, columns, [self._converter(sheet, column) for column in columns])

    def _header(self, sheet, column):
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL if column.key else ENTRY_FILL
        cell.alignment = HEADER_ALIGNMENT
        return cell

    def _style(self, sheet, number_format=None, font=None, fill=None):
        """The style of that number format, font and fill, registered with the workbook once."""
        key = (number_format, id(font), id(fill))
        style = self.styles.get(key)
        if style is None:
            template = WriteOnlyCell(sheet)
            if number_format is not None:
                template.number_format = number_format
            if font is not None:
                template.font = font
            if fill is not None:
                template.fill = fill
            style = _Style(template._style, self.workbook._cell_styles.add(template._style))
            self.styles[key] = style
        return style

    def _converter(self, sheet, column):
        """A function of a ledger row that gives this column's cell: None (empty), a plain value or
        a styled cell."""
        key, kind = column.key, column.kind
        if key is None:
            return _empty
        if kind == "text":

            def text(row):
                value = row[key]
                if value is None or value == "":
                    return None
                if isinstance(value, list):
                    value = "、".join(value)
                return safe_cell(value)

            return text
        if kind in ("direction", "stage"):
            labels = self.direction_labels if kind == "direction" else self.stage_labels

            def label(row):
                value = row[key]
                return None if value is None or value == "" else labels[value]

            return label
        if kind == "status":
            styles = {
                value: self._style(sheet, font=STATUS_FONT, fill=STATUS_FILLS[value]) for value in self.status_labels
            }
            labels = self.status_labels

            def status(row):
                value = row[key]
                return None if value is None or value == "" else _StyledCell(sheet, styles[value], labels[value], "s")

            return status
        if kind in ("date", "percent", "change"):
            number_format = {"date": columns.DATE_FORMAT, "percent": columns.PERCENT_FORMAT}.get(kind, CHANGE_FORMAT)
            style = self._style(sheet, number_format=number_format)
            data_type = "d" if kind == "date" else "n"

            def fixed(row):
                value = row[key]
                return None if value is None or value == "" else _StyledCell(sheet, style, value, data_type)

            return fixed

        format_styles = {}

        def number(row):
            value = row[key]
            if value is None or value == "":
                return None
            if kind == "value":
                unit = row["unit"]
            else:
                unit = str(columns.unit_of(kind, unit=row["unit"], target_value=row["target_value"]))
            number_format = self._number_format(value, unit)
            style = format_styles.get(number_format)
            if style is None:
                style = format_styles[number_format] = self._style(sheet, number_format=number_format)
            return _StyledCell(sheet, style, value, "n")

        return number

    def _number_format(self, value, unit):
        """Thousands separators, as many decimals as the value has (up to 4) and the unit, so the
        cell stays a number: 416.21 → `#,##0.00" 亿元"`."""
        decimals = 0
        if isinstance(value, Decimal):
            decimals = min(max(-value.normalize().as_tuple().exponent, 0), 4)
        elif isinstance(value, float):
            decimals = 1
        key = (decimals, unit)
        if key not in self.formats:
            number = "#,##0" + ("." + "0" * decimals if decimals else "")
            unit = (unit or "").replace('"', "").replace("\\", "")
            # A percent or permille sign sits against the number; a word is spaced from it.
            spacer = "" if units.is_share(unit) else " "
            self.formats[key] = f'{number}"{spacer}{unit}"' if unit else number
        return self.formats[key]
