"""The review queue on a phone (390 px wide): an entry's own buttons and the batch bar's are on
screen, without scrolling sideways, the batch bar stays on screen while scrolling, and batch
approval works from there."""

from django.urls import reverse

from targets.choices import ReviewStatus
from targets.models import ProgressEntry

from .. import builders


def on_screen(page, locator):
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_review_buttons_are_on_screen_at_390_px_and_batch_approval_works(
    tab, sign_in, report, dept_a, reporter_a, supervisor
):
    report.review_required = True
    report.save()
    for number in range(3):
        target = builders.target(report, code=f"A{number}", lead=dept_a, name=f"目标{number}")
        builders.entry(target, "2026-11-20", 5, user=reporter_a, status=ReviewStatus.SUBMITTED)
    page = tab.page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(supervisor)
    tab.goto(reverse("supervision:review-queue"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert on_screen(page, page.get_by_role("button", name="批量通过所选"))
    assert on_screen(page, page.get_by_role("button", name="批量退回所选"))
    last_row = page.locator(".review-queue tbody tr").last
    last_row.scroll_into_view_if_needed()  # the batch bar stays at the top of the screen
    assert page.locator(".batch-review").bounding_box()["y"] >= 0
    assert on_screen(page, page.get_by_role("button", name="批量通过所选"))
    first_row = page.locator(".review-queue tbody tr").first
    first_row.scroll_into_view_if_needed()
    assert on_screen(page, first_row.get_by_role("button", name="通过"))
    assert on_screen(page, first_row.get_by_role("button", name="退回"))
    for box in page.locator('input[form="batch-review"]').all()[:2]:
        box.check()
    with tab.navigation():
        page.get_by_role("button", name="批量通过所选").click()
    assert list(ProgressEntry.objects.order_by("id").values_list("review_status", flat=True)) == [
        ReviewStatus.APPROVED,
        ReviewStatus.APPROVED,
        ReviewStatus.SUBMITTED,
    ]
