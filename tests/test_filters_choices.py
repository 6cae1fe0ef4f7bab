"""我的目标's filters offer the user's own sections and departments, those of the targets they see, and
"全部" as the choice of every value (not django-filter's "---------")."""

import re

import pytest
from django.urls import reverse

from targets import roles

from . import builders


def options(response, name):
    """The (value, label) options of the filter bar's <select name=…>, in order."""
    html = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def listed_codes(response):
    return [row.record.code for row in response.context["table"].page.object_list]


@pytest.fixture
def ledger(report, dept_a, dept_b):
    """Department A leads a target in 3.1.1 (under part 三) with 统计局's support; department B leads one in 4.1.1."""
    part = builders.section(report, code="3", title="三、民生")
    area = builders.section(report, code="3.1.1", title="教育", parent=part)
    other = builders.section(report, code="4.1.1", title="生态")
    stats = builders.department("tjj", "统计局")
    builders.department("unused", "没有目标的单位")
    own = builders.target(report, code="A1", lead=dept_a, co=[stats], section_obj=area)
    theirs = builders.target(report, code="B1", lead=dept_b, section_obj=other)
    return {"part": part, "area": area, "other": other, "stats": stats, "own": own, "theirs": theirs}


def test_a_reporter_is_offered_only_the_departments_and_sections_of_their_targets(client, reporter_a, ledger):
    client.force_login(reporter_a)
    response = client.get(reverse("target-list"))
    assert [label for _value, label in options(response, "department")] == ["全部", "发展和改革局", "统计局"]
    assert [label for _value, label in options(response, "section")] == ["全部", "3 三、民生", "3.1.1 教育"]


def test_a_supervisor_is_offered_every_department_and_section_with_a_target(client, supervisor, ledger):
    client.force_login(supervisor)
    response = client.get(reverse("target-list"))
    assert [label for _value, label in options(response, "department")] == ["全部", "发展和改革局", "教育局", "统计局"]
    sections = ["全部", "3 三、民生", "3.1.1 教育", "4.1.1 生态"]
    assert [label for _value, label in options(response, "section")] == sections


def test_every_choice_filter_starts_with_all_not_dashes(client, reporter_a, ledger):
    client.force_login(reporter_a)
    response = client.get(reverse("target-list"))
    for name in ("section", "kind", "status", "department"):
        assert options(response, name)[0] == ("", "全部"), name
    assert "---------" not in response.content.decode()


def test_choosing_all_lists_every_target_the_user_sees(client, supervisor, ledger):
    client.force_login(supervisor)
    response = client.get(reverse("target-list"), {"department": "", "section": "", "status": "", "kind": ""})
    assert listed_codes(response) == ["A1", "B1"]


def test_an_offered_department_and_part_filter_the_list(client, reporter_a, ledger):
    client.force_login(reporter_a)
    assert listed_codes(client.get(reverse("target-list"), {"department": ledger["stats"].pk})) == ["A1"]
    assert listed_codes(client.get(reverse("target-list"), {"section": ledger["part"].pk})) == ["A1"]


def test_a_department_not_offered_to_a_reporter_lists_nothing(client, reporter_a, dept_b, ledger):
    client.force_login(reporter_a)
    response = client.get(reverse("target-list"), {"department": dept_b.pk})
    assert response.status_code == 200
    assert listed_codes(response) == []
    assert response.context["filter"].form.errors["department"]


def test_a_reporter_of_a_department_without_targets_is_offered_only_all(client, report, ledger):
    lonely = builders.person("reporter-lonely", roles.REPORTER, builders.department("lonely", "孤单局"))
    client.force_login(lonely)
    response = client.get(reverse("target-list"))
    assert options(response, "department") == [("", "全部")]
    assert options(response, "section") == [("", "全部")]


def rendered_options(html, name):
    """(value, label, selected) of each option of <select name=…> in `html`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        (value, label, " selected" in attrs)
        for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    ]


def test_the_filter_bar_renders_each_choice_as_djangos_select_widget_does(client, supervisor, ledger):
    """templates/targets/filter_select.html writes the <select>s itself (for speed): the same options,
    labels and chosen value as Django's own widget, with a choice made and without."""
    client.force_login(supervisor)
    for query in (
        {},
        {"section": ledger["area"].pk, "status": "no_data", "kind": "annual_task", "department": ledger["stats"].pk},
    ):
        response = client.get(reverse("target-list"), query)
        assert response.status_code == 200
        form = response.context["filter"].form
        page = response.content.decode()
        selects = [field for field in form if field.widget_type == "select"]
        assert [field.name for field in selects] == ["section", "kind", "status", "department"]
        for field in selects:
            ours = rendered_options(page, field.html_name)
            assert ours == rendered_options(str(field.as_widget()), field.html_name)
            chosen = [value for value, _, selected in ours if selected]
            assert len(ours) > 1 and chosen == [str(query.get(field.name, ""))]
