import functools

import django_tables2 as tables
from django.template.loader import get_template
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from . import columns, units
from .choices import Measure, Stage, Status
from .models import Target
from .selectors import as_of_from, ledger_page
from .spreadsheet import safe_cell
from .table_speed import FastRows


def target_url(target):
    return reverse("target-detail", args=[target.report.code, target.code])


# Numbers as people write them: the one rule, in targets.units.
format_number, with_unit, _joined = units.format_number, units.with_unit, units.joined


def gap_text(target):
    """A target's gap with its unit (0.65 个百分点 for 49.35% against 50%)."""
    return figure_text(columns.BY_KEY["gap"], target)


def growth_gap_text(target):
    return with_unit(target.growth_gap, units.GROWTH_GAP_UNIT)


def measured_from_baseline(target):
    """A level measured from its baseline (城镇居民人均可支配收入 16,680 → 19,182): its 进度 differs
    from its 完成率 (v / t), and a page shows both, each labelled."""
    return target.measure == Measure.LEVEL and target.baseline_value is not None and target.target_value is not None


def days_ago(days):
    """How old a figure is: "3 天前", "当天"; "从未填报" when nothing was reported."""
    if days is None:
        return _("从未填报")
    return _("当天") if days == 0 else _("%(days)s 天前") % {"days": days}


def reported_age(reported_on, as_of):
    """2026-11-30（1 天前）: the day a figure was reported and how old it is on as_of."""
    if reported_on is None:
        return "—"
    return _("%(date)s（%(age)s）") % {"date": reported_on.isoformat(), "age": days_ago((as_of - reported_on).days)}


def data_age(reported_on, as_of):
    """数据截至 2026-11-30（1 天前）, or "从未填报"."""
    if reported_on is None:
        return days_ago(None)
    return _("数据截至 %(date)s") % {"date": reported_age(reported_on, as_of)}


class ExportSafeTable(tables.Table):
    """Exports carry values, never formulas: see spreadsheet.safe_cell."""

    def as_values(self, exclude_columns=None):
        for row in super().as_values(exclude_columns=exclude_columns):
            yield [safe_cell(value) for value in row]


def figure_text(figure, target):
    """A figure of targets.columns as a page writes it: 416.21 亿元, 83.2, 0.65 个百分点, 正常推进, 2026-03-31;
    "—" when absent. The latest reading of a qualitative target is its stage, of a target set as a
    growth rate its rate."""
    value = getattr(target, figure.key)
    if figure.kind == "reading":
        if target.is_qualitative:
            return Stage(target.latest_stage).label if target.latest_stage else "—"
        if target.target_value is None:
            return _growth(target.latest_growth_rate)
    if value is None or value == "":
        return "—"
    if figure.kind in columns.NUMBER_KINDS:
        return with_unit(value, columns.unit_of(figure.kind, unit=target.unit, target_value=target.target_value))
    if figure.kind == "percent":
        return columns.PERCENT_DISPLAY.format(value)
    if figure.kind == "date":
        return value.isoformat()
    return {"stage": Stage, "status": Status}[figure.kind](value).label


def figure_value(figure, target):
    """A figure as a plain export cell: the number, the day, the word (a stage's or a status's)."""
    if figure.kind == "reading" and target.is_qualitative:
        return Stage(target.latest_stage).label if target.latest_stage else None
    if figure.kind in ("stage", "status"):
        return figure_text(figure, target)
    return getattr(target, figure.key)


STATUS_BADGE = get_template("targets/status_badge.html")
REPORTED_ON = get_template("tables/reported_on.html")


def figure_html(figure, target, *, as_of=None):
    """A figure on a page: a status as its coloured badge, the day last reported with its age (given
    `as_of`), everything else as figure_text."""
    if figure.kind == "status":
        return _status_badge(getattr(target, figure.key), get_language())
    if figure.kind == "date" and as_of is not None and getattr(target, figure.key) is not None:
        day = getattr(target, figure.key)
        return _reported_on(day, (as_of - day).days, get_language())
    return figure_text(figure, target)


# Each template rendered once per context and language (its output depends on nothing else): a page
# of 25 rows rendered the same five badges 25 times, a template render costing more than its row's cells.
@functools.lru_cache(maxsize=64)
def _status_badge(status, language):
    return STATUS_BADGE.render({"status": Status(status)})


@functools.lru_cache(maxsize=4096)
def _reported_on(day, days, language):
    return REPORTED_ON.render({"day": day, "age": days_ago(days)})


