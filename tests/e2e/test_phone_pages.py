"""The five pages of a working day on a phone (390 × 844): the review queue, 我的目标, the target page,
the progress form and the dashboard. On each, the page does not scroll sideways, its key controls lie
within the screen's width, and no navigation item breaks mid-word. The same pages are kept as
screenshots at 1366 px too (var/screenshots/), to look at both widths."""

import pytest
from django.urls import reverse

from targets.choices import ReviewStatus

from .. import builders

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def within_width(page, locator):
    """`locator` lies within the viewport's width (left edge at 0 or after, right edge at the width or before)."""
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


def sideways_overflow(page):
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def wrapped_nav_items(page):
    """The navigation links whose text takes more than one line (a word broken: "督/查")."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.site-header nav a')].filter(link => {
            const range = document.createRange();
            range.selectNodeContents(link);
            const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
            const oneLine = parseFloat(getComputedStyle(link).lineHeight);
            return tops.size > 1 || link.getBoundingClientRect().height >= 2 * oneLine;
        }).map(link => link.textContent.trim())"""
    )


def assert_fits_a_phone(tab, *controls):
    page = tab.page
    assert sideways_overflow(page) <= 0
    assert wrapped_nav_items(page) == []
    for control in controls:
        assert control.count() > 0, control
        for one in control.all():
            one.scroll_into_view_if_needed()
            assert within_width(page, one), (one, one.bounding_box())


@pytest.fixture
def day(report, dept_a, reporter_a):
    """A report in review with three of department A's targets, each with an entry awaiting review."""
    report.review_required = True
    report.save(update_fields=["review_required"])
    targets = [
        builders.target(report, code=f"A1.1.0{number}", lead=dept_a, name=f"新建社区养老服务中心{number}")
        for number in range(1, 4)
    ]
    for number, target in enumerate(targets, start=1):
        builders.entry(target, "2026-10-31", number, user=reporter_a, note="按计划推进")
        builders.entry(target, "2026-11-20", number + 2, user=reporter_a, status=ReviewStatus.SUBMITTED)
    return targets


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_the_review_queue_keeps_every_entrys_buttons_on_a_phone_screen(tab, sign_in, supervisor, day, viewport):
    tab.page.set_viewport_size(viewport)
    sign_in(supervisor)
    tab.goto(reverse("supervision:review-queue"))
    page = tab.page
    rows = page.locator(".review-queue tbody tr")
    assert rows.count() == 3
    assert_fits_a_phone(
        tab,
        rows.get_by_role("button", name="通过", exact=True),
        rows.get_by_role("button", name="退回", exact=True),
        page.get_by_role("button", name="批量通过所选"),
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_my_targets_shows_each_targets_status_and_percent_on_a_phone(tab, sign_in, reporter_a, day, viewport):
    tab.page.set_viewport_size(viewport)
    sign_in(reporter_a)
    tab.goto(reverse("target-list"))
    page = tab.page
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 3
    assert_fits_a_phone(
        tab,
        rows.locator("td.col-code a"),
        rows.locator("td.col-status .badge"),
        rows.locator("td.col-percent_complete"),
        page.get_by_role("button", name="筛选"),
    )
    assert rows.first.locator("td.col-percent_complete").inner_text().strip() not in {"", "—"}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_the_target_page_fits_a_phone(tab, sign_in, reporter_a, day, viewport):
    tab.page.set_viewport_size(viewport)
    sign_in(reporter_a)
    target = day[0]
    tab.goto(reverse("target-detail", args=[target.report.code, target.code]))
    page = tab.page
    assert_fits_a_phone(
        tab,
        page.get_by_role("link", name="填报进度"),
        page.locator("h1 .badge"),
        page.locator("figure.chart svg"),
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_the_progress_form_fits_a_phone(tab, sign_in, reporter_a, day, viewport):
    tab.page.set_viewport_size(viewport)
    sign_in(reporter_a)
    target = day[0]
    tab.goto(reverse("record-progress", args=[target.report.code, target.code]))
    page = tab.page
    form = page.locator("main form")
    assert_fits_a_phone(
        tab,
        form.locator("input:visible, select:visible, textarea:visible"),
        page.get_by_role("button", name="保存"),
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_the_dashboard_fits_a_phone(tab, sign_in, official, day, viewport):
    tab.page.set_viewport_size(viewport)
    sign_in(official)
    tab.goto(reverse("dashboard"))
    page = tab.page
    assert_fits_a_phone(
        tab,
        page.get_by_label("截至日期"),
        page.get_by_role("button", name="查看"),
        page.get_by_role("link", name="导出 Excel 台账"),
        page.locator(".kpi"),
        page.locator(".status-tiles .tile"),
    )


def test_on_a_phone_search_and_account_fold_behind_one_button_that_opens_them(tab, sign_in, reporter_a, day):
    page = tab.page
    page.set_viewport_size(PHONE)
    sign_in(reporter_a)
    tab.goto(reverse("target-list"))
    search = page.get_by_role("searchbox", name="搜索")
    logout = page.get_by_role("button", name="退出")
    assert not search.is_visible() and not logout.is_visible()
    page.get_by_text("搜索与账户").click()
    assert_fits_a_phone(tab, search, logout, page.get_by_role("button", name="搜索", exact=True))
    tab.screenshot()
    page.set_viewport_size(DESKTOP)
    assert not page.get_by_text("搜索与账户").is_visible()
    assert search.is_visible() and logout.is_visible()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_the_ranking_shows_each_departments_figures_without_sideways_scroll(
    tab, sign_in, official, day, dept_b, reporter_b, viewport
):
    other = builders.target(day[0].report, code="B1.1.01", lead=dept_b, co=[day[0].lead_department])
    builders.entry(other, "2026-10-31", 4, user=reporter_b)
    tab.page.set_viewport_size(viewport)
    sign_in(official)
    tab.goto(reverse("supervision:ranking"))
    page = tab.page
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 2
    figures = rows.locator("td")
    assert figures.count() == 2 * 9
    assert_fits_a_phone(tab, rows.locator("th"), figures)
    # Nothing scrolls inside the table's box either, and every figure is shown (none hidden to fit).
    assert page.evaluate("(box => box.scrollWidth - box.clientWidth)(document.querySelector('.table-wrap'))") <= 0
    assert all(figure.is_visible() and figure.inner_text().strip() for figure in figures.all())
    layout = rows.first.evaluate("row => getComputedStyle(row).display")
    assert layout == ("grid" if viewport == PHONE else "table-row")  # cards on a phone, the table on a laptop
