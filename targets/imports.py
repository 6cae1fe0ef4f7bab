"""Excel import of progress: the 台账 a department filled in (or its own export with the same headers).

A workbook (.xlsx, .ods as LibreOffice saves it, .xls as an older WPS or Excel does) is checked before anything
parses it: its name, its size, its content against its name (a zip with the xlsx content types or the
OpenDocument spreadsheet mimetype, a compound file), the zip's total uncompressed size and ratio, no DTD in any
XML part, the sheets' extent. It is then read with python-calamine in a child process under a memory and CPU
limit (targets/sheet_reader.py), so a sheet that would need gigabytes ends that process, not the server's. Columns are
found by their header text, never by position. Every row is validated exactly like the form and the
service (forms.parse_number, services.check_progress_batch → validate_progress and the permission
helpers); a preview lists every error as sheet / row / column / message and writes nothing; the
commit goes through services.record_progress_batch, all rows or none. A row already stored (same
target, date, value, growth, stage and note) is skipped, so importing the same file twice adds nothing.
"""

import datetime
import decimal
import functools
import io
import math
import pickle
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy

from . import errors, services, sheet_reader
from .choices import Stage
from .forms import GROWTH_COLUMN, VALUE_COLUMN, parse_number
from .models import ProgressEntry, Target

MAX_FILE_BYTES = getattr(settings, "REPORTGOV_IMPORT_MAX_MB", 5) * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024  # all parts of the zip together, once inflated
MAX_RATIO = 100  # inflated size / compressed size, for any part of meaningful size
MAX_PARTS = 500
MAX_ROWS = 10_000  # per sheet, and rows to import per file (issue 9: a validated 10 000-row import)
MAX_COLUMNS = 200
MAX_CELLS = 1_000_000  # <c> elements in one sheet: a 10 000-row 台账 has about 350 000
HEADER_SEARCH_ROWS = 10
ZIP_MAGIC = b"PK\x03\x04"
COMPOUND_FILE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls: BIFF records in an OLE2 compound file
SPREADSHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")  # what calamine reads by the name, and what is measured here
READER_MEMORY_BYTES = 1024 * 1024 * 1024  # a 10 000-row, 34-column 台账: 89 MB resident
READER_CPU_SECONDS = 30

# Error messages (the tests reuse them).
FILE_TOO_LARGE = gettext_lazy("文件超过 %(limit)s MB，请拆分后再导入。")
ZIP_BOMB = gettext_lazy("文件解压后过大或压缩比异常，已拒绝导入。")
XML_DTD = gettext_lazy("文件包含不允许的 XML 声明（DTD/实体），已拒绝导入。")
UNREADABLE = gettext_lazy("无法读取该工作簿，请用 Excel 另存为 .xlsx 后重试。")
NO_SHEET = gettext_lazy("没有找到含“编号”和“填报日期”表头的工作表。")
TOO_MANY_ROWS = gettext_lazy("行数超过上限 %(limit)s 行，请拆分后再导入。")
SHEET_TOO_LARGE = gettext_lazy(
    "工作表的范围超过上限（最多 %(columns)s 列、%(cells)s 个单元格），已拒绝导入；请删除多余的行列或拆分后再导入。"
)
MISSING_CODE = gettext_lazy("请填写目标编号。")
UNKNOWN_CODE = gettext_lazy("编号 %(code)s 不在本报告中。")
BAD_DATE = gettext_lazy("日期格式不正确，请填写如 2026-03-31。")
DATE_REQUIRED = gettext_lazy("请填写填报日期。")
BAD_STAGE = gettext_lazy("推进阶段只能是：未启动、推进中、已完成。")
TEXT_TOO_LONG = gettext_lazy("内容过长（最多 %(limit)s 字）。")
DUPLICATE = gettext_lazy("已导入过相同的填报，跳过。")
BAD_CONFIRMATION = gettext_lazy("“确认数值无误”一栏请填“是”，或留空。")

