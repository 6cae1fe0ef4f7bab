"""The Excel 台账: five sheets with Chinese headers and 说明, a frozen header, number formats with units,
status fills, auto-filter, values never formulas, the empty round-trip columns; the download
follows the list's filters and the as-of date, and export_ledger writes the same workbook."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ledger import rows, workbook
from projects.models import PracticalTask
from targets import roles
from targets.choices import Direction, Kind, Status
from targets.models import GlossaryTerm

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def ledger_data(report, dept_a, dept_b, reporter_a, reporter_b):
    t = {
        "gdp": builders.target(
            report,
            code="M01",
            kind=Kind.MAIN_INDICATOR,
            name="地区生产总值",
            unit="亿元",
            target_value=500,
            growth_rate_target=15,
            lead=dept_a,
            co=[dept_b],
        ),
        "jobless": builders.target(
            report,
            code="M07",
            kind=Kind.MAIN_INDICATOR,
            name="城镇登记失业率",
            unit="%",
            target_value=Decimal("4.5"),
            direction=Direction.AT_MOST,
            lead=dept_b,
        ),
        "market": builders.target(report, code="S12.1", kind=Kind.PRACTICAL_TASK_METRIC, lead=dept_a),
        "school": builders.target(
            report, code="A3.1.01", name="翻建中小学教学楼", unit="栋", target_value=8, lead=dept_b
        ),
        "evil": builders.target(
            report,
            code="A3.1.02",
            name='=HYPERLINK("http://evil.example","点我")',
            source_text="@SUM(1+1)",
            lead=dept_a,
        ),
        "plan": builders.target(
            report,
            code="F01",
            kind=Kind.FIVE_YEAR_GOAL,
            name="城乡居民收入年均增长",
            unit="%",
            target_value=None,
            growth_rate_target=10,
            deadline=datetime.date(2030, 12, 31),
            lead=dept_a,
        ),
    }
    builders.entry(t["gdp"], "2026-10-31", "416.21", user=reporter_a, growth_rate=Decimal("14.9"))
    builders.entry(t["jobless"], "2026-11-20", "3.6", user=reporter_b)
    builders.entry(t["market"], "2026-11-20", 10, user=reporter_a)
    builders.entry(t["school"], "2026-06-30", 2, user=reporter_b)
    builders.entry(t["plan"], "2026-09-30", None, user=reporter_a, growth_rate=Decimal("8.5"))
    PracticalTask.objects.create(report=report, no=12, title="新建肉菜市场10座。").targets.add(t["market"])
    GlossaryTerm.objects.create(report=report, term="虚拟养老", definition="=以信息平台为支撑的居家养老服务。", order=1)
    return t


def write(user, report, **kwargs):
    output = io.BytesIO()
    workbook.write_ledger(output, user=user, report=report, as_of=kwargs.pop("as_of", TODAY), **kwargs)
    output.seek(0)
    return openpyxl.load_workbook(output)


def records(sheet):
    """The sheet's rows as dicts keyed by header."""
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def cells_by_header(sheet, row_number):
    headers = [cell.value for cell in sheet[1]]
    return dict(zip(headers, sheet[row_number], strict=True))


def test_workbook_has_the_five_sheets_with_chinese_headers(report, ledger_data):
    book = write(roles.COMMAND_LINE, report)
    assert book.sheetnames == ["主要指标", "年度任务", "实事", "五年目标", "名词解释", "说明"]
    headers = [cell.value for cell in book["主要指标"][1]]
    assert headers[:5] == ["编号", "名称", "章节", "牵头单位", "配合单位"]
    assert headers[-3:] == ["填报日期", "本期累计完成值", "本期说明"]
    assert [cell.value for cell in book["实事"][1]][:3] == ["实事序号", "实事", "编号"]
    assert [cell.value for cell in book["名词解释"][1]] == ["名词", "解释"]


def test_each_sheet_holds_its_kind_of_target(report, ledger_data):
    book = write(roles.COMMAND_LINE, report)
    codes = {name: [row["编号"] for row in records(book[name])] for name in book.sheetnames[:4]}
    assert codes == {
        "主要指标": ["M01", "M07"],
        "年度任务": ["A3.1.01", "A3.1.02"],
        "实事": ["S12.1"],
        "五年目标": ["F01"],
    }
    assert records(book["实事"])[0]["实事序号"] == 12 and records(book["实事"])[0]["实事"] == "新建肉菜市场10座。"
    assert len(records(book["名词解释"])) == 1


def test_header_is_frozen_filtered_and_sized(report, ledger_data):
    book = write(roles.COMMAND_LINE, report)
    sheet = book["年度任务"]
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(workbook.TARGET_COLUMNS))}3"
    assert sheet.column_dimensions["B"].width == 36
    assert sheet["A1"].font.bold


