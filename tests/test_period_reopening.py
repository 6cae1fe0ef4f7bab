"""Periods reopened for one department or for all, with a reason, recorded and shown; a period
reopened for one department takes entries on that department's targets only; 补报申请 are decided
by another supervisor, never by the one who asked."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from supervision import services as supervision_services
from supervision.models import ReopenRequest
from targets import errors, roles, services
from targets.choices import ExtensionStatus
from targets.models import ProgressEntry, ReportingPeriodLock
from targets.periods import Period

from . import builders

D = datetime.date
OCTOBER = Period(D(2026, 10, 1), D(2026, 10, 31))
OCTOBER_20 = D(2026, 10, 20)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: D(2026, 11, 27))


@pytest.fixture
def second_supervisor(db):
    return builders.person("supervisor-2", roles.SUPERVISOR)


def record(user, target, on=OCTOBER_20, value=5):
    return services.record_progress(user=user, target=target, reported_on=on, value=Decimal(value))


def closed_message(message=errors.PERIOD_CLOSED):
    return str(message % {"start": "2026-10-01", "end": "2026-10-31"})


def test_a_period_reopened_for_one_department_takes_only_that_departments_entries(
    report, supervisor, reporter_a, reporter_b, target_a, target_b, dept_a
):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    supervision_services.reopen_period(
        user=supervisor, report=report, period=OCTOBER, reason="发改局10月数据补报", department=dept_a
    )
    assert record(reporter_a, target_a).reported_on == D(2026, 10, 20)
    with pytest.raises(ValidationError) as raised:
        record(reporter_b, target_b)
    assert raised.value.message_dict == {"reported_on": [closed_message()]}
    with pytest.raises(ValidationError):  # a supervisor too: the period is open to A's targets only
        record(supervisor, target_b)
    assert list(ProgressEntry.objects.values_list("target__code", flat=True)) == [target_a.code]


def test_a_batch_follows_the_same_rule(report, supervisor, reporter_a, reporter_b, target_a, target_b, dept_a):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    supervision_services.reopen_period(user=supervisor, report=report, period=OCTOBER, reason="补报", department=dept_a)
    item = services.ProgressItem(target=target_b, reported_on=D(2026, 10, 20), value=Decimal(5), key="B")
    assert services.check_progress_batch(user=reporter_b, items=[item])["B"].message_dict == {
        "reported_on": [closed_message()]
    }
    item_a = services.ProgressItem(target=target_a, reported_on=D(2026, 10, 20), value=Decimal(5), key="A")
    assert services.check_progress_batch(user=reporter_a, items=[item_a]) == {}


def test_closing_again_after_a_department_reopening_closes_it_for_everyone(
    report, supervisor, reporter_a, target_a, dept_a
):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    supervision_services.reopen_period(user=supervisor, report=report, period=OCTOBER, reason="补报", department=dept_a)
    record(reporter_a, target_a)
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    with pytest.raises(ValidationError):
        record(reporter_a, target_a, value=6)


def test_a_period_reopened_for_all_takes_every_departments_entries(
    report, supervisor, reporter_a, reporter_b, target_a, target_b
):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    supervision_services.reopen_period(user=supervisor, report=report, period=OCTOBER, reason="全区补报")
    record(reporter_a, target_a)
    record(reporter_b, target_b)
    assert ProgressEntry.objects.count() == 2


def test_the_periods_page_reopens_for_one_department_and_shows_it(client, report, supervisor, dept_a, target_a):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    client.force_login(supervisor)
    page = client.get(reverse("supervision:periods")).content.decode()
    assert 'name="confirm"' in page and f'<option value="{dept_a.code}">' in page
    client.post(
        reverse("supervision:reopen-period"),
        {"period_start": "2026-10-01", "department": dept_a.code, "reason": "发改局补报10月"},
    )
    lock = ReportingPeriodLock.objects.get()
    assert (lock.reopened_for, lock.reopen_reason) == (dept_a, "发改局补报10月")
    page = client.get(reverse("supervision:periods")).content.decode()
    assert f"仅对{dept_a.name}重新开放" in page and f"对{dept_a.name}重新开放" in page and "发改局补报10月" in page


def test_an_unknown_department_is_refused_on_the_page(client, report, supervisor):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    client.force_login(supervisor)
    client.post(
        reverse("supervision:reopen-period"), {"period_start": "2026-10-01", "department": "nope", "reason": "x"}
    )
    assert ReportingPeriodLock.objects.get().is_closed


# --- 补报申请 and separation of duties -------------------------------------------------------------------


def test_a_reporter_asks_to_reopen_for_their_department_and_another_supervisor_decides(
    client, report, supervisor, second_supervisor, reporter_a, dept_a, target_a
):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    client.force_login(reporter_a)
    form = client.get(reverse("supervision:reopen-request-new")).content.decode()
    assert "2026年10月" in form and 'name="department"' not in form
    client.post(reverse("supervision:reopen-request-new"), {"period_start": "2026-10-01", "reason": "10月数据漏报"})
    asked = ReopenRequest.objects.get()
    assert (asked.department, asked.requested_by, asked.status) == (dept_a, reporter_a, ExtensionStatus.PENDING)
    client.force_login(supervisor)
    client.post(reverse("supervision:reopen-request-decide", args=[asked.pk]), {"decision": "approve"})
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by, asked.lock.reopened_for) == (ExtensionStatus.APPROVED, supervisor, dept_a)
    assert asked.lock.reopen_reason == "10月数据漏报"
    assert record(reporter_a, target_a).reported_on == D(2026, 10, 20)


def test_nobody_decides_a_reopening_they_asked_for(report, supervisor, second_supervisor, dept_b):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    asked = supervision_services.request_reopening(
        user=supervisor, report=report, period=OCTOBER, reason="代教育局申请", department=dept_b
    )
    with pytest.raises(PermissionDenied) as raised:
        supervision_services.decide_reopening(user=supervisor, request=asked, approve=True)
    assert str(raised.value) == str(errors.CANNOT_DECIDE_OWN_REQUEST)
    assert ReportingPeriodLock.objects.get().is_closed
    supervision_services.decide_reopening(user=second_supervisor, request=asked, approve=True)
    assert ReportingPeriodLock.objects.get().reopened_for == dept_b


def test_the_page_refuses_ones_own_reopening_with_a_message(client, report, supervisor, dept_b):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    asked = supervision_services.request_reopening(
        user=supervisor, report=report, period=OCTOBER, reason="代教育局申请", department=dept_b
    )
    client.force_login(supervisor)
    page = client.get(reverse("supervision:periods")).content.decode()
    assert "本人提出的申请，须由另一位督查或管理员审批。" in page
    response = client.post(
        reverse("supervision:reopen-request-decide", args=[asked.pk]), {"decision": "approve"}, follow=True
    )
    assert str(errors.CANNOT_DECIDE_OWN_REQUEST) in response.content.decode()
    assert ReopenRequest.objects.get().status == ExtensionStatus.PENDING


def test_a_reporter_asks_only_for_their_own_department(report, supervisor, reporter_a, dept_b):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    with pytest.raises(PermissionDenied):
        supervision_services.request_reopening(
            user=reporter_a, report=report, period=OCTOBER, reason="替别人申请", department=dept_b
        )
    assert not ReopenRequest.objects.exists()


def test_a_request_needs_a_closed_period_and_a_reason(report, supervisor, reporter_a):
    with pytest.raises(ValidationError) as raised:
        supervision_services.request_reopening(user=reporter_a, report=report, period=OCTOBER, reason="补报")
    assert raised.value.messages == [str(errors.REOPEN_PERIOD_NOT_CLOSED)]
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    with pytest.raises(ValidationError) as raised:
        supervision_services.request_reopening(user=reporter_a, report=report, period=OCTOBER, reason=" ")
    assert raised.value.message_dict == {"reason": [errors.EXTENSION_NEEDS_REASON]}
    assert supervision_services.request_reopening(user=reporter_a, report=report, period=OCTOBER, reason="补报")


def test_a_rejection_needs_a_comment_and_leaves_the_period_closed(report, supervisor, second_supervisor, reporter_a):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    asked = supervision_services.request_reopening(user=reporter_a, report=report, period=OCTOBER, reason="补报")
    with pytest.raises(ValidationError):
        supervision_services.decide_reopening(user=supervisor, request=asked, approve=False)
    supervision_services.decide_reopening(user=supervisor, request=asked, approve=False, comment="已过补报时限")
    assert ReopenRequest.objects.get().status == ExtensionStatus.REJECTED
    assert ReportingPeriodLock.objects.get().is_closed


def test_nobody_decides_an_extension_they_asked_for(client, supervisor, second_supervisor, target_a, reporter_a):
    extension = supervision_services.request_extension(
        user=supervisor, target=target_a, reason="调整", requested_target_value=Decimal(1)
    )
    with pytest.raises(PermissionDenied) as raised:
        supervision_services.decide_extension(user=supervisor, extension=extension, approve=True)
    assert str(raised.value) == str(errors.CANNOT_DECIDE_OWN_REQUEST)
    client.force_login(supervisor)
    page = client.get(reverse("supervision:extensions")).content.decode()
    assert "本人提出的申请，须由另一位督查或管理员审批。" in page
    response = client.post(
        reverse("supervision:extension-decide", args=[extension.pk]), {"decision": "approve"}, follow=True
    )
    assert str(errors.CANNOT_DECIDE_OWN_REQUEST) in response.content.decode()
    target_a.refresh_from_db()
    assert target_a.adjusted_target_value is None
    supervision_services.decide_extension(user=second_supervisor, extension=extension, approve=True)
    target_a.refresh_from_db()
    assert target_a.adjusted_target_value == Decimal(1)
