"""Search from the header: targets (code, name, clause), sections, practical tasks, projects and
glossary terms by Chinese substring, best first, scoped to what the user may see."""

import datetime
import re

import pytest
from django.urls import reverse

from projects.models import PracticalTask, Project
from reader import selectors
from targets.models import GlossaryTerm, Section

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def search_page(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def found_codes(page):
    """The target codes of the results, in their order on the page."""
    block = page[page.index('id="found-targets"') : page.index("</section>", page.index('id="found-targets"'))]
    return re.findall(r'<span class="code">([^<]+)</span>', block)


def test_anonymous_is_sent_to_login(client, report):
    response = client.get(reverse("search"), {"q": "肉菜"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_finds_a_target_by_a_substring_of_its_source_clause(client, official, report, dept_a):
    target = builders.target(
        report, code="A3.4.01", lead=dept_a, name="虚拟养老服务站", source_text="新建虚拟养老医疗服务站10个"
    )
    client.force_login(official)
    assert found_codes(search_page(client, "医疗服务")) == [target.code]  # only in the clause
    assert found_codes(search_page(client, "养老")) == [target.code]  # two characters are enough


def test_ranks_exact_code_then_name_then_text(client, official, report, dept_a):
    in_text = builders.target(report, code="B1", lead=dept_a, name="便民菜店", source_text="新建肉菜市场配套便民菜店")
    in_name = builders.target(report, code="B2", lead=dept_a, name="新建肉菜市场", source_text="新建市场10座")
    in_code = builders.target(report, code="肉菜", lead=dept_a, name="别的", source_text="别的句子")
    code_part = builders.target(report, code="肉菜2", lead=dept_a, name="别的二", source_text="别的句子二")
    assert in_text.order == in_name.order  # ties are broken by rank, not by the report's order
    client.force_login(official)
    assert found_codes(search_page(client, "肉菜")) == [in_code.code, code_part.code, in_name.code, in_text.code]


def test_code_search_ignores_case(client, official, report, dept_a):
    target = builders.target(report, code="A3.2.01", lead=dept_a)
    client.force_login(official)
    assert found_codes(search_page(client, "a3.2.01")) == [target.code]


def test_finds_a_glossary_term_by_its_term(client, official, report):
    term = GlossaryTerm.objects.create(report=report, term="一刻钟精品服务社区", definition="就是步行一刻钟的服务圈。")
    GlossaryTerm.objects.create(report=report, term="楼院长管理模式", definition="与社区精品服务无关的解释。")
    client.force_login(official)
    page = search_page(client, "精品服务社区")
    block = page[page.index('id="found-terms"') :]
    assert f'href="{reverse("glossary")}?report={term.report.code}#term-{term.pk}"' in block
    assert "楼院长管理模式" not in block


def test_finds_sections_tasks_and_projects(client, official, report, dept_a):
    section = Section.objects.create(
        report=report, code="3.4.3", title="加大社会救助力度", order=5, body="拓展养老服务内容。"
    )
    PracticalTask.objects.create(report=report, no=14, title="新建虚拟养老医疗服务站10个、虚拟养老餐厅10家。")
    PracticalTask.objects.create(report=report, no=12, title="新建肉菜市场10座、便民菜店50家。")
    Project.objects.create(report=report, code="P07", name="虚拟养老综合体", source_text="建设虚拟养老综合体")
    client.force_login(official)
    page = search_page(client, "养老")
    assert f"#s-{section.code.replace('.', '-')}" in page
    assert "#task-14" in page and "#task-12" not in page
    assert "P07" in page
    assert "“养老”：找到 3 条结果" in page


def test_reporter_finds_only_targets_they_may_see(client, reporter_b, target_a, target_b):
    client.force_login(reporter_b)
    assert found_codes(search_page(client, "新建")) == [target_b.code]
    assert 'id="found-targets"' not in search_page(client, target_a.code)


def test_the_query_is_escaped_and_kept_in_the_header(client, official, report):
    client.force_login(official)
    page = search_page(client, "<script>x</script>")
    assert "<script>x</script>" not in page
    assert 'value="&lt;script&gt;x&lt;/script&gt;"' in page
    assert "没有找到结果" in page


def test_an_empty_query_searches_nothing(client, official, target_a):
    client.force_login(official)
    page = search_page(client, "   ")
    assert "没有找到结果" not in page and 'id="found-targets"' not in page


def test_a_long_query_is_cut(report):
    assert len(selectors.clean_query("字" * 500)) == selectors.QUERY_MAX_LENGTH


@pytest.mark.parametrize("rows", [2, 20])
def test_search_query_count_does_not_grow(client, official, report, dept_a, django_assert_num_queries, rows):
    for n in range(rows):
        section = Section.objects.create(report=report, code=f"9.{n}", title=f"养老第{n}节", order=n, body="养老。")
        builders.target(report, code=f"Y{n}", lead=dept_a, section_obj=section, source_text="养老服务")
        PracticalTask.objects.create(report=report, no=n + 1, title="养老餐厅")
        Project.objects.create(report=report, code=f"P{n}", name="养老中心")
        GlossaryTerm.objects.create(report=report, term=f"养老{n}", definition="养老。", order=n)
    client.force_login(official)
    # session, user, the report, groups; the synonyms; targets, sections, tasks, projects, terms;
    # session renewal (3)
    with django_assert_num_queries(13):
        search_page(client, "养老")
