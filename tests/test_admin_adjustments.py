"""调整 in Django admin (issue 22 item 5): an admin's change of a target's 目标值 or 完成期限 outside the
extension flow takes a reason, keeps the report's own value beside the new one, is recorded in the
change history, shows as “调整：原 8 → 9（理由，日期）” on the target page, the public page and in the
台账, and the figures judge against the new goal."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import PracticalTask
from targets import errors, history
from targets.admin_locking import EDITED_MEANWHILE
from targets.choices import Kind, Status
from targets.models import Target

from . import builders

TODAY = datetime.date(2026, 11, 27)
REASON = "新增一所学校纳入翻建计划"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the public page is cached
    yield
    cache.clear()


@pytest.fixture
def school(report, dept_a, admin_user):
    """实事 12: eight school buildings, as the report writes it, and eight reported done."""
    target = builders.target(
        report,
        code="A3.1.01",
        lead=dept_a,
        kind=Kind.PRACTICAL_TASK_METRIC,
        name="翻建中小学教学楼",
        unit="栋",
        target_value=8,
        source_text="翻建8所中小学教学楼",
    )
    PracticalTask.objects.create(report=report, no=12, title="翻建8所中小学教学楼。").targets.add(target)
    builders.entry(target, "2026-11-20", 8, user=admin_user)
    return target


def change_url(target):
    return reverse("admin:targets_target_change", args=[target.pk])


def _posted(form):
    """A form's fields as the browser posts them back unchanged."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def save_in_admin(client, target, **changes):
    """Open the target's change page as the admin does, change `changes` and save."""
    page = client.get(change_url(target))
    data = _posted(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data.update(_posted(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_posted(form))
    return client.post(change_url(target), {**data, **changes})


def updates_of(target):
    return [event for event in history.events_of(target) if event.pgh_label == history.UPDATE]


def test_changing_a_practical_task_target_without_a_reason_is_refused_and_changes_nothing(client, admin_user, school):
    client.force_login(admin_user)

    response = save_in_admin(client, school, target_value="9")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"] == [errors.ADJUSTMENT_NEEDS_REASON]
    assert str(errors.ADJUSTMENT_NEEDS_REASON) in response.content.decode()
    unchanged = Target.objects.get(pk=school.pk)
    assert (unchanged.target_value, unchanged.adjusted_target_value, unchanged.adjustment_reason) == (8, None, "")
    assert updates_of(school) == []


def test_changing_it_with_a_reason_keeps_the_report_value_and_records_the_adjustment(client, admin_user, school):
    client.force_login(admin_user)
    before = builders.standing(school)

    response = save_in_admin(client, school, target_value="9", reason=REASON)

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Target.objects.get(pk=school.pk)
    assert (saved.target_value, saved.adjusted_target_value) == (Decimal(8), Decimal(9))
    assert (saved.adjustment_reason, saved.adjusted_on, saved.adjusted_by) == (REASON, TODAY, admin_user)
    assert saved.deadline == saved.effective_deadline == datetime.date(2026, 12, 31)
    (event,) = updates_of(school)
    assert event.user == admin_user.pk
    assert event.pgh_diff["adjusted_target_value"] == [None, 9.0]
    assert event.pgh_diff["adjustment_reason"] == ["", REASON]
    assert "target_value" not in event.pgh_diff
    page = client.get(reverse("admin:targets_target_history", args=[school.pk])).content.decode()
    assert REASON in page
    # The one computation judges against 9 now: 8 of 9 is no longer done.
    after = builders.standing(school)
    assert (before.percent_complete, before.status) == (100.0, Status.DONE)
    assert after.percent_complete == 88.9 and after.status != Status.DONE


def test_the_target_page_shows_the_adjustment_beside_the_original(client, admin_user, school):
    client.force_login(admin_user)
    save_in_admin(client, school, target_value="9", reason=REASON)

    page = client.get(reverse("target-detail", args=[school.report.code, school.code])).content.decode()

    assert f"调整：原 8 栋 → 9 栋（{REASON}，2026-11-27）" in page
    assert "翻建8所中小学教学楼" in page  # the report's text, as written


def test_the_public_page_shows_the_adjustment_with_no_more_queries(
    client, admin_user, school, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as plain:
        assert "调整：" not in client.get(reverse("public")).content.decode()
    queries = len(plain)  # now: every request resets the connection's log
    client.force_login(admin_user)
    save_in_admin(client, school, target_value="9", reason=REASON)
    client.logout()
    cache.clear()

    with django_assert_num_queries(queries):
        page = client.get(reverse("public")).content.decode()

    assert f"调整：原 8 栋 → 9 栋（{REASON}，2026-11-27）" in page


def test_the_workbook_shows_the_original_the_adjusted_value_and_the_reason(client, admin_user, school):
    client.force_login(admin_user)
    save_in_admin(client, school, target_value="9", reason=REASON)

    response = client.get(reverse("ledger-xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    values = list(book["实事"].iter_rows(values_only=True))
    (row,) = [dict(zip(values[0], line, strict=True)) for line in values[1:]]
    assert (row["目标值"], row["调整后目标值"]) == (8, 9)
    assert (row["调整理由"], row["调整日期"].date()) == (REASON, TODAY)
    assert row["完成进度"] == 88.9


def test_a_deadline_change_without_a_reason_is_refused(client, admin_user, school):
    client.force_login(admin_user)

    response = save_in_admin(client, school, deadline="2027-03-31")

    assert response.context["adminform"].form.errors["reason"] == [errors.ADJUSTMENT_NEEDS_REASON]
    assert Target.objects.get(pk=school.pk).adjusted_deadline is None


def test_a_deadline_change_with_a_reason_is_an_adjusted_deadline(client, admin_user, school):
    client.force_login(admin_user)

    response = save_in_admin(client, school, deadline="2027-03-31", reason=REASON)

    assert response.status_code == 302
    saved = builders.standing(school)
    assert (saved.deadline, saved.adjusted_deadline) == (datetime.date(2026, 12, 31), datetime.date(2027, 3, 31))
    assert saved.adjusted_target_value is None
    page = client.get(reverse("target-detail", args=[school.report.code, school.code])).content.decode()
    assert f"调整：完成期限 原 2026-12-31 → 2027-03-31（{REASON}，2026-11-27）" in page


def test_an_adjusted_deadline_before_the_start_is_a_form_error(client, admin_user, school):
    client.force_login(admin_user)

    response = save_in_admin(client, school, deadline="2025-06-30", reason=REASON)

    assert response.status_code == 200
    assert "调整后完成期限不能早于起始日期。" in response.content.decode()
    assert Target.objects.get(pk=school.pk).adjusted_deadline is None


def test_the_form_shows_the_goal_in_force_and_going_back_to_the_report_ends_the_adjustment(client, admin_user, school):
    client.force_login(admin_user)
    save_in_admin(client, school, target_value="9", reason=REASON)
    form = client.get(change_url(school)).context["adminform"].form
    assert form.initial["target_value"] == 9

    response = save_in_admin(client, school, target_value="8", reason="误调，恢复报告原值")

    assert response.status_code == 302
    saved = Target.objects.get(pk=school.pk)
    assert (saved.target_value, saved.adjusted_target_value, saved.adjustment_reason) == (8, None, "误调，恢复报告原值")
    assert [event.pgh_diff["adjusted_target_value"] for event in updates_of(school)] == [
        [9.0, None],
        [None, 9.0],
    ]
    assert "调整：" not in client.get(reverse("public")).content.decode()


def test_clearing_the_target_value_is_refused(client, admin_user, school):
    client.force_login(admin_user)

    response = save_in_admin(client, school, target_value="", reason=REASON)

    assert response.context["adminform"].form.errors["target_value"] == [errors.ADJUSTED_VALUE_REQUIRED]
    assert Target.objects.get(pk=school.pk).adjusted_target_value is None


def test_a_growth_rate_or_upper_bound_change_is_refused(client, admin_user, school):
    client.force_login(admin_user)

    response = save_in_admin(client, school, growth_rate_target="5", target_value_max="10", reason=REASON)

    form_errors = response.context["adminform"].form.errors
    assert form_errors["growth_rate_target"] == form_errors["target_value_max"] == [errors.GOAL_NOT_ADJUSTABLE]
    saved = Target.objects.get(pk=school.pk)
    assert (saved.growth_rate_target, saved.target_value_max) == (None, None)


def test_an_edit_that_leaves_the_goal_alone_needs_no_reason_and_adjusts_nothing(client, admin_user, school):
    client.force_login(admin_user)

    response = save_in_admin(client, school, name="翻建中小学教学楼（含食堂）")

    assert response.status_code == 302
    saved = Target.objects.get(pk=school.pk)
    assert saved.name == "翻建中小学教学楼（含食堂）"
    assert (saved.is_adjusted, saved.adjustment_reason, saved.adjusted_on) == (False, "", None)


def bulk_deadline(client, targets, **fields):
    url = reverse("admin:targets_target_changelist")
    data = {"action": "set_deadline", "_selected_action": [t.pk for t in targets], "index": 0}
    return client.post(url, {**data, "apply": "1", **fields})


def test_the_bulk_deadline_needs_a_reason(client, admin_user, school):
    client.force_login(admin_user)

    response = bulk_deadline(client, [school], deadline="2027-03-31")

    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert Target.objects.get(pk=school.pk).adjusted_deadline is None


def test_the_bulk_deadline_with_a_reason_adjusts_each_target(client, admin_user, report, dept_a, school):
    other = builders.target(report, code="A3.1.02", lead=dept_a, deadline=datetime.date(2027, 3, 31))
    client.force_login(admin_user)

    response = bulk_deadline(client, [school, other], deadline="2027-03-31", reason=REASON)

    assert response.status_code == 302
    saved = {t.code: t for t in Target.objects.all()}
    assert (saved["A3.1.01"].deadline, saved["A3.1.01"].adjusted_deadline) == (
        datetime.date(2026, 12, 31),
        datetime.date(2027, 3, 31),
    )
    # Already the report's own deadline: nothing adjusted, the reason recorded with the admin.
    assert (saved["A3.1.02"].adjusted_deadline, saved["A3.1.02"].adjusted_by) == (None, admin_user)
    assert {t.adjustment_reason for t in saved.values()} == {REASON}


def test_the_database_refuses_an_adjustment_without_its_reason(school):
    with pytest.raises(IntegrityError, match="target_adjustment_has_reason"), transaction.atomic():
        Target.objects.filter(pk=school.pk).update(adjusted_on=TODAY)


def test_the_database_accepts_an_adjustment_with_its_reason_and_day(school):
    Target.objects.filter(pk=school.pk).update(adjusted_on=TODAY, adjustment_reason=REASON)
    assert Target.objects.get(pk=school.pk).adjustment_reason == REASON


def test_a_form_opened_before_an_adjustment_cannot_undo_it(client, admin_user, school):
    client.force_login(admin_user)
    stale = client.get(change_url(school))
    save_in_admin(client, school, target_value="9", reason=REASON)
    data = _posted(stale.context["adminform"].form)
    for inline in stale.context["inline_admin_formsets"]:
        data.update(_posted(inline.formset.management_form))

    response = client.post(change_url(school), {**data, "target_value": "8", "reason": "恢复"})

    assert response.status_code == 200 and str(EDITED_MEANWHILE) in response.content.decode()
    assert Target.objects.get(pk=school.pk).adjusted_target_value == 9
