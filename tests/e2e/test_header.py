"""The header at a laptop's width (1366 px): one row for every role, in Chinese and in English — the
brand, the navigation, the search field, the language and the account side by side, nothing pushed to
a second line. At 390 px it folds as test_phone_pages checks; its screenshots are kept for both widths."""

import pytest
from django.conf import settings
from django.urls import reverse

from .test_phone_pages import DESKTOP, PHONE, sideways_overflow

ROLES = ["reporter_a", "supervisor", "official", "admin_user"]
LANGUAGES = ["zh-hans", "en"]


def header_rows(page):
    """The header's visible items grouped by the line they sit on: the distinct vertical centres of
    every visible element directly inside it (or inside its tool group, which lays out as part of it),
    within 4 px of each other counted as one line; the header's content height and its tallest item's; and
    whether the report's title shows whole (it would shrink to an ellipsis before the row wrapped)."""
    return page.evaluate(
        """() => {
            const header = document.querySelector('.site-header');
            const items = [...header.querySelectorAll(':scope > *, :scope > .header-tools > *')]
                .filter(item => getComputedStyle(item).display !== 'contents')
                .map(item => [item.className || item.tagName, item.getBoundingClientRect()])
                .filter(([name, box]) => box.width > 1 && box.height > 1);
            const centres = items.map(([name, box]) => box.top + box.height / 2).sort((a, b) => a - b);
            const lines = centres.filter((centre, index) => index === 0 || centre - centres[index - 1] > 4);
            const style = getComputedStyle(header);
            const content = header.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            const brand = header.querySelector('.brand');
            return {
                lines: lines.length,
                title_whole: brand.scrollWidth <= brand.clientWidth,
                content,
                tallest: Math.max(...items.map(([name, box]) => box.height)),
                items: items.map(([name, box]) => `${name} ${Math.round(box.left)}+${Math.round(box.width)}`),
            };
        }"""
    )


@pytest.fixture
def in_language(context, live_server):
    def choose(language):
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])

    return choose


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_the_header_takes_one_row_at_1366_px_for_every_role_and_language(
    tab, sign_in, in_language, report, target_a, role, language, request
):
    user = request.getfixturevalue(role)
    # The names of the report the app ships with, longer than the builders' own.
    report.title = "2026年兰州市城关区政府工作报告"
    report.save(update_fields=["title"])
    report.government.name = "兰州市城关区人民政府"
    report.government.save(update_fields=["name"])
    tab.page.set_viewport_size(DESKTOP)
    in_language(language)
    sign_in(user)
    tab.goto(reverse("target-list"))
    page = tab.page
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if language == "zh-hans" else "en")
    assert page.get_by_role("searchbox").is_visible()
    rows = header_rows(page)
    assert rows["lines"] == 1, rows
    # One row: no taller than its tallest item (a second row would add at least one more line).
    assert rows["content"] <= rows["tallest"] + 1, rows
    assert rows["title_whole"], rows
    assert sideways_overflow(page) <= 0
    # The same header on a phone, kept as a screenshot beside the laptop's.
    page.set_viewport_size(PHONE)
    tab.screenshot()
    assert sideways_overflow(page) <= 0