class FigureColumn(tables.Column):
    """A figure of targets.columns in 我的目标: its label, its text (figure_html), its plain value in
    exports, sortable when the registry says so."""

    ATTRS = {"percent": {"td": {"class": "num"}}, "date": {"td": {"class": "nowrap"}}}

    def __init__(self, figure):
        self.figure = figure
        super().__init__(
            verbose_name=figure.label,
            orderable=figure.orderable,
            order_by=(figure.key, "code"),  # a tie keeps the report's order: pages stay stable
            attrs=self.ATTRS.get(figure.kind, {}),
            # The reading is written even when latest_value is empty: a target set as a growth rate shows its rate.
            empty_values=() if figure.kind == "reading" else (None, ""),
        )

    def render(self, record, table):
        return figure_html(self.figure, record, as_of=table.as_of)

    def value(self, record):
        return figure_value(self.figure, record)


class DayColumn(tables.Column):
    """A date as 2026-03-31, on the page and in exports (django-tables2's DateColumn compiles a
    template for every cell)."""

    def render(self, value):
        return value.isoformat()

    def value(self, value):
        return value.isoformat()


class LedgerData(TableQuerysetData):
    """A ledger queryset as a table's data (django-tables2 takes a TableData subclass as given): the
    paginator's slice is read through selectors.ledger_page, which computes the figures for the
    page's rows only."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return ledger_page(self.data, key.start, key.stop)
        return super().__getitem__(key)


# The registry's figures for the table, as a base TargetTable inherits its columns from.
FigureColumns = type(ExportSafeTable)(
    "FigureColumns",
    (ExportSafeTable,),
    {figure.key: FigureColumn(figure) for figure in columns.shown_on(columns.TABLE)},
)


class TargetTable(FastRows, FigureColumns):
    # Columns an index orders, and the figures columns.FIGURES marks sortable: sorting by a figure
    # computes it for every visible target before the page's 25 are shown (the computation is one
    # SQL function per figure; the bench bounds the list sorted by each). 章节 sorts by the report's
    # own order, which follows its sections.
    code = tables.Column(verbose_name=_("编号"))
    name = tables.Column(verbose_name=_("名称"), attrs={"td": {"class": "name"}})
    section = tables.Column(verbose_name=_("章节"), accessor="section__title", order_by=("order", "code"))
    target_value = tables.Column(verbose_name=_("目标"), orderable=False)
    unit = tables.Column(verbose_name=_("单位"), visible=False)
    # Exports carry an approved extension's values beside the report's own (the page shows them in 目标).
    adjusted_target_value = tables.Column(verbose_name=_("调整后目标值"), visible=False)
    adjusted_deadline = DayColumn(verbose_name=_("调整后完成期限"), visible=False)

    class Meta:
        model = Target
        fields = ()
        sequence = (
            "code",
            "name",
            "section",
            "target_value",
            *(figure.key for figure in columns.shown_on(columns.TABLE)),
            "unit",
            "adjusted_target_value",
            "adjusted_deadline",
        )
        order_by = ("code",)
        empty_text = _("没有符合条件的目标。")
        attrs = {"class": "table ledger"}
        template_name = "tables/target_table.html"

    def get_column_class_names(self, classes_set, bound_column):
        # Each cell names its column (col-status): a phone's narrow layout keeps some and hides the rest (app.css).
        return {*classes_set, f"col-{bound_column.name}"}

    @cached_property
    def as_of(self):
        """The page's as-of date (the age of each 最近填报), from the request the table was configured with."""
        return as_of_from(self.request)

    def render_code(self, value, record):
        # As linkify would write it (<a href="…">), without django-tables2's link machinery, which
        # cost half the time of the page's 25 rows.
        return format_html('<a href="{}">{}</a>', target_url(record), value)

    def value_code(self, value):
        return value

    def render_target_value(self, record):
        text = _with_unit(record.target_value, record.unit, record)
        if record.adjusted_target_value is not None:
            text = _("%(goal)s（调整为 %(value)s）") % {
                "goal": text,
                "value": _with_unit(record.adjusted_target_value, record.unit),
            }
        if record.adjusted_deadline is not None:
            text = _("%(goal)s（延期至 %(date)s）") % {"goal": text, "date": record.adjusted_deadline.isoformat()}
        return text

    def value_target_value(self, record):
        return record.target_value


def _growth(rate):
    return "—" if rate is None else _("增长 %(rate)s%%") % {"rate": format_number(rate)}


def _with_unit(value, unit, record=None):
    """A figure with its unit; for a target, its range and growth-rate goal beside it."""
    parts = []
    if value is not None:
        text = format_number(value)
        if record is not None and record.target_value_max is not None:
            text = f"{text}–{format_number(record.target_value_max)}"
        parts.append(_joined(text, unit))
    if record is not None and record.growth_rate_target is not None:
        parts.append(_growth(record.growth_rate_target))
    return " · ".join(str(part) for part in parts) or "—"
