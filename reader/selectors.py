"""Reads for the report as people read it: the living report's marks, the glossary's mentions,
search, and the practical tasks' standing. Every figure comes from the one computation
(`targets.selectors.target_ledger` / `Target.objects.with_progress`); scope comes from
`targets.roles` through that selector."""

import operator
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan

from projects.models import PracticalTask, Project
from targets import roles
from targets import selectors as ledger
from targets.models import GlossaryTerm, SearchSynonym, Section, Target

from . import text

# The source report masks its years ("20xx年以来"); load_report fills in those it can place, and the
# pages say so wherever some remain.
MASKED_YEAR = re.compile(r"20[xX]{2}")
SEARCH_LIMIT = 50  # rows per kind of result
QUERY_MAX_LENGTH = 50
EXAMPLE_SYNONYMS = 12  # short names an empty search page offers as examples


@dataclass
class ReportSection:
    section: Section
    depth: int
    paragraphs: list
    children: list = field(default_factory=list)

    @property
    def anchor(self):
        return section_anchor(self.section)

    @property
    def heading_level(self):
        return min(2 + self.depth, 6)

    @property
    def opens_with_title(self):
        """A numbered sub-section's first sentence is its title: the heading is not repeated."""
        return bool(self.paragraphs) and self.paragraphs[0].sentences[0].lead


@dataclass
class LivingReport:
    preamble: list  # paragraphs before the first section (title page, 各位代表)
    sections: list  # ReportSection, in reading order
    toc: list  # the top-level ReportSections; children nested
    unplaced: list  # visible targets whose clause is not in the text
    target_count: int
    masks_years: bool  # the text still holds masked years ("20xx")


def masks_years(texts) -> bool:
    """Whether any of `texts` holds a year the source report masked ("20xx")."""
    return any(MASKED_YEAR.search(text_) for text_ in texts)


def section_anchor(section):
    return "s-" + section.code.replace(".", "-")


def report_sections(report) -> list[Section]:
    return list(Section.objects.filter(report=report).order_by("order", "id"))


def glossary_terms(report) -> list[GlossaryTerm]:
    return list(GlossaryTerm.objects.filter(report=report).select_related("report").order_by("order", "id"))


def living_report(*, user, report, as_of=None, include_pending=False) -> LivingReport:
    """The report's full text, section by section, with each visible target's clause placed and
    every glossary term marked. Three queries: sections, glossary, targets."""
    sections = report_sections(report)
    terms = glossary_terms(report)
    targets = list(
        ledger.target_ledger(user=user, report=report, as_of=as_of, include_pending=include_pending).order_by(
            "order", "code"
        )
    )
    pattern = text.term_pattern(terms)

    # A clause is looked for in its own section first, then anywhere in the report.
    by_section = defaultdict(list)
    for target in targets:
        by_section[target.section_id].append(target)
    taken = defaultdict(set)
    placed = defaultdict(dict)
    strays = []
    for section in sections:
        found, missing = text.find_clauses(section.body, by_section.pop(section.pk, []), taken[section.pk])
        placed[section.pk].update(found)
        strays += missing
    strays += [target for rest in by_section.values() for target in rest]
    unplaced = []
    for target in strays:
        for section in sections:
            found, _missing = text.find_clauses(section.body, [target], taken[section.pk])
            if found:
                placed[section.pk].update(found)
                break
        else:
            unplaced.append(target)

    depth = {}
    rendered = []
    by_id = {}
    for section in sections:
        depth[section.pk] = depth.get(section.parent_id, -1) + 1 if section.parent_id else 0
        paragraphs = text.compose(
            section.body, clauses=placed[section.pk], terms=terms, pattern=pattern, title=section.title
        )
        item = ReportSection(section=section, depth=depth[section.pk], paragraphs=paragraphs)
        rendered.append(item)
        by_id[section.pk] = item
    toc = []
    for item in rendered:
        parent = by_id.get(item.section.parent_id)
        (parent.children if parent else toc).append(item)

    preamble_text = _preamble(report.text, sections)
    preamble = text.compose(preamble_text, terms=terms, pattern=pattern) if preamble_text else []
    for paragraph in preamble:
        line = paragraph.text
        paragraph.title_line = not text.SENTENCE_END.search(line) and not line.endswith((":", "："))
    _number_terms([preamble, *(item.paragraphs for item in rendered)])
    return LivingReport(
        preamble=preamble,
        sections=rendered,
        toc=toc,
        unplaced=unplaced,
        target_count=len(targets),
        masks_years=masks_years([report.text, *(term.definition for term in terms)]),
    )


