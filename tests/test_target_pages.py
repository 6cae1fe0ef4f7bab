"""我的目标, the target page and recording progress, through the real URLs, forms and templates."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets import errors
from targets.choices import Measure, Status
from targets.models import ProgressEntry

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def detail_url(target):
    return reverse("target-detail", args=[target.report.code, target.code])


def progress_url(target):
    return reverse("record-progress", args=[target.report.code, target.code])


def test_anonymous_is_sent_to_login(client, target_a):
    for url in (reverse("target-list"), detail_url(target_a), progress_url(target_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_reporter_sees_only_targets_of_their_department(client, reporter_a, target_a, target_b, dept_a, report):
    supported = builders.target(report, code="A2.1.01", lead=target_b.lead_department, co=[dept_a], name="配合的目标")
    client.force_login(reporter_a)
    page = client.get(reverse("target-list")).content.decode()
    assert target_a.name in page
    assert supported.name in page
    assert target_b.name not in page


def test_official_sees_every_department(client, official, target_a, target_b):
    client.force_login(official)
    page = client.get(reverse("target-list")).content.decode()
    assert target_a.name in page and target_b.name in page


def test_list_shows_the_computed_standing(client, reporter_a, target_a):
    builders.entry(target_a, "2026-11-27", 4, user=reporter_a)
    client.force_login(reporter_a)
    page = client.get(reverse("target-list")).content.decode()
    assert "4 座" in page  # latest value with unit
    assert "6 座" in page  # gap with unit
    assert "40.0" in page and "90.7" in page
    assert str(Status.FAR_BEHIND.label) in page


def test_list_filters_by_status_and_free_text(client, official, target_a, target_b, reporter_a):
    builders.entry(target_a, "2026-11-01", 10, user=reporter_a)
    client.force_login(official)
    page = client.get(reverse("target-list"), {"status": Status.DONE}).content.decode()
    assert target_a.name in page and target_b.name not in page
    page = client.get(reverse("target-list"), {"q": "中小学"}).content.decode()
    assert target_b.name in page and target_a.name not in page


def listed_rows(page):
    """The cells of each row of 我的目标's table, as text, in order."""
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_a_later_page_computes_the_figures_of_its_own_rows_only(client, official, report, dept_a):
    for n in range(30):
        builders.target(report, code=f"P{n:02d}", lead=dept_a)
    client.force_login(official)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("target-list"), {"page": 2, "per_page": 10}).content.decode()
    assert [row[0] for row in listed_rows(page)] == [f"P{n:02d}" for n in range(10, 20)]
    offsets = [q["sql"] for q in queries if "OFFSET 10" in q["sql"]]
    # the OFFSET closes the subquery that picks the page's ids; the outer query has none
    assert offsets and all(sql.count("OFFSET") == 1 and re.search(r"OFFSET 10\)\)", sql) for sql in offsets)


