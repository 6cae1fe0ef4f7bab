"""The living report (/report/) and the glossary page: the report's own text, every target's
clause marked with its standing from the one computation, every glossary term marked."""

import datetime
import re

import pytest
from django.urls import reverse

from reader import text
from targets.choices import Status
from targets.models import GlossaryTerm, Report, Section

from . import builders

TODAY = datetime.date(2026, 11, 27)
PREAMBLE = "2026年测试区政府工作报告\n\n各位代表:\n\n现在,我代表区人民政府向大会作工作报告。"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def build_report(report, *, areas=1, lead=None):
    """A report whose text is its preamble and sections, with targets quoting their clauses
    and glossary terms used in the text. `areas` sections of three targets each."""
    parts = Section.objects.create(report=report, code="3", title="三、主要工作", order=1, body="做好今年工作。")
    chunks = [PREAMBLE, parts.title, parts.body]
    targets = []
    for n in range(1, areas + 1):
        title = f"推进第{n}项工作"
        body = (
            f"({n})推进第{n}项工作。新建肉菜市场{n}0座、便民菜店50家,打造“一刻钟精品服务社区”30个。"
            f"配合项目建设完成拆迁100万平方米以上。\n\n加快北城区开发建设,整理土地10平方公里以上。"
        )
        section = Section.objects.create(
            report=report, code=f"3.{n}", title=title, parent=parts, order=n + 1, body=body
        )
        chunks += [body]
        for clause, name in (
            (f"新建肉菜市场{n}0座", "新建肉菜市场"),
            ("打造“一刻钟精品服务社区”30个", "建成一刻钟精品服务社区"),
            ("整理土地10平方公里以上", "北城区整理土地"),
        ):
            targets.append(
                builders.target(
                    report,
                    code=f"A{n}.{len(targets) + 1:02d}",
                    section_obj=section,
                    lead=lead,
                    name=name,
                    source_text=clause,
                )
            )
    report.text = "\n\n".join(chunks)
    report.save()
    for order, (term, definition) in enumerate(
        (
            ("一刻钟精品服务社区", "就是使社区居民步行一刻钟就能享受基本生活服务的社会管理服务模式。"),
            ("北城区", "就是以九州经济开发区为核心的新城区。"),
        )
    ):
        GlossaryTerm.objects.create(report=report, term=term, definition=definition, order=order)
    return targets


def report_page(client, **params):
    response = client.get(reverse("living-report"), params)
    assert response.status_code == 200
    return response.content.decode()


def mark_of(page, target):
    """The badge link placed after the target's clause."""
    found = re.search(rf'<a class="target-mark" id="target-{re.escape(target.code)}".*?</a>', page, re.S)
    return found.group(0) if found else None


