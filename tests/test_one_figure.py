"""One figure everywhere: 20 targets of every kind, each with its entries, and the 看板, 我的目标, the
target page, the 台账 workbook, the living report and /api/v1/ledger show the same value, % complete,
gap (with its unit) and status for each as Target.objects.with_progress computes them. The surfaces
are compared with the one computation, never with numbers written here, so the test holds while
the rules of the figures change."""

import datetime
import io
from decimal import Decimal

import lxml.html
import openpyxl
import pytest
from django.urls import reverse

from targets import units
from targets.choices import Direction, GrowthBasis, Kind, Measure, Stage, Status
from targets.columns import gap_unit_of
from targets.models import Target
from targets.tables import format_number, gap_text, with_unit

from . import builders

TODAY = datetime.date(2026, 11, 27)
FIVE_YEARS = {"period_start": datetime.date(2026, 1, 1), "deadline": datetime.date(2030, 12, 31)}

# code: (the target's fields, its entries as (date, value, extra fields)).
KINDS = {
    "K01": ({"unit": "座", "target_value": 10}, [("2026-06-30", 3, {}), ("2026-10-31", 4, {})]),
    "K02": ({"unit": "亿元", "target_value": 500}, [("2026-10-31", "416.21", {})]),
    "K03": ({"unit": "所", "target_value": 8}, [("2026-09-30", 8, {})]),
    "K04": (  # a level from its baseline (城镇居民人均可支配收入): 完成率 and 进度 differ
        {"unit": "元", "measure": Measure.LEVEL, "target_value": 19182, "baseline_value": 16680},
        [("2026-09-30", 18969, {})],
    ),
    "K05": (  # a share from its baseline: the gap is in 个百分点
        {"unit": "%", "measure": Measure.LEVEL, "target_value": 50, "baseline_value": "48.7"},
        [("2026-09-30", "49.35", {})],
    ),
    "K06": ({"unit": "平方米", "measure": Measure.LEVEL, "target_value": 30}, [("2026-10-31", 26, {})]),
    "K07": (
        {"unit": "%", "measure": Measure.LEVEL, "direction": Direction.AT_MOST, "target_value": "3.5"},
        [("2026-10-31", "3.2", {})],
    ),
    "K08": (
        {"unit": "‰", "measure": Measure.LEVEL, "direction": Direction.AT_MOST, "target_value": "5.4"},
        [("2026-10-31", "5.6", {})],
    ),
    "K09": ({"unit": "万平方米", "direction": Direction.APPROXIMATELY, "target_value": 100}, [("2026-11-20", 97, {})]),
    "K10": (  # growth only, year on year
        {"unit": "%", "measure": Measure.LEVEL, "target_value": None, "growth_rate_target": 10},
        [("2026-09-30", None, {"growth_rate": Decimal("9")})],
    ),
    "K11": (
        {"unit": "%", "measure": Measure.LEVEL, "target_value": None, "growth_rate_target": 17},
        [("2026-09-30", None, {"growth_rate": Decimal("18.5")})],
    ),
    "K12": (  # growth and a level (增长15%以上，达到500亿元)
        {"unit": "亿元", "target_value": 500, "growth_rate_target": 15},
        [("2026-10-31", 450, {"growth_rate": Decimal("14.9")})],
    ),
    "K13": (
        {
            "unit": "元",
            "measure": Measure.LEVEL,
            "target_value": 16330,
            "baseline_value": 14200,
            "growth_rate_target": 15,
        },
        [("2026-09-30", 15800, {"growth_rate": Decimal("12")})],
    ),
    "K14": (  # 翻一番 over five years, given as a growth rate
        {
            "unit": "亿元",
            "measure": Measure.LEVEL,
            "target_value": None,
            "growth_rate_target": 100,
            "growth_basis": GrowthBasis.OVER_PERIOD,
            **FIVE_YEARS,
        },
        [("2026-09-30", None, {"growth_rate": Decimal("11.2")})],
    ),
    "K15": (  # 翻一番 with its level (城镇居民可支配收入 16,680 → 33,360)
        {
            "unit": "元",
            "measure": Measure.LEVEL,
            "target_value": 33360,
            "baseline_value": 16680,
            "growth_rate_target": 100,
            "growth_basis": GrowthBasis.OVER_PERIOD,
            **FIVE_YEARS,
        },
        [("2026-09-30", 18900, {"growth_rate": Decimal("13.3")})],
    ),
    "K16": (  # a yearly goal of the five-year plan (每年拆迁100万平方米)
        {"unit": "万平方米", "measure": Measure.ANNUAL, "target_value": 100, **FIVE_YEARS},
        [("2026-10-31", 60, {})],
    ),
    "K17": (
        {"unit": "", "direction": Direction.QUALITATIVE, "target_value": None},
        [("2026-10-31", None, {"stage": Stage.IN_PROGRESS})],
    ),
    "K18": (
        {"unit": "", "direction": Direction.QUALITATIVE, "target_value": None},
        [("2026-10-31", None, {"stage": Stage.COMPLETED})],
    ),
    "K19": ({"unit": "个", "target_value": 1, "target_value_max": 2}, [("2026-08-31", 1, {})]),
    "K20": ({"unit": "家", "target_value": 5, **FIVE_YEARS}, []),  # nothing reported yet
}


