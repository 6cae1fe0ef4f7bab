"""The living report's text as HTML. Built here rather than in a template loop because a
template would put whitespace between the pieces of a sentence, and a space between Chinese
characters shows."""

import itertools
import re

from django import template
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from .. import selectors, text

register = template.Library()


@register.simple_tag
def report_text(paragraphs, link_query=""):
    """Paragraphs of sentences (reader.text.compose) as <p> elements: sentences holding a
    target's clause in <mark class="clause">, a lead in <strong>, terms with their definition,
    and each target's badge and current value after its clause."""
    term_template = get_template("targets/glossary_term.html")
    mark_template = get_template("reader/target_mark.html")
    html = []
    for paragraph in paragraphs:
        html.append('<p class="title-line">' if paragraph.title_line else "<p>")
        for sentence in paragraph.sentences:
            parts = []
            for piece in sentence.pieces:
                if piece.is_term:
                    context = {"term": piece.term, "label": piece.text, "occurrence": piece.occurrence}
                    parts.append(term_template.render(context).strip())
                elif piece.is_marks:
                    parts.extend(
                        mark_template.render({"target": target, "link_query": link_query}).strip()
                        for target in piece.targets
                    )
                else:
                    parts.append(conditional_escape(piece.text))
            inner = mark_safe("".join(str(part) for part in parts))
            if sentence.lead:
                inner = format_html('<strong class="lead">{}</strong>', inner)
            if sentence.targets:
                codes = " ".join(target.code for target in sentence.targets)
                inner = format_html('<mark class="clause" data-targets="{}">{}</mark>', codes, inner)
            html.append(str(inner))
        html.append("</p>")
    return mark_safe("".join(html))


@register.filter
def section_anchor(section):
    """The id of a section in the living report (/report/#s-3-1-2)."""
    return selectors.section_anchor(section)


@register.simple_tag
def highlighted(value, words):
    """`value` escaped, with every occurrence of one of `words` (the search's words) in <mark>."""
    value = str(value or "")
    words = [word for word in words if word]
    if not words:
        return conditional_escape(value)
    # The longest first, so that 地区生产总值 is marked whole rather than its 生产总值.
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))
    parts, at = [], 0
    for match in pattern.finditer(value):
        parts += [conditional_escape(value[at : match.start()]), format_html("<mark>{}</mark>", match[0])]
        at = match.end()
    return mark_safe("".join([*parts, conditional_escape(value[at:])]))


@register.simple_tag(takes_context=True)
def marked_terms(context, value, terms):
    """`value` escaped, each glossary term in it marked like the living report's, with ids kept
    unique on the page by a counter held in the page's context."""
    value = str(value or "")
    matches = text.term_matches(value, terms)
    if not matches:
        return conditional_escape(value)
    root = context.dicts[0]
    counter = root.setdefault("_term_counter", itertools.count(1))
    term_template = get_template("targets/glossary_term.html")
    parts, at = [], 0
    for start, end, term in matches:
        parts.append(conditional_escape(value[at:start]))
        occurrence = f"n{next(counter)}"
        label = value[start:end]
        parts.append(mark_safe(term_template.render({"term": term, "label": label, "occurrence": occurrence}).strip()))
        at = end
    parts.append(conditional_escape(value[at:]))
    return mark_safe("".join(str(part) for part in parts))
