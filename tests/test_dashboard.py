"""看板: the officials' dashboard and its JSON. Every figure comes from the one computation (the same
numbers as export_ledger's rows), replays any day, links to the list behind it, and is scoped to
what the user may see: reporters see their department's targets (led or supported), officials,
supervisors and admins see everything."""

import datetime
import re
from collections import Counter

import pytest
from django.urls import reverse

from ledger import rows
from ledger.models import ApiToken
from ledger.selectors import STALE_AFTER_DAYS
from projects.models import PracticalTask
from targets import roles
from targets.choices import BEHIND_ORDER, BEHIND_STATUSES, ON_TRACK_STATUSES, Direction, Kind, Stage, Status
from targets.models import ProgressEntry, Target

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def district(report, dept_a, dept_b, reporter_a, reporter_b):
    """A small report: part 三 with two areas, a main indicator, a practical task with two metrics,
    and targets on track, far behind, without data, overdue and done."""
    goals = builders.section(report, "2", "二、未来五年的发展目标")
    part = builders.section(report, "3", "三、2026年的主要工作")
    growth = builders.section(report, "3.1", "一、以加快发展为根本", parent=part)
    projects = builders.section(report, "3.1.1", "深入推进项目建设", parent=growth)
    city = builders.section(report, "3.2", "二、以统筹城乡建设为重点", parent=part)
    functions = builders.section(report, "3.2.1", "不断完善城市功能", parent=city)
    t = {
        "gdp": builders.target(
            report,
            code="M01",
            kind=Kind.MAIN_INDICATOR,
            name="地区生产总值",
            unit="亿元",
            target_value=500,
            growth_rate_target=15,
            lead=dept_a,
            section_obj=part,
        ),
        "jobless": builders.target(
            report,
            code="M07",
            kind=Kind.MAIN_INDICATOR,
            name="城镇登记失业率",
            unit="%",
            target_value=4,
            direction=Direction.AT_MOST,
            lead=dept_b,
            section_obj=part,
        ),
        "market": builders.target(
            report,
            code="S12.1",
            kind=Kind.PRACTICAL_TASK_METRIC,
            name="新建肉菜市场",
            lead=dept_a,
            section_obj=projects,
        ),
        "shops": builders.target(
            report,
            code="S12.2",
            kind=Kind.PRACTICAL_TASK_METRIC,
            name="新建便民菜店",
            unit="家",
            target_value=50,
            lead=dept_b,
            co=[dept_a],
            section_obj=functions,
        ),
        "school": builders.target(
            report,
            code="A3.2.01",
            name="翻建中小学教学楼",
            unit="栋",
            target_value=8,
            lead=dept_b,
            section_obj=functions,
        ),
        "late": builders.target(
            report,
            code="A3.1.02",
            name="建成物流园一期",
            deadline=datetime.date(2026, 6, 30),
            lead=dept_b,
            section_obj=projects,
        ),
        "plan": builders.target(
            report,
            code="F01",
            kind=Kind.FIVE_YEAR_GOAL,
            name="建成区域性商贸中心",
            direction=Direction.QUALITATIVE,
            target_value=None,
            unit="",
            deadline=datetime.date(2030, 12, 31),
            lead=dept_a,
            section_obj=goals,
        ),
    }
    builders.entry(t["gdp"], "2026-10-31", 416.21, user=reporter_a, growth_rate=14.9)
    builders.entry(t["jobless"], "2026-11-20", 3.6, user=reporter_b)
    builders.entry(t["market"], "2026-06-30", 4, user=reporter_a)
    builders.entry(t["market"], "2026-11-20", 10, user=reporter_a)
    builders.entry(t["shops"], "2026-10-15", 20, user=reporter_b)
    builders.entry(t["plan"], "2026-11-01", None, user=reporter_a, stage=Stage.IN_PROGRESS)
    task = PracticalTask.objects.create(report=report, no=12, title="新建肉菜市场10座、便民菜店50家。")
    task.targets.set([t["market"], t["shops"]])
    done_task = PracticalTask.objects.create(report=report, no=1, title="新建肉菜市场（一期）。")
    done_task.targets.set([t["market"]])
    return t


def board_of(response):
    assert response.status_code == 200
    return response.context["board"]


