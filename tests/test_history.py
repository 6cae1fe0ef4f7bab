"""变更记录: every write path leaves a record with the right user and the values before and after, and
nobody can change or delete a record through the app (nor, for that matter, in the database)."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from targets import history, roles
from targets.history import ChangeEvent
from targets.models import ProgressEntry, Target

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def events(obj, label=None, *, references=False):
    found = list(history.events_of(obj, references=references))
    return [e for e in found if label is None or e.pgh_label == label]


def latest(obj, label, *, model=None):
    found = [e for e in events(obj, label, references=model is not None) if model is None or e.pgh_model == model]
    assert found, f"no {label} event"
    return found[0]


def test_a_form_post_records_the_entry_with_the_reporter_and_the_request(client, reporter_a, target_a):
    client.force_login(reporter_a)
    url = reverse("record-progress", args=[target_a.report.code, target_a.code])

    response = client.post(url, {"reported_on": "2026-06-30", "value": "3", "note": "半年"}, HTTP_X_REQUEST_ID="req-42")

    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    event = latest(entry, history.INSERT)
    assert (event.user, event.username, event.method, event.url) == (reporter_a.pk, "reporter-a", "POST", url)
    assert event.request_id  # ours, or the one the request-id middleware assigned
    assert event.pgh_data["value"] == 3 and event.pgh_data["note"] == "半年"


def test_an_api_post_records_the_tokens_user(client, reporter_a, target_a):
    import json

    from ledger.models import ApiToken

    secret = ApiToken.objects.issue(user=reporter_a)[1]
    response = client.post(
        reverse("api-record-progress", args=[target_a.code]),
        data=json.dumps({"reported_on": "2026-06-30", "value": "2"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {secret}",
    )

    assert response.status_code in (200, 201), response.content
    event = latest(ProgressEntry.objects.get(), history.INSERT)
    assert (event.user, event.username, event.method) == (reporter_a.pk, "reporter-a", "POST")


def test_an_admin_save_records_the_diff_and_the_admin(client, admin_user, report, target_a, dept_b):
    client.force_login(admin_user)
    url = reverse("admin:targets_target_change", args=[target_a.pk])
    data = {
        "report": report.pk,
        "code": target_a.code,
        "name": "新建肉菜市场（调整）",
        "section": target_a.section_id,
        "kind": target_a.kind,
        "order": 0,
        "direction": target_a.direction,
        "measure": target_a.measure,
        "unit": target_a.unit,
        "target_value": "10",
        "period_start": "2026-01-01",
        "deadline": "2026-12-31",
        "lead_department": dept_b.pk,
        "source_text": target_a.source_text,
        "checkpoints-TOTAL_FORMS": "0",
        "checkpoints-INITIAL_FORMS": "0",
        "checkpoints-MIN_NUM_FORMS": "0",
        "checkpoints-MAX_NUM_FORMS": "1000",
        "entries-TOTAL_FORMS": "0",
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "0",
    }

    # The row version and the goal the change page was rendered with, as the browser sends them back.
    initial = client.get(url).context["adminform"].form.initial
    data["_row_version"], data["goal_seen"] = initial["_row_version"], initial["goal_seen"]
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    event = latest(target_a, history.UPDATE)
    assert event.user == admin_user.pk and event.method == "POST"
    assert event.pgh_diff["name"] == ["新建肉菜市场", "新建肉菜市场（调整）"]
    assert event.pgh_diff["lead_department_id"] == [target_a.lead_department_id, dept_b.pk]
    page = client.get(reverse("admin:targets_target_history", args=[target_a.pk])).content.decode()
    assert "新建肉菜市场（调整）" in page and dept_b.name in page and "admin" in page


def test_a_bulk_action_records_each_target_with_the_admin(client, admin_user, report, dept_a, dept_b):
    targets = [builders.target(report, code=f"A{n}", lead=dept_a) for n in range(3)]
    client.force_login(admin_user)
    url = reverse("admin:targets_target_changelist")
    data = {"action": "assign_lead_department", "_selected_action": [t.pk for t in targets], "index": 0}

    client.post(url, {**data, "apply": "1", "lead_department": dept_b.pk})

    for target in targets:
        event = latest(target, history.UPDATE)
        assert event.user == admin_user.pk
        assert event.pgh_diff == {"lead_department_id": [dept_a.pk, dept_b.pk]}


def test_a_queryset_update_is_recorded_too(report, target_a):
    with history.command_context("shell"):
        Target.objects.filter(pk=target_a.pk).update(deadline=datetime.date(2026, 10, 31))

    event = latest(target_a, history.UPDATE)
    assert event.pgh_diff == {"deadline": ["2026-12-31", "2026-10-31"]}
    assert event.command == "shell"


def test_a_raw_update_without_any_context_is_still_recorded(report, target_a):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE targets_target SET name = %s WHERE id = %s", ["改名", target_a.pk])
    event = latest(target_a, history.UPDATE)
    assert event.pgh_diff == {"name": ["新建肉菜市场", "改名"]} and event.user is None


def workbook_with(target, value):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "年度任务"
    sheet.append(["编号", "填报日期", "本期累计完成值", "本期说明"])
    sheet.append([target.code, "2026-06-30", value, "导入"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_import_through_the_page_records_the_user_and_the_file(client, reporter_a, target_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(reporter_a)
    client.post(reverse("progress-import"), {"workbook": SimpleUploadedFile("三月.xlsx", workbook_with(target_a, 3))})
    client.post(reverse("progress-import-confirm"))

    event = latest(ProgressEntry.objects.get(), history.INSERT)
    assert event.user == reporter_a.pk and event.url == reverse("progress-import-confirm")
    assert event.pgh_context["import_file"] == "三月.xlsx"


def test_a_management_command_records_the_command_and_the_user(tmp_path, reporter_a, target_a):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(workbook_with(target_a, 4))

    call_command("import_progress", str(path), user=reporter_a.username, stdout=io.StringIO())

    event = latest(ProgressEntry.objects.get(), history.INSERT)
    assert (event.command, event.user, event.username) == ("import_progress", reporter_a.pk, "reporter-a")


def test_links_to_supporting_departments_are_recorded(report, target_a, dept_b):
    with history.command_context("shell"):
        target_a.co_departments.add(dept_b)
        target_a.co_departments.remove(dept_b)

    labels = [
        e.pgh_label for e in events(target_a, references=True) if e.pgh_model == "targets.TargetCoDepartmentEvent"
    ]
    assert labels == [history.LINK_REMOVE, history.LINK_ADD]


def test_a_delete_is_recorded_with_what_was_deleted(report, dept_a):
    target = builders.target(report, code="GONE", lead=dept_a)
    pk = target.pk
    target.delete()
    (event,) = [
        e
        for e in ChangeEvent.objects.filter(pgh_obj_model="targets.Target", pgh_obj_id=str(pk))
        if e.pgh_label == history.DELETE
    ]
    assert event.pgh_data["code"] == "GONE"


def test_history_rows_cannot_be_changed_or_deleted_even_in_sql(report, target_a):
    event_model = Target.pgh_event_models[history.UPDATE]
    Target.objects.filter(pk=target_a.pk).update(name="x")
    row = event_model.objects.get(pgh_obj=target_a, pgh_label=history.UPDATE)
    for statement in (
        f"UPDATE {event_model._meta.db_table} SET name = 'y'",
        f"DELETE FROM {event_model._meta.db_table}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert event_model.objects.get(pk=row.pk).name == "x"


def test_history_cannot_be_added_changed_or_deleted_in_admin(client, admin_user, target_a):
    Target.objects.filter(pk=target_a.pk).update(name="x")
    client.force_login(admin_user)
    event = latest(target_a, history.UPDATE)
    change = reverse("admin:targets_changeevent_change", args=[event.pk])
    delete = reverse("admin:targets_changeevent_delete", args=[event.pk])

    assert client.get(reverse("admin:targets_changeevent_add")).status_code == 403
    assert client.post(delete).status_code == 403
    assert client.post(change, {"pgh_label": "delete"}).status_code == 403
    listing = client.get(reverse("admin:targets_changeevent_changelist")).content.decode()
    assert "action-checkbox" not in listing  # no bulk delete either
    assert latest(target_a, history.UPDATE).pgh_label == history.UPDATE


@pytest.mark.parametrize(
    ("who", "sees"), [("supervisor", True), ("admin_user", True), ("official", False), ("reporter_a", False)]
)
def test_the_target_page_shows_the_history_to_supervisors_and_admins_only(client, request, target_a, who, sees):
    Target.objects.filter(pk=target_a.pk).update(name="改过的名称")
    client.force_login(request.getfixturevalue(who))

    page = client.get(reverse("target-detail", args=[target_a.report.code, target_a.code])).content.decode()

    assert ('id="change-history"' in page) is sees
    assert ('class="history-table"' in page) is sees
    assert roles.is_supervisor(request.getfixturevalue(who)) is sees