# The headers read (after NFKC, so 增速（%） is 增速(%)); the first four are the ledger's own.
CODE, DATE, VALUE, NOTE = "编号", "填报日期", "本期累计完成值", "本期说明"
GROWTH, STAGE, REASON = "增速(%)", "推进阶段", "更正原因"
# 是 where a value over 10× the target or the last value is right (the form's checkbox of the same name).
CONFIRM = "确认数值无误"
REQUIRED_HEADERS = (CODE, DATE)
INPUT_HEADERS = (DATE, VALUE, GROWTH, STAGE, REASON, NOTE, CONFIRM)
TRIGGER_HEADERS = (DATE, VALUE, GROWTH, REASON, NOTE)
# Where the service names a field, the column the reader should look at.
FIELD_COLUMNS = {
    "reported_on": DATE,
    "value": VALUE,
    "growth_rate": GROWTH,
    "stage": STAGE,
    "correction_reason": REASON,
    "note": NOTE,
}


class WorkbookRejected(Exception):
    """The file is not a workbook we will open; the message says why, in Chinese."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as Excel numbers it, from 1
    column: str  # the header text, or "" for the whole row
    message: str


@dataclass
class ImportPlan:
    """What an import would do: the entries to record, the rows skipped as already stored, the errors."""

    items: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (sheet, row, code)
    errors: list = field(default_factory=list)
    sheets: list = field(default_factory=list)  # the sheet names read
    rows: dict = field(default_factory=dict, repr=False)  # (sheet, row number) -> the row read

    @property
    def ok(self) -> bool:
        return not self.errors


# --- The file ------------------------------------------------------------------------------


def check_workbook(path) -> None:
    """Refuse anything that is not a plain .xlsx, .ods or .xls of reasonable size, before any parser sees it."""
    suffix = Path(path).suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:  # the reader picks its format by the name: only these are checked here
        raise WorkbookRejected(errors.WORKBOOK_FORMAT_NOT_ACCEPTED)
    mismatch = WorkbookRejected(errors.WORKBOOK_CONTENT_MISMATCH % {"format": suffix})
    with open(path, "rb") as handle:
        head = handle.read(len(COMPOUND_FILE_MAGIC))
        handle.seek(0, 2)
        size = handle.tell()
    if size > MAX_FILE_BYTES:
        raise WorkbookRejected(FILE_TOO_LARGE % {"limit": MAX_FILE_BYTES // (1024 * 1024)})
    if suffix == ".xls":
        # Its records are measured by reading it under the child process's limits (read_sheets).
        if head != COMPOUND_FILE_MAGIC:
            raise mismatch
        return
    if not head.startswith(ZIP_MAGIC):
        raise mismatch
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise WorkbookRejected(ZIP_BOMB)
            # Sizes from the central directory; zipfile also refuses to inflate past them.
            if sum(part.file_size for part in parts) > MAX_UNCOMPRESSED_BYTES:
                raise WorkbookRejected(ZIP_BOMB)
            for part in parts:
                if part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                    raise WorkbookRejected(ZIP_BOMB)
            names = {part.filename for part in parts}
            if suffix == ".ods":
                if "content.xml" not in names or "mimetype" not in names:
                    raise mismatch
                if archive.read("mimetype").strip() != ODS_MIMETYPE:
                    raise mismatch
            elif "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise mismatch
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    _refuse_dtd(archive, part)
            if suffix == ".ods":
                _check_table_extent(archive, archive.getinfo("content.xml"))
                return
            for part in parts:
                if _may_hold_cells(archive, part):
                    _check_sheet_extent(archive, part)
            content_types = archive.read("[Content_Types].xml")
            if SPREADSHEET_CONTENT_TYPE.encode() not in content_types:
                raise mismatch
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError):
        raise mismatch from None


def _refuse_dtd(archive, part):
    """No XML part may declare a DTD: that is where entity-expansion (billion laughs) and external
    entities live. defusedxml stops at the prolog; the root element ends the check."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, iterparse

    with archive.open(part) as stream:
        try:
            for _event, _element in iterparse(stream, events=("start",), forbid_dtd=True):
                break
        except DefusedXmlException:
            raise WorkbookRejected(XML_DTD) from None
        except ParseError:
            raise WorkbookRejected(UNREADABLE) from None


