"""Journeys 6 and 7: a reporter sends progress back in the ledger workbook (preview, fix, import);
an admin edits a target in Django admin and finds the change in its history."""

import datetime

import openpyxl
from django.urls import reverse

from targets import errors
from targets.models import ProgressEntry

from .. import builders

REPORTED_ON = datetime.date(2026, 11, 20)


def fill_in(path, values: dict, *, sheet="年度任务"):
    """Enter this period's progress in the downloaded ledger, as a department does in Excel:
    {code: (cumulative value, note)} in the columns 填报日期, 本期累计完成值 and 本期说明."""
    workbook = openpyxl.load_workbook(path)
    rows = workbook[sheet].iter_rows()
    header = [cell.value for cell in next(rows)]
    column = {name: header.index(name) for name in ("编号", "填报日期", "本期累计完成值", "本期说明")}
    filled = {}
    for row in rows:
        code = row[column["编号"]].value
        if code in values:
            value, note = values[code]
            row[column["填报日期"]].value = REPORTED_ON
            row[column["本期累计完成值"]].value = value
            row[column["本期说明"]].value = note
            filled[code] = row[0].row
    workbook.save(path)
    return filled  # code -> the Excel row number


def test_reporter_imports_the_filled_in_ledger_after_fixing_the_one_bad_row(
    tab, sign_in, reporter_a, report, dept_a, target_a, target_b, tmp_path
):
    canteens = builders.target(
        report, code="A1.1.02", lead=dept_a, name="新建社区食堂", unit="个", target_value=20, source_text="社区食堂20个"
    )
    upload_page = reverse("progress-import")
    page = tab.page
    sign_in(reporter_a)

    # The department's own ledger, from the dashboard, filled in with one value that is not a number.
    tab.goto(reverse("dashboard"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel 台账").click()
    workbook = tmp_path / "台账.xlsx"
    download_info.value.save_as(workbook)
    rows = fill_in(workbook, {target_a.code: ("六座", "已建成6座"), canteens.code: (15, "已建成15个")})
    assert set(rows) == {target_a.code, canteens.code}  # another department's target is not in its ledger

    tab.goto(upload_page)
    page.get_by_label("工作簿（.xlsx、.xls 或 .ods）").set_input_files(workbook)
    with tab.navigation():
        page.get_by_role("button", name="上传并预览").click()
    assert page.get_by_role("heading", level=1).inner_text() == "导入预览"
    problems = page.locator(".import-errors tbody tr")
    assert problems.count() == 1
    assert [cell.strip() for cell in problems.first.locator("td").all_inner_texts()] == [
        "年度任务",
        str(rows[target_a.code]),
        "本期累计完成值",
        str(errors.NOT_A_NUMBER),
    ]
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert not ProgressEntry.objects.exists()

    fill_in(workbook, {target_a.code: (6, "已建成6座")})
    with tab.navigation():
        page.get_by_role("link", name="重新上传").click()
    page.get_by_label("工作簿（.xlsx、.xls 或 .ods）").set_input_files(workbook)
    with tab.navigation():
        page.get_by_role("button", name="上传并预览").click()
    assert page.locator(".import-errors").count() == 0
    with tab.navigation():
        page.get_by_role("button", name="确认导入 2 行").click()

    assert page.get_by_role("status").inner_text() == "已导入 2 条进度（跳过已存在的 0 行）。"
    for target, value in ((target_a, "6 座"), (canteens, "15 个")):
        cells = page.locator("table.ledger tbody tr", has_text=target.code).locator("td").all_inner_texts()
        assert value in [cell.strip() for cell in cells]


def test_admin_edits_a_target_and_sees_the_change_in_its_history(tab, sign_in, admin_user, target_a):
    change_page = reverse("admin:targets_target_change", args=[target_a.pk])
    page = tab.page
    sign_in(admin_user)

    tab.goto(change_page)
    page.get_by_label("名称").fill("新建农贸市场")
    with tab.navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    assert page.url.endswith(reverse("admin:targets_target_changelist"))
    assert "新建农贸市场" in page.locator(".messagelist").inner_text()

    tab.goto(change_page)
    with tab.navigation():
        page.get_by_role("link", name="历史").click()
    change = page.locator("tbody tr", has=page.locator("del", has_text="新建肉菜市场")).first
    assert change.locator("ins").filter(has_text="新建农贸市场").count() == 1
    assert admin_user.username in change.inner_text()
