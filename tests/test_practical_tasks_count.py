"""为民兴办实事 (M10) is derived from the practical tasks' own standing: never typed, and the same
number on the dashboard's 实事 panel, the target's row and the API."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import PracticalTask
from targets import errors
from targets.choices import Derivation, Kind, Stage

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def tasks(report, dept_a, reporter_a):
    """Three tasks: one with both its targets reached, one with one of two, one qualitative and done."""
    m10 = builders.target(
        report, code="M10", kind=Kind.MAIN_INDICATOR, name="为民兴办实事", unit="件", target_value=Decimal(3),
        derivation=Derivation.PRACTICAL_TASKS_DONE, lead=dept_a,
    )  # fmt: skip
    markets = builders.target(report, code="S1.1", lead=dept_a, target_value=Decimal(10))
    shops = builders.target(report, code="S1.2", lead=dept_a, name="便民菜店", unit="家", target_value=Decimal(50))
    toilets = builders.target(report, code="S2.1", lead=dept_a, name="新建公厕", target_value=Decimal(30))
    heating = builders.target(report, code="S3.1", lead=dept_a, name="集中供热改造", unit="", direction="qualitative")
    builders.entry(markets, "2026-10-31", 10, user=reporter_a)
    builders.entry(shops, "2026-10-31", 52, user=reporter_a)
    builders.entry(toilets, "2026-10-31", 29, user=reporter_a)
    builders.entry(heating, "2026-10-31", None, stage=Stage.COMPLETED, user=reporter_a)
    for no, metrics in enumerate([(markets, shops), (toilets,), (heating,)], start=1):
        PracticalTask.objects.create(report=report, no=no, title=f"实事{no}").targets.set(metrics)
    return m10


def test_the_count_of_tasks_done_is_the_same_on_the_panel_the_row_and_the_api(client, official, tasks):
    client.force_login(official)
    board = client.get(reverse("dashboard")).context["board"]
    assert board.practical_tasks_done == 2
    row = tasks.__class__.objects.filter(pk=tasks.pk).with_progress().get()
    assert (row.latest_value, row.percent_complete, row.latest_reported_on) == (2, 66.7, TODAY)
    api = client.get(reverse("api-ledger")).json()
    m10 = next(t for t in api["targets"] if t["code"] == "M10")
    assert m10["latest_value"] in ("2", "2.0000", 2)


def test_a_derived_target_cannot_be_typed(client, reporter_a, tasks):
    client.force_login(reporter_a)
    response = client.post(
        reverse("record-progress", args=[tasks.report.code, tasks.code]), {"reported_on": "2026-11-27", "value": "19"}
    )
    assert response.status_code == 200
    message = errors.DERIVED_NOT_RECORDED % {"derivation": Derivation.PRACTICAL_TASKS_DONE.label}
    assert message in response.content.decode()
    assert not tasks.entries.exists()