# What the reader (calamine) takes for a sheet's cells: any part it is pointed at, whatever its name, root or
# namespace, holding a sheetData element. It allocates the whole rectangle up to the farthest cell (32 bytes a cell:
# A1 + XFD20000 asks for 10 GB and aborts the process), so every part that mentions sheetData is measured first.
SHEET_DATA_MARKS = tuple("sheetData".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
CHUNK_BYTES = 64 * 1024
CELL_REFERENCE = re.compile(r"([A-Za-z]+)([0-9]+)")
SHEET_ELEMENTS = frozenset({"c", "row", "dimension"})


def _may_hold_cells(archive, part) -> bool:
    overlap = max(len(mark) for mark in SHEET_DATA_MARKS) - 1
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            window = tail + chunk
            if any(mark in window for mark in SHEET_DATA_MARKS):
                return True
            tail = window[-overlap:]
    return False


def _cell_position(reference):
    """(row, column), both from 1, of a reference such as XFD1048576; None if it is not one."""
    match = CELL_REFERENCE.fullmatch(reference)
    if match is None:
        return None
    return int(match[2]), _column_number(match[1].upper())


@functools.lru_cache(maxsize=1024)
def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _SheetExtent:
    """The farthest row and column and the number of cells of one sheet part, as the reader places cells
    (by local name, any prefix): a cell's own reference, else the next column of its row; a row's own
    number, else the next row."""

    def __init__(self):
        self.declared = []
        self.row = self.column = self.max_row = self.max_column = self.cells = 0

    def start(self, name, attributes):
        if name not in SHEET_ELEMENTS:
            if ":" not in name:
                return
            name = name.rpartition(":")[2]
        if name == "c":
            self.cells += 1
            reference = attributes.get("r")
            if reference is None:
                self.column += 1
            else:
                match = CELL_REFERENCE.fullmatch(reference)
                if match is None:
                    raise WorkbookRejected(UNREADABLE)
                self.row, self.column = int(match[2]), _column_number(match[1].upper())
            if self.row > self.max_row:
                self.max_row = self.row
            if self.column > self.max_column:
                self.max_column = self.column
        elif name == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() else self.row + 1
            self.column = 0
        elif name == "dimension":
            self.declared = [_cell_position(end) for end in attributes.get("ref", "").split(":")]

    @property
    def over(self):
        return self.cells > MAX_CELLS or self.max_column > MAX_COLUMNS

    def check(self):
        rows = max([self.max_row] + [end[0] for end in self.declared if end])
        columns = max([self.max_column] + [end[1] for end in self.declared if end])
        _check_extent(rows=rows, columns=columns, cells=self.cells)


def _check_extent(*, rows, columns, cells):
    if columns > MAX_COLUMNS or cells > MAX_CELLS:
        raise WorkbookRejected(SHEET_TOO_LARGE % {"columns": MAX_COLUMNS, "cells": MAX_CELLS})
    if rows > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise WorkbookRejected(TOO_MANY_ROWS % {"limit": MAX_ROWS})


# What calamine takes for an OpenDocument cell with something in it (an empty one counts only before a filled
# one of its row); it matches the elements by their qualified names, so these are too.
ODS_TABLE, ODS_ROW, ODS_CELLS = "table:table", "table:table-row", ("table:table-cell", "table:covered-table-cell")
ODS_FILLED = frozenset(
    {"office:value", "office:string-value", "office:date-value", "office:time-value", "office:boolean-value"}
    | {"table:formula"}
)


def _repeats(attributes, name) -> int:
    value = attributes.get(name, "1")
    if not (value.isascii() and value.isdigit()):
        raise WorkbookRejected(UNREADABLE)
    return int(value)


class _TableExtent:
    """The farthest row and column and the number of cells of an OpenDocument content.xml's tables, as the
    reader lays them out: a cell repeated n times (table:number-columns-repeated) is n cells, a row repeated
    n times is n rows; empty cells count only before a filled cell of their row, empty rows only between
    filled rows (LibreOffice writes the rest of a sheet's million rows as one repeated empty row)."""

    def __init__(self):
        self.cells = self.max_row = self.max_column = 0
        self.rows = self.empty_rows = 0  # of the current table, from its first filled row
        self.row_repeats, self.width, self.empty_cells, self.filled = 1, 0, 0, False

    def start(self, name, attributes):
        if name == ODS_TABLE:
            self.rows = self.empty_rows = 0
        elif name == ODS_ROW:
            self.row_repeats = _repeats(attributes, "table:number-rows-repeated")
            self.width = self.empty_cells = 0
            self.filled = False
        elif name in ODS_CELLS:
            repeats = _repeats(attributes, "table:number-columns-repeated")
            if ODS_FILLED.intersection(attributes) or attributes.get("office:value-type") == "string":
                self.width += self.empty_cells + repeats
                self.empty_cells = 0
                self.filled = True
                self.max_column = max(self.max_column, self.width)
            else:
                self.empty_cells += repeats

    def end(self, name):
        if name != ODS_ROW:
            return
        if self.filled:
            self.rows += self.empty_rows + self.row_repeats
            self.empty_rows = 0
            self.cells += self.width * self.row_repeats
            self.max_row = max(self.max_row, self.rows)
        elif self.rows:
            self.empty_rows += self.row_repeats

    @property
    def over(self):
        return self.cells > MAX_CELLS or self.max_column > MAX_COLUMNS or self.max_row > MAX_ROWS + HEADER_SEARCH_ROWS

    def check(self):
        _check_extent(rows=self.max_row, columns=self.max_column, cells=self.cells)


def _check_sheet_extent(archive, part):
    """Refuse a sheet whose declared dimension, farthest cell or cell count is past the limits."""
    _measure(archive, part, _SheetExtent())


def _check_table_extent(archive, part):
    """The same for the tables of an .ods (all in content.xml, the one part the reader reads)."""
    _measure(archive, part, _TableExtent())


def _measure(archive, part, extent):
    """Stream a part's XML through `extent` (expat, no tree kept; a DTD refused) before any reader sees it,
    stopping as soon as it is past the limits."""
    from xml.parsers import expat

    def refuse_dtd(*args):
        raise WorkbookRejected(XML_DTD)

    parser = expat.ParserCreate()
    parser.StartElementHandler = extent.start
    if hasattr(extent, "end"):
        parser.EndElementHandler = extent.end
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    with archive.open(part) as stream:
        try:
            while chunk := stream.read(CHUNK_BYTES):
                parser.Parse(chunk, False)
                if extent.over:
                    break
            else:
                parser.Parse(b"", True)
        except expat.ExpatError:
            raise WorkbookRejected(UNREADABLE) from None
    extent.check()


class _SheetValues(pickle.Unpickler):
    """What calamine's values are made of, and nothing else: the child read a file from outside, and a pickle
    may name any callable."""

    ALLOWED = frozenset(("datetime", name) for name in ("date", "datetime", "time", "timedelta"))

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name}")
        return super().find_class(module, name)


