"""Recording progress of every kind of target, through the real form page, the JSON API and the
Excel import (the upload page and manage.py import_progress), with valid input — and the figures
that follow from the stored entry, as docs/figures.md states them. Then the refusals, each beside
the valid input of the same field."""

import datetime
import io
import json
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ledger.models import ApiToken
from targets import errors, imports
from targets.choices import Derivation, Direction, GrowthBasis, Kind, Measure, Stage, Status
from targets.models import ProgressEntry

from . import builders

TODAY = datetime.date(2026, 11, 27)
REPORTED_ON = "2026-11-20"
IMPORT_HEADERS = ["编号", "名称", "推进阶段", "填报日期", "本期累计完成值", "增速(%)", "本期说明", "确认数值无误"]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


# --- The three ways in -------------------------------------------------------------------------


# Each test writes the fields once, channel-neutrally: value, growth_rate, stage, and confirm
# (the confirmation of an unusual value: the form's checkbox, the API's confirm_unusual, the column).


def through_form(client, user, target, fields):
    """The progress form page, as a reporter fills it in."""
    client.force_login(user)
    data = {"reported_on": REPORTED_ON, **fields}
    if data.pop("confirm", False):
        data["confirm_unusual"] = "on"
    return client.post(reverse("record-progress", args=[target.report.code, target.code]), data)