def get_dashboard(client, user, **params):
    client.force_login(user)
    return client.get(reverse("dashboard"), params)


def ledger_statuses(user, report, as_of=TODAY, include_pending=False):
    data = rows.ledger(user=user, report=report, as_of=as_of, include_pending=include_pending)
    return {row["code"]: row for row in data["targets"]}


def test_anonymous_is_sent_to_login(client, district):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_computation_gives_the_expected_mix(district):
    # The background of the other tests, stated once.
    standing = {name: builders.standing(target, as_of=TODAY).status for name, target in district.items()}
    assert standing == {
        "gdp": Status.ON_TRACK,
        "jobless": Status.MET,
        "market": Status.DONE,
        "shops": Status.FAR_BEHIND,
        "school": Status.NO_DATA,
        "late": Status.OVERDUE,
        "plan": Status.IN_PROGRESS,
    }


def test_figures_equal_the_ledger_rows_of_the_same_day(client, official, report, district):
    board = board_of(get_dashboard(client, official))
    ledger = ledger_statuses(roles.COMMAND_LINE, report)
    assert {figure.status: figure.count for figure in board.statuses} == {
        status: Counter(row["status"] for row in ledger.values())[status] for status in Status
    }
    assert board.overall.total == len(ledger)
    for target in board.main_indicators:
        row = ledger[target.code]
        assert (target.status, target.percent_complete, target.expected_percent) == (
            row["status"],
            row["percent_complete"],
            row["expected_percent"],
        )
    planned = [row for row in ledger.values() if row["expected_percent"] is not None]
    capped = [min(max(row["percent_complete"] or 0.0, 0.0), 100.0) for row in planned]
    assert board.overall.average_percent == round(sum(capped) / len(planned), 1)
    assert board.overall.behind == sum(1 for row in ledger.values() if Status(row["status"]).is_behind)


def test_page_shows_the_headline_figures(client, official, district):
    response = get_dashboard(client, official)
    page = response.content.decode()
    board = board_of(response)
    assert board.overall.total == 7 and board.overall.achieved == 2 and board.overall.behind == 2
    headline = re.findall(r'class="kpi-value"[^>]*>([^<]+)<', page)
    # total, achieved (done + met), average completion, behind, stale, the latest periods' reports in
    reports = board.reports
    assert headline == [
        "7",
        "2",
        f"{board.overall.average_percent:.1f}%",
        "2",
        str(board.stale_total),
        f"{reports.on_time + reports.late} / {reports.total}",
    ]
    assert "仅计审核通过的填报" in page and "数据截至 2026-11-27" in page


def test_as_of_replays_a_past_day(client, official, report, district):
    board = board_of(get_dashboard(client, official, as_of="2026-07-01"))
    past = ledger_statuses(roles.COMMAND_LINE, report, as_of=datetime.date(2026, 7, 1))
    assert {f.status: f.count for f in board.statuses if f.count} == Counter(row["status"] for row in past.values())
    by_code = {card.task.no: card for card in board.practical_tasks}
    assert not by_code[1].done  # the market had 4 of 10 on 1 July
    assert board.as_of == datetime.date(2026, 7, 1)
    page = get_dashboard(client, official, as_of="2026-07-01").content.decode()
    assert "数据截至 2026-07-01" in page and 'value="2026-07-01"' in page


def test_pending_entries_count_only_with_the_switch(client, official, report, district, reporter_b, settings):
    builders.entry(district["school"], "2026-11-25", 8, user=reporter_b, status="submitted")
    approved = board_of(get_dashboard(client, official))
    assert approved.overall.counts[Status.NO_DATA] == 1
    pending = board_of(get_dashboard(client, official, pending="1"))
    assert pending.overall.counts[Status.NO_DATA] == 0 and pending.overall.counts[Status.DONE] == 2
    page = get_dashboard(client, official, pending="1").content.decode()
    assert "含待审核的填报" in page and "pending=1" in page


def test_every_status_figure_links_to_the_list_that_shows_it(client, official, district):
    board = board_of(get_dashboard(client, official, as_of="2026-11-27"))
    for figure in board.statuses:
        assert f"status={figure.status.value}" in figure.url and "as_of=2026-11-27" in figure.url
        listed = client.get(figure.url)
        assert len(listed.context["table"].rows) == figure.count, figure.status
    for row in board.departments:
        assert len(client.get(row.url).context["table"].rows) == row.tally.total, row.department.code
    for area in board.areas:
        assert len(client.get(area.url).context["table"].rows) == area.tally.total, area.section.code
    for card in board.practical_tasks:
        assert len(client.get(card.url).context["table"].rows) == len(card.metrics), card.task.no


