"""The targets app's template tags and filters ({% load targets %}): the glossary marked in a text, a
status badge, a stage's label and a figure or an entry written as people write them."""

import re

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

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
