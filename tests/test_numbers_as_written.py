"""Numbers as people write them, everywhere (issue 21 item 5): no trailing zeros, thousands separated,
a percent sign against the number and a word spaced from it — one rule (targets.units), read on
看板, 我的目标, the target page, the admin, messages and exports."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from targets import units
from targets.choices import Kind
from targets.models import Checkpoint

from . import builders

TODAY = datetime.date(2026, 11, 27)
STORED = ("100000.0000", "25000.5000", "50000.0000", "E+")  # what the database or Decimal would print


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def housing(report, dept_a, reporter_a):
    target = builders.target(
        report,
        code="M03",
        kind=Kind.MAIN_INDICATOR,
        name="棚户区改造",
        unit="平方米",
        target_value=Decimal("100000.0000"),
        lead=dept_a,
        source_text="改造棚户区10万平方米",
    )
    Checkpoint.objects.create(target=target, due_on=datetime.date(2026, 6, 30), planned_value=Decimal("50000"))
    builders.entry(target, "2026-11-20", Decimal("25000.5"), user=reporter_a)
    return target


def assert_written(text):
    for stored in STORED:
        assert stored not in text


@pytest.mark.parametrize(
    ("value", "unit", "written"),
    [
        (Decimal("8.0000"), "所", "8 所"),
        (Decimal("100000.0000"), "平方米", "100,000 平方米"),
        (Decimal("1E+5"), "", "100,000"),
        (Decimal("3.5000"), "%", "3.5%"),
        (Decimal("-0.0000"), "‰", "0‰"),
        (Decimal("416.2100"), "亿元", "416.21 亿元"),
        (None, "所", "—"),
    ],
)
def test_a_number_is_written_without_trailing_zeros_and_with_separators(value, unit, written):
    assert units.with_unit(value, unit) == written


@pytest.mark.parametrize(
    ("value", "written"), [(100.0, "100.0%"), (83.3, "83.3%"), (0.0, "0.0%"), (1250.0, "1,250.0%")]
)
def test_a_percentage_is_written_with_its_one_decimal(value, written):
    assert units.percent_text(value) == written


def test_the_target_page_writes_numbers_as_people_do(client, official, housing):
    client.force_login(official)
    page = client.get(reverse("target-detail", args=[housing.report.code, housing.code])).content.decode()
    assert "100,000 平方米" in page and "25,000.5 平方米" in page and "74,999.5 平方米" in page
    assert '<dd class="fig-percent">25.0%</dd>' in page
    assert_written(page)


def test_the_dashboard_and_my_targets_write_numbers_as_people_do(client, official, housing):
    client.force_login(official)
    board = client.get(reverse("dashboard")).content.decode()
    assert "棚户区改造：完成 25.0%" in board
    assert_written(board)
    listing = client.get(reverse("target-list")).content.decode()
    assert "100,000 平方米" in listing and "25,000.5 平方米" in listing
    assert_written(listing)


def test_admin_lists_write_decimals_as_people_do(client, admin_user, housing):
    client.force_login(admin_user)
    entries = client.get(reverse("admin:targets_progressentry_changelist")).content.decode()
    assert '<td class="field-value">25,000.5</td>' in entries
    checkpoints = client.get(reverse("admin:targets_checkpoint_changelist")).content.decode()
    assert '<td class="field-planned_value">50,000</td>' in checkpoints
    assert_written(entries + checkpoints)
    standing = client.get(reverse("admin:targets_target_change", args=[housing.pk])).content.decode()
    assert "25,000.5 平方米" in standing.split('class="standing"', 1)[1].split("</dl>", 1)[0]


def test_messages_write_numbers_as_people_do(client, reporter_a, housing):
    client.force_login(reporter_a)
    url = reverse("record-progress", args=[housing.report.code, housing.code])
    page = client.post(url, {"reported_on": "2026-11-25", "value": "1000000"}).content.decode()
    assert "1,000,000 超过上次填报的 25,000.5 的 10 倍" in page
    assert_written(page)
    response = client.post(url, {"reported_on": "2026-11-25", "value": "30000"})
    assert response.status_code == 302  # the same field takes a plausible value


def test_exports_write_numbers_as_people_do(client, official, housing):
    client.force_login(official)
    csv = client.get(reverse("target-list"), {"_export": "csv"}).content.decode("utf-8-sig")
    assert_written(csv)
