"""Formatting for the dashboard (看板): figures with units and percentages, '—' when absent."""

from django import template
from django.utils.translation import gettext as _

from targets.tables import format_number

register = template.Library()


@register.filter
def amount(value, unit=""):
    """416.21 亿元; a percent or permille sign sits against the number."""
    if value is None:
        return "—"
    text = format_number(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}"


@register.filter
def percent(value):
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def days_ago(days):
    if days is None:
        return _("从未填报")
    return _("%(days)s 天前") % {"days": days}