def test_a_practical_task_is_done_only_when_all_its_metrics_are(client, official, district, reporter_b):
    cards = {card.task.no: card for card in board_of(get_dashboard(client, official)).practical_tasks}
    assert cards[1].done and cards[1].worst_status == Status.DONE
    assert not cards[12].done and cards[12].metrics_done == 1 and cards[12].worst_status == Status.FAR_BEHIND
    builders.entry(district["shops"], "2026-11-26", 50, user=reporter_b)
    cards = {card.task.no: card for card in board_of(get_dashboard(client, official)).practical_tasks}
    assert cards[12].done


def test_areas_take_in_their_sub_sections(client, official, district):
    areas = {area.section.code: area.tally for area in board_of(get_dashboard(client, official)).areas}
    assert set(areas) == {"3.1", "3.2"}
    assert areas["3.1"].total == 2 and areas["3.1"].counts == Counter({Status.DONE: 1, Status.OVERDUE: 1})
    assert areas["3.2"].total == 2 and areas["3.2"].counts == Counter({Status.FAR_BEHIND: 1, Status.NO_DATA: 1})


def test_department_table_counts_led_and_supported_targets(client, official, district, dept_a, dept_b):
    board = board_of(get_dashboard(client, official))
    departments = {row.department.code: row for row in board.departments}
    a, b = departments[dept_a.code], departments[dept_b.code]
    assert a.tally.total == 4  # gdp, market, plan, and shops as a co-unit
    assert b.tally.total == 4 and b.tally.overdue == 1
    assert a.tally.on_track_share == 75.0  # on track, done, in progress of 4
    assert [row.department.code for row in board.departments] == [dept_a.code, dept_b.code]  # the larger share first
    assert b.days_since_report == 7  # the unemployment rate on 20 November


def test_the_dashboard_ranks_no_department_itself_and_links_the_one_ranking(client, official, district):
    """The department table is ordered, not ranked: 考核排名 (supervision.ranking) is the one ranking rule."""
    page = get_dashboard(client, official).content.decode()
    headings = page.split('class="table dash-table departments"')[1].split("</thead>")[0]
    assert "责任单位" in headings and "排名" not in headings
    assert reverse("supervision:ranking") in page
    assert client.get(reverse("supervision:ranking")).status_code == 200


def test_department_ranking_sorts_server_side(client, official, district, dept_a, dept_b):
    by_overdue = board_of(get_dashboard(client, official, sort="-overdue")).departments
    assert [row.department.code for row in by_overdue] == [dept_b.code, dept_a.code]
    by_name = board_of(get_dashboard(client, official, sort="name")).departments
    assert [row.department.code for row in by_name] == sorted([dept_a.code, dept_b.code])
    page = get_dashboard(client, official, sort="-overdue").content.decode()
    assert 'aria-sort="descending"' in page and "sort=overdue#departments" in page  # a second click reverses
    by_default = [row.department.code for row in board_of(get_dashboard(client, official)).departments]
    assert [row.department.code for row in board_of(get_dashboard(client, official, sort="nonsense")).departments] == (
        by_default
    )


def test_laggards_are_the_statuses_behind_worst_first():
    assert frozenset(BEHIND_ORDER) == BEHIND_STATUSES


def test_laggards_and_stale_targets_link_to_their_pages(client, official, district):
    response = get_dashboard(client, official)
    board, page = board_of(response), response.content.decode()
    assert [t.code for t in board.laggards] == ["A3.1.02", "S12.2"]  # overdue before far behind
    stale = [t.code for t in board.stale]
    # no counted report since 29 October: no data, overdue, and the shops reported on 15 October;
    # the done market and the targets reported in November are not stale.
    assert stale == ["A3.1.02", "A3.2.01", "S12.2"]
    assert board.stale_since == TODAY - datetime.timedelta(days=STALE_AFTER_DAYS - 1)
    for target in (*board.laggards, *board.stale):
        assert f'href="{target.url}"' in page
        assert target.url == reverse("target-detail", args=[target.report.code, target.code])


