"""考核: departments ranked by the weighted share of their targets on track (a led target weighs 1, a
supported one 0.5), their led targets overdue and the timeliness of their reports against the due
days of their cycles, on a worked example, on any date, in xlsx — with no period closed at all."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.urls import reverse

from supervision.ranking import department_ranking
from targets.models import ProgressEntry

from . import builders

TODAY = datetime.date(2026, 11, 27)
D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SEPTEMBER_FIRST = D(2026, 9, 1)


def at(day, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def entry(target, on, value, *, created, user):
    obj = builders.entry(target, on, value, user=user)
    ProgressEntry.objects.filter(pk=obj.pk).update(created_at=at(created))
    return obj


@pytest.fixture
def dept_c(db):
    return builders.department("wjw", "=卫生健康局")  # a name a spreadsheet would run as a formula


@pytest.fixture
def example(report, dept_a, dept_b, dept_c, reporter_a):
    """Monthly targets from 1 September, reports due on the 5th of the following month.

    发展和改革局 leads four: on track (September and October in time), overdue (May–June: May's
    report missing, June's in time), far behind (September's report on 8 October, late; October's in
    time) and far behind (September's missing, October's on 6 November, late); it supports 教育局's B2,
    on track: 1.5 of 4.5 weighted on track (33.3 %; 2 of 5 unweighted), 1 overdue, 4 of 8 on time.
    教育局 leads a target done in September (no report owed after it) and B2 in time: 100 %, 3 of 3.
    =卫生健康局 leads C1 in time and supports B2: 100 %, 2 of 2 (supported targets owe it no report).
    """
    u = reporter_a
    start = {"period_start": SEPTEMBER_FIRST}
    a1 = builders.target(report, code="A1", lead=dept_a, **start)
    entry(a1, "2026-09-30", 4, created=D(2026, 9, 30), user=u)
    entry(a1, "2026-10-31", 7, created=D(2026, 11, 1), user=u)
    entry(a1, "2026-11-20", 9, created=D(2026, 11, 20), user=u)
    a2 = builders.target(report, code="A2", lead=dept_a, period_start=D(2026, 5, 1), deadline=D(2026, 6, 30))
    entry(a2, "2026-06-30", 5, created=D(2026, 6, 30), user=u)
    a3 = builders.target(report, code="A3", lead=dept_a, **start)
    entry(a3, "2026-09-15", 1, created=D(2026, 10, 8), user=u)
    entry(a3, "2026-10-20", 2, created=D(2026, 10, 21), user=u)
    a4 = builders.target(report, code="A4", lead=dept_a, **start)
    entry(a4, "2026-10-31", 2, created=D(2026, 11, 6), user=u)

    b1 = builders.target(report, code="B1", lead=dept_b, **start)
    entry(b1, "2026-09-30", 10, created=D(2026, 9, 30), user=u)
    b2 = builders.target(report, code="B2", lead=dept_b, co=[dept_a, dept_c], **start)
    entry(b2, "2026-09-30", 4, created=D(2026, 10, 1), user=u)
    entry(b2, "2026-10-31", 7, created=D(2026, 11, 3), user=u)
    entry(b2, "2026-11-20", 9, created=D(2026, 11, 20), user=u)

    c1 = builders.target(report, code="C1", lead=dept_c, **start)
    entry(c1, "2026-09-28", 4, created=D(2026, 9, 28), user=u)
    entry(c1, "2026-10-30", 7, created=D(2026, 10, 30), user=u)
    entry(c1, "2026-11-20", 9, created=D(2026, 11, 20), user=u)
    return report


def table(ranking):
    return [
        (s.rank, s.department.code, s.led, s.supported, s.on_track_share, s.overdue, s.timely_reports, s.due_reports)
        for s in ranking.scores
    ]


def test_worked_example(example, official):
    ranking = department_ranking(user=official, report=example, as_of=TODAY)
    assert table(ranking) == [
        (1, "jyj", 2, 0, 100.0, 0, 3, 3),
        (1, "wjw", 1, 1, 100.0, 0, 2, 2),
        (3, "fgw", 4, 1, 33.3, 1, 4, 8),
    ]
    assert [s.timeliness for s in ranking.scores] == [100.0, 100.0, 50.0]
    assert ranking.scores[2].last_reported_on == D(2026, 11, 20)


def test_any_as_of_date_replays_the_reports_due_by_then(example, official):
    ranking = department_ranking(user=official, report=example, as_of=D(2026, 10, 20))
    assert {s.department.code: (s.timely_reports, s.due_reports) for s in ranking.scores} == {
        "wjw": (1, 1),
        "jyj": (2, 2),
        "fgw": (2, 5),
    }
    # On 1 October September's reports are due until the 5th: those in count as on time, the others
    # are not judged yet (A3, A4); May's and June's of A2 are.
    before = department_ranking(user=official, report=example, as_of=D(2026, 10, 1))
    assert {s.department.code: (s.timely_reports, s.due_reports) for s in before.scores} == {
        "fgw": (2, 3),
        "jyj": (2, 2),
        "wjw": (1, 1),
    }


def test_returned_entries_are_not_reports(example, official):
    ProgressEntry.objects.filter(target__code="C1", reported_on=D(2026, 9, 28)).update(review_status="returned")
    ranking = department_ranking(user=official, report=example, as_of=TODAY)
    wjw = next(s for s in ranking.scores if s.department.code == "wjw")
    assert (wjw.timely_reports, wjw.due_reports) == (1, 2)


def test_a_supported_target_weighs_half_a_led_one(report, dept_a, dept_b, official, reporter_a):
    led = builders.target(report, code="A1", lead=dept_a)
    builders.entry(led, "2026-11-20", 9, user=reporter_a)
    for code in ("B1", "B2"):  # 教育局's, behind, supported by 发展和改革局
        builders.entry(builders.target(report, code=code, lead=dept_b, co=[dept_a]), "2026-11-20", 1, user=reporter_a)
    scores = {s.department.code: s for s in department_ranking(user=official, report=report, as_of=TODAY).scores}
    assert (scores["fgw"].on_track, scores["fgw"].targets, scores["fgw"].on_track_share) == (1, 3, 50.0)
    assert scores["jyj"].on_track_share == 0.0


def test_equal_departments_share_a_rank(report, dept_a, dept_b, official, reporter_a):
    for code, dept in (("A1", dept_a), ("B1", dept_b)):
        builders.entry(builders.target(report, code=code, lead=dept), "2026-11-20", 9, user=reporter_a)
    ranking = department_ranking(user=official, report=report, as_of=TODAY)
    assert [s.rank for s in ranking.scores] == [1, 1]


def test_page_states_the_rule_shows_the_ranking_and_exports_it_as_values(client, example, official):
    client.force_login(official)
    page = client.get(reverse("supervision:ranking")).content.decode()
    assert "单位牵头的目标权重为 1.0，配合的目标权重为 0.5" in page
    assert page.index("教育局") < page.index("=卫生健康局") < page.index("发展和改革局")
    assert "4 / 8" in page and "50.0%" in page and "33.3%" in page and "仅计审核通过的填报" in page
    response = client.get(reverse("supervision:ranking"), {"format": "xlsx", "as_of": "2026-11-27"})
    assert response["Content-Disposition"].endswith('ranking-test-2026-11-27.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    title, header, *data = list(sheet.iter_rows(values_only=True))
    assert "数据截至 2026-11-27" in title[0]
    assert header[:4] == ("排名", "责任单位", "牵头目标数", "配合目标数")
    assert data[1][:10] == (1, "'=卫生健康局", 1, 1, 2, 100, 0, 2, 2, 100)
    assert data[2][:10] == (3, "发展和改革局", 4, 1, 2, 33.3, 1, 8, 4, 50)
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
    client.force_login(supervisor)
    grow(2, 2)
    client.get(reverse("supervision:ranking"))  # warm the session
    # session, user, groups, report, the targets with their standing; the reports owed (the targets,
    # their cycles, their first reports of each period) and the departments' names
    with django_assert_num_queries(9) as small:
        client.get(reverse("supervision:ranking"))
    grow(8, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("supervision:ranking"))
    assert response.content.decode().count('<th scope="row">') == 10
