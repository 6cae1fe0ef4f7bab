"""Recording progress of every kind of target, through the real form page, the JSON API and the
Excel import (the upload page and manage.py import_progress), with valid input — and the figures
that follow from the stored entry, as docs/figures.md states them. Then the refusals, each beside
the valid input of the same field."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ledger.models import ApiToken
from targets import errors, imports
from targets.choices import Derivation, Kind
from targets.models import ProgressEntry

from . import builders

TODAY = datetime.date(2026, 11, 27)
REPORTED_ON = "2026-11-20"
IMPORT_HEADERS = ["编号", "名称", "推进阶段", "填报日期", "本期累计完成值", "增速(%)", "本期说明"]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


# --- The three ways in -------------------------------------------------------------------------


def through_form(client, user, target, fields):
    """The progress form page, as a reporter fills it in."""
    client.force_login(user)
    url = reverse("record-progress", args=[target.report.code, target.code])
    return client.post(url, {"reported_on": REPORTED_ON, **fields})


def through_api(client, user, target, fields):
    """POST /api/v1/targets/<code>/progress with a token."""
    secret = ApiToken.objects.issue(user=user)[1]
    return client.post(
        reverse("api-record-progress", args=[target.code]),
        data=json.dumps({"reported_on": REPORTED_ON, **fields}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {secret}",
    )


def workbook(rows, headers=IMPORT_HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_row(target, fields):
    """A row of the 台账 laid out as IMPORT_HEADERS."""
    value, growth_rate, stage = fields.get("value"), fields.get("growth_rate"), fields.get("stage")
    return [target.code, target.name, stage, REPORTED_ON, value, growth_rate, ""]


def through_import_page(client, user, target, fields):
    """The /progress/import/ page: upload the 台账, then confirm the preview."""
    client.force_login(user)
    content = workbook([import_row(target, fields)])
    preview = client.post(reverse("progress-import"), {"workbook": SimpleUploadedFile("台账.xlsx", content)})
    assert "确认导入 1 行" in preview.content.decode(), preview.content.decode()
    return client.post(reverse("progress-import-confirm"))


CHANNELS = ["form", "api", "import"]


def record(channel, client, user, target, fields):
    """Record `fields` on `target` through `channel`; assert it was accepted."""
    if channel == "form":
        response = through_form(client, user, target, fields)
        assert response.status_code == 302, response.content.decode()
    elif channel == "api":
        response = through_api(client, user, target, fields)
        assert response.status_code == 201, response.content.decode()
    else:
        response = through_import_page(client, user, target, fields)
        assert response.status_code == 302
    return ProgressEntry.objects.get(target=target)


# --- Growth rates ------------------------------------------------------------------------------


@pytest.fixture
def growth_only(report, dept_a):
    """F01 主要经济指标保持两位数增长: a target given only as a growth rate (≥ 10 %)."""
    return builders.target(
        report,
        code="F01",
        lead=dept_a,
        name="主要经济指标增长",
        unit="%",
        kind=Kind.MAIN_INDICATOR,
        target_value=None,
        growth_rate_target=Decimal("10"),
        source_text="主要经济指标保持两位数增长",
    )


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("typed", "stored"), [("9", "9"), ("9.5%", "9.5"), ("-2.3", "-2.3"), (9, "9")])
def test_a_growth_rate_is_recorded_through_every_channel(client, reporter_a, growth_only, channel, typed, stored):
    entry = record(channel, client, reporter_a, growth_only, {"growth_rate": typed})

    assert entry.growth_rate == Decimal(stored) and entry.value is None
    standing = builders.standing(growth_only)
    assert standing.latest_growth_rate == Decimal(stored)
    assert standing.percent_complete == float(Decimal(stored) * 10)  # 100 · g / G
    assert standing.growth_gap == 10 - Decimal(stored)  # G − g, in 个百分点


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_growth_rate_with_more_decimals_than_kept_is_rounded_half_up_to_two(client, reporter_a, growth_only, channel):
    entry = record(channel, client, reporter_a, growth_only, {"growth_rate": "9.455"})
    assert entry.growth_rate == Decimal("9.46")


def test_the_import_command_records_growth_rates(tmp_path, report, reporter_a, dept_a):
    rates = {"G1": "9", "G2": "9.5%", "G3": "-2.3", "G4": 12.25}
    for code in rates:
        builders.target(report, code=code, lead=dept_a, unit="%", target_value=None, growth_rate_target=10)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([[code, "", None, REPORTED_ON, None, rate, ""] for code, rate in rates.items()]))

    call_command("import_progress", str(path), user=reporter_a.username, stdout=io.StringIO())

    stored = dict(ProgressEntry.objects.values_list("target__code", "growth_rate"))
    assert stored == {"G1": Decimal("9"), "G2": Decimal("9.5"), "G3": Decimal("-2.3"), "G4": Decimal("12.25")}


# --- A derived target (M10 counts the practical tasks done) -------------------------------------


@pytest.fixture
def derived(report, dept_a):
    return builders.target(
        report,
        code="M10",
        lead=dept_a,
        name="为民兴办实事",
        unit="件",
        kind=Kind.MAIN_INDICATOR,
        target_value=20,
        derivation=Derivation.PRACTICAL_TASKS_DONE,
        source_text="为民兴办20件实事",
    )


def test_the_page_of_a_derived_target_offers_no_progress_form(client, reporter_a, derived, target_a):
    client.force_login(reporter_a)
    form_url = reverse("record-progress", args=[derived.report.code, derived.code])
    page = client.get(reverse("target-detail", args=[derived.report.code, derived.code])).content.decode()
    assert form_url not in page
    # A reported target of the same department still offers it.
    own = client.get(reverse("target-detail", args=[target_a.report.code, target_a.code])).content.decode()
    assert reverse("record-progress", args=[target_a.report.code, target_a.code]) in own


def test_a_derived_target_refuses_entries_through_every_channel(client, tmp_path, reporter_a, derived):
    message = str(errors.DERIVED_NOT_RECORDED % {"derivation": Derivation.PRACTICAL_TASKS_DONE.label})

    form = through_form(client, reporter_a, derived, {"value": "5"})
    assert form.status_code == 200 and message in form.content.decode()
    api = through_api(client, reporter_a, derived, {"value": 5})
    assert api.status_code == 400 and api.json()["errors"] == {"__all__": [message]}
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([import_row(derived, {"value": 5})]))
    plan = imports.plan_import(path, user=reporter_a, report=derived.report)
    assert [(e.row, e.message) for e in plan.errors] == [(2, message)]
    assert not ProgressEntry.objects.exists()


def test_a_reported_target_beside_a_derived_one_takes_the_same_entry(client, reporter_a, derived, target_a):
    entry = record("api", client, reporter_a, target_a, {"value": 5})
    assert entry.value == 5 and builders.standing(target_a).latest_value == 5
