"""The target page after saving (issue 21 item 4): the entry awaits review and says who reviews it,
and the chart tells approved values from pending ones, with labelled axes, the goal line and the
序时 line read from the one computation (an approved extension moves them; a yearly goal starts again
each January). Through the real URLs, forms and templates."""

import datetime
import re

import pytest
from django.urls import reverse

from supervision.models import ExtensionRequest
from targets import roles
from targets.choices import Direction, Measure, ReviewStatus, Status
from targets.models import StaffProfile

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def report(db):
    """Review on: a recorded entry counts only once a supervisor approves it (new reports' default)."""
    return builders.report(review_required=True)


def detail_url(target):
    return reverse("target-detail", args=[target.report.code, target.code])


def chart_of(page):
    return page.split('class="progress-chart"', 1)[1].split("</svg>", 1)[0]


def goal_y(chart):
    return float(re.search(r'y1="([\d.]+)" x2="[\d.]+" y2="[\d.]+" class="goal"', chart).group(1))


def plan_points(chart):
    text = re.search(r'<polyline points="([^"]+)" class="plan"', chart).group(1)
    return [tuple(float(n) for n in pair.split(",")) for pair in text.split()]


def record(client, target, **data):
    response = client.post(reverse("record-progress", args=[target.report.code, target.code]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_after_saving_the_page_says_the_entry_awaits_review_and_by_whom(client, reporter_a, supervisor, target_a):
    supervisor.first_name, supervisor.last_name = "督", "查员"
    supervisor.save()
    client.force_login(reporter_a)
    record(client, target_a, reported_on="2026-11-20", value="7")
    page = client.get(detail_url(target_a)).content.decode()
    standing = page.split('class="fig-status"', 1)[1].split("</dd>", 1)[0]
    assert "待审核" in standing and str(Status.NO_DATA.label) not in standing
    assert "2026-11-20 填报的 7 座 待审核" in page
    assert "审核人（督查）：" in page and supervisor.get_full_name() in page


def test_a_supervisor_of_another_government_is_not_named_as_reviewer(client, reporter_a, supervisor, target_a):
    elsewhere = builders.person("supervisor-elsewhere", roles.SUPERVISOR)
    StaffProfile.objects.create(user=elsewhere).governments.add(builders.government("other-gov", "其他区人民政府"))
    client.force_login(reporter_a)
    record(client, target_a, reported_on="2026-11-20", value="7")
    page = client.get(detail_url(target_a)).content.decode()
    reviewers = page.split("审核人（督查）：", 1)[1].split("</p>", 1)[0]
    assert supervisor.get_username() in reviewers and elsewhere.get_username() not in reviewers


def test_an_approved_entry_shows_its_status_and_no_review_notice(client, reporter_a, target_a):
    builders.entry(target_a, "2026-11-20", 7, user=reporter_a)
    client.force_login(reporter_a)
    page = client.get(detail_url(target_a)).content.decode()
    assert "待审核，审核通过后计入进度" not in page and "审核人（督查）" not in page
    assert str(Status.LAGGING.label) in page.split('class="fig-status"', 1)[1].split("</dd>", 1)[0]


def test_the_chart_marks_approved_and_pending_values_apart_with_axes_goal_and_plan(client, reporter_a, target_a):
    builders.entry(target_a, "2026-06-30", 4, user=reporter_a)
    client.force_login(reporter_a)
    record(client, target_a, reported_on="2026-11-20", value="7")
    page = client.get(detail_url(target_a)).content.decode()
    chart = chart_of(page)
    assert chart.count('class="dot approved"') == 1 and chart.count('class="dot pending"') == 1
    assert "2026-11-20：7 座（待审核）" in chart and "2026-06-30：4 座（已通过）" in chart
    assert 'class="actual"' in chart  # the line runs through the approved values only
    assert "填报日期" in chart and "累计完成值（座）" in chart  # the axes' titles, the value with its unit
    assert "2026-01-01" in chart and "2026-12-31" in chart
    assert 'class="goal"' in chart and "目标 10 座" in chart
    plan = plan_points(chart)
    assert plan[0][0] < plan[-1][0] and plan[0][1] > plan[-1][1]  # from the start upwards to the goal
    assert plan[-1][1] == goal_y(chart)  # 序时 reaches the goal at the deadline
    legend = page.split('class="chart-legend"', 1)[1].split("</figcaption>", 1)[0]
    for key in ("已审核通过", "待审核", "目标", "序时进度"):
        assert key in legend


def test_an_approved_extension_moves_the_goal_line_and_the_plan(client, reporter_a, supervisor, target_a):
    builders.entry(target_a, "2026-06-30", 4, user=reporter_a)
    client.force_login(reporter_a)
    before = chart_of(client.get(detail_url(target_a)).content.decode())
    response = client.post(
        reverse("supervision:extension-new", args=[target_a.report.code, target_a.code]),
        {"requested_target_value": "14", "requested_deadline": "2027-06-30", "reason": "资金下达延迟"},
    )
    assert response.status_code == 302
    unchanged = chart_of(client.get(detail_url(target_a)).content.decode())
    assert goal_y(unchanged) == goal_y(before)  # asked, not yet approved
    client.force_login(supervisor)
    extension = ExtensionRequest.objects.get()
    client.post(reverse("supervision:extension-decide", args=[extension.pk]), {"decision": "approve"})
    after = chart_of(client.get(detail_url(target_a)).content.decode())
    assert "目标 14 座" in after and "2027-06-30" in after
    assert goal_y(after) != goal_y(before)
    assert plan_points(after)[-1][1] == goal_y(after)  # 序时 reaches the adjusted goal at the new deadline
    # On 2026-12-31 the plan is no longer at the goal: the extended deadline is half a year later.
    assert max(y for _, y in plan_points(after)) > goal_y(after)


def test_a_yearly_goals_plan_starts_again_each_january(client, official, report, dept_a):
    target = builders.target(
        report, code="A9.1.01", lead=dept_a, measure=Measure.ANNUAL, deadline=datetime.date(2027, 12, 31)
    )
    client.force_login(official)
    chart = chart_of(client.get(detail_url(target)).content.decode())
    plan = plan_points(chart)
    lowest = max(y for _, y in plan)  # SVG y grows downwards
    at_goal = [index for index, (_, y) in enumerate(plan) if y == goal_y(chart)]
    assert len(at_goal) == 2  # 2026-12-31 and 2027-12-31
    assert plan[at_goal[0] + 1][1] > plan[at_goal[0]][1] and plan[at_goal[0] + 1][1] >= lowest - 1


def test_a_ceiling_has_its_limit_and_no_plan(client, official, report, dept_a, reporter_a):
    target = builders.target(
        report, code="M07", lead=dept_a, unit="%", direction=Direction.AT_MOST, target_value=3.5, name="城镇登记失业率"
    )
    builders.entry(target, "2026-09-30", 3.2, user=reporter_a, status=ReviewStatus.APPROVED)
    client.force_login(official)
    chart = chart_of(client.get(detail_url(target)).content.decode())
    assert 'class="goal"' in chart and "目标 3.5%" in chart and 'class="plan"' not in chart
    assert "累计完成值（%）" in chart
