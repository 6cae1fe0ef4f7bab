"""The public page of the 20 practical tasks (政务公开): anonymous, read-only, approved progress
only, cached — and it shows nothing else."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import PracticalTask
from targets.choices import ReviewStatus, Status

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def task_with_history(report, dept_a, reporter_a, supervisor):
    """Task 12 measured by one target: an approved entry with a note and evidence, then a pending
    entry with a higher figure; and a target of no task beside it."""
    market = builders.target(report, code="A1.3.01", lead=dept_a, name="新建肉菜市场", unit="座")
    task = PracticalTask.objects.create(report=report, no=12, title="新建肉菜市场10座、便民菜店50家。")
    task.targets.add(market)
    builders.entry(
        market,
        "2026-06-30",
        3,
        user=reporter_a,
        note="内部说明：资金缺口两千万",
        evidence=SimpleUploadedFile("secret-evidence-scan.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    builders.entry(market, "2026-10-31", 7, user=supervisor, status=ReviewStatus.SUBMITTED, note="待审核的说明")
    builders.target(report, code="A9.9.09", lead=dept_a, name="不应公开的内部目标", source_text="内部目标")
    return task, market


def public_page(client):
    response = client.get(reverse("public"))
    assert response.status_code == 200
    return response


def test_anonymous_sees_the_tasks_with_approved_progress(client, task_with_history):
    task, market = task_with_history
    page = public_page(client).content.decode()
    approved = builders.standing(market, include_pending=False)
    assert task.title in page and market.name in page
    assert "3 座" in page
    assert f"status-{approved.status}" in page and str(Status(approved.status).label) in page
    assert "2026-06-30" in page  # the last approved update


def test_the_page_leaks_nothing_else(client, task_with_history, reporter_a, supervisor):
    _task, market = task_with_history
    page = public_page(client).content.decode()
    pending = builders.standing(market, include_pending=True)
    assert pending.latest_value == 7
    for secret in (
        "7 座",  # the pending figure
        "2026-10-31",  # the pending entry's date
        "内部说明",  # notes
        "待审核",
        "secret-evidence",  # evidence files
        "/media/",
        reporter_a.username,  # staff names
        supervisor.username,
        "不应公开的内部目标",  # targets of no practical task
        "A9.9.09",
        "/targets/",  # links into the staff pages
        "csrfmiddlewaretoken",
        "退出",
    ):
        assert secret not in page, secret


def test_a_signed_in_visit_does_not_put_the_user_in_the_cached_page(client, official, task_with_history):
    client.force_login(official)
    assert official.username not in public_page(client).content.decode()
    client.logout()
    response = public_page(client)
    assert official.username not in response.content.decode()
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_the_page_is_cached(client, task_with_history, django_assert_num_queries):
    first = public_page(client)
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    with django_assert_num_queries(0):
        second = public_page(client)
    assert second.content == first.content


def test_the_page_is_off_when_the_setting_is_off(client, settings, task_with_history):
    public_page(client)  # a cached copy must not outlive the switch
    settings.REPORTGOV_PUBLIC_PAGE = False
    assert client.get(reverse("public")).status_code == 404


def test_a_task_without_targets_is_listed_without_figures(client, report):
    PracticalTask.objects.create(report=report, no=3, title="实施雁滩公园改造提升工程。")
    page = public_page(client).content.decode()
    assert "实施雁滩公园改造提升工程。" in page and "暂无量化指标" in page


def build_tasks(report, dept, reporter, count):
    PracticalTask.objects.all().delete()
    for no in range(1, count + 1):
        task = PracticalTask.objects.create(report=report, no=no, title=f"第{no}件实事")
        for n in range(2):
            target = builders.target(report, code=f"S{count}.{no}.{n}", lead=dept, name=f"实事{no}指标{n}")
            builders.entry(target, "2026-06-30", n + 1, user=reporter)
            task.targets.add(target)


def test_public_query_count_does_not_grow(client, report, dept_a, reporter_a, django_assert_num_queries):
    build_tasks(report, dept_a, reporter_a, 2)
    with django_assert_num_queries(3) as small:  # the report, the tasks, their targets
        public_page(client)
    cache.clear()
    build_tasks(report, dept_a, reporter_a, 20)
    with django_assert_num_queries(len(small.captured_queries)):
        public_page(client)


# ---- the signed-in list of practical tasks -----------------------------------------------------


def test_tasks_page_shows_pending_figures_on_request_and_only_visible_targets(
    client, reporter_b, official, task_with_history
):
    _task, market = task_with_history
    client.force_login(official)
    page = client.get(reverse("practical-tasks"), {"pending": "1"}).content.decode()
    assert "7 座" in page and market.code in page
    client.force_login(reporter_b)
    page = client.get(reverse("practical-tasks")).content.decode()
    assert market.code not in page and "没有您可查看的指标" in page
