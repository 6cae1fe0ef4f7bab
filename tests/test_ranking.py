"""考核: departments ranked by on-track share, overdue count and timeliness of reporting (entries
submitted before their period was first closed), on a worked example, on any date, in xlsx."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.urls import reverse

from supervision.ranking import department_ranking
from targets.models import ProgressEntry, ReportingPeriodLock

from . import builders

TODAY = datetime.date(2026, 11, 27)
D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def entry(target, on, value, *, created, user):
    obj = builders.entry(target, on, value, user=user)
    ProgressEntry.objects.filter(pk=obj.pk).update(created_at=at(created))
    return obj


def close(report, start, end, on, user):
    return ReportingPeriodLock.objects.create(
        report=report, period_start=start, period_end=end, closed_at=at(on), closed_by=user
    )


@pytest.fixture
def dept_c(db):
    return builders.department("wjw", "=卫生健康局")  # a name a spreadsheet would run as a formula


@pytest.fixture
def example(report, dept_a, dept_b, dept_c, supervisor, reporter_a):
    """September closed on 5 October, October on 5 November (both at 10:00); November still open.

    发展和改革局 leads four targets: on track (reported in time both months), overdue (due in June,
    so nothing due since), far behind (September's report came after the close), lagging (nothing
    in September, October's after the close): 1 of 4 on track, 1 overdue, 3 of 6 reports on time.
    教育局 leads a done target that stopped reporting in August and an on-track one reported in
    time: 2 of 2 on track, 0 overdue, 2 of 4 on time.
    =卫生健康局 leads an on-track target and supports 教育局's: 2 of 2, 0 overdue, 4 of 4 on time.
    """
    u = reporter_a
    close(report, D(2026, 9, 1), D(2026, 9, 30), D(2026, 10, 5), supervisor)
    close(report, D(2026, 10, 1), D(2026, 10, 31), D(2026, 11, 5), supervisor)

    a1 = builders.target(report, code="A1", lead=dept_a)
    entry(a1, "2026-09-30", 7, created=D(2026, 9, 30), user=u)
    entry(a1, "2026-10-31", 8, created=D(2026, 11, 1), user=u)
    entry(a1, "2026-11-20", 9, created=D(2026, 11, 20), user=u)
    a2 = builders.target(report, code="A2", lead=dept_a, deadline=D(2026, 6, 30))
    entry(a2, "2026-06-30", 5, created=D(2026, 6, 30), user=u)
    a3 = builders.target(report, code="A3", lead=dept_a)
    entry(a3, "2026-09-15", 2, created=D(2026, 10, 8), user=u)
    entry(a3, "2026-10-20", 3, created=D(2026, 10, 21), user=u)
    a4 = builders.target(report, code="A4", lead=dept_a)
    entry(a4, "2026-10-31", "6.5", created=D(2026, 11, 6), user=u)

    b1 = builders.target(report, code="B1", lead=dept_b)
    entry(b1, "2026-08-31", 10, created=D(2026, 8, 31), user=u)
    b2 = builders.target(report, code="B2", lead=dept_b, co=[dept_c])
    entry(b2, "2026-09-30", 7, created=D(2026, 10, 1), user=u)
    entry(b2, "2026-10-31", 8, created=D(2026, 11, 3), user=u)
    entry(b2, "2026-11-20", 9, created=D(2026, 11, 20), user=u)

    c1 = builders.target(report, code="C1", lead=dept_c)
    entry(c1, "2026-09-28", 7, created=D(2026, 9, 28), user=u)
    entry(c1, "2026-10-30", 8, created=D(2026, 10, 30), user=u)
    entry(c1, "2026-11-20", 9, created=D(2026, 11, 20), user=u)
    return report


def table(ranking):
    return [
        (s.rank, s.department.code, s.targets, s.on_track_share, s.overdue, s.timely_reports, s.due_reports)
        for s in ranking.scores
    ]


def test_worked_example(example, official):
    ranking = department_ranking(user=official, report=example, as_of=TODAY)
    assert table(ranking) == [
        (1, "wjw", 2, 100.0, 0, 4, 4),
        (2, "jyj", 2, 100.0, 0, 2, 4),
        (3, "fgw", 4, 25.0, 1, 3, 6),
    ]
    assert [s.timeliness for s in ranking.scores] == [100.0, 50.0, 50.0]
    assert ranking.scores[2].last_reported_on == D(2026, 11, 20)


def test_any_as_of_date_replays_the_standing_and_the_periods_closed_by_then(example, official):
    ranking = department_ranking(user=official, report=example, as_of=D(2026, 10, 20))
    assert {s.department.code: (s.timely_reports, s.due_reports) for s in ranking.scores} == {
        "wjw": (2, 2),
        "jyj": (1, 2),
        "fgw": (1, 3),
    }
    # On 20 October the September figures are judged against September's calendar (70 % of the way
    # at the end of September is on track); 发展和改革局 has one overdue, one far behind, one unreported.
    shares = {s.department.code: s.on_track_share for s in ranking.scores}
    assert shares == {"wjw": 100.0, "jyj": 100.0, "fgw": 25.0}
    before = department_ranking(user=official, report=example, as_of=D(2026, 10, 1))
    assert {s.timeliness for s in before.scores} == {None}


def test_a_reopening_does_not_make_a_late_entry_timely(example, official, supervisor, reporter_a):
    lock = ReportingPeriodLock.objects.get(period_start=D(2026, 10, 1))
    lock.reopened_at, lock.reopened_by, lock.reopen_reason = at(D(2026, 11, 6)), supervisor, "补报"
    lock.save()
    ranking = department_ranking(user=official, report=example, as_of=TODAY)
    assert table(ranking)[2] == (3, "fgw", 4, 25.0, 1, 3, 6)


def test_returned_entries_are_not_reports(example, official):
    ProgressEntry.objects.filter(target__code="C1", reported_on=D(2026, 9, 28)).update(review_status="returned")
    ranking = department_ranking(user=official, report=example, as_of=TODAY)
    wjw = next(s for s in ranking.scores if s.department.code == "wjw")
    assert (wjw.timely_reports, wjw.due_reports) == (3, 4)


def test_equal_departments_share_a_rank(report, dept_a, dept_b, official, reporter_a):
    for code, dept in (("A1", dept_a), ("B1", dept_b)):
        builders.entry(builders.target(report, code=code, lead=dept), "2026-11-20", 9, user=reporter_a)
    ranking = department_ranking(user=official, report=report, as_of=TODAY)
    assert [s.rank for s in ranking.scores] == [1, 1]


def test_page_shows_the_ranking_and_exports_it_as_values(client, example, official):
    client.force_login(official)
    page = client.get(reverse("supervision:ranking")).content.decode()
    assert page.index("=卫生健康局") < page.index("教育局") < page.index("发展和改革局")
    assert "3 / 6" in page and "50.0%" in page and "仅计审核通过的填报" in page
    response = client.get(reverse("supervision:ranking"), {"format": "xlsx", "as_of": "2026-11-27"})
    assert response["Content-Disposition"].endswith('ranking-test-2026-11-27.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    title, header, *data = list(sheet.iter_rows(values_only=True))
    assert "数据截至 2026-11-27" in title[0]
    assert header[:3] == ("排名", "责任单位", "目标数")
    assert data[0][:9] == (1, "'=卫生健康局", 2, 2, 100, 0, 4, 4, 100)
    assert data[2][:9] == (3, "发展和改革局", 4, 1, 25, 1, 6, 3, 50)
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in data for v in row)


def test_ranking_is_for_those_who_oversee(client, example, reporter_a, supervisor, official):
    client.force_login(reporter_a)
    assert client.get(reverse("supervision:ranking")).status_code == 403
    for user in (supervisor, official):
        client.force_login(user)
        assert client.get(reverse("supervision:ranking")).status_code == 200


def test_ranking_query_count_does_not_grow_with_the_data(
    client, report, supervisor, reporter_a, django_assert_num_queries
):
    def grow(departments, per_department):
        for _ in range(departments):
            dept = builders.department(f"d{grow.count}", f"单位{grow.count}")
            grow.count += 1
            for _ in range(per_department):
                target = builders.target(report, lead=dept)
                entry(target, "2026-09-30", 5, created=D(2026, 9, 30), user=reporter_a)
                entry(target, "2026-10-31", 7, created=D(2026, 11, 6), user=reporter_a)

    grow.count = 0
    close(report, D(2026, 9, 1), D(2026, 9, 30), D(2026, 10, 5), supervisor)
    close(report, D(2026, 10, 1), D(2026, 10, 31), D(2026, 11, 5), supervisor)
    client.force_login(supervisor)
    grow(2, 2)
    client.get(reverse("supervision:ranking"))  # warm the session
    # session, user, groups, report, the targets with their standing, the closed periods, the timely
    # reports and the departments' names
    with django_assert_num_queries(8) as small:
        client.get(reverse("supervision:ranking"))
    grow(8, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("supervision:ranking"))
    assert response.content.decode().count('<th scope="row">') == 10