def _preamble(report_text: str, sections) -> str:
    """The report's opening before its first section: title page and salutation."""
    if not sections:
        return report_text
    start = report_text.find(sections[0].title)
    return report_text[:start].strip() if start > 0 else ""


def _number_terms(groups):
    """Give every term occurrence on the page its own number, so its tooltip has a unique id."""
    number = 0
    for paragraphs in groups:
        for paragraph in paragraphs:
            for sentence in paragraph.sentences:
                for piece in sentence.pieces:
                    if piece.is_term:
                        number += 1
                        piece.occurrence = number


# ---- the glossary page -------------------------------------------------------------------------


@dataclass
class GlossaryEntry:
    term: GlossaryTerm
    targets: list
    sections: list


def glossary_mentions(*, user, report, as_of=None) -> list[GlossaryEntry]:
    """Every term with the visible targets (name or clause) and the sections that mention it.
    The section where the term is defined is not a mention. Three queries."""
    terms = glossary_terms(report)
    sections = report_sections(report)
    targets = list(ledger.target_ledger(user=user, report=report, as_of=as_of).order_by("order", "code"))
    return [
        GlossaryEntry(
            term=term,
            targets=[t for t in targets if term.term in t.name or term.term in t.source_text],
            sections=[s for s in sections if term.term in s.body and term.definition not in s.body],
        )
        for term in terms
    ]


# ---- search -----------------------------------------------------------------------------------
#
# Chinese substring search without ICU: plain strpos() over each text column, no index.
# Measured on the embedded PostgreSQL 18 (C.UTF-8), rows made of real report text, median of
# 25 runs of one query over code, name and clause (bench/reader_search.py):
#
#     rows     query            strpos    ILIKE   ILIKE + pg_trgm GIN
#     3,000    菜市 (2 chars)     1.9 ms    13 ms    7.4 ms (index not usable)
#     3,000    肉菜市 (3 chars)    1.1 ms    7.6 ms   0.7 ms (index used)
#     3,000    社区卫生 (4)        1.0 ms    7.8 ms   8.5 ms (planner skips the index)
#     30,000   菜市 (2 chars)    18 ms     70 ms    118 ms (index not usable)
#     30,000   社区卫生 (4)        15 ms    130 ms    5.3 ms (index used)
#
# A trigram needs three characters, so the two-character words most Chinese queries are
# (社区, 菜市, 养老) get no help from pg_trgm; ILIKE pays for case folding of every multibyte
# character. At a district's or city's size (a few thousand rows) strpos answers in 1–2 ms
# for any length, so it is used, with no extension or index to maintain. Codes are compared
# upper-cased so "a3.2" finds "A3.2.01".


def _position(column, query):
    return StrIndex(column, Value(query))


def _contains(column, words):
    """`column` contains one of `words` (strpos, as measured above)."""
    return reduce(operator.or_, (Q(GreaterThan(_position(column, word), 0)) for word in words))


def _rank(*conditions):
    """The rank of the first condition that holds (0 best); rows matching none are filtered out."""
    return Case(
        *(When(condition, then=Value(rank)) for rank, condition in enumerate(conditions)),
        default=Value(len(conditions)),
        output_field=IntegerField(),
    )


@dataclass
class SearchResults:
    query: str
    words: list = field(default_factory=list)  # the query, then the query with short names written out
    targets: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    terms: list = field(default_factory=list)
    synonyms: list = field(default_factory=list)  # an empty search lists them as examples

    @property
    def count(self):
        return sum(len(rows) for rows in (self.targets, self.sections, self.tasks, self.projects, self.terms))

    @property
    def expansions(self):
        return self.words[1:]