@pytest.fixture
def ledger(monkeypatch, report, dept_a, reporter_a):
    """The 20 targets, main indicators all (the 看板 draws each), with their entries; their clauses are
    the text of their section, so the living report places each."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    section = builders.section(report, code="1.1", title="主要预期目标")
    for code, (fields, entries) in KINDS.items():
        target = builders.target(
            report,
            code=code,
            lead=dept_a,
            section_obj=section,
            kind=Kind.MAIN_INDICATOR,
            name=f"指标{code}",
            source_text=f"指标{code}达到目标",
            **fields,
        )
        for on, value, extra in entries:
            builders.entry(target, on, value, user=reporter_a, **extra)
    section.body = "，".join(f"指标{code}达到目标" for code in KINDS) + "。"
    section.save(update_fields=["body"])
    return {t.code: t for t in Target.objects.with_progress(as_of=TODAY).filter(report=report)}


def value_text(target):
    """The current value as every surface writes it."""
    if target.is_qualitative:
        return str(Stage(target.latest_stage).label) if target.latest_stage else "—"
    if target.target_value is None:
        return "—" if target.latest_growth_rate is None else f"{format_number(target.latest_growth_rate)}%"
    return with_unit(target.latest_value, target.unit)


def percent_text(target):
    return "—" if target.percent_complete is None else f"{target.percent_complete:.1f}%"


def status_text(target):
    return str(Status(target.status).label)


def text_of(element):
    return " ".join(element.text_content().split())


def by_class(element, name, tag="*"):
    """The elements under `element` with the class `name`."""
    return element.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def page(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.content.decode())


def test_the_kinds_are_all_here(ledger):
    """The fixture covers what the test claims: each kind judged, and a growth gap, a share's gap and
    a count's gap among them."""
    assert len(ledger) == 20
    assert {t.status for t in ledger.values()} >= {Status.DONE, Status.MET, Status.BREACHED, Status.NO_DATA}
    assert str(units.gap_unit("%")) in gap_text(ledger["K05"]) and gap_text(ledger["K10"]).endswith("个百分点")
    assert ledger["K04"].completion_rate != ledger["K04"].percent_complete


def test_my_targets_shows_the_computed_figures(client, official, ledger):
    client.force_login(official)
    document = page(client, reverse("target-list"), {"per_page": 100})
    headings = [text_of(th) for th in by_class(document, "ledger", "table")[0].xpath("./thead//th")]
    column = {name: headings.index(name) for name in ("编号", "最新值", "完成%", "差距", "状态", "最近填报")}
    rows = {}
    for tr in by_class(document, "ledger", "table")[0].xpath("./tbody/tr"):
        cells = [text_of(td) for td in tr.xpath("./td")]
        rows[cells[column["编号"]]] = cells
    assert set(rows) == set(ledger)
    for code, target in ledger.items():
        cells = rows[code]
        assert value_text(target) in cells[column["最新值"]], code
        assert cells[column["完成%"]] == percent_text(target).rstrip("%"), code
        assert cells[column["差距"]] == gap_text(target), code
        assert cells[column["状态"]] == status_text(target), code
        if target.latest_reported_on:
            assert cells[column["最近填报"]].startswith(target.latest_reported_on.isoformat()), code


def test_the_target_page_shows_the_computed_figures(client, official, ledger, report):
    client.force_login(official)
    for code, target in ledger.items():
        document = page(client, reverse("target-detail", args=[report.code, code]))

        def shown(name, document=document):
            return text_of(by_class(document, name, "dd")[0])

        assert shown("fig-value").startswith(value_text(target)), code
        assert shown("fig-percent").startswith(percent_text(target)), code
        assert shown("fig-gap") == gap_text(target), code
        assert shown("fig-status") == status_text(target), code
        if target.latest_reported_on:
            age = (TODAY - target.latest_reported_on).days
            assert f"数据截至 {target.latest_reported_on.isoformat()}（{age} 天前）" in shown("fig-value"), code
        if target.measure == Measure.LEVEL and target.baseline_value is not None and target.target_value is not None:
            # Both figures a report quotes, each labelled, with what a reader needs to check them.
            assert shown("fig-completion").startswith(f"{target.completion_rate:.1f}%"), code
            assert format_number(target.baseline_value) in shown("fig-baseline"), code
        else:
            assert not by_class(document, "fig-completion", "dd"), code