def test_main_indicators_are_bullet_charts_with_text_alternatives(client, official, district):
    page = get_dashboard(client, official).content.decode()
    assert 'class="bullet-chart"' in page
    assert 'aria-label="地区生产总值：完成 83.2%，序时进度 83.3%，目标 100%"' in page
    assert "增速 14.9%，目标 15%，差 0.1 个百分点" in page
    assert 'aria-label="城镇登记失业率：实际 3.6%，上限 4%"' in page
    # status colours come from /status.css, not from the page
    assert 'class="bullet-actual status-on_track"' in page
    assert "style=" not in page and "<script" not in page


def test_reporter_sees_the_dashboard_of_their_department(client, reporter_a, district, dept_a, report):
    response = get_dashboard(client, reporter_a)
    board, page = board_of(response), response.content.decode()
    visible = ledger_statuses(reporter_a, report)
    assert not board.sees_everything and board.department == dept_a
    assert board.overall.total == len(visible) == 4
    assert {t.code for t in board.main_indicators} == {"M01"}
    assert "城镇登记失业率" not in page and "建成物流园一期" not in page
    assert "本看板只统计发展和改革局牵头或配合的目标" in page
    assert [card.task.no for card in board.practical_tasks] == [1, 12]


def test_officials_supervisors_and_admins_see_everything(client, official, supervisor, admin_user, district):
    for user in (official, supervisor, admin_user):
        board = board_of(get_dashboard(client, user))
        assert board.sees_everything and board.overall.total == 7


def test_a_user_without_department_sees_an_empty_dashboard(client, outsider, district):
    response = get_dashboard(client, outsider)
    assert board_of(response).overall.total == 0
    assert "尚未关联责任单位" in response.content.decode()


def test_nav_links_to_the_dashboard(client, official, district):
    page = get_dashboard(client, official).content.decode()
    assert re.search(r'<a href="/dashboard/" aria-current="page">看板</a>', page)


# --- the JSON for a big screen -------------------------------------------------------------


def test_api_figures_equal_the_page(client, official, district):
    board = board_of(get_dashboard(client, official, as_of="2026-11-01"))
    data = client.get(reverse("api-dashboard"), {"as_of": "2026-11-01"}).json()
    assert data["as_of"] == "2026-11-01" and data["scope"] == "all"
    assert data["totals"]["status_counts"] == {f.status.value: f.count for f in board.statuses}
    assert data["totals"]["targets"] == board.overall.total
    assert data["totals"]["average_percent_complete"] == board.overall.average_percent
    assert data["totals"]["behind"] == board.overall.behind and data["totals"]["stale"] == board.stale_total
    assert [(m["code"], m["percent_complete"], m["status"]) for m in data["main_indicators"]] == [
        (t.code, t.percent_complete, t.status) for t in board.main_indicators
    ]
    assert [(t["no"], t["done"]) for t in data["practical_tasks"]] == [
        (c.task.no, c.done) for c in board.practical_tasks
    ]
    assert [(a["code"], a["targets"], a["behind"]) for a in data["areas"]] == [
        (a.section.code, a.tally.total, a.tally.behind) for a in board.areas
    ]
    assert [(d["code"], d["on_track_share"], d["overdue"]) for d in data["departments"]] == [
        (d.department.code, d.tally.on_track_share, d.tally.overdue) for d in board.departments
    ]


def test_api_needs_a_session_or_a_token(client, reporter_b, district):
    response = client.get(reverse("api-dashboard"))
    assert response.status_code == 401 and response.json()["error"]
    secret = ApiToken.objects.issue(user=reporter_b)[1]
    data = client.get(reverse("api-dashboard"), HTTP_AUTHORIZATION=f"Token {secret}").json()
    assert data["scope"] == "department" and data["department"] == reporter_b.staff_profile.department.code
    assert data["totals"]["targets"] == 4  # jobless, shops, school, late
    assert client.get(reverse("api-dashboard"), HTTP_AUTHORIZATION="Token wrong").status_code == 401


# --- query count ---------------------------------------------------------------------------


