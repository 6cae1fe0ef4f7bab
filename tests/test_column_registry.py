"""The registry of figures (targets.columns): each figure shows on the surfaces it names — 我的目标's
table, the 台账 workbook, the JSON API and the admin's target list — with its label or header, and
nowhere else; and on a few targets of different kinds every surface carries the value
Target.objects.with_progress computes, in the registry's format."""

import datetime
import io
from decimal import Decimal

import lxml.html
import openpyxl
import pytest
from django.urls import reverse

from targets import columns
from targets.choices import Direction, Kind, Measure, Stage
from targets.models import Target
from targets.tables import figure_text

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def targets(report, dept_a, admin_user):
    """A count, a share from its baseline, a growth rate alone, a qualitative task, one never reported."""
    kinds = {
        "R1": ({"unit": "座", "target_value": 10}, [("2026-10-31", 4, {})]),
        "R2": (
            {"unit": "%", "measure": Measure.LEVEL, "target_value": 50, "baseline_value": "48.7"},
            [("2026-09-30", "49.35", {})],
        ),
        "R3": (
            {"unit": "%", "measure": Measure.LEVEL, "target_value": None, "growth_rate_target": 10},
            [("2026-09-30", None, {"growth_rate": Decimal("9")})],
        ),
        "R4": (
            {"unit": "", "direction": Direction.QUALITATIVE, "target_value": None},
            [("2026-10-31", None, {"stage": Stage.IN_PROGRESS})],
        ),
        "R5": ({"unit": "亿元", "target_value": 500}, []),
    }
    for code, (fields, entries) in kinds.items():
        target = builders.target(report, code=code, lead=dept_a, kind=Kind.MAIN_INDICATOR, **fields)
        for on, value, extra in entries:
            builders.entry(target, on, value, user=admin_user, **extra)
    return {t.code: t for t in Target.objects.with_progress(as_of=TODAY).filter(report=report)}


def text_of(element):
    return " ".join(element.text_content().split())


def html_table(client, url, params, table):
    """(headers, {code: {header: cell text}}) of the page's table found by the XPath `table`."""
    response = client.get(url, params)
    assert response.status_code == 200
    (table,) = lxml.html.fromstring(response.content.decode()).xpath(table)
    headers = [text_of(th) for th in table.xpath("./thead//th")]
    rows = {}
    for tr in table.xpath("./tbody/tr"):
        cells = [text_of(cell) for cell in tr.xpath("./td|./th")][-len(headers) :]
        row = dict(zip(headers, cells, strict=True))
        rows[row["编号"]] = row
    return headers, rows


def my_targets(client):
    return html_table(client, reverse("target-list"), {"per_page": 100}, "//table[contains(@class, 'ledger')]")


def admin_list(client):
    return html_table(client, reverse("admin:targets_target_changelist"), {}, "//table[@id='result_list']")


def workbook_sheet(client, report):
    response = client.get(reverse("ledger-xlsx"), {"report": report.code})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["主要指标"]
    headers = [cell.value for cell in sheet[1]]
    return headers, {row[0].value: dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2)}


def api_rows(client, report):
    return {row["code"]: row for row in client.get(reverse("api-ledger"), {"report": report.code}).json()["targets"]}


def test_each_figure_shows_on_the_surfaces_the_registry_names_and_nowhere_else(admin_client, report, targets):
    table_headers, _rows = my_targets(admin_client)
    admin_headers, _rows = admin_list(admin_client)
    sheet_headers, _rows = workbook_sheet(admin_client, report)
    json_keys = set(next(iter(api_rows(admin_client, report).values())))
    for figure in columns.FIGURES:
        assert (str(figure.label) in table_headers) == (columns.TABLE in figure.shows), figure.key
        assert (str(figure.label) in admin_headers) == (columns.ADMIN in figure.shows), figure.key
        assert (figure.header in sheet_headers) == (columns.WORKBOOK in figure.shows), figure.key
        assert (figure.key in json_keys) == (columns.JSON in figure.shows), figure.key
    assert all(columns.JSON in figure.shows for figure in columns.FIGURES)  # JSON publishes every figure


def test_my_targets_and_the_admin_write_each_figure_as_the_registry_formats_it(admin_client, targets):
    for surface, read in ((columns.TABLE, my_targets), (columns.ADMIN, admin_list)):
        _headers, rows = read(admin_client)
        assert set(rows) == set(targets)
        for code, target in targets.items():
            for figure in columns.shown_on(surface):
                written = rows[code][str(figure.label)]
                # 最近填报 on 我的目标 carries the figure's age after the day.
                assert written.startswith(str(figure_text(figure, target))), (surface, code, figure.key)


def test_my_targets_computes_the_figures_its_table_reads_and_no_other(admin_client, targets):
    """The list asks with_progress for columns.read_on(TABLE) only; the readings of a qualitative target
    and of one set as a growth rate still show (test above), from the stage and rate it reads too."""
    rows = [row.record for row in admin_client.get(reverse("target-list")).context["table"].page.object_list]
    assert {row.code for row in rows} == set(targets)
    read = set(columns.read_on(columns.TABLE))
    assert {"status", "latest_stage", "latest_growth_rate"} <= read
    for figure in columns.FIGURES:
        assert hasattr(rows[0], figure.key) == (figure.key in read), figure.key


def test_the_workbook_cells_hold_each_figure_as_a_typed_value(admin_client, report, targets):
    _headers, rows = workbook_sheet(admin_client, report)
    assert set(rows) == set(targets)
    for code, target in targets.items():
        for figure in columns.shown_on(columns.WORKBOOK):
            cell, value = rows[code][figure.header], getattr(target, figure.key)
            if value is None or value == "":
                assert cell.value is None, (code, figure.key)
            elif figure.kind == "date":
                assert cell.value == datetime.datetime.combine(value, datetime.time()), (code, figure.key)
                assert cell.number_format == columns.DATE_FORMAT
            elif figure.kind in ("stage", "status"):
                assert cell.value == str(figure_text(figure, target)), (code, figure.key)
            else:
                assert cell.data_type == "n" and cell.value == pytest.approx(float(value)), (code, figure.key)
                unit = str(columns.unit_of(figure.kind, unit=target.unit, target_value=target.target_value))
                assert cell.number_format == figure.excel_format or cell.number_format.endswith(f'{unit}"'), (
                    code,
                    figure.key,
                )


def test_the_json_rows_publish_each_figure_as_computed(admin_client, report, targets):
    rows = api_rows(admin_client, report)
    assert set(rows) == set(targets)
    for code, target in targets.items():
        for figure in columns.shown_on(columns.JSON):
            value = getattr(target, figure.key)
            published = rows[code][figure.key]
            if figure.kind == "date":
                assert published == (value.isoformat() if value else None), (code, figure.key)
            elif figure.kind in columns.NUMBER_KINDS:
                assert published == (None if value is None else pytest.approx(float(value))), (code, figure.key)
            else:
                assert published == (value or None), (code, figure.key)
        assert rows[code]["gap_unit"] == str(columns.unit_of("gap", unit=target.unit, target_value=target.target_value))