def test_the_dashboard_shows_the_computed_figures(client, official, ledger):
    client.force_login(official)
    document = page(client, reverse("dashboard"))
    items = {li.get("data-code"): li for li in by_class(document, "bullet-item", "li")}
    assert set(items) == set(ledger)
    for code, target in ledger.items():
        item = items[code]
        assert text_of(by_class(item, "fig-status")[0]) == status_text(target), code
        assert value_text(target) in text_of(item), code
        percent = by_class(item, "fig-percent")
        if target.is_qualitative or target.direction == Direction.AT_MOST:
            assert not percent, code
        else:
            assert text_of(percent[0]) == f"完成 {percent_text(target)}", code
        gap = by_class(item, "fig-gap")
        if target.gap:
            assert text_of(gap[0]).endswith(f" {gap_text(target)}"), code
        elif target.direction == Direction.AT_MOST or target.gap is None:
            assert not gap, code


def test_the_living_report_shows_the_computed_figures(client, official, ledger):
    client.force_login(official)
    document = page(client, reverse("living-report"))
    for code, target in ledger.items():
        (mark,) = document.xpath(f'//*[@id="target-{code}"]')
        assert mark.getparent().tag == "mark", code  # placed in its clause, not among the unplaced
        assert text_of(by_class(mark, "badge")[0]) == status_text(target), code
        assert text_of(by_class(mark, "value")[0]) == value_text(target), code
        percent = by_class(mark, "fig-percent")
        assert (text_of(percent[0]) if percent else None) == (
            None if target.percent_complete is None else f"完成 {percent_text(target)}"
        ), code
        gap = by_class(mark, "fig-gap")
        assert (text_of(gap[0]) if gap else None) == (f"差 {gap_text(target)}" if target.gap else None), code


def test_the_workbook_holds_the_computed_figures(client, official, ledger, report):
    client.force_login(official)
    response = client.get(reverse("ledger-xlsx"), {"report": report.code, "as_of": TODAY.isoformat()})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["主要指标"]
    headers = [cell.value for cell in sheet[1]]
    rows = {row[0].value: dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == set(ledger)
    for code, target in ledger.items():
        row = rows[code]
        assert row["最新完成值"].value == _number(target.latest_value), code
        assert row["最新增速"].value == _number(target.latest_growth_rate), code
        assert row["推进阶段"].value == (str(Stage(target.latest_stage).label) if target.latest_stage else None), code
        assert row["完成进度"].value == target.percent_complete, code
        assert row["完成率"].value == target.completion_rate, code
        assert row["基数"].value == _number(target.baseline_value), code
        assert row["差距"].value == _number(target.gap), code
        assert row["增速差距"].value == _number(target.growth_gap), code
        if target.gap is not None:
            unit = str(gap_unit_of(target.unit, judged_on_rate=target.target_value is None))
            assert row["差距"].number_format.endswith(f'{"" if units.is_share(unit) else " "}{unit}"'), code
        if target.growth_gap is not None:
            assert row["增速差距"].number_format.endswith(' 个百分点"'), code
        assert row["状态"].value == status_text(target), code


def test_the_api_ledger_holds_the_computed_figures(client, official, ledger, report):
    client.force_login(official)
    response = client.get(reverse("api-ledger"), {"report": report.code, "as_of": TODAY.isoformat()})
    published = {row["code"]: row for row in response.json()["targets"]}
    assert set(published) == set(ledger)
    for code, target in ledger.items():
        row = published[code]
        assert row["latest_value"] == _number(target.latest_value), code
        assert row["latest_growth_rate"] == _number(target.latest_growth_rate), code
        assert row["latest_stage"] == (target.latest_stage or None), code
        assert row["percent_complete"] == target.percent_complete, code
        assert row["completion_rate"] == target.completion_rate, code
        assert row["gap"] == _number(target.gap), code
        assert row["gap_unit"] == str(gap_unit_of(target.unit, judged_on_rate=target.target_value is None)), code
        assert row["growth_gap"] == _number(target.growth_gap), code
        assert row["status"] == target.status, code


def _number(value):
    """A stored decimal as a workbook cell or a JSON number reads back."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
