"""Journeys 1–3: a reporter records progress in the browser, cannot reach another department's
target, and is told in Chinese, next to the field, when a value is wrong."""

from django.urls import reverse

from targets import errors
from targets.models import ProgressEntry

from .conftest import sign_in_by_form

# The smallest file the evidence check accepts as a PDF: it starts with %PDF-.
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail_path(target):
    return reverse("target-detail", args=[target.report.code, target.code])


def progress_path(target):
    return reverse("record-progress", args=[target.report.code, target.code])


def fact(page, term):
    """The value beside `term` in the target page's facts (<dt>term</dt><dd>value</dd>)."""
    return page.locator("dl.facts dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def field_errors(page, label):
    """The error messages shown in the same field block as the input labelled `label`."""
    return page.locator("div.field", has=page.get_by_label(label)).locator(".error")


def test_reporter_records_progress_with_evidence_and_sees_value_gap_and_status(tab, reporter_a, target_a):
    page = tab.page
    sign_in_by_form(tab, reporter_a.username)
    assert page.get_by_role("heading", level=1).inner_text() == "我的目标"
    row = page.locator("table.ledger tbody tr", has_text=target_a.code)
    assert "未填报" in row.inner_text()

    with tab.navigation():
        row.get_by_role("link", name=target_a.code).click()
    with tab.navigation():
        page.get_by_role("link", name="填报进度").click()
    assert page.get_by_role("heading", level=1).inner_text() == "填报进度"
    page.get_by_label("累计完成值").fill("9")
    page.get_by_label("说明").fill("已建成9座，第9座已投入使用")
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}]
    )
    with tab.navigation():
        page.get_by_role("button", name="保存").click()

    assert page.url.endswith(detail_path(target_a))
    assert page.get_by_role("status").inner_text() == f"已保存 {target_a.code} 的进度。"
    assert fact(page, "最新值").inner_text().splitlines()[0] == "9 座"  # the figure's age on the line below
    assert fact(page, "差距").inner_text() == "1 座"
    assert fact(page, "完成进度").inner_text() == "90.0%"
    assert fact(page, "状态").inner_text() == "正常推进"
    history = page.locator("table.table tbody tr").first
    assert "已建成9座" in history.inner_text()
    assert history.get_by_role("link", name="佐证材料").get_attribute("href").startswith("/evidence/")

    with tab.navigation():
        page.locator("main .crumbs").get_by_role("link", name="我的目标").click()
    cells = page.locator("table.ledger tbody tr", has_text=target_a.code).locator("td").all_inner_texts()
    assert {"9 座", "1 座", "90.0", "正常推进"} <= {cell.strip() for cell in cells}


def test_reporter_has_no_way_into_another_departments_target(tab, sign_in, reporter_a, target_a, target_b):
    page = tab.page
    sign_in(reporter_a)
    tab.goto(reverse("target-list"))
    assert page.locator("table.ledger").get_by_role("link", name=target_a.code).is_visible()
    assert target_b.code not in page.locator("main").inner_text()

    for path in (detail_path(target_b), progress_path(target_b)):
        tab.goto(path, status=404)
        assert page.get_by_role("heading", level=1).inner_text() == "页面不存在"
        assert page.locator("form[enctype='multipart/form-data']").count() == 0
        assert page.locator("input[name=value]").count() == 0
        assert page.get_by_role("link", name="填报进度").count() == 0
        assert target_b.name not in page.content()
    assert not ProgressEntry.objects.filter(target=target_b).exists()


def test_bad_value_gets_a_chinese_error_next_to_the_field_and_nothing_is_stored(tab, sign_in, reporter_a, target_a):
    page = tab.page
    sign_in(reporter_a)
    tab.goto(progress_path(target_a))

    page.get_by_label("累计完成值").fill("九座")
    with tab.navigation():
        page.get_by_role("button", name="保存").click()
    assert field_errors(page, "累计完成值").all_inner_texts() == [str(errors.NOT_A_NUMBER)]
    assert page.get_by_label("累计完成值").input_value() == "九座"  # what was typed is kept to correct

    # A number the form reads but the target's rules refuse: the service's message, at the same place.
    page.get_by_label("累计完成值").fill("-3")
    with tab.navigation():
        page.get_by_role("button", name="保存").click()
    assert field_errors(page, "累计完成值").all_inner_texts() == [str(errors.NEGATIVE_VALUE)]

    assert page.get_by_role("heading", level=1).inner_text() == "填报进度"
    assert not ProgressEntry.objects.exists()
