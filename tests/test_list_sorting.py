"""我的目标 sorts by the figures the registry marks sortable (完成%, 状态, 差距, 最近填报) in the order
with_progress computes, both ways, reading as many queries as the list sorted by 编号; and it shows
the total of the filtered list (共 N 项)."""

import datetime

import lxml.html
import pytest
from django.urls import reverse

from targets import columns
from targets.choices import Status
from targets.models import Target

from . import builders

TODAY = datetime.date(2026, 11, 27)
SORTABLE = [figure.key for figure in columns.FIGURES if figure.orderable]


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def listed(report, dept_a, reporter_a):
    for n, (value, on) in enumerate(
        [(2, "2026-11-01"), (9, "2026-10-15"), (None, None), (5, "2026-11-20"), (10, "2026-09-30")]
    ):
        target = builders.target(report, code=f"L{n}", lead=dept_a, target_value=10)
        if value is not None:
            builders.entry(target, on, value, user=reporter_a)
    return report


def codes(client, params):
    response = client.get(reverse("target-list"), params)
    assert response.status_code == 200
    document = lxml.html.fromstring(response.content.decode())
    return [
        tr.xpath("./td")[0].text_content().strip()
        for tr in document.xpath("//table[contains(@class, 'ledger')]/tbody/tr")
    ]


def expected(key):
    """The codes in the order of the figure as with_progress computes it, then 编号, an absent figure
    last (PostgreSQL's ascending order; descending is its exact reverse)."""
    targets = Target.objects.with_progress(as_of=TODAY)
    present = sorted((t for t in targets if getattr(t, key) is not None), key=lambda t: (getattr(t, key), t.code))
    return [t.code for t in present] + sorted(t.code for t in targets if getattr(t, key) is None)


def test_the_sortable_figures_are_the_ones_issue_21_asks_for():
    assert set(SORTABLE) == {"percent_complete", "status", "gap", "latest_reported_on"}


@pytest.mark.parametrize("key", SORTABLE)
def test_the_list_sorts_by_each_sortable_figure_both_ways(client, official, listed, key):
    client.force_login(official)
    assert codes(client, {"sort": key}) == expected(key)
    assert codes(client, {"sort": f"-{key}"}) == expected(key)[::-1]


@pytest.mark.parametrize("key", SORTABLE)
def test_sorting_by_a_figure_reads_as_many_queries_as_sorting_by_code(
    client, official, listed, key, django_assert_num_queries
):
    client.force_login(official)
    client.get(reverse("target-list"))
    # An official: no 待办 or 退回 (tests/test_target_pages.py pins a reporter's).
    with django_assert_num_queries(10) as by_code:
        client.get(reverse("target-list"), {"sort": "code"})
    with django_assert_num_queries(len(by_code.captured_queries)):
        client.get(reverse("target-list"), {"sort": f"-{key}"})


def test_the_list_shows_the_total_of_its_filtered_targets(client, official, listed):
    client.force_login(official)
    page = client.get(reverse("target-list"), {"per_page": 2}).content.decode()
    assert "共 5 项" in page
    behind = Target.objects.with_progress(as_of=TODAY).filter(status=Status.FAR_BEHIND).count()
    assert behind
    assert f"共 {behind} 项" in client.get(reverse("target-list"), {"status": Status.FAR_BEHIND}).content.decode()