def clean_query(raw: str) -> str:
    return " ".join((raw or "").split())[:QUERY_MAX_LENGTH]


def search(*, user, report, query: str) -> SearchResults:
    """Targets (code, name, clause), sections, practical tasks, projects and glossary terms of
    `report` containing `query` or what its short names stand for (SearchSynonym: "GDP" also
    finds 地区生产总值), best first: exact code, then name (or title, or term), then text.
    Targets are limited to those `user` may see. Six queries (plus the user's groups); an empty
    query reads only the synonyms, to show as examples."""
    query = clean_query(query)
    results = SearchResults(query=query)
    if not query:
        results.synonyms = list(SearchSynonym.objects.all()[:EXAMPLE_SYNONYMS])
        return results
    if report is None:
        return results
    words = results.words = SearchSynonym.objects.search_words(query)
    upper = query.upper()

    # Scope without the standing: a search shows no figures, and compiling with_progress costs
    # more than the search itself.
    in_code = Q(GreaterThan(_position(Upper("code"), upper), 0))
    in_name, in_text = _contains("name", words), _contains("source_text", words)
    targets = (
        roles.visible_targets(Target.objects.filter(report=report), user)
        .select_related("report")
        .filter(in_code | in_name | in_text)
        .annotate(search_rank=_rank(Q(code__iexact=query), in_code, in_name, in_text))
        .order_by("search_rank", "order", "code")
    )
    results.targets = list(targets[:SEARCH_LIMIT])

    in_title, in_body = _contains("title", words), _contains("body", words)
    sections = (
        Section.objects.filter(report=report)
        .filter(in_title | in_body)
        .annotate(search_rank=_rank(in_title, in_body))
        .order_by("search_rank", "order")
    )
    results.sections = [(section, excerpt(section.body, words)) for section in sections[:SEARCH_LIMIT]]

    tasks = PracticalTask.objects.filter(report=report).filter(_contains("title", words)).order_by("no")
    results.tasks = list(tasks[:SEARCH_LIMIT])

    in_name, in_text = _contains("name", words), _contains("source_text", words)
    projects = (
        Project.objects.filter(report=report)
        .filter(in_code | in_name | in_text)
        .annotate(search_rank=_rank(Q(code__iexact=query), in_code, in_name, in_text))
        .order_by("search_rank", "code")
    )
    results.projects = list(projects[:SEARCH_LIMIT])

    in_term, in_text = _contains("term", words), _contains("definition", words)
    terms = (
        GlossaryTerm.objects.filter(report=report)
        .select_related("report")
        .filter(in_term | in_text)
        .annotate(search_rank=_rank(Q(term__in=words), in_term, in_text))
        .order_by("search_rank", "order")
    )
    results.terms = list(terms[:SEARCH_LIMIT])
    return results


def excerpt(body: str, words, around: int = 40) -> tuple[str, str, str]:
    """(before, match, after): a short window of `body` around the first occurrence of one of `words`."""
    found = [(at, word) for word in words if (at := body.find(word)) >= 0]
    if not found:
        return (body[: 2 * around], "", "…" if len(body) > 2 * around else "")
    at, word = min(found)
    start, end = max(0, at - around), at + len(word)
    before = ("…" if start else "") + body[start:at]
    after = body[end : end + around] + ("…" if end + around < len(body) else "")
    return (before, body[at:end], after)


# ---- the practical tasks ----------------------------------------------------------------------


def practical_tasks(*, report, targets) -> list[PracticalTask]:
    """The report's practical tasks in order, each with `.measured_by`: its targets taken from
    `targets` (an annotated, already scoped queryset). Two queries."""
    if report is None:
        return []
    return list(
        PracticalTask.objects.filter(report=report)
        .order_by("no")
        .prefetch_related(Prefetch("targets", queryset=targets.order_by("order", "code"), to_attr="measured_by"))
    )


def public_targets(report):
    """What the public page may show: approved progress only, as of today, unscoped because the
    page shows nothing but the practical tasks' own targets."""
    return Target.objects.filter(report=report).with_progress(include_pending=False)
