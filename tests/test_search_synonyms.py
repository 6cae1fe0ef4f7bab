"""Search understands the short names people type (GDP, 固投, 社零, CPI …) through SearchSynonym, a
table admins edit, seeded by targets/fixtures/search_synonyms.json; both 我的目标's search and the
header's search read it. An empty search shows what can be searched."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets.errors import SYNONYM_SAME_AS_TERM, SYNONYM_TAKEN
from targets.models import SearchSynonym

from . import builders


@pytest.fixture
def gdp_target(report, dept_a):
    return builders.target(
        report, code="A1.01", lead=dept_a, name="地区生产总值", unit="%", source_text="地区生产总值增长6%左右"
    )


@pytest.fixture
def seeded(db):
    call_command("loaddata", "search_synonyms", verbosity=0)


def search_page(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_the_seeded_synonyms_name_the_common_short_names_and_load_twice_unchanged(db):
    call_command("loaddata", "search_synonyms", verbosity=0)
    seeded = set(SearchSynonym.objects.values_list("term", "expands_to"))
    call_command("loaddata", "search_synonyms", verbosity=0)
    assert set(SearchSynonym.objects.values_list("term", "expands_to")) == seeded
    assert SearchSynonym.objects.count() == len(seeded)
    for pair in [
        ("GDP", "地区生产总值"),
        ("固投", "固定资产投资"),
        ("社零", "社会消费品零售总额"),
        ("CPI", "居民消费价格指数"),
        ("规上工业", "规模以上工业"),
        ("一般预算收入", "一般公共预算收入"),
        ("城镇居民收入", "城镇居民人均可支配收入"),
        ("农村居民收入", "农村居民人均可支配收入"),
    ]:
        assert pair in seeded


def test_make_run_loads_the_seeded_synonyms():
    assert "$(MANAGE) loaddata search_synonyms" in (Path(__file__).resolve().parent.parent / "Makefile").read_text()


def test_a_short_name_inside_a_query_is_written_out_whatever_its_case(seeded):
    assert SearchSynonym.objects.search_words("gdp增速")[:2] == ["gdp增速", "地区生产总值增速"]
    assert SearchSynonym.objects.search_words("规上工业增加值")[:2] == ["规上工业增加值", "规模以上工业增加值"]
    assert SearchSynonym.objects.search_words("养老") == ["养老"]


def test_my_targets_search_for_gdp_finds_the_regional_gdp_target(client, official, gdp_target, target_a, seeded):
    client.force_login(official)
    page = client.get(reverse("target-list"), {"q": "GDP"}).content.decode()
    assert gdp_target.name in page and target_a.name not in page


def test_the_header_search_for_gdp_finds_and_marks_the_regional_gdp_target(client, official, gdp_target, seeded):
    client.force_login(official)
    page = search_page(client, "GDP")
    assert f'<span class="code">{gdp_target.code}</span> <mark>地区生产总值</mark>' in page
    assert "同时搜索了：地区生产总值 / 生产总值" in page


def test_without_the_synonym_gdp_finds_nothing(client, official, gdp_target):
    client.force_login(official)
    assert 'id="found-targets"' not in search_page(client, "GDP")
    page = client.get(reverse("target-list"), {"q": "GDP"}).content.decode()
    assert gdp_target.name not in page


def test_a_synonym_an_admin_adds_is_searched_at_once(client, admin_user, official, report, dept_a):
    target = builders.target(report, code="B2.01", lead=dept_a, name="新增市场主体", source_text="新增市场主体1万户")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:targets_searchsynonym_add"), {"term": "商事主体", "expands_to": "市场主体"}, follow=True
    )
    assert response.status_code == 200
    assert SearchSynonym.objects.filter(term="商事主体", expands_to="市场主体").exists()
    client.force_login(official)
    assert f'<span class="code">{target.code}</span>' in search_page(client, "商事主体")
    assert target.name in client.get(reverse("target-list"), {"q": "商事主体"}).content.decode()


def test_admin_refuses_a_synonym_already_there_in_another_case(client, admin_user, db):
    SearchSynonym.objects.create(term="GDP", expands_to="地区生产总值")
    client.force_login(admin_user)
    response = client.post(reverse("admin:targets_searchsynonym_add"), {"term": "gdp", "expands_to": "地区生产总值"})
    assert response.status_code == 200
    assert str(SYNONYM_TAKEN) in response.content.decode()
    assert SearchSynonym.objects.count() == 1


def test_admin_refuses_a_synonym_that_expands_to_itself(client, admin_user, db):
    client.force_login(admin_user)
    response = client.post(reverse("admin:targets_searchsynonym_add"), {"term": "GDP", "expands_to": "gdp"})
    assert response.status_code == 200
    assert str(SYNONYM_SAME_AS_TERM) in response.content.decode()
    assert not SearchSynonym.objects.exists()


def test_an_empty_search_explains_what_can_be_searched_and_offers_the_short_names(client, official, report, seeded):
    client.force_login(official)
    page = search_page(client, "")
    assert "可以搜索什么" in page and "目标编号，如 A3.2.01" in page
    assert '<a href="?q=GDP">GDP</a> → 地区生产总值' in page
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "搜索 搜索 搜索" not in text
    assert "没有找到结果" not in page


def _queries(client, path, params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("rows", [2, 20])
def test_searching_my_targets_costs_one_query_for_the_synonyms_whatever_the_rows(
    client, official, report, dept_a, seeded, rows
):
    for n in range(rows):
        builders.target(report, code=f"G{n}", lead=dept_a, name=f"地区生产总值{n}")
    client.force_login(official)
    path = reverse("target-list")
    _queries(client, path, {})  # the session's first renewal out of the way
    plain = _queries(client, path, {"status": ""})
    assert _queries(client, path, {"q": "GDP"}) == plain + 1
    assert _queries(client, path, {"q": "GDP", "page": 1}) == plain + 1
