"""Formatting of the figures on the pages (看板, the target page, the living report): figures with
their units, gaps in their gap unit, percentages and the age of a figure; '—' when absent. The text
is targets.tables' (with_unit, gap_text), the same 我的目标 writes."""

from django import template

from targets import tables, units

from .. import selectors

register = template.Library()


@register.filter
def amount(value, unit=""):
    """416.21 亿元; a percent or permille sign sits against the number (3.5%)."""
    return units.with_unit(value, unit)


@register.filter
def gap(target):
    """A target's gap in its gap unit: 0.65 个百分点 for a share, 6 座 for a count."""
    return tables.gap_text(target)


@register.filter
def growth_gap(target):
    return tables.growth_gap_text(target)


@register.filter
def percent(value):
    """83.3%, 100%: targets.units.percent_text, as messages, exports and the admin write it."""
    return units.percent_text(value)


register.filter("days_ago", tables.days_ago)
register.filter("signed_change", selectors.signed_change)
register.filter("data_age", tables.data_age)
register.filter("from_baseline", tables.measured_from_baseline)