def grow(report, departments, reporter, count, entries_each):
    section = builders.section(report, "3.1.9", "增长", parent=builders.section(report, "3.1", "一、领域"))
    for index in range(count):
        kind = Kind.MAIN_INDICATOR if index % 5 == 0 else Kind.PRACTICAL_TASK_METRIC
        target = builders.target(
            report, lead=departments[index % 2], co=departments[:1], kind=kind, section_obj=section
        )
        PracticalTask.objects.get_or_create(report=report, no=index % 20 + 1, defaults={"title": "实事"})[
            0
        ].targets.add(target)
        for month in range(1, entries_each + 1):
            builders.entry(target, datetime.date(2026, month, 28), month, user=reporter, refresh=False)
        builders.refresh_latest(target_ids=[target.pk])


def test_dashboard_query_count_does_not_grow_with_data(
    client, official, report, dept_a, dept_b, reporter_a, django_assert_num_queries
):
    client.force_login(official)
    grow(report, [dept_a, dept_b], reporter_a, 3, 2)
    client.get(reverse("dashboard"))  # warm the session
    # session, user, groups, the current report, the targets with their standing (today's, 环比's at
    # the end of the month before and the reports owed's, in one statement), the areas, the practical
    # tasks and the departments; the reports due (supervision.cycles): their cycles, their reports of the
    # periods; and the writes seen (targets.data_version: the test has written, so nothing is kept)
    with django_assert_num_queries(11) as small:
        client.get(reverse("dashboard"))
    grow(report, [dept_a, dept_b], reporter_a, 30, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("dashboard"), {"as_of": "2026-08-15", "sort": "-days"})
    assert board_of(response).overall.total == 33


def test_api_query_count_does_not_grow_with_data(
    client, official, report, dept_a, dept_b, reporter_a, django_assert_num_queries
):
    client.force_login(official)
    grow(report, [dept_a, dept_b], reporter_a, 3, 2)
    client.get(reverse("api-dashboard"))
    # the page's queries but the session's (a token or the same session) … as the page: see above
    with django_assert_num_queries(11) as small:
        client.get(reverse("api-dashboard"))
    grow(report, [dept_a, dept_b], reporter_a, 30, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("api-dashboard")).json()["totals"]["targets"] == 33


def test_the_dashboard_shows_month_on_month_and_the_reports_due(client, official, report, dept_a, reporter_a):
    """环比: 正常推进占比 now against the end of the month before, overall and by department, from
    with_progress on both days; the reports due, on time, late and missing from supervision.cycles."""
    on_track = builders.target(report, code="A1", lead=dept_a)
    builders.entry(on_track, "2026-10-31", 9, user=reporter_a)
    behind = builders.target(report, code="A2", lead=dept_a)
    builders.entry(behind, "2026-10-31", 9, user=reporter_a)
    builders.entry(behind, "2026-11-20", 9, user=reporter_a)
    october_31 = datetime.datetime(2026, 10, 31, 10, tzinfo=datetime.UTC)
    ProgressEntry.objects.filter(reported_on=datetime.date(2026, 10, 31)).update(created_at=october_31)
    client.force_login(official)
    response = client.get(reverse("dashboard"), {"as_of": "2026-11-27"})
    board = board_of(response)
    before = Target.objects.filter(report=report).with_progress(as_of=datetime.date(2026, 10, 31))
    share_before = 100.0 * sum(t.status in ON_TRACK_STATUSES for t in before) / 2
    assert board.on_track_change == round(board.overall.on_track_share - share_before, 1)
    [row] = board.departments
    assert row.on_track_change == board.on_track_change
    page = response.content.decode()
    assert f'<td class="num month-on-month">{board.on_track_change:+.1f}</td>' in page
    assert "环比（较2026-10-31）" in page
    # on 27 November the latest ended period is October: both reports submitted on 31 October, on time
    assert (board.reports.on_time, board.reports.due, board.reports.total) == (2, 0, 2)
    # the big screen's JSON reads the same board
    api = client.get(reverse("api-dashboard"), {"as_of": "2026-11-27"}).json()
    assert (api["totals"]["on_track_change"], api["totals"]["previous_as_of"]) == (board.on_track_change, "2026-10-31")
    assert api["reports"] == {"due": 0, "on_time": 2, "late": 0, "missing": 0, "total": 2}
    assert api["departments"][0]["on_track_change"] == board.on_track_change
