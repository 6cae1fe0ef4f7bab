"""Reporting periods (填报期): a closed period refuses entries dated inside it — a reporter's with a
message to ask the 督查室, a supervisor's until the period is reopened with a recorded reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from supervision import services as supervision_services
from targets import errors, services
from targets.models import ProgressEntry, ReportingPeriodLock
from targets.periods import Period, period_containing, periods_between

TODAY = datetime.date(2026, 11, 27)
D = datetime.date
OCTOBER = Period(D(2026, 10, 1), D(2026, 10, 31))
SEPTEMBER = Period(D(2026, 9, 1), D(2026, 9, 30))


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def record(user, target, on, value=5):
    return services.record_progress(user=user, target=target, reported_on=on, value=Decimal(value))


def closed_message(period, message=errors.PERIOD_CLOSED):
    return str(message % {"start": period.start.isoformat(), "end": period.end.isoformat()})


def test_periods_are_calendar_months_by_default():
    assert period_containing(D(2026, 2, 14)) == Period(D(2026, 2, 1), D(2026, 2, 28))
    assert period_containing(D(2026, 12, 31)) == Period(D(2026, 12, 1), D(2026, 12, 31))
    assert len(periods_between(D(2026, 1, 1), D(2026, 12, 31))) == 12


def test_quarters_when_configured(settings):
    settings.REPORTGOV_REPORTING_PERIOD_MONTHS = 3
    assert period_containing(D(2026, 11, 27)) == Period(D(2026, 10, 1), D(2026, 12, 31))
    assert period_containing(D(2026, 2, 1)) == Period(D(2026, 1, 1), D(2026, 3, 31))


def test_closed_period_refuses_a_reporters_entry(reporter_a, supervisor, target_a, report):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    with pytest.raises(ValidationError) as raised:
        record(reporter_a, target_a, D(2026, 10, 15))
    assert raised.value.message_dict == {"reported_on": [closed_message(OCTOBER)]}
    assert not ProgressEntry.objects.exists()
    record(reporter_a, target_a, D(2026, 11, 1))  # the open period still takes entries
    record(reporter_a, target_a, D(2026, 9, 30))


def test_supervisor_records_in_a_closed_period_only_after_reopening_it_with_a_reason(
    reporter_a, supervisor, target_a, report
):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    with pytest.raises(ValidationError) as raised:
        record(supervisor, target_a, D(2026, 10, 15))
    assert raised.value.message_dict == {"reported_on": [closed_message(OCTOBER, errors.PERIOD_CLOSED_REOPEN_FIRST)]}
    lock = supervision_services.reopen_period(
        user=supervisor, report=report, period=OCTOBER, reason="统计局10月数据延迟发布"
    )
    entry = record(supervisor, target_a, D(2026, 10, 15))
    assert entry.reported_on == D(2026, 10, 15)
    lock.refresh_from_db()
    assert (lock.reopened_by, lock.reopen_reason) == (supervisor, "统计局10月数据延迟发布")
    assert lock.reopened_at is not None and lock.closed_by == supervisor


def test_reopening_needs_a_reason(supervisor, report):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    with pytest.raises(ValidationError) as raised:
        supervision_services.reopen_period(user=supervisor, report=report, period=OCTOBER, reason=" ")
    assert raised.value.message_dict == {"reopen_reason": [errors.REOPEN_NEEDS_REASON]}
    assert ReportingPeriodLock.objects.get().is_closed


def test_only_an_ended_period_can_be_closed_and_only_once(supervisor, report):
    with pytest.raises(ValidationError) as raised:
        supervision_services.close_period(user=supervisor, report=report, period=period_containing(TODAY))
    assert raised.value.messages == [errors.PERIOD_NOT_ENDED]
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    with pytest.raises(ValidationError) as raised:
        supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    assert raised.value.messages == [errors.PERIOD_ALREADY_CLOSED]
    with pytest.raises(ValidationError) as raised:
        supervision_services.reopen_period(user=supervisor, report=report, period=SEPTEMBER, reason="无")
    assert raised.value.messages == [errors.PERIOD_NOT_CLOSED]


def test_closing_again_after_reopening_keeps_the_whole_record(supervisor, admin_user, report):
    first = supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    supervision_services.reopen_period(user=admin_user, report=report, period=OCTOBER, reason="补报")
    second = supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    assert list(ReportingPeriodLock.objects.order_by("closed_at", "id")) == [first, second]
    assert not ReportingPeriodLock.objects.get(pk=first.pk).is_closed
    assert ReportingPeriodLock.objects.get(pk=second.pk).is_closed


def test_reporters_and_officials_cannot_close_or_reopen(reporter_a, official, supervisor, report):
    for user in (reporter_a, official):
        with pytest.raises(PermissionDenied):
            supervision_services.close_period(user=user, report=report, period=OCTOBER)
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    for user in (reporter_a, official):
        with pytest.raises(PermissionDenied):
            supervision_services.reopen_period(user=user, report=report, period=OCTOBER, reason="想补报")


def test_one_closed_lock_per_period_in_the_database(supervisor, report):
    def lock(**fields):
        return ReportingPeriodLock.objects.create(
            report=report,
            period_start=OCTOBER.start,
            period_end=OCTOBER.end,
            closed_at=timezone.now(),
            closed_by=supervisor,
            **fields,
        )

    lock()
    with pytest.raises(IntegrityError), transaction.atomic():
        lock()
    lock(reopened_at=timezone.now(), reopened_by=supervisor, reopen_reason="补报")  # a reopened one may sit beside


def test_a_reopening_is_recorded_with_who_and_why_in_the_database(supervisor, report):
    fields = {
        "report": report,
        "period_start": OCTOBER.start,
        "period_end": OCTOBER.end,
        "closed_at": timezone.now(),
        "closed_by": supervisor,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriodLock.objects.create(**fields, reopened_at=timezone.now(), reopened_by=supervisor)
    ReportingPeriodLock.objects.create(
        **fields, reopened_at=timezone.now(), reopened_by=supervisor, reopen_reason="数据更正"
    )


def test_import_batch_refuses_rows_in_a_closed_period(reporter_a, supervisor, target_a, report):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    items = [
        services.ProgressItem(target=target_a, reported_on=D(2026, 10, 31), value=Decimal(3), key="row 2"),
        services.ProgressItem(target=target_a, reported_on=D(2026, 11, 20), value=Decimal(4), key="row 3"),
    ]
    problems = services.check_progress_batch(user=reporter_a, items=items)
    assert list(problems) == ["row 2"]
    assert problems["row 2"].message_dict == {"reported_on": [closed_message(OCTOBER)]}
    with pytest.raises(services.BatchInvalid):
        services.record_progress_batch(user=reporter_a, items=items)
    assert not ProgressEntry.objects.exists()


def test_the_form_shows_the_closed_period_message(client, reporter_a, supervisor, target_a, report):
    supervision_services.close_period(user=supervisor, report=report, period=OCTOBER)
    client.force_login(reporter_a)
    url = reverse("record-progress", args=[report.code, target_a.code])
    response = client.post(url, {"reported_on": "2026-10-20", "value": "5"})
    assert response.status_code == 200
    assert closed_message(OCTOBER) in response.content.decode()
    assert not ProgressEntry.objects.exists()


# --- The periods page -------------------------------------------------------------------------------


def test_supervisor_closes_and_reopens_through_the_page(client, supervisor, report):
    client.force_login(supervisor)
    page = client.get(reverse("supervision:periods")).content.decode()
    assert "2026年10月" in page and "2026年11月" in page and "2026年12月" not in page
    response = client.post(reverse("supervision:close-period"), {"period_start": "2026-10-01"}, follow=True)
    assert str(errors.CLOSE_NEEDS_CONFIRMATION) in response.content.decode()  # closing asks to confirm
    assert not ReportingPeriodLock.objects.exists()
    client.post(reverse("supervision:close-period"), {"period_start": "2026-10-01", "confirm": "1"})
    assert ReportingPeriodLock.objects.get().period_end == OCTOBER.end
    response = client.post(reverse("supervision:reopen-period"), {"period_start": "2026-10-01", "reason": ""})
    assert ReportingPeriodLock.objects.get().is_closed
    client.post(reverse("supervision:reopen-period"), {"period_start": "2026-10-15", "reason": "区统计局数据更正"})
    lock = ReportingPeriodLock.objects.get()
    assert not lock.is_closed and lock.reopen_reason == "区统计局数据更正"
    page = client.get(reverse("supervision:periods")).content.decode()
    assert "区统计局数据更正" in page
    assert response.status_code == 302


def test_periods_page_is_for_supervisors(client, reporter_a, official, report):
    for user in (reporter_a, official):
        client.force_login(user)
        assert client.get(reverse("supervision:periods")).status_code == 403
        close = {"period_start": "2026-10-01", "confirm": "1"}
        assert client.post(reverse("supervision:close-period"), close).status_code == 403
    assert not ReportingPeriodLock.objects.exists()


def test_closing_never_happens_on_get(client, supervisor, report):
    client.force_login(supervisor)
    assert client.get(reverse("supervision:close-period"), {"period_start": "2026-10-01"}).status_code == 405
    assert not ReportingPeriodLock.objects.exists()
