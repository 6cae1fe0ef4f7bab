"""Extensions and target changes (延期/调整): a department asks, a supervisor or admin decides; status
follows the adjusted deadline or target value only once approved, and the original values stay
beside the adjusted ones in the ledger, the pages and the exports."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from ledger import rows, workbook
from supervision import services as supervision_services
from supervision.models import ExtensionRequest
from targets import errors, services
from targets.choices import ExtensionStatus, Status
from targets.models import Target

from . import builders
from .builders import standing

TODAY = datetime.date(2026, 11, 27)
D = datetime.date


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def late(report, dept_a, reporter_a):
    """Due by the end of June, 8 of 10 done then: overdue on TODAY."""
    target = builders.target(report, code="A1.1.02", lead=dept_a, deadline=D(2026, 6, 30), name="新建公厕")
    builders.entry(target, "2026-06-30", 8, user=reporter_a)
    return target


@pytest.fixture
def behind(report, dept_a, reporter_a):
    """10 by the end of the year, 7 done by November 20: lagging (序时 88.8 %)."""
    target = builders.target(report, code="A1.1.03", lead=dept_a, name="改造老旧小区")
    builders.entry(target, "2026-11-20", 7, user=reporter_a)
    return target


def ask(user, target, **fields):
    return supervision_services.request_extension(
        user=user, target=target, reason=fields.pop("reason", "资金下达延迟"), **fields
    )


def test_a_later_deadline_changes_the_status_only_once_approved(reporter_a, supervisor, late):
    assert standing(late).status == Status.OVERDUE
    extension = ask(reporter_a, late, requested_deadline=D(2027, 6, 30))
    assert extension.status == ExtensionStatus.PENDING
    assert standing(late).status == Status.OVERDUE
    supervision_services.decide_extension(user=supervisor, extension=extension, approve=True)
    row = standing(late)
    assert row.expected_percent == 33.2  # on the figure's date, 30 June: 181 of 546 days to the new deadline
    assert row.status == Status.ON_TRACK
    late.refresh_from_db()
    assert (late.deadline, late.adjusted_deadline) == (D(2026, 6, 30), D(2027, 6, 30))


def test_a_changed_target_value_changes_the_status_only_once_approved(reporter_a, admin_user, behind):
    assert standing(behind).status == Status.LAGGING
    extension = ask(reporter_a, behind, requested_target_value=Decimal(7), reason="三个小区并入棚改项目")
    assert standing(behind).status == Status.LAGGING
    supervision_services.decide_extension(user=admin_user, extension=extension, approve=True)
    row = standing(behind)
    assert (row.percent_complete, row.gap, row.status) == (100.0, Decimal(0), Status.DONE)
    behind.refresh_from_db()
    assert (behind.target_value, behind.adjusted_target_value) == (Decimal(10), Decimal(7))


def test_an_approved_request_shows_as_an_adjustment_with_its_reason_on_the_target_page(
    client, reporter_a, supervisor, behind
):
    extension = ask(reporter_a, behind, requested_target_value=Decimal(7), reason="三个小区并入棚改项目")
    supervision_services.decide_extension(user=supervisor, extension=extension, approve=True)
    behind.refresh_from_db()
    assert (behind.adjustment_reason, behind.adjusted_on, behind.adjusted_by) == (
        "三个小区并入棚改项目",
        TODAY,
        supervisor,
    )
    client.force_login(reporter_a)
    page = client.get(reverse("target-detail", args=[behind.report.code, behind.code])).content.decode()
    assert "调整：原 10 座 → 7 座（三个小区并入棚改项目，2026-11-27）" in page


def test_a_rejected_request_changes_nothing_and_needs_a_comment(reporter_a, supervisor, late):
    extension = ask(reporter_a, late, requested_deadline=D(2027, 6, 30))
    with pytest.raises(ValidationError) as raised:
        supervision_services.decide_extension(user=supervisor, extension=extension, approve=False)
    assert raised.value.message_dict == {"decision_comment": [errors.REJECT_NEEDS_COMMENT]}
    supervision_services.decide_extension(user=supervisor, extension=extension, approve=False, comment="理由不充分")
    extension.refresh_from_db()
    assert (extension.status, extension.decided_by) == (ExtensionStatus.REJECTED, supervisor)
    assert Target.objects.get(pk=late.pk).adjusted_deadline is None
    assert standing(late).status == Status.OVERDUE
    with pytest.raises(ValidationError) as raised:
        supervision_services.decide_extension(user=supervisor, extension=extension, approve=True)
    assert raised.value.messages == [errors.EXTENSION_ALREADY_DECIDED]


def test_entries_up_to_the_extended_deadline_are_accepted_once_approved(reporter_a, supervisor, late):
    with pytest.raises(ValidationError) as raised:
        services.record_progress(user=reporter_a, target=late, reported_on=D(2026, 11, 20), value=Decimal(9))
    assert "reported_on" in raised.value.message_dict
    extension = ask(reporter_a, late, requested_deadline=D(2027, 6, 30))
    supervision_services.decide_extension(user=supervisor, extension=extension, approve=True)
    services.record_progress(user=reporter_a, target=late, reported_on=D(2026, 11, 20), value=Decimal(9))
    assert standing(late).latest_value == Decimal(9)


def test_who_may_ask_and_who_may_decide(reporter_a, reporter_b, official, supervisor, late):
    with pytest.raises(PermissionDenied):
        ask(reporter_b, late, requested_deadline=D(2027, 6, 30))
    with pytest.raises(PermissionDenied):
        ask(official, late, requested_deadline=D(2027, 6, 30))
    extension = ask(reporter_a, late, requested_deadline=D(2027, 6, 30))
    for user in (reporter_a, reporter_b, official):
        with pytest.raises(PermissionDenied):
            supervision_services.decide_extension(user=user, extension=extension, approve=True)
    assert ExtensionRequest.objects.get().status == ExtensionStatus.PENDING


def test_what_a_request_must_say(reporter_a, report, dept_a, late):
    cases = [
        ({}, {"requested_deadline": [errors.EXTENSION_ASKS_NOTHING]}),
        (
            {"requested_deadline": D(2026, 6, 1)},
            {"requested_deadline": [errors.EXTENSION_DEADLINE_NOT_LATER % {"deadline": "2026-06-30"}]},
        ),
        ({"requested_target_value": Decimal(10)}, {"requested_target_value": [errors.EXTENSION_VALUE_UNCHANGED]}),
        ({"requested_deadline": D(2027, 1, 31), "reason": " "}, {"reason": [errors.EXTENSION_NEEDS_REASON]}),
    ]
    for fields, expected in cases:
        with pytest.raises(ValidationError) as raised:
            ask(reporter_a, late, **fields)
        assert raised.value.message_dict == expected
    growth = builders.target(report, lead=dept_a, target_value=None, growth_rate_target=Decimal(7), unit="%")
    with pytest.raises(ValidationError) as raised:
        ask(reporter_a, growth, requested_target_value=Decimal(6))
    assert raised.value.message_dict == {"requested_target_value": [errors.EXTENSION_VALUE_NOT_APPLICABLE]}
    assert not ExtensionRequest.objects.exists()


def test_one_pending_request_per_target(reporter_a, late):
    ask(reporter_a, late, requested_deadline=D(2027, 6, 30))
    with pytest.raises(ValidationError) as raised:
        ask(reporter_a, late, requested_deadline=D(2027, 3, 31))
    assert raised.value.messages == [errors.EXTENSION_ALREADY_PENDING]
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(
            target=late, requested_deadline=D(2027, 3, 31), reason="再申请", requested_by=reporter_a
        )


def test_a_request_asks_something_and_a_decision_is_recorded_in_the_database(reporter_a, late):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(target=late, reason="无", requested_by=reporter_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(
            target=late,
            requested_deadline=D(2027, 3, 31),
            reason="无",
            requested_by=reporter_a,
            status=ExtensionStatus.APPROVED,
        )


# --- Both values shown --------------------------------------------------------------------------


@pytest.fixture
def adjusted(reporter_a, supervisor, behind):
    extension = ask(reporter_a, behind, requested_deadline=D(2027, 3, 31), requested_target_value=Decimal(12))
    supervision_services.decide_extension(user=supervisor, extension=extension, approve=True)
    return Target.objects.get(pk=behind.pk)


def test_ledger_rows_carry_the_original_and_the_adjusted_values(official, report, adjusted):
    row = rows.target_row(rows.target_rows(user=official, report=report, as_of=TODAY).get(pk=adjusted.pk))
    assert (row["target_value"], row["adjusted_target_value"]) == (10, 12)
    assert (row["deadline"], row["adjusted_deadline"]) == ("2026-12-31", "2027-03-31")


def test_pages_show_the_original_and_the_adjusted_values(client, official, report, adjusted):
    client.force_login(official)
    page = client.get(reverse("target-detail", args=[report.code, adjusted.code])).content.decode()
    assert "10 座" in page and "调整为 12 座" in page
    assert "2026-12-31" in page and "延期至 2027-03-31" in page
    listing = client.get(reverse("target-list")).content.decode()
    assert "调整为 12 座" in listing and "延期至 2027-03-31" in listing


def test_exports_show_the_original_and_the_adjusted_values(client, official, report, adjusted):
    client.force_login(official)
    response = client.get(reverse("target-list"), {"_export": "csv"})  # the list's XLSX is the 台账 below
    header, *data = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    row = dict(zip(header, data[0], strict=True))
    assert (row["调整后目标值"], row["调整后完成期限"]) == ("12", "2027-03-31")
    output = io.BytesIO()
    workbook.write_ledger(output, user=official, report=report, as_of=TODAY)
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["年度任务"]
    header, *data = list(sheet.iter_rows(values_only=True))
    row = dict(zip(header, data[0], strict=True))
    assert (row["目标值"], row["调整后目标值"]) == (10, 12)
    assert (row["完成期限"].date(), row["调整后完成期限"].date()) == (D(2026, 12, 31), D(2027, 3, 31))


# --- The pages ------------------------------------------------------------------------------------


def test_reporter_requests_through_the_form_and_a_supervisor_decides_on_the_list(
    client, reporter_a, supervisor, report, late
):
    client.force_login(reporter_a)
    detail = client.get(reverse("target-detail", args=[report.code, late.code])).content.decode()
    new_url = reverse("supervision:extension-new", args=[report.code, late.code])
    assert new_url in detail
    response = client.post(new_url, {"requested_deadline": "2026-05-31", "reason": "施工受阻"})
    assert errors.EXTENSION_DEADLINE_NOT_LATER % {"deadline": "2026-06-30"} in response.content.decode()
    response = client.post(new_url, {"requested_deadline": "2027-06-30", "reason": "施工受阻"})
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get()
    listing = client.get(reverse("supervision:extensions")).content.decode()
    decide_url = reverse("supervision:extension-decide", args=[extension.pk])
    assert "施工受阻" in listing and decide_url not in listing  # reporters see, but do not decide
    assert (
        client.post(reverse("supervision:extension-decide", args=[extension.pk]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(supervisor)
    assert decide_url in client.get(reverse("supervision:extensions")).content.decode()
    assert client.get(decide_url, {"decision": "approve"}).status_code == 405
    client.post(decide_url, {"decision": "approve", "comment": "同意"})
    extension.refresh_from_db()
    assert (extension.status, extension.decision_comment) == (ExtensionStatus.APPROVED, "同意")


def test_another_departments_target_cannot_be_asked_for(client, reporter_b, report, late):
    client.force_login(reporter_b)
    url = reverse("supervision:extension-new", args=[report.code, late.code])
    assert client.get(url).status_code == 404
    assert client.post(url, {"requested_deadline": "2027-06-30", "reason": "x"}).status_code == 404
    assert not ExtensionRequest.objects.exists()
    assert late.name not in client.get(reverse("supervision:extensions")).content.decode()
