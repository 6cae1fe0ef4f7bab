"""targets.table_speed writes a table's rows byte for byte as django-tables2 does, on every column
type (plain, choices, many-to-many, date, boolean, template, linkified, a render_FOO method, empty
values, cell attributes, records that are not models) and on 我的目标's own table; and it refuses a
django-tables2 version other than the one it was written for."""

import datetime
import importlib
import importlib.metadata
import re

import django_tables2 as tables
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django_tables2 import RequestConfig

from targets import table_speed
from targets.models import Target
from targets.tables import TargetTable

from . import builders

TODAY = datetime.date(2026, 11, 27)
FAST, REFERENCE = "tables/target_table.html", "tables/table.html"  # the latter: django-tables2's own tbody


class EveryColumn(table_speed.FastRows, tables.Table):
    code = tables.Column(attrs={"td": {"class": "code"}})
    name = tables.Column(linkify=lambda record: f"/targets/{record.pk}/")
    kind = tables.Column()  # a field with choices: shown through get_kind_display
    co_departments = tables.ManyToManyColumn()
    deadline = tables.DateColumn()
    target_value = tables.Column()  # None: the column's default
    baseline_source = tables.Column(default="（无）")
    lead = tables.Column(accessor="lead_department__name")
    bold = tables.TemplateColumn("<b>{{ record.code }}</b> & {{ value }}", accessor="unit")
    retired = tables.BooleanColumn(accessor="retired_at")
    unit = tables.Column(empty_values=())

    def render_unit(self, value, record):
        return f"{value or '—'}<{record.code}>"  # escaped, as get_cell's output is


class PlainRecords(table_speed.FastRows, tables.Table):
    word = tables.Column(attrs={"td": {"class": "w"}})
    number = tables.Column()
    day = tables.DateColumn()


def rendered(table, template):
    table.template_name = template
    return table.as_html(table.request)


def configured(table):
    request = RequestFactory().get("/targets/", {"as_of": TODAY.isoformat()})
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return table


@pytest.fixture
def targets(report, dept_a, dept_b, reporter_a):
    first = builders.target(report, code="A1", lead=dept_a, co=[dept_b], name="新建<桥梁>", target_value=10)
    builders.target(
        report,
        code="A2",
        lead=dept_b,
        target_value=None,
        growth_rate_target=5,
        baseline_source="统计局 & 年鉴",
        unit="%",
    )
    builders.target(report, code="A3", lead=dept_a, direction="qualitative", target_value=None, unit="")
    builders.entry(first, "2026-10-31", 4, user=reporter_a)
    return Target.objects.order_by("code")


def test_every_column_type_is_written_as_django_tables2_writes_it(targets):
    table = configured(EveryColumn(targets.select_related("lead_department").prefetch_related("co_departments")))
    fast = rendered(table, FAST)
    assert fast == rendered(table, REFERENCE)
    assert "&lt;A1&gt;" in fast and 'href="/targets/' in fast and "（无）" in fast  # the cases did occur


def test_records_that_are_not_models_are_written_as_django_tables2_writes_them():
    table = configured(PlainRecords([{"word": "<甲>", "number": 3.5, "day": TODAY}, {"word": "乙", "number": None}]))
    assert rendered(table, FAST) == rendered(table, REFERENCE)


def test_my_targets_table_is_written_as_django_tables2_writes_it(monkeypatch, targets):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    table = configured(TargetTable(Target.objects.with_progress(as_of=TODAY).select_related("report", "section")))
    fast = rendered(table, FAST)
    assert fast == rendered(table, REFERENCE)
    assert "badge status-" in fast and 'class="age"' in fast


def test_it_was_written_for_the_installed_django_tables2():
    assert importlib.metadata.version("django-tables2") == table_speed.WRITTEN_FOR


def test_another_django_tables2_version_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.9")
    expected = f"written for django-tables2 {re.escape(table_speed.WRITTEN_FOR)}, and 9.9.9 is installed"
    with pytest.raises(ImproperlyConfigured, match=expected):
        importlib.reload(table_speed)
    monkeypatch.undo()
    importlib.reload(table_speed)


def test_an_empty_table_says_so_as_django_tables2_does(db):
    table = configured(TargetTable(Target.objects.none()))
    assert rendered(table, FAST) == rendered(table, REFERENCE)
    assert str(TargetTable._meta.empty_text) in rendered(table, FAST)
