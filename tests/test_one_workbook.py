"""One 台账 workbook, everywhere (issue 21 item 1): 我的目标's XLSX (with its filters), the 看板's 导出 Excel
台账 and the target page's link all download the workbook ledger.workbook writes, through their real
links: numbers, percentages and dates in typed cells with number formats, a frozen header, widths
that fit the Chinese headers, a 说明 sheet, the 环比 column read from with_progress at the end of the
month before; and the downloaded file, filled in, imports back through the import page."""

import datetime
import io
from decimal import Decimal

import lxml.html
import openpyxl
import pytest
from django.urls import reverse

from ledger import workbook
from ledger.selectors import change
from targets import columns, imports
from targets.models import ProgressEntry, Target

from . import builders

TODAY = datetime.date(2026, 11, 27)
MAIN = "年度任务"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def ledger(report, dept_a, dept_b, reporter_a, reporter_b):
    """Two of department A's targets, one reported in October and again in November (a 环比), and one of B's."""
    bridge = builders.target(report, code="A1", lead=dept_a, name="新建桥梁", unit="座", target_value=10)
    builders.target(report, code="A2", lead=dept_a, name="改造老旧小区", unit="万元", target_value=5000)
    school = builders.target(report, code="B1", lead=dept_b, name="新建学校", unit="所", target_value=2)
    builders.entry(bridge, "2026-10-20", 3, user=reporter_a)
    builders.entry(bridge, "2026-11-20", "4.5", user=reporter_a)
    builders.entry(school, "2026-11-20", 2, user=reporter_b)
    return report


def link(client, url, params, text):
    """The href of the link reading `text` on the page at `url`."""
    response = client.get(url, params)
    assert response.status_code == 200
    (href,) = lxml.html.fromstring(response.content.decode()).xpath(f"//a[normalize-space()='{text}']/@href")
    return href


def download(client, href):
    response = client.get(href)
    assert response.status_code == 200
    assert response["Content-Type"] == workbook.CONTENT_TYPE
    return b"".join(response.streaming_content)


def opened(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def rows_by_code(sheet):
    headers = [cell.value for cell in sheet[1]]
    return {row[0].value: dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2)}


def codes(book):
    return {code for name in book.sheetnames[:4] for code in rows_by_code(book[name])}


def my_targets_workbook(client, params=None):
    return download(client, link(client, reverse("target-list"), params or {}, "XLSX"))


def test_my_targets_xlsx_is_the_ledger_workbook_with_the_lists_filters(client, official, ledger, dept_b):
    client.force_login(official)
    book = opened(my_targets_workbook(client, {"department": dept_b.pk}))
    assert list(book.sheetnames) == list(workbook.SHEET_NAMES)
    assert codes(book) == {"B1"}
    assert codes(opened(my_targets_workbook(client))) == {"A1", "A2", "B1"}


def test_the_dashboard_and_the_target_page_download_the_same_workbook(client, official, ledger):
    client.force_login(official)
    from_dashboard = opened(download(client, link(client, reverse("dashboard"), {}, "导出 Excel 台账")))
    from_list = opened(my_targets_workbook(client))
    for name in workbook.SHEET_NAMES:
        assert list(from_dashboard[name].values) == list(from_list[name].values), name
    page = reverse("target-detail", args=[ledger.code, "A1"])
    from_target = opened(download(client, link(client, page, {}, "导出 Excel 台账")))
    assert list(from_target.sheetnames) == list(workbook.SHEET_NAMES)
    assert codes(from_target) == {"A1"}
    assert list(from_target[MAIN].values)[:2] == list(from_list[MAIN].values)[:2]  # its header and its row