def through_api(client, user, target, fields):
    """POST /api/v1/targets/<code>/progress with a token."""
    payload = {"reported_on": REPORTED_ON, **fields}
    if "confirm" in payload:
        payload["confirm_unusual"] = payload.pop("confirm")
    secret = ApiToken.objects.issue(user=user)[1]
    return client.post(
        reverse("api-record-progress", args=[target.code]),
        data=json.dumps(payload),
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
    return [target.code, target.name, stage, REPORTED_ON, value, growth_rate, "", "是" if fields.get("confirm") else ""]


def import_preview(client, user, target, fields):
    """The /progress/import/ page's preview of a 台账 holding one row."""
    client.force_login(user)
    content = workbook([import_row(target, fields)])
    return client.post(reverse("progress-import"), {"workbook": SimpleUploadedFile("台账.xlsx", content)})


def through_import_page(client, user, target, fields):
    """The /progress/import/ page: upload the 台账, then confirm the preview."""
    preview = import_preview(client, user, target, fields)
    assert "确认导入 1 行" in preview.content.decode(), preview.content.decode()
    return client.post(reverse("progress-import-confirm"))


CHANNELS = ["form", "api", "import"]


def record(channel, client, user, target, fields):
    """Record `fields` on `target` through `channel`; assert it was accepted; the entry stored."""
    if channel == "form":
        response = through_form(client, user, target, fields)
        assert response.status_code == 302, response.content.decode()
    elif channel == "api":
        response = through_api(client, user, target, fields)
        assert response.status_code == 201, response.content.decode()
    else:
        response = through_import_page(client, user, target, fields)
        assert response.status_code == 302
    return ProgressEntry.objects.filter(target=target).latest("id")


def refusal(channel, client, user, target, fields) -> str:
    """Send `fields` through `channel`, assert it was refused with nothing stored; the answer's text."""
    before = ProgressEntry.objects.count()
    if channel == "form":
        response = through_form(client, user, target, fields)
        assert response.status_code == 200
        text = response.content.decode()
    elif channel == "api":
        response = through_api(client, user, target, fields)
        assert response.status_code == 400
        text = json.dumps(response.json(), ensure_ascii=False)
    else:
        text = import_preview(client, user, target, fields).content.decode()
        assert "确认导入" not in text
    assert ProgressEntry.objects.count() == before
    return text


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
    path.write_bytes(workbook([[code, "", None, REPORTED_ON, None, rate, "", ""] for code, rate in rates.items()]))

    call_command("import_progress", str(path), user=reporter_a.username, stdout=io.StringIO())

    stored = dict(ProgressEntry.objects.values_list("target__code", "growth_rate"))
    assert stored == {"G1": Decimal("9"), "G2": Decimal("9.5"), "G3": Decimal("-2.3"), "G4": Decimal("12.25")}


# --- Every kind of target, through every channel ------------------------------------------------

FIVE_YEARS = {
    "kind": Kind.FIVE_YEAR_GOAL,
    "period_start": datetime.date(2026, 1, 1),
    "deadline": datetime.date(2030, 12, 31),
}
# The five-year plan's share of days elapsed on REPORTED_ON, the date the figure describes.
FIVE_YEAR_SHARE = (datetime.date(2026, 11, 20) - datetime.date(2026, 1, 1)).days + 1
FIVE_YEAR_SHARE /= (datetime.date(2030, 12, 31) - datetime.date(2026, 1, 1)).days + 1


@dataclass
class KindOfTarget:
    """A kind of target (as the report has it), what a reporter enters for it, the entry that must be
    stored and the figures that follow (docs/figures.md)."""

    target: dict
    fields: dict
    stored: dict
    figures: dict


KINDS = {
    # M01 地区生产总值: 增长15%以上，达到500亿元 — a level and a growth rate, each judged.
    "level and growth rate": KindOfTarget(
        {
            "name": "地区生产总值",
            "unit": "亿元",
            "kind": Kind.MAIN_INDICATOR,
            "target_value": 500,
            "growth_rate_target": 15,
        },
        {"value": "480", "growth_rate": "15%"},
        {"value": 480, "growth_rate": 15},
        {"latest_value": 480, "latest_growth_rate": 15, "percent_complete": 96.0, "gap": 20, "growth_gap": 0},
    ),
    # M07 城镇登记失业率控制在3.5%以内.
    "ceiling": KindOfTarget(
        {
            "name": "城镇登记失业率",
            "unit": "%",
            "direction": Direction.AT_MOST,
            "measure": Measure.LEVEL,
            "target_value": "3.5",
        },
        {"value": "3.2%"},
        {"value": Decimal("3.2")},
        {"latest_value": Decimal("3.2"), "gap": 0, "status": Status.MET},
    ),
    # A1.3.04 现代服务业占比 48.7% → 50%: 进度 from the baseline, 完成率 v / t, the gap in 个百分点.
    "level with a baseline": KindOfTarget(
        {"name": "现代服务业占比", "unit": "%", "measure": Measure.LEVEL, "target_value": 50, "baseline_value": "48.7"},
        {"value": "49.35"},
        {"value": Decimal("49.35")},
        {"latest_value": Decimal("49.35"), "percent_complete": 50.0, "completion_rate": 98.7, "gap": Decimal("0.65")},
    ),
    # A1.3.01 新建学校 8 所.
    "count": KindOfTarget(
        {"name": "新建学校", "unit": "所", "target_value": 8},
        {"value": "6"},
        {"value": 6},
        {"latest_value": 6, "percent_complete": 75.0, "gap": 2},
    ),
    # M09 节能减排达到要求: a stage.
    "qualitative": KindOfTarget(
        {"name": "节能减排", "unit": "", "direction": Direction.QUALITATIVE, "target_value": None},
        {"stage": Stage.IN_PROGRESS},
        {"value": None, "stage": Stage.IN_PROGRESS},
        {"latest_stage": Stage.IN_PROGRESS, "status": Status.IN_PROGRESS, "percent_complete": None},
    ),
    # F23 每年完成拆迁100万平方米: this year's own total.
    "yearly goal": KindOfTarget(
        {"name": "每年完成拆迁", "unit": "万平方米", "measure": Measure.ANNUAL, "target_value": 100, **FIVE_YEARS},
        {"value": "80"},
        {"value": 80},
        {"latest_value": 80, "percent_complete": 80.0, "gap": 20},
    ),
    # F02 地区生产总值翻一番 by 2030: a growth of 100 % over the period, expected to compound.
    "growth over the period": KindOfTarget(
        {
            "name": "地区生产总值翻一番",
            "unit": "亿元",
            "measure": Measure.LEVEL,
            "target_value": None,
            "growth_rate_target": 100,
            "growth_basis": GrowthBasis.OVER_PERIOD,
            **FIVE_YEARS,
        },
        {"growth_rate": "12"},
        {"value": None, "growth_rate": 12},
        {
            "latest_growth_rate": 12,
            "percent_complete": 12.0,
            "growth_gap": 88,
            "expected_percent": round(100 * (2**FIVE_YEAR_SHARE - 1), 1),
        },
    ),
}


def stage_for(channel, fields):
    """The import's 推进阶段 column holds the stage's Chinese label, as the 台账 writes it."""
    if channel == "import" and "stage" in fields:
        return {**fields, "stage": str(Stage(fields["stage"]).label)}
    return fields


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_target_is_recorded_and_its_figures_follow(client, report, reporter_a, dept_a, kind, channel):
    case = KINDS[kind]
    target = builders.target(report, code="K1", lead=dept_a, **case.target)

    entry = record(channel, client, reporter_a, target, stage_for(channel, case.fields))

    assert {name: getattr(entry, name) for name in case.stored} == case.stored
    assert entry.reported_on == datetime.date.fromisoformat(REPORTED_ON) and entry.created_by == reporter_a
    standing = builders.standing(target)
    assert {name: getattr(standing, name) for name in case.figures} == case.figures


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


# --- Plausible values -------------------------------------------------------------------------


@pytest.fixture
def schools(report, dept_a):
    """A1.3.01 新建学校 8 所: a count of whole things."""
    return builders.target(report, code="A1.3.01", lead=dept_a, name="新建学校", unit="所", target_value=8)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_count_of_whole_things_refuses_a_fraction_and_takes_a_whole_number(client, reporter_a, schools, channel):
    text = refusal(channel, client, reporter_a, schools, {"value": "8.5"})
    assert str(errors.WHOLE_NUMBER_REQUIRED % {"unit": "所"}) in text

    assert record(channel, client, reporter_a, schools, {"value": "8"}).value == 8


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("typed", ["1e5", "1E5", "８e1"])
def test_an_exponent_is_refused_as_not_a_number_people_type(client, reporter_a, schools, channel, typed):
    text = refusal(channel, client, reporter_a, schools, {"value": typed})
    assert str(errors.EXPONENT_NOT_ALLOWED) in text and "1E+5" not in text

    assert record(channel, client, reporter_a, schools, {"value": "6"}).value == 6


def unusual_message(value, reference_name, reference):
    return str(
        errors.UNUSUAL_VALUE_NEEDS_CONFIRMATION
        % {"value": value, "reference_name": reference_name, "reference": reference}
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_value_over_ten_times_the_target_needs_a_confirmation(client, reporter_a, schools, channel):
    text = refusal(channel, client, reporter_a, schools, {"value": "100000"})
    assert unusual_message("100,000", errors.UNUSUAL_AGAINST_TARGET, "8") in text

    entry = record(channel, client, reporter_a, schools, {"value": "100000", "confirm": True})
    assert (entry.value, entry.unusual_confirmed) == (100000, True)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_jump_over_ten_times_the_previous_value_needs_a_confirmation(client, reporter_a, report, dept_a, channel):
    investment = builders.target(report, code="A2.1.01", lead=dept_a, name="完成投资", unit="亿元", target_value=500)
    builders.entry(investment, "2026-03-31", Decimal("3.2"), user=reporter_a)

    text = refusal(channel, client, reporter_a, investment, {"value": "320"})
    assert unusual_message("320", errors.UNUSUAL_AGAINST_PREVIOUS, "3.2") in text

    assert record(channel, client, reporter_a, investment, {"value": "320", "confirm": True}).unusual_confirmed
    assert builders.standing(investment).latest_value == 320


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_plausible_value_is_stored_unflagged_even_when_confirmed(client, reporter_a, schools, channel):
    entry = record(channel, client, reporter_a, schools, {"value": "7", "confirm": True})
    assert (entry.value, entry.unusual_confirmed) == (7, False)


def test_the_message_of_a_decrease_writes_the_previous_value_as_people_write_it(client, reporter_a, schools):
    builders.entry(schools, "2026-10-31", 100000, user=reporter_a, unusual_confirmed=True)
    text = refusal("form", client, reporter_a, schools, {"value": "8"})
    assert str(errors.DECREASE_NEEDS_REASON % {"previous": "100,000"}) in text and "1E+5" not in text

    entry = record("form", client, reporter_a, schools, {"value": "8", "correction_reason": "多填了单位"})
    assert entry.value == 8 and builders.standing(schools).latest_value == 8


def test_an_import_judges_a_jump_against_the_row_before_it_in_the_same_file(tmp_path, report, reporter_a, dept_a):
    investment = builders.target(report, code="A2.1.01", lead=dept_a, name="完成投资", unit="亿元", target_value=500)
    builders.entry(investment, "2026-03-31", Decimal("3"), user=reporter_a)
    rows = [
        [investment.code, "", None, "2026-06-30", 20, None, "", ""],  # 6.7× the stored 3
        [investment.code, "", None, "2026-09-30", 150, None, "", ""],  # 7.5× the row before, 50× the stored 3
        [investment.code, "", None, "2026-10-31", 1600, None, "", "是"],  # 10.7× the row before: confirmed
    ]
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook(rows))

    plan = imports.commit_import(path, user=reporter_a, report=report)

    assert plan.ok, plan.errors
    stored = investment.entries.order_by("reported_on").values_list("value", "unusual_confirmed")
    assert [(int(value), flag) for value, flag in stored] == [(3, False), (20, False), (150, False), (1600, True)]


def test_an_import_confirmation_cell_takes_only_yes_or_nothing(tmp_path, report, reporter_a, schools):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook([[schools.code, "", None, REPORTED_ON, 6, None, "", "也许"]]))
    plan = imports.plan_import(path, user=reporter_a, report=report)
    assert [(e.column, e.message) for e in plan.errors] == [("确认数值无误", str(imports.BAD_CONFIRMATION))]

    path.write_bytes(workbook([[schools.code, "", None, REPORTED_ON, 100, None, "", True]]))
    assert imports.commit_import(path, user=reporter_a, report=report).ok
    assert ProgressEntry.objects.get().unusual_confirmed
