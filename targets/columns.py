"""The figures of a target, listed once: each annotation of Target.objects.with_progress that a
surface publishes, with its label, its unit rule, its number format, whether it is sortable and which
surfaces show it. 我的目标's table (targets.tables), the 台账 workbook (ledger.workbook), the JSON rows
(ledger.rows, ledger.api) and the admin's list (targets.admin) are generated from FIGURES: a new
figure is one line here.

A figure's kind says how every surface writes it:
- reading: the latest reading: a number in the target's unit; a qualitative target shows its stage and
  one set as a growth rate its rate on the page (the workbook and JSON keep each in its own figure)
- rate: a growth rate, in %          - stage: 推进阶段 (Stage)        - date: a day (yyyy-mm-dd)
- percent: % of the goal (0.0)       - gap: in the gap's unit (gap_unit_of)
- growth_gap: in 个百分点             - status: the status word with its colour (Status.colour)"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import units

TABLE, WORKBOOK, JSON, ADMIN = "table", "workbook", "json", "admin"
EVERYWHERE = frozenset({TABLE, WORKBOOK, JSON, ADMIN})
EXPORTED = frozenset({WORKBOOK, JSON})

# Number formats. On a page a percentage reads 40.0 (its header says %); in Excel the cell holds
# the number 40.0 shown as 40.0%; a day is a date cell shown as 2026-03-31.
PERCENT_DISPLAY = "{:.1f}"
PERCENT_FORMAT = '0.0"%"'
DATE_FORMAT = "yyyy-mm-dd"
NUMBER_KINDS = frozenset({"reading", "rate", "gap", "growth_gap"})  # number cells whose format carries a unit


@dataclass(frozen=True)
class Figure:
    key: str  # the annotation of with_progress, and the JSON key
    label: str  # the column's label on the page and in admin (translated)
    header: str  # the workbook's header: fixed Chinese, the import reads the workbook back
    kind: str  # see the module's docstring
    width: float  # the workbook column's width, in characters
    shows: frozenset = EVERYWHERE
    orderable: bool = False  # 我的目标 sorts by it (computed for every visible target: see TargetTable)

    @property
    def excel_format(self) -> str | None:
        """The cell's number format, when it does not depend on the value (numbers: see ledger.workbook)."""
        return {"percent": PERCENT_FORMAT, "date": DATE_FORMAT}.get(self.kind)


# In the order the surfaces show them.
FIGURES = (
    Figure("latest_value", _("最新值"), "最新完成值", "reading", 14),
    Figure("latest_growth_rate", _("最新增速"), "最新增速", "rate", 10, EXPORTED),
    Figure("latest_stage", _("推进阶段"), "推进阶段", "stage", 9, EXPORTED),
    Figure("completion_rate", _("完成率"), "完成率", "percent", 10, EXPORTED),  # v / t, beside 完成进度
    Figure("percent_complete", _("完成%"), "完成进度", "percent", 10, orderable=True),
    Figure("expected_percent", _("序时%"), "序时进度", "percent", 10),
    Figure("gap", _("差距"), "差距", "gap", 14, orderable=True),
    Figure("growth_gap", _("增速差距"), "增速差距", "growth_gap", 10, EXPORTED),
    Figure("status", _("状态"), "状态", "status", 11, orderable=True),
    Figure("latest_reported_on", _("最近填报"), "最近填报日期", "date", 13, orderable=True),
)
BY_KEY = {figure.key: figure for figure in FIGURES}


def shown_on(surface):
    return tuple(figure for figure in FIGURES if surface in figure.shows)


# What a reading is written from besides its value: a qualitative target's stage, the rate of one set
# as a growth rate (figure_text in targets.tables).
READING_READS = ("latest_stage", "latest_growth_rate")


def read_on(surface) -> tuple:
    """The annotations of with_progress a surface reads: those it shows, and what a reading is written from."""
    shown = shown_on(surface)
    extra = READING_READS if any(figure.kind == "reading" for figure in shown) else ()
    return tuple(dict.fromkeys((*(figure.key for figure in shown), *extra)))


def gap_unit_of(unit, *, judged_on_rate):
    """The unit of a target's gap: points for a target judged on its growth rate alone (one without
    a target value) and for a share, else the target's own unit."""
    return units.GROWTH_GAP_UNIT if judged_on_rate else units.gap_unit(unit)


def unit_of(kind, *, unit, target_value):
    """The unit a figure of that kind is written in, for a target of `unit` with `target_value`; "" for none."""
    if kind == "reading":
        return unit
    if kind in ("rate", "percent"):
        return "%"
    if kind == "gap":
        return gap_unit_of(unit, judged_on_rate=target_value is None)
    if kind == "growth_gap":
        return units.GROWTH_GAP_UNIT
    return ""