def test_cells_hold_numbers_percentages_and_dates_with_their_formats(client, official, ledger):
    client.force_login(official)
    book = opened(my_targets_workbook(client))
    bridge = rows_by_code(book[MAIN])["A1"]
    standing = Target.objects.with_progress(as_of=TODAY).get(code="A1")
    assert bridge["目标值"].data_type == "n" and bridge["目标值"].value == 10
    assert bridge["目标值"].number_format == '#,##0" 座"'
    assert bridge["最新完成值"].value == 4.5 and bridge["最新完成值"].number_format == '#,##0.0" 座"'
    assert bridge["完成进度"].data_type == "n" and bridge["完成进度"].value == standing.percent_complete
    assert bridge["完成进度"].number_format == columns.PERCENT_FORMAT
    assert bridge["最近填报日期"].is_date and bridge["最近填报日期"].value == datetime.datetime(2026, 11, 20)
    assert bridge["最近填报日期"].number_format == columns.DATE_FORMAT
    assert bridge["完成期限"].is_date
    assert bridge["状态"].data_type == "s"


def test_month_on_month_is_the_change_of_percent_complete_since_the_end_of_last_month(client, official, ledger):
    client.force_login(official)
    rows = rows_by_code(opened(my_targets_workbook(client))[MAIN])
    now = {t.code: t.percent_complete for t in Target.objects.with_progress(as_of=TODAY)}
    before = {t.code: t.percent_complete for t in Target.objects.with_progress(as_of=datetime.date(2026, 10, 31))}
    assert rows["A1"][workbook.MONTH_ON_MONTH].value == change(now["A1"], before["A1"]) == 15.0
    assert rows["A1"][workbook.MONTH_ON_MONTH].number_format == workbook.CHANGE_FORMAT
    assert rows["B1"][workbook.MONTH_ON_MONTH].value == change(now["B1"], before["B1"])  # from nothing: empty
    assert rows["A2"][workbook.MONTH_ON_MONTH].value is None  # never reported


def test_the_header_is_frozen_and_wide_enough_for_its_chinese_text(client, official, ledger):
    client.force_login(official)
    sheet = opened(my_targets_workbook(client))[MAIN]
    assert sheet.freeze_panes == "C2"
    for cell in sheet[1]:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width >= 2 * len(cell.value), cell.value  # every header is Chinese (2 units a character)


def test_the_instructions_sheet_says_how_to_fill_in_and_import(client, official, ledger):
    client.force_login(official)
    instructions = list(opened(my_targets_workbook(client))[workbook.INSTRUCTIONS_SHEET].values)
    assert instructions[0] == ("事项", "说明")
    text = " ".join(str(value) for row in instructions for value in row)
    assert "数据截至 2026-11-27" in text and "导入进度" in text
    assert all(header in text for header in (imports.DATE, imports.VALUE, imports.NOTE))


def test_the_workbook_from_my_targets_filled_in_imports_back(client, reporter_a, ledger):
    client.force_login(reporter_a)
    book = opened(my_targets_workbook(client))
    sheet = book[MAIN]
    headers = [cell.value for cell in sheet[1]]
    (row,) = [cells[0].row for cells in sheet.iter_rows(min_row=2) if cells[0].value == "A2"]
    sheet.cell(row=row, column=headers.index(imports.DATE) + 1, value=datetime.date(2026, 11, 26))
    sheet.cell(row=row, column=headers.index(imports.VALUE) + 1, value=1200)
    sheet.cell(row=row, column=headers.index(imports.NOTE) + 1, value="完成三个小区")
    filled = io.BytesIO()
    book.save(filled)
    filled.name = "台账.xlsx"
    filled.seek(0)

    preview = client.post(reverse("progress-import"), {"workbook": filled})
    assert preview.status_code == 200
    assert "确认导入 1 行" in preview.content.decode()
    assert client.post(reverse("progress-import-confirm")).status_code == 302

    (entry,) = ProgressEntry.objects.filter(target__code="A2")
    assert (entry.reported_on, entry.value, entry.note) == (datetime.date(2026, 11, 26), Decimal(1200), "完成三个小区")


def test_the_downloaded_workbook_unchanged_imports_nothing(client, reporter_a, ledger):
    client.force_login(reporter_a)
    unchanged = io.BytesIO(my_targets_workbook(client))
    unchanged.name = "台账.xlsx"
    preview = client.post(reverse("progress-import"), {"workbook": unchanged})
    assert preview.status_code == 200 and str(imports.NO_SHEET) not in preview.content.decode()
    assert "确认导入 1 行" not in preview.content.decode()
