"""Journeys 5 and 4: an official reads the dashboard on a past day, follows a laggard and takes the
Excel ledger away; a supervisor's approval changes the dashboard's official figures."""

import openpyxl
from django.urls import reverse

from targets.choices import ReviewStatus, Status

from .. import builders

LEDGER_SHEETS = ["主要指标", "年度任务", "实事", "五年目标", "名词解释", "说明"]
PAST_DAY = "2026-09-30"


def sheet_rows(sheet):
    """The rows of a ledger sheet as {header: value} dicts."""
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=False)) for row in rows]


def test_official_replays_a_past_day_follows_a_laggard_and_downloads_the_ledger(
    tab, sign_in, official, reporter_a, target_a, target_b, tmp_path
):
    # Behind on 30 September, done by today; the other target is on track on both days.
    builders.entry(target_a, "2026-06-30", 2, user=reporter_a)
    builders.entry(target_a, "2026-11-01", 10, user=reporter_a)
    builders.entry(target_b, "2026-09-01", 7, user=reporter_a)
    page = tab.page
    sign_in(official)

    tab.goto(reverse("dashboard"))
    laggards = page.locator("#laggards")
    assert laggards.get_by_role("link", name=target_a.code).count() == 0
    assert "没有滞后的目标。" in laggards.inner_text()

    page.get_by_label("截至日期").fill(PAST_DAY)
    with tab.navigation():
        page.get_by_role("button", name="查看").click()
    assert f"数据截至 {PAST_DAY}" in page.locator(".as-of-note").inner_text()
    laggard = laggards.locator("tbody tr", has_text=target_a.code)
    assert laggard.locator(".badge").inner_text() == Status.FAR_BEHIND.label
    assert target_b.code not in laggards.inner_text()

    with tab.navigation():
        laggard.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"{target_a.code} {target_a.name}")

    with tab.navigation():
        page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel 台账").click()
    download = download_info.value
    assert download.suggested_filename.endswith(f"{PAST_DAY}.xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    assert workbook.sheetnames == LEDGER_SHEETS
    rows = {row["编号"]: row for row in sheet_rows(workbook["年度任务"])}
    assert rows[target_a.code]["状态"] == Status.FAR_BEHIND.label
    assert rows[target_a.code]["最新完成值"] == 2
    assert rows[target_b.code]["状态"] == Status.ON_TRACK.label


def test_supervisor_approves_an_entry_and_the_dashboards_official_figures_change(
    tab, sign_in, supervisor, reporter_a, report, target_a
):
    queue = reverse("supervision:review-queue")
    report.review_required = True
    report.save(update_fields=["review_required"])
    entry = builders.entry(target_a, "2026-11-20", 10, user=reporter_a, status=ReviewStatus.SUBMITTED, note="全部建成")
    page = tab.page
    sign_in(supervisor)

    dashboard = reverse("dashboard")
    tab.goto(dashboard)
    done = page.locator(".status-tiles .tile", has_text=str(Status.DONE.label)).locator(".tile-count")
    assert done.inner_text() == "0"
    assert "仅计审核通过的填报" in page.locator(".as-of-note").inner_text()

    tab.goto(queue)
    row = page.locator(f"#entry-{entry.pk}")
    assert target_a.code in row.inner_text() and "全部建成" in row.inner_text()
    with tab.navigation():
        row.get_by_role("button", name="通过").click()
    assert page.locator(f"#entry-{entry.pk}").count() == 0

    tab.goto(dashboard)
    assert done.inner_text() == "1"