def test_numbers_are_numbers_with_units_in_their_format(report, ledger_data):
    sheet = write(roles.COMMAND_LINE, report)["主要指标"]
    gdp = cells_by_header(sheet, 2)
    assert gdp["目标值"].value == 500 and gdp["目标值"].number_format == '#,##0" 亿元"'
    assert gdp["最新完成值"].value == pytest.approx(416.21) and gdp["最新完成值"].number_format == '#,##0.00" 亿元"'
    assert gdp["目标增速"].number_format == '#,##0"%"' and gdp["最新增速"].number_format == '#,##0.0"%"'
    assert gdp["完成进度"].value == 83.2 and gdp["完成进度"].number_format == '0.0"%"'
    assert gdp["完成期限"].value == datetime.datetime(2026, 12, 31) and gdp["完成期限"].number_format == "yyyy-mm-dd"
    assert gdp["配合单位"].value == "教育局" and gdp["方向"].value == "不低于"
    jobless = cells_by_header(sheet, 3)
    assert jobless["目标值"].number_format == '#,##0.0"%"' and jobless["差距"].value == 0


def test_status_cells_carry_the_status_word_and_colour(report, ledger_data):
    sheet = write(roles.COMMAND_LINE, report)["主要指标"]
    status = cells_by_header(sheet, 2)["状态"]
    assert status.value == str(Status.ON_TRACK.label)
    assert status.fill.fgColor.rgb.endswith(Status.ON_TRACK.colour.lstrip("#").upper())
    assert cells_by_header(sheet, 3)["状态"].value == str(Status.MET.label)


def test_text_that_looks_like_a_formula_is_written_as_text(report, ledger_data):
    book = write(roles.COMMAND_LINE, report)
    evil = cells_by_header(book["年度任务"], 3)
    assert evil["名称"].value == '\'=HYPERLINK("http://evil.example","点我")'
    assert evil["名称"].data_type == "s" and evil["报告原文"].value == "'@SUM(1+1)"
    assert book["名词解释"]["B2"].value.startswith("'=")
    formulas = [c for s in book for row in s.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_round_trip_columns_are_empty(report, ledger_data):
    for row in records(write(roles.COMMAND_LINE, report)["年度任务"]):
        assert (row["填报日期"], row["本期累计完成值"], row["本期说明"]) == (None, None, None)


def test_figures_equal_the_ledger_rows(report, ledger_data):
    book = write(roles.COMMAND_LINE, report, as_of=datetime.date(2026, 10, 1))
    ledger = rows.ledger(user=roles.COMMAND_LINE, report=report, as_of=datetime.date(2026, 10, 1))
    labels = {status.value: str(status.label) for status in Status}
    expected = {row["code"]: (row["percent_complete"], labels[row["status"]]) for row in ledger["targets"]}
    written = {
        row["编号"]: (row["完成进度"], row["状态"]) for name in book.sheetnames[:4] for row in records(book[name])
    }
    assert written == expected
    assert written["M01"] == (None, str(Status.NO_DATA.label))  # replayed: nothing reported by 1 October


def test_reporter_gets_their_departments_rows(report, ledger_data, reporter_b):
    book = write(reporter_b, report)
    codes = {row["编号"] for name in book.sheetnames[:4] for row in records(book[name])}
    assert codes == {"M01", "M07", "A3.1.01"}  # M01 as co-unit


def test_download_follows_the_lists_filters_and_date(client, official, report, dept_b, ledger_data):
    client.force_login(official)
    response = client.get(reverse("ledger-xlsx"), {"department": dept_b.pk, "as_of": "2026-11-01", "pending": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == workbook.CONTENT_TYPE
    assert 'filename="ledger-test-2026-11-01.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    codes = {row["编号"] for name in book.sheetnames[:4] for row in records(book[name])}
    assert codes == {"M01", "M07", "A3.1.01"}
    assert book.properties.subject == "数据截至 2026-11-01" and book.properties.keywords == "include_pending"


def test_download_needs_login(client, ledger_data):
    assert client.get(reverse("ledger-xlsx")).status_code == 302


def test_export_ledger_writes_the_same_workbook(client, official, report, ledger_data, tmp_path):
    path = tmp_path / "ledger.xlsx"
    call_command(
        "export_ledger", "--format", "xlsx", "--output", str(path), "--as-of", "2026-11-01", stdout=io.StringIO()
    )
    from_command = openpyxl.load_workbook(path)
    client.force_login(official)
    response = client.get(reverse("ledger-xlsx"), {"as_of": "2026-11-01"})
    from_page = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert from_command.sheetnames == from_page.sheetnames
    for name in from_command.sheetnames:
        assert list(from_command[name].values) == list(from_page[name].values), name


def test_export_ledger_xlsx_needs_an_output_file(report):
    with pytest.raises(CommandError):
        call_command("export_ledger", "--format", "xlsx")


def test_download_query_count_does_not_grow_with_data(
    client, official, report, dept_a, reporter_a, django_assert_num_queries
):
    def grow(count):
        for _ in range(count):
            target = builders.target(report, lead=dept_a)
            builders.entry(target, "2026-05-31", 3, user=reporter_a, refresh=False)
            builders.entry(target, "2026-09-30", 6, user=reporter_a, refresh=False)
            builders.refresh_latest(target_ids=[target.pk])

    client.force_login(official)
    grow(3)
    client.get(reverse("ledger-xlsx"))
    # session, user, groups, the current report, the targets (one pass for four sheets), their
    # 完成进度 at the end of the month before (环比), the glossary
    with django_assert_num_queries(7) as small:
        client.get(reverse("ledger-xlsx"))
    grow(30)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("ledger-xlsx"))