@pytest.mark.parametrize("params", [{"sort": "-code"}, {"sort": "section"}, {"status": Status.FAR_BEHIND}])
def test_the_pages_of_the_list_together_are_the_list_on_one_page(client, official, report, dept_a, reporter_a, params):
    for n in range(23):
        section = builders.section(report, code=f"3.{n % 3}", title=f"第{n % 3}节")
        target = builders.target(report, code=f"P{n:02d}", lead=dept_a, section_obj=section, order=n % 5)
        if n % 3:
            builders.entry(target, datetime.date(2026, 11, 27), n % 11, user=reporter_a)
    client.force_login(official)
    one_page = listed_rows(client.get(reverse("target-list"), {**params, "per_page": 100}).content.decode())
    assert len(one_page) > 10 and len({row[8] for row in one_page}) >= (1 if "status" in params else 3)
    pages = [
        listed_rows(client.get(reverse("target-list"), {**params, "per_page": 5, "page": number}).content.decode())
        for number in range(1, (len(one_page) + 4) // 5 + 1)
    ]
    assert [row for rows in pages for row in rows] == one_page


def test_list_as_of_replays_a_past_day(client, official, target_a, reporter_a):
    builders.entry(target_a, "2026-10-01", 10, user=reporter_a)
    client.force_login(official)
    page = client.get(reverse("target-list"), {"as_of": "2026-09-01"}).content.decode()
    assert str(Status.NO_DATA.label) in page and "数据截至 2026-09-01" in page


def test_export_xlsx_is_the_ledger_workbook_of_the_filtered_rows(client, official, report, dept_a, target_a, target_b):
    builders.target(report, code="A1.1.09", lead=dept_a, name='=HYPERLINK("http://x")', source_text="x")
    client.force_login(official)
    response = client.get(reverse("target-list"), {"department": dept_a.pk, "_export": "xlsx"}, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("ledger-xlsx"))  # tests/test_one_workbook.py
    assert "ledger-test-2026-11-27.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["年度任务"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "名称")
    names = [row[1] for row in rows[1:]]
    assert target_a.name in names and target_b.name not in names
    assert '\'=HYPERLINK("http://x")' in names


def test_export_csv_uses_plain_status_words(client, official, target_a):
    client.force_login(official)
    response = client.get(reverse("target-list"), {"_export": "csv"})
    text = response.content.decode("utf-8")
    assert str(Status.NO_DATA.label) in text and "<span" not in text


def test_reporter_records_progress_and_sees_it(client, reporter_a, target_a):
    client.force_login(reporter_a)
    response = client.post(
        progress_url(target_a), {"reported_on": "2026年11月20日", "value": "７", "note": "已建成7座"}
    )
    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    assert (entry.value, entry.reported_on, entry.created_by) == (Decimal("7"), datetime.date(2026, 11, 20), reporter_a)
    page = client.get(detail_url(target_a)).content.decode()
    assert "已建成7座" in page and "7 座" in page and "3 座" in page


def test_evidence_file_is_stored_and_type_checked(client, reporter_a, target_a):
    client.force_login(reporter_a)
    pdf = SimpleUploadedFile("proof.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    response = client.post(progress_url(target_a), {"reported_on": "2026-11-20", "value": "7", "evidence": pdf})
    assert response.status_code == 302
    assert ProgressEntry.objects.get().evidence.name.endswith(".pdf")
    fake = SimpleUploadedFile("proof.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(progress_url(target_a), {"reported_on": "2026-11-21", "value": "8", "evidence": fake})
    assert str(errors.FILE_CONTENT_MISMATCH) in response.content.decode()
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(progress_url(target_a), {"reported_on": "2026-11-21", "value": "8", "evidence": exe})
    assert str(errors.FILE_TYPE_NOT_ALLOWED) in response.content.decode()
    assert ProgressEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reported_on": "2026-11-20", "value": "abc"}, errors.NOT_A_NUMBER),
        ({"reported_on": "2026-11-20", "value": "12.5%"}, errors.PERCENT_NOT_ALLOWED),
        ({"reported_on": "2026-11-20", "value": "-3"}, errors.NEGATIVE_VALUE),
        ({"reported_on": "2026-11-20", "value": ""}, errors.VALUE_REQUIRED),
        ({"reported_on": "2026-12-20", "value": "3"}, errors.DATE_IN_FUTURE),
        ({"reported_on": "2025-12-31", "value": "3"}, "填报日期必须在目标期限内（2026-01-01 至 2026-12-31）。"),
        ({"reported_on": "2026-11-20", "value": "1" + "0" * 20}, errors.NUMBER_TOO_LARGE),
        ({"reported_on": "2026-11-20", "value": "NaN"}, errors.NOT_A_NUMBER),
    ],
)
def test_bad_values_get_a_chinese_message_and_store_nothing(client, reporter_a, target_a, data, message):
    client.force_login(reporter_a)
    response = client.post(progress_url(target_a), data)
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not ProgressEntry.objects.exists()


def test_percent_is_accepted_where_the_unit_is_percent(client, reporter_a, report, dept_a):
    rate = builders.target(report, lead=dept_a, unit="%", measure="level", target_value=60, name="比重")
    client.force_login(reporter_a)
    assert "当前值（%）" in client.get(progress_url(rate)).content.decode()  # a level, not a running total
    client.post(progress_url(rate), {"reported_on": "2026-11-20", "value": "52.5%"})
    assert ProgressEntry.objects.get().value == Decimal("52.5")


def test_decrease_needs_a_reason_and_is_kept_as_a_correction(client, reporter_a, target_a):
    first = builders.entry(target_a, "2026-10-31", 8, user=reporter_a)
    client.force_login(reporter_a)
    # An increase needs no reason (this one, 150 times the last value, needs its confirmation).
    response = client.post(
        progress_url(target_a), {"reported_on": "2026-11-20", "value": "1,200", "confirm_unusual": "on"}
    )
    assert response.status_code == 302
    response = client.post(progress_url(target_a), {"reported_on": "2026-11-21", "value": "6"})
    assert "属于更正，请填写更正原因" in response.content.decode()
    response = client.post(
        progress_url(target_a), {"reported_on": "2026-11-21", "value": "6", "correction_reason": "口径调整"}
    )
    assert response.status_code == 302
    correction = ProgressEntry.objects.order_by("-id").first()
    assert correction.supersedes.value == Decimal("1200")
    # Nothing said before is erased: every entry is still there.
    assert list(ProgressEntry.objects.order_by("id").values_list("value", flat=True)) == [
        Decimal("8"),
        Decimal("1200"),
        Decimal("6"),
    ]
    assert first.pk


def test_a_yearly_total_starts_again_in_january_but_may_not_fall_within_the_year(client, reporter_a, report, dept_a):
    yearly = builders.target(
        report,
        lead=dept_a,
        name="每年拆迁",
        measure=Measure.ANNUAL,
        period_start=datetime.date(2025, 1, 1),
        deadline=datetime.date(2030, 12, 31),
    )
    builders.entry(yearly, "2025-12-31", 90, user=reporter_a)
    client.force_login(reporter_a)
    assert "本年累计完成值（座）" in client.get(progress_url(yearly)).content.decode()
    assert client.post(progress_url(yearly), {"reported_on": "2026-01-31", "value": "5"}).status_code == 302
    response = client.post(progress_url(yearly), {"reported_on": "2026-02-28", "value": "3"})
    assert "属于更正，请填写更正原因" in response.content.decode()
    assert list(yearly.entries.order_by("id").values_list("value", flat=True)) == [Decimal("90"), Decimal("5")]


def test_reporter_cannot_record_on_another_departments_target(client, reporter_a, target_b):
    client.force_login(reporter_a)
    assert client.get(progress_url(target_b)).status_code == 404
    assert client.post(progress_url(target_b), {"reported_on": "2026-11-20", "value": "3"}).status_code == 404
    assert client.get(detail_url(target_b)).status_code == 404
    assert not ProgressEntry.objects.exists()


def test_official_reads_but_cannot_record(client, official, target_a):
    client.force_login(official)
    page = client.get(detail_url(target_a)).content.decode()
    assert progress_url(target_a) not in page
    assert client.post(progress_url(target_a), {"reported_on": "2026-11-20", "value": "3"}).status_code == 403
    assert not ProgressEntry.objects.exists()


def test_detail_marks_glossary_terms_in_the_source_clause(client, official, report, dept_a):
    from targets.models import GlossaryTerm

    GlossaryTerm.objects.create(report=report, term="虚拟养老", definition="就是以信息平台为支撑的居家养老服务。")
    target = builders.target(report, lead=dept_a, name="虚拟养老服务站", source_text="新建虚拟养老医疗服务站10个")
    client.force_login(official)
    page = client.get(detail_url(target)).content.decode()
    assert 'class="term" tabindex="0"' in page
    assert "就是以信息平台为支撑的居家养老服务。" in page


def test_detail_shows_history_and_chart(client, official, target_a, reporter_a):
    builders.entry(target_a, "2026-03-31", 2, user=reporter_a, note="一季度")
    builders.entry(target_a, "2026-06-30", 5, user=reporter_a, note="二季度")
    client.force_login(official)
    page = client.get(detail_url(target_a)).content.decode()
    assert "一季度" in page and "二季度" in page
    assert "<svg" in page and 'class="actual"' in page


def grow(report, dept, reporter, count, entries_each):
    for _ in range(count):
        target = builders.target(report, lead=dept)
        for month in range(1, entries_each + 1):
            builders.entry(target, datetime.date(2026, month, 28), month, user=reporter, refresh=False)
        builders.refresh_latest(target_ids=[target.pk])


def test_list_query_count_does_not_grow_with_data(client, reporter_a, report, dept_a, django_assert_num_queries):
    client.force_login(reporter_a)
    grow(report, dept_a, reporter_a, 3, 2)
    client.get(reverse("target-list"))  # warm the session
    # session, user, groups, department, the page of targets, the filter's two choice lists,
    # the current report and the department's returned entries (the notice above the table, supervision),
    # and the 待办: the department's targets with their standing, their cycles, their reports of the period;
    # the count of the filtered targets (共 N 项); and the writes seen (targets.data_version: the test
    # has written, so nothing is kept)
    with django_assert_num_queries(14) as small:
        client.get(reverse("target-list"))
    grow(report, dept_a, reporter_a, 30, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("target-list"), {"sort": "-percent_complete"})
    assert response.status_code == 200


def test_detail_query_count_does_not_grow_with_history(
    client, official, target_a, reporter_a, django_assert_num_queries
):
    client.force_login(official)
    for month in range(1, 4):
        builders.entry(target_a, datetime.date(2026, month, 28), month, user=reporter_a)
    client.get(detail_url(target_a))
    with django_assert_num_queries(11) as small:  # the chart's 序时 path is one of them
        client.get(detail_url(target_a))
    for month in range(4, 12):
        for day in (5, 15, 25):
            builders.entry(target_a, datetime.date(2026, month, day), month + day / 100, user=reporter_a)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(detail_url(target_a))
