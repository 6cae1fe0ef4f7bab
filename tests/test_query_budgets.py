"""Query budgets that stay the same when the data grows tenfold (issue 9), for the pages the other
modules do not pin yet: the ledger API and the target page's older history. The dashboard, 我的目标,
the target page and the admin changelists are pinned beside their own tests."""

import datetime

import pytest
from django.urls import reverse

from ledger.models import ApiToken
from projects.models import PracticalTask, Project
from targets.models import Checkpoint, GlossaryTerm

from . import builders

TODAY = datetime.date(2026, 11, 27)
# The ledger API (GET /api/v1/ledger) with a token: the token with its user, the report, the user's
# groups; the targets with their standing and their co-units, practical tasks and projects; the
# sections, the departments, the practical tasks and the projects (each with its targets), and the
# glossary.
LEDGER_API = 14
# The same in the browser, for a reporter: the session and its user instead of the token, and the
# reporter's department (the session is saved only when its idle timeout is renewed, once a minute).
LEDGER_API_SESSION = 16
# An older page of a target's history: the session, its user, the report, the groups, the target
# with its standing, its co-units and checkpoints, the page of entries, the chart's values and its
# 序时 path, the glossary, and whether the user may record.
TARGET_HISTORY_PAGE = 11


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def grow(report, departments, reporter, count, entries_each):
    """`count` targets, each with a co-unit, a practical task, a project, a checkpoint, a glossary
    term of its own and `entries_each` monthly entries."""
    for index in range(count):
        target = builders.target(report, lead=departments[index % 2], co=departments[:1])
        task = PracticalTask.objects.get_or_create(report=report, no=index % 20 + 1, defaults={"title": "实事"})[0]
        task.targets.add(target)
        project = Project.objects.get_or_create(report=report, code=f"P{index % 7}", defaults={"name": "项目"})[0]
        project.targets.add(target)
        Checkpoint.objects.create(target=target, due_on=datetime.date(2026, 6, 30), planned_value=5)
        GlossaryTerm.objects.create(report=report, term=f"名词{target.code}", definition="解释", order=index)
        for month in range(1, entries_each + 1):
            builders.entry(target, datetime.date(2026, month, 28), month, user=reporter, refresh=False)
        builders.refresh_latest(target_ids=[target.pk])


def test_ledger_api_reads_the_same_number_of_queries_at_ten_times_the_data(
    client, official, report, dept_a, dept_b, reporter_a, django_assert_num_queries
):
    secret = ApiToken.objects.issue(user=official)[1]
    grow(report, [dept_a, dept_b], reporter_a, 3, 2)
    client.get(reverse("api-ledger"), HTTP_AUTHORIZATION=f"Token {secret}")
    with django_assert_num_queries(LEDGER_API):
        small = client.get(reverse("api-ledger"), HTTP_AUTHORIZATION=f"Token {secret}").json()
    grow(report, [dept_a, dept_b], reporter_a, 30, 10)
    with django_assert_num_queries(LEDGER_API):
        large = client.get(reverse("api-ledger"), {"as_of": "2026-08-01"}, HTTP_AUTHORIZATION=f"Token {secret}").json()
    assert (len(small["targets"]), len(large["targets"])) == (3, 33)


def test_ledger_api_in_the_browser_reads_the_same_number_of_queries_at_ten_times_the_data(
    client, reporter_a, report, dept_a, dept_b, django_assert_num_queries
):
    client.force_login(reporter_a)
    grow(report, [dept_a, dept_b], reporter_a, 3, 2)
    client.get(reverse("api-ledger"))
    with django_assert_num_queries(LEDGER_API_SESSION):
        client.get(reverse("api-ledger"))
    grow(report, [dept_a, dept_b], reporter_a, 30, 10)
    with django_assert_num_queries(LEDGER_API_SESSION):
        assert client.get(reverse("api-ledger"), {"pending": "1"}).status_code == 200


def test_an_older_page_of_history_reads_the_same_number_of_queries_at_ten_times_the_history(
    client, official, report, dept_a, reporter_a, django_assert_num_queries
):
    client.force_login(official)
    target = builders.target(report, code="H1", lead=dept_a)
    for day in range(1, 29):
        builders.entry(target, datetime.date(2026, 1, day), day, user=reporter_a, refresh=False)
    builders.refresh_latest(target_ids=[target.pk])
    url = reverse("target-detail", args=[report.code, target.code])
    client.get(url, {"history_page": 2})
    with django_assert_num_queries(TARGET_HISTORY_PAGE):
        small = client.get(url, {"history_page": 2}).content.decode()
    for month in range(2, 12):
        for day in range(1, 29):
            builders.entry(target, datetime.date(2026, month, day), month * 100 + day, user=reporter_a, refresh=False)
    builders.refresh_latest(target_ids=[target.pk])
    with django_assert_num_queries(TARGET_HISTORY_PAGE):
        large = client.get(url, {"history_page": 2}).content.decode()
    assert "较新的记录" in small and "较早的记录" not in small  # 28 entries: the second page is the last
    assert "较新的记录" in large and "较早的记录" in large
