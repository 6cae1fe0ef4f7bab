"""The targets app's template tags and filters ({% load targets %}): the glossary marked in a text, a
status badge, a stage's label and a figure or an entry written as people write them."""

import functools
import re

from django import template
from django.template.loader import get_template, render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..choices import Stage, Status
from ..services import entry_figure
from ..tables import target_url
from ..units import format_number

register = template.Library()


@register.simple_tag
def glossary_marked(text, terms):
    """`text` escaped, with each glossary term it contains marked and its definition reachable by
    hover, keyboard focus and touch."""
    escaped = str(escape(text))
    by_term = {str(escape(term.term)): term for term in terms}
    if not by_term:
        return mark_safe(escaped)
    pattern = re.compile("|".join(re.escape(term) for term in sorted(by_term, key=len, reverse=True)))

    def mark(match):
        term = by_term[match.group(0)]
        return render_to_string(
            "targets/glossary_term.html", {"term": term, "label": mark_safe(match.group(0))}
        ).strip()

    return mark_safe(pattern.sub(mark, escaped))


@register.simple_tag
def status_badge(value):
    return render_to_string("targets/status_badge.html", {"status": Status(value)})


register.simple_tag(target_url)


@register.filter
def stage_label(value):
    return Stage(value).label if value else "—"


@register.filter
def figure(value):
    """A number as staff write it: thousands separated, no trailing zeros ("416.21", "1,200")."""
    return format_number(value)


@register.filter
def reported(entry, unit):
    """What an entry reported, in the target's unit: 7 座, 推进中, 12.5% …"""
    return entry_figure(entry, unit)


REPORT_SWITCH = get_template("targets/report_switch.html")


@register.simple_tag(takes_context=True)
def report_switch(context):
    """The header's report switcher (targets/report_switch.html), for the reports the page offers and
    the one it is about. Rendered once per list of reports, report, path and language (its output
    depends on nothing else): a city's hundred reports cost more template work than the dashboard's figures."""
    current = context["current_report"]
    reports = tuple((report.pk, report.code, report.year, report.title) for report in context["available_reports"])
    request = context.get("request")
    return _report_switch(reports, current.pk, request.path if request else "", get_language())


@functools.lru_cache(maxsize=256)
def _report_switch(reports, current_pk, path, language):
    return REPORT_SWITCH.render({"reports": reports, "current_pk": current_pk, "path": path})
