"""The current report is chosen by one rule (Report.current_order: the newest 执行中, else the newest), the
same for a command without --report (ReportManager.current) and a page without ?report= (selected_report)."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from ledger.models import ApiToken
from targets.choices import ReportState

from . import builders


def command_report() -> str:
    out = io.StringIO()
    call_command("export_ledger", stdout=out)
    return json.loads(out.getvalue())["report"]["code"]


def page_report(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.context["report"].code


def api_report(client, user) -> str:
    token = ApiToken.objects.issue(user=user)[1]
    return client.get(reverse("api-ledger"), HTTP_AUTHORIZATION=f"Token {token}").json()["report"]["code"]


@pytest.fixture
def three_years(db):
    """执行中 2025, beside a newer report 收官 (2026) and a newer still 草稿 (2027)."""
    return {
        state: builders.report(code=f"r{year}", year=year, state=state)
        for year, state in ((2025, ReportState.ACTIVE), (2026, ReportState.CLOSED), (2027, ReportState.DRAFT))
    }


def test_a_command_and_a_page_choose_the_newest_active_report_over_newer_closed_and_draft_ones(
    client, supervisor, three_years
):
    assert command_report() == page_report(client, supervisor) == api_report(client, supervisor) == "r2025"


def test_the_newest_of_two_active_reports_is_current_for_a_command_and_a_page(client, supervisor, three_years):
    builders.report(code="r2025-b", year=2025, state=ReportState.ACTIVE)  # the same year, a newer row
    builders.report(code="r2024", year=2024, state=ReportState.ACTIVE)
    assert command_report() == page_report(client, supervisor) == "r2025-b"


def test_with_no_active_report_a_command_and_a_page_choose_the_newest(client, supervisor, three_years):
    three_years[ReportState.ACTIVE].delete()
    assert command_report() == page_report(client, supervisor) == "r2027"
