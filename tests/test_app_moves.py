"""Models moved between apps keep their rows: 延期/调整申请 moved from targets to supervision (targets'
0017, supervision's 0004) with the requests, their history, their ids and their content type."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from supervision.models import ExtensionRequest
from targets.choices import ExtensionStatus

from .committed import _restore_migrated_contents, committed_db  # noqa: F401  (fixtures)

MOVE = [("targets", "0017_extension_requests_to_supervision"), ("supervision", "0004_extension_requests")]


def before_the_move(executor):
    """The migrations just before each app's side of the move."""
    return [
        next(parent.key for parent in executor.loader.graph.node_map[node].parents if parent.key[0] == node[0])
        for node in MOVE
    ]


def history_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pgh_label, id, status FROM {table} ORDER BY pgh_id")
        return cursor.fetchall()


@pytest.mark.usefixtures("committed_db")
def test_extension_requests_and_their_history_survive_the_move_to_supervision():
    executor = MigrationExecutor(connection)
    before = before_the_move(executor)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("auth", "User").objects.create(username="reporter-old")
    government = old.get_model("targets", "Government").objects.create(code="old-gov", name="旧区人民政府")
    report = old.get_model("targets", "Report").objects.create(
        code="old",
        government=government,
        title="旧报告",
        year=2026,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        state="active",
    )
    department = old.get_model("targets", "Department").objects.create(
        code="fgw-old", government=government, name="发展和改革局"
    )
    section = old.get_model("targets", "Section").objects.create(report=report, code="3", title="三")
    target = old.get_model("targets", "Target").objects.create(
        report=report,
        code="A1",
        section=section,
        name="新建学校",
        unit="所",
        kind="annual_task",
        direction="at_least",
        target_value=10,
        period_start=datetime.date(2026, 1, 1),
        deadline=datetime.date(2026, 12, 31),
        lead_department=department,
        source_text="新建学校10所",
    )
    asked = old.get_model("targets", "ExtensionRequest").objects.create(
        target=target,
        requested_deadline=datetime.date(2027, 3, 31),
        requested_target_value=Decimal("8.5000"),
        reason="资金下达延迟",
        requested_by=user,
    )
    content_type = ContentType.objects.get(app_label="targets", model="extensionrequest")
    assert history_rows("targets_extensionrequestevent") == [("insert", asked.pk, ExtensionStatus.PENDING)]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    moved = ExtensionRequest.objects.select_related("target", "requested_by").get(pk=asked.pk)
    assert (moved.target.code, moved.requested_by.username) == ("A1", "reporter-old")
    assert (moved.requested_deadline, moved.requested_target_value) == (datetime.date(2027, 3, 31), Decimal("8.5"))
    assert (moved.reason, moved.status, moved.requested_at) == (
        "资金下达延迟",
        ExtensionStatus.PENDING,
        asked.requested_at,
    )
    assert ContentType.objects.get_for_model(ExtensionRequest).pk == content_type.pk
    # The history kept its rows and records the moved table from now on; new rows take new ids.
    moved.status, moved.decided_by_id, moved.decided_at = ExtensionStatus.REJECTED, user.pk, moved.requested_at
    moved.save()
    later = ExtensionRequest.objects.create(
        target=moved.target, requested_deadline=datetime.date(2027, 6, 30), reason="再次申请", requested_by_id=user.pk
    )
    assert later.pk > moved.pk
    assert history_rows("supervision_extensionrequestevent") == [
        ("insert", asked.pk, ExtensionStatus.PENDING),
        ("update", asked.pk, ExtensionStatus.REJECTED),
        ("insert", later.pk, ExtensionStatus.PENDING),
    ]
    assert [event.pgh_obj_id for event in moved.events.order_by("pgh_id")] == [asked.pk, asked.pk]