def read_sheets(path):
    """(sheet name, rows) for each sheet, rows as python values, at most MAX_ROWS each; read by
    targets/sheet_reader.py in a child process limited to READER_MEMORY_BYTES and READER_CPU_SECONDS."""
    too_large = WorkbookRejected(SHEET_TOO_LARGE % {"columns": MAX_COLUMNS, "cells": MAX_CELLS})
    limits = (MAX_ROWS + HEADER_SEARCH_ROWS, MAX_COLUMNS, READER_MEMORY_BYTES, READER_CPU_SECONDS)
    command = [sys.executable, "-I", sheet_reader.__file__, str(path), *(str(limit) for limit in limits)]
    try:
        finished = subprocess.run(command, capture_output=True, timeout=2 * READER_CPU_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise too_large from None
    if finished.returncode != 0:  # ended by its limits: an allocation past the memory (calamine aborts), the CPU
        raise too_large
    try:
        kind, value = _SheetValues(io.BytesIO(finished.stdout)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
        raise WorkbookRejected(UNREADABLE) from None
    if kind == "sheets":
        return value
    refusals = {
        sheet_reader.TOO_MANY_ROWS: TOO_MANY_ROWS % {"limit": MAX_ROWS},
        sheet_reader.TOO_WIDE: too_large.message,
    }
    raise WorkbookRejected(refusals.get(value, UNREADABLE))


# --- The rows ------------------------------------------------------------------------------


def _header_text(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(text.split())


def find_header(rows, required=REQUIRED_HEADERS):
    """(index of the header row, {header: column index}) or None for a sheet without the headers."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = {}
        for position, cell in enumerate(row):
            text = _header_text(cell)
            if text and text not in columns:
                columns[text] = position
        if all(header in columns for header in required):
            return index, columns
    return None


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # The ledger writes text that looks like a formula with a leading apostrophe (safe_cell).
    return text[1:] if text.startswith("'") else text


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))  # an Excel serial day
    text = unicodedata.normalize("NFKC", text_of(value))
    for separator in ("年", "月", "/", "."):
        text = text.replace(separator, "-")
    text = text.replace("日", "")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(BAD_DATE) from None


def _parse_number(value, *, percent_allowed, column):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(errors.NOT_A_NUMBER)
    if isinstance(value, float) and math.isfinite(value):
        # A number cell, written out in plain digits (repr would give 1e-05): its own digits, not a typed exponent.
        value = format(decimal.Decimal(repr(value)), "f")
    elif isinstance(value, int | float):
        value = str(value)
    text = text_of(value)
    if not text:
        return None
    try:
        return parse_number(text, percent_allowed=percent_allowed, column=column)
    except ValidationError as error:
        raise ValidationError(error.messages) from None


def _parse_stage(value) -> str:
    """A stage by its Chinese label (as the ledger writes it), its label in the page's language, or its code."""
    text = text_of(value)
    if not text:
        return ""
    known = {value: value for value in Stage.values}
    known.update({str(label): value for value, label in Stage.choices})
    with translation.override("zh-hans"):
        known.update({str(label): value for value, label in Stage.choices})
    if text not in known:
        raise ValidationError(BAD_STAGE)
    return known[text]


CONFIRMED = {"是", "1", "yes", "y", "true", "√", "✓", "✔"}
NOT_CONFIRMED = {"", "否", "0", "no", "n", "false"}


def _parse_confirmation(value) -> bool:
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", text_of(value)).lower()
    if text in CONFIRMED or text in NOT_CONFIRMED:
        return text in CONFIRMED
    raise ValidationError(BAD_CONFIRMATION)


def _limited(value, limit) -> str:
    text = text_of(value)
    if len(text) > limit:
        raise ValidationError(TEXT_TOO_LONG % {"limit": limit})
    return text


@dataclass
class _Row:
    sheet: str
    number: int
    code: str
    cells: dict  # header -> raw value


def _rows_to_import(sheets, plan):
    rows = []
    for name, values in sheets:
        found = find_header(values)
        if found is None:
            continue
        header_index, columns = found
        plan.sheets.append(name)
        for offset, row in enumerate(values[header_index + 1 :], start=header_index + 2):
            cells = {h: cell_at(row, columns.get(h)) for h in INPUT_HEADERS}
            # The ledger lists every target; a row counts once someone filled one of its entry
            # columns (推进阶段 is not one: the ledger writes the target's current stage there).
            if all(text_of(cells[h]) == "" for h in TRIGGER_HEADERS):
                continue
            code = text_of(cell_at(row, columns[CODE]))
            rows.append(_Row(sheet=name, number=offset, code=code, cells=cells))
    if not plan.sheets:
        raise WorkbookRejected(NO_SHEET)
    if len(rows) > MAX_ROWS:
        raise WorkbookRejected(TOO_MANY_ROWS % {"limit": MAX_ROWS})
    return rows


def cell_at(row, position):
    return row[position] if position is not None and position < len(row) else None


def _error(plan, row, column, messages):
    for message in messages if isinstance(messages, list | tuple) else [messages]:
        plan.errors.append(RowError(sheet=row.sheet, row=row.number, column=column, message=str(message)))


def plan_import(path, *, user, report, today=None, check=True) -> ImportPlan:
    """Read and validate a workbook; write nothing. Raises WorkbookRejected for a file we will not open.
    `check=False` leaves the service's checks to the commit, which runs them once, under its locks."""
    check_workbook(path)
    plan = ImportPlan()
    rows = _rows_to_import(read_sheets(path), plan)
    targets = {t.code: t for t in Target.objects.filter(report=report, code__in={r.code for r in rows if r.code})}
    targets_by_pk = {t.pk: t for t in targets.values()}
    for row in rows:
        if not row.code:
            _error(plan, row, CODE, MISSING_CODE)
            continue
        target = targets.get(row.code)
        if target is None:
            _error(plan, row, CODE, UNKNOWN_CODE % {"code": row.code})
            continue
        fields, problems = {}, False
        parsers = (
            ("reported_on", DATE, parse_date),
            ("value", VALUE, partial(_parse_number, percent_allowed=target.unit == "%", column=VALUE_COLUMN)),
            ("growth_rate", GROWTH, partial(_parse_number, percent_allowed=True, column=GROWTH_COLUMN)),
            ("stage", STAGE, _parse_stage),
            ("note", NOTE, partial(_limited, limit=2000)),
            ("correction_reason", REASON, partial(_limited, limit=1000)),
            ("unusual_confirmed", CONFIRM, _parse_confirmation),
        )
        for name, header, parse in parsers:
            raw = row.cells.get(header)
            if name == "reported_on" and text_of(raw) == "" and not isinstance(raw, datetime.date):
                _error(plan, row, DATE, DATE_REQUIRED)
                problems = True
                continue
            try:
                fields[name] = parse(raw)
            except ValidationError as error:
                _error(plan, row, header, error.messages)
                problems = True
        if problems:
            continue
        if target.is_qualitative:
            # The ledger's 推进阶段 column is the target's standing; for a quantitative target it is empty.
            fields["value"] = None
        else:
            fields["stage"] = ""
        plan.items.append(services.ProgressItem(target=target, key=(row.sheet, row.number), **fields))

    _drop_already_stored(plan, targets_by_pk)
    plan.rows = {(r.sheet, r.number): r for r in rows}
    if check:
        problems = services.check_progress_batch(user=user, items=plan.items, today=today)
        _add_problems(plan, problems)
        # What the preview offers to write is only what would pass: a bad row is an error, not an item.
        plan.items = [item for item in plan.items if item.key not in problems]
    return plan


def _add_problems(plan, problems):
    """The service's objections ({(sheet, row): ValidationError}), each under the column it names."""
    for key, error in problems.items():
        row = plan.rows[key]
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                _error(plan, row, FIELD_COLUMNS.get(name, ""), messages)
        else:
            _error(plan, row, "", error.messages)
    plan.errors.sort(key=lambda e: (plan.sheets.index(e.sheet) if e.sheet in plan.sheets else 0, e.row))


def _same(item):
    return (item.target.pk, item.reported_on, item.value, item.growth_rate, item.stage or "", item.note or "")


def _drop_already_stored(plan, targets_by_pk):
    """Re-importing a file adds nothing: an item equal to a stored entry (or to an earlier row of the
    same file) is skipped."""
    if not plan.items:
        return
    stored = set()
    existing = ProgressEntry.objects.filter(
        target__in=list(targets_by_pk), reported_on__in={item.reported_on for item in plan.items}
    ).values_list("target_id", "reported_on", "value", "growth_rate", "stage", "note")
    for target_id, reported_on, value, growth_rate, stage, note in existing:
        stored.add((target_id, reported_on, _norm(value), _norm(growth_rate), stage, note))
    kept = []
    for item in plan.items:
        key = _same(item)
        key = (*key[:2], _norm(key[2]), _norm(key[3]), *key[4:])
        if key in stored:
            plan.skipped.append((item.key[0], item.key[1], item.target.code))
            continue
        stored.add(key)
        kept.append(item)
    plan.items = kept


def _norm(number):
    return None if number is None else decimal.Decimal(number).normalize()


def commit_import(path, *, user, report, today=None, source="") -> ImportPlan:
    """Read the file again (the data may have moved since the preview) and, if every row is valid,
    record all of them in one transaction. Returns the plan; nothing is written when it has errors."""
    import pghistory

    # The rows are read and parsed here; the service checks them (once, with their targets locked)
    # as it records them, so the data cannot move between the check and the insert.
    plan = plan_import(path, user=user, report=report, today=today, check=False)
    if not plan.ok or not plan.items:
        return plan
    pghistory.context(import_file=source or str(path), import_rows=len(plan.items))
    try:
        services.record_progress_batch(user=user, items=plan.items, today=today)
    except services.BatchInvalid as invalid:
        # A row the service refuses (perhaps someone recorded in between): named, nothing stored.
        _add_problems(plan, invalid.problems)
    return plan
