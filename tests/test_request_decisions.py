"""补报 and 延期/调整 requests hold one rule in the database (supervision.models.decided_unless_pending):
a request waits with nobody's decision on it, or is decided, by whom and when."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from supervision.models import ExtensionRequest, ReopenRequest
from targets.choices import ExtensionStatus


@pytest.fixture(params=["reopen", "extension"])
def new_request(request, report, target_a, dept_a, reporter_a):
    """A function making an unsaved request of either kind, by reporter_a, with the decision fields given."""

    def make(**decision):
        if request.param == "reopen":
            return ReopenRequest(
                report=report,
                period_start=datetime.date(2026, 10, 1),
                period_end=datetime.date(2026, 10, 31),
                department=dept_a,
                reason="数据晚到",
                requested_by=reporter_a,
                **decision,
            )
        return ExtensionRequest(
            target=target_a,
            requested_deadline=datetime.date(2027, 6, 30),
            reason="资金下达延迟",
            requested_by=reporter_a,
            **decision,
        )

    return make


def test_a_pending_request_without_a_decision_is_stored(new_request):
    new_request().save()


def test_a_decided_request_with_who_and_when_is_stored(new_request, supervisor):
    new_request(status=ExtensionStatus.APPROVED, decided_by=supervisor, decided_at=timezone.now()).save()


@pytest.mark.parametrize(
    "decision",
    [
        {"status": ExtensionStatus.APPROVED},  # decided by nobody
        {"status": ExtensionStatus.REJECTED, "decided_at": "now"},  # nobody said who
        {"status": ExtensionStatus.PENDING, "decided_by": "supervisor", "decided_at": "now"},  # pending yet decided
    ],
)
def test_a_decision_without_who_and_when_or_on_a_pending_request_is_refused(new_request, supervisor, decision):
    given = {"supervisor": supervisor, "now": timezone.now()}
    with pytest.raises(IntegrityError, match="decided_unless_pending"), transaction.atomic():
        new_request(**{name: given.get(value, value) for name, value in decision.items()}).save()