def test_anonymous_is_sent_to_login(client, report):
    for name in ("living-report", "glossary", "practical-tasks"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_every_target_of_the_report_is_marked_in_its_sentence(client, official, report, dept_a):
    targets = build_report(report, areas=2, lead=dept_a)
    client.force_login(official)
    page = report_page(client)
    for target in targets:
        assert mark_of(page, target), target.code
        holding = rf'<mark class="clause" data-targets="[^"]*\b{re.escape(target.code)}\b[^"]*">(.*?)</mark>'
        sentence = re.search(holding, page, re.S)
        assert sentence, target.code
        # the badge comes right after the clause, inside the sentence that holds it
        assert mark_of(page, target) in sentence.group(1)
    assert f"报告中标出 {len(targets)} 项目标" in page


def test_the_report_is_rendered_section_by_section_with_a_table_of_contents(client, official, report, dept_a):
    build_report(report, areas=2, lead=dept_a)
    client.force_login(official)
    page = report_page(client)
    assert "现在,我代表区人民政府向大会作工作报告。" in page  # the preamble before the first section
    toc = page[page.index('class="toc card"') : page.index("</nav>", page.index('class="toc card"'))]
    assert '<a href="#s-3">三、主要工作</a>' in toc
    assert toc.index("#s-3-1") < toc.index("#s-3-2")
    assert 'id="s-3-1"' in page and 'id="s-3-2"' in page
    assert '<strong class="lead">(1)推进第1项工作。</strong>' in page
    assert "做好今年工作。" in page


def test_a_clause_quoted_twice_goes_to_its_next_occurrence(report, dept_a):
    body = "新建肉菜市场10座,新建肉菜市场10座。"
    first = builders.target(report, code="X1", lead=dept_a, source_text="新建肉菜市场10座")
    second = builders.target(report, code="X2", lead=dept_a, source_text="新建肉菜市场10座")
    placed, missing = text.find_clauses(body, [first, second])
    assert placed == {first: (0, 9), second: (10, 19)} and not missing


def test_targets_quoting_the_same_clause_share_it(client, official, report, dept_a):
    section = Section.objects.create(report=report, code="2", title="二、目标", order=1, body="两项指标翻一番。其他。")
    shared = [
        builders.target(report, code=f"F0{n}", lead=dept_a, section_obj=section, source_text="两项指标翻一番")
        for n in (1, 2)
    ]
    client.force_login(official)
    page = report_page(client)
    assert '<mark class="clause" data-targets="F01 F02">' in page
    assert all(mark_of(page, target) for target in shared)


def test_a_clause_missing_from_its_section_is_found_elsewhere_or_listed(client, official, report, dept_a):
    elsewhere = Section.objects.create(report=report, code="4", title="实事", order=2, body="新建公厕30座。")
    wrong = Section.objects.create(report=report, code="3", title="工作", order=1, body="做好工作。")
    found = builders.target(report, code="W1", lead=dept_a, section_obj=wrong, source_text="新建公厕30座")
    lost = builders.target(report, code="W2", lead=dept_a, section_obj=wrong, source_text="不在报告中的句子")
    assert elsewhere
    client.force_login(official)
    page = report_page(client)
    assert '<mark class="clause" data-targets="W1">' in page
    assert "未在原文中找到出处的目标" in page and mark_of(page, lost) and lost.name in page
    assert page.index(mark_of(page, found)) < page.index("未在原文中找到出处的目标")


def test_every_glossary_occurrence_is_marked_with_its_definition(client, official, report, dept_a):
    build_report(report, areas=3, lead=dept_a)
    client.force_login(official)
    page = report_page(client)
    rendered = report.text  # preamble and every section body
    for term in GlossaryTerm.objects.filter(report=report):
        occurrences = rendered.count(term.term)
        assert occurrences == 3
        marked = re.findall(rf'<span class="term" tabindex="0" aria-describedby="term-{term.pk}-def-\d+">', page)
        assert len(marked) == occurrences, term.term
        assert page.count(term.definition) == occurrences
        assert f'href="{reverse("glossary")}?report={term.report.code}#term-{term.pk}"' in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "every tooltip has its own id"


def test_a_badge_never_splits_a_glossary_term(report, dept_a):
    terms = [GlossaryTerm(pk=1, report=report, term="一刻钟精品服务社区", definition="…")]
    target = builders.target(report, code="G1", lead=dept_a, source_text="建成30个“一刻钟精品")
    body = "建成30个“一刻钟精品服务社区”,形成格局。"
    placed, _ = text.find_clauses(body, [target])
    [paragraph] = text.compose(body, clauses=placed, terms=terms)
    pieces = paragraph.sentences[0].pieces
    kinds = [("term" if p.is_term else "marks" if p.is_marks else "text") for p in pieces]
    assert kinds == ["text", "term", "marks", "text"]
    assert "".join(p.text for p in pieces) == body


def test_compose_keeps_every_character_of_the_text(report, dept_a):
    body = "第一句。第二句有“引号。”\n\n第二段,没有句号"
    target = builders.target(report, code="C1", lead=dept_a, source_text="第二句有")
    placed, _ = text.find_clauses(body, [target])
    paragraphs = text.compose(body, clauses=placed)
    assert ["".join(p.text for s in para.sentences for p in s.pieces) for para in paragraphs] == [
        "第一句。第二句有“引号。”",
        "第二段,没有句号",
    ]
    assert [bool(s.targets) for s in paragraphs[0].sentences] == [False, True]


def test_badges_agree_with_the_ledger_as_of_a_date(client, official, reporter_a, report, dept_a):
    targets = build_report(report, areas=1, lead=dept_a)
    market, community, land = targets
    builders.entry(market, "2026-03-31", 2, user=reporter_a)
    builders.entry(market, "2026-09-30", 9, user=reporter_a)
    builders.entry(community, "2026-06-30", 30, user=reporter_a)
    builders.entry(land, "2026-10-31", 4, user=reporter_a, status="submitted")
    client.force_login(official)
    for as_of in (datetime.date(2026, 4, 30), datetime.date(2026, 10, 31), TODAY):
        for pending in (False, True):
            params = {"as_of": as_of.isoformat(), **({"pending": "1"} if pending else {})}
            page = report_page(client, **params)
            for target in targets:
                standing = builders.standing(target, as_of=as_of, include_pending=pending)
                mark = mark_of(page, target)
                assert f'class="badge status-{standing.status}">{Status(standing.status).label}<' in mark
                value = "—" if standing.latest_value is None else f"{standing.latest_value.normalize():f} {target.unit}"
                shown = re.search(r'<span class="value">(.*?)</span>', mark, re.S).group(1).strip()
                assert shown == value, (as_of, pending, target.code)
                if as_of != TODAY:
                    assert f"as_of={as_of.isoformat()}" in mark  # the target page opens on the same day


def test_reporter_sees_the_whole_text_but_only_marks_of_their_targets(client, reporter_a, report, dept_a, dept_b):
    mine = builders.target(report, code="M1", lead=dept_a, source_text="新建肉菜市场10座")
    theirs = builders.target(report, code="T1", lead=dept_b, source_text="便民菜店50家")
    section = mine.section
    section.body = "新建肉菜市场10座、便民菜店50家。"
    section.save()
    client.force_login(reporter_a)
    page = report_page(client)
    assert mark_of(page, mine)
    assert mark_of(page, theirs) is None
    assert "便民菜店50家" in page  # the report's own words are for everyone who signs in
    assert "报告中标出 1 项目标" in page


@pytest.mark.parametrize("areas", [1, 10])
def test_living_report_query_count_does_not_grow(client, official, report, dept_a, django_assert_num_queries, areas):
    build_report(report, areas=areas, lead=dept_a)
    client.force_login(official)
    # session, user, the report, the user's groups; the report's text (the one page that reads it:
    # every other page leaves it behind); sections, glossary, targets; the session's renewal
    # (savepoint, update, release: the first page view after logging in renews the idle timeout)
    with django_assert_num_queries(11):
        report_page(client)


def test_the_page_is_printable(client, official, report, dept_a):
    build_report(report, lead=dept_a)
    client.force_login(official)
    page = report_page(client)
    assert 'href="/static/css/print.css" media="print"' in page
    with open("static/css/print.css", encoding="utf-8") as stylesheet:
        rules = stylesheet.read()
    assert ".toc" in rules and "mark.clause" in rules


def test_no_report_loaded_says_so(client, official):
    Report.objects.all().delete()
    client.force_login(official)
    assert "尚未载入政府工作报告" in report_page(client)


# ---- the glossary page ------------------------------------------------------------------------


def test_glossary_lists_terms_with_the_targets_and_sections_that_mention_them(client, official, report, dept_a):
    targets = build_report(report, areas=2, lead=dept_a)
    defined_in = Section.objects.create(
        report=report, code="5", title="名词解释", order=99, body="北城区:就是以九州经济开发区为核心的新城区。"
    )
    client.force_login(official)
    page = client.get(reverse("glossary")).content.decode()
    north = GlossaryTerm.objects.get(term="北城区")
    entry = page[page.index(f'id="term-{north.pk}"') :]
    entry = entry[: entry.index("</section>")]
    assert north.definition in entry
    assert "推进第1项工作" in entry and "推进第2项工作" in entry  # the sections that use the term
    assert f"#s-{defined_in.code}" not in entry  # where it is defined is not a mention
    land = [t for t in targets if t.name == "北城区整理土地"]
    assert all(t.code in entry for t in land)
    assert not any(t.code in entry for t in targets if t not in land)


def test_glossary_shows_only_targets_the_user_may_see(client, reporter_b, report, dept_a):
    build_report(report, lead=dept_a)
    client.force_login(reporter_b)
    page = client.get(reverse("glossary")).content.decode()
    assert "一刻钟精品服务社区" in page
    assert "A1.02" not in page
