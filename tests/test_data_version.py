"""Reads kept until the data they were read from changes (targets.data_version): the dashboard and
我的目标 are read again after every committed write to what they read, never after a rolled-back one,
never across users' scopes, and every table they read is watched.

These tests commit (committed_db): a test inside one transaction has written, and a transaction that
has written reads without the cache."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import PracticalTask
from supervision.models import ReportingCycle
from targets import data_version, roles
from targets.apps import create_figure_functions
from targets.models import Target

from . import builders
from .committed import _restore_migrated_contents, committed_db  # noqa: F401  (fixtures)

TODAY = datetime.date(2026, 11, 27)
DASHBOARD = reverse("dashboard")
TARGETS = reverse("target-list")


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def district(committed_db):  # noqa: F811
    """Two departments' targets with entries, a practical task and a reporting cycle, committed."""
    report = builders.report()
    part = builders.section(report, "3", "三、2026年的主要工作")
    area = builders.section(report, "3.1", "一、以加快发展为根本", parent=part)
    dept_a = builders.department("fgw", "发展和改革局")
    dept_b = builders.department("jyj", "教育局")
    people = {
        "reporter_a": builders.person("reporter-a", roles.REPORTER, dept_a),
        "reporter_b": builders.person("reporter-b", roles.REPORTER, dept_b),
        "official": builders.person("leader", roles.OFFICIAL),
    }
    market = builders.target(report, code="S12.1", name="新建肉菜市场", lead=dept_a, section_obj=area)
    school = builders.target(
        report, code="A3.1.01", name="翻建中小学教学楼", unit="栋", target_value=8, lead=dept_b, section_obj=area
    )
    builders.entry(market, "2026-10-31", 4, user=people["reporter_a"])
    builders.entry(school, "2026-10-31", 2, user=people["reporter_b"])
    task = PracticalTask.objects.create(report=report, no=12, title="新建肉菜市场10座。")
    task.targets.set([market])
    ReportingCycle.objects.create(report=report, months=1, due_day=5)
    return {"report": report, "market": market, "school": school, **people}


def board_for(client, user, query=""):
    client.force_login(user)
    response = client.get(f"{DASHBOARD}?{query}")
    assert response.status_code == 200
    return response.context["board"]


def codes(board):
    return sorted(target.code for target in (*board.laggards, *board.stale))


def test_a_kept_dashboard_is_read_without_its_statement(client, district, django_assert_num_queries):
    client.force_login(district["official"])
    client.get(DASHBOARD)
    # The session, the user, their groups, the reports to choose from, and the writes seen.
    with django_assert_num_queries(5):
        response = client.get(DASHBOARD)
    assert response.context["board"].overall.total == 2


def test_a_committed_entry_shows_on_the_next_dashboard(client, district):
    before = board_for(client, district["official"], "pending=1")
    assert before.overall.total == 2 and before.overall.last_reported_on == datetime.date(2026, 10, 31)
    client.force_login(district["reporter_a"])
    market = district["market"]
    response = client.post(
        reverse("record-progress", args=[market.report.code, market.code]),
        {"reported_on": "2026-11-20", "value": "9"},
    )
    assert response.status_code == 302
    after = board_for(client, district["official"], "pending=1")
    assert after.overall.last_reported_on == datetime.date(2026, 11, 20)
    (metric,) = after.practical_tasks[0].metrics
    assert metric.latest_value == Decimal("9")


def listed(client, user, query=""):
    client.force_login(user)
    page = client.get(f"{TARGETS}?{query}").content.decode()
    return sorted(set(re.findall(r'<a href="/targets/test/([^/"]+)/"', page)))


def test_a_kept_list_is_read_without_its_statements(client, district, django_assert_num_queries):
    client.force_login(district["official"])
    client.get(TARGETS)
    # The session, the user, their groups and department (none: nothing sent back), the reports to
    # choose from, the writes seen, and the filters' choices (departments, sections).
    with django_assert_num_queries(8):
        page = client.get(TARGETS).content.decode()
    assert "共 2 项" in page


def test_a_committed_change_shows_on_the_next_list(client, district):
    client.force_login(district["official"])
    assert "新建肉菜市场<" in client.get(TARGETS).content.decode()
    Target.objects.filter(pk=district["market"].pk).update(name="新建标准化肉菜市场")
    assert "新建标准化肉菜市场" in client.get(TARGETS).content.decode()


def test_two_departments_never_read_each_others_kept_list(client, district):
    assert listed(client, district["reporter_a"]) == ["S12.1"]
    assert listed(client, district["reporter_b"]) == ["A3.1.01"]
    assert listed(client, district["official"], "sort=-gap") == ["A3.1.01", "S12.1"]
    assert listed(client, district["reporter_b"], "sort=-gap") == ["A3.1.01"]


def test_a_rolled_back_write_leaves_the_writes_seen_as_they_were(district):
    seen = data_version.version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Target.objects.filter(pk=district["market"].pk).update(name="改过又撤回")
        raise RuntimeError
    assert data_version.version() == seen
    Target.objects.filter(pk=district["market"].pk).update(name="新建标准化肉菜市场")
    assert data_version.version() != seen


def test_a_transaction_that_has_written_keeps_nothing(district):
    with transaction.atomic():
        assert data_version.version() is not None  # read only so far
        Target.objects.filter(pk=district["market"].pk).update(name="新建标准化肉菜市场")
        assert data_version.version() is None


def test_a_migrate_is_a_change_too(district):
    """The figures' functions are created again after every migrate: what was kept is read again."""
    seen = data_version.version()
    create_figure_functions(using="default")
    assert data_version.version() != seen


def test_a_transaction_of_another_database_changes_nothing_kept(district):
    """The cluster's transactions in progress include other databases': they never write here."""
    import psycopg2

    params = {**connection.get_connection_params(), "dbname": "postgres"}
    params.pop("cursor_factory", None)
    params.pop("database", None)
    elsewhere = psycopg2.connect(**params)
    try:
        with elsewhere.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")  # in progress, with an id below the next write's
        Target.objects.filter(pk=district["market"].pk).update(name="新建标准化肉菜市场")
        seen = data_version.version()
        elsewhere.rollback()
        assert data_version.version() == seen
    finally:
        elsewhere.close()


def test_writes_recorded_by_another_cluster_keep_nothing(district):
    """After a restore from another cluster's dump, ids above this one's make every key unusable."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO reportgov_data_change VALUES ('999999999999999'::xid8)")
    try:
        assert data_version.version() is None
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM reportgov_data_change WHERE xid = '999999999999999'::xid8")
    assert data_version.version() is not None


def test_two_departments_never_read_each_others_kept_dashboard(client, district):
    assert codes(board_for(client, district["reporter_a"])) == ["S12.1"]
    assert codes(board_for(client, district["reporter_b"])) == ["A3.1.01"]
    assert codes(board_for(client, district["official"])) == ["A3.1.01", "S12.1"]
    assert codes(board_for(client, district["reporter_a"])) == ["S12.1"]


def test_a_kept_dashboard_is_kept_per_language(client, district):
    client.force_login(district["official"])
    assert "全部目标的状态分布" in client.get(DASHBOARD).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(DASHBOARD).content.decode()
    assert 'lang="en"' in english and "全部目标的状态分布" not in english


# --- Every table a kept read queries is watched ---------------------------------------------------

TABLE_NAMED = re.compile(r'\b(?:FROM|JOIN)\s+"?([a-z_][a-z0-9_]*)"?', re.IGNORECASE)


def watched_tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'reportgov_data_changed'")
        return {row[0] for row in cursor.fetchall()}


def tables_named(sqls):
    """The tables of this database named after FROM or JOIN in `sqls`."""
    named = {name.lower() for sql in sqls for name in TABLE_NAMED.findall(sql)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p', 'v', 'm') AND relname = ANY(%s)"
            " AND relnamespace = 'public'::regnamespace",
            [list(named)],
        )
        return {row[0] for row in cursor.fetchall()}


def _shape(sql):
    """A query without its literals (the session's expiry is now's time)."""
    return re.sub(r"'[^']*'", "?", sql)


def kept_reads(client, url):
    """The queries a request runs only when nothing is kept: those of the kept read itself."""
    assert client.get(url).status_code == 200  # the session settled
    data_version.caches[data_version.CACHE].clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    warm_sql = {_shape(query["sql"]) for query in warm.captured_queries}
    kept = [query["sql"] for query in cold.captured_queries if _shape(query["sql"]) not in warm_sql]
    assert kept, f"nothing of {url} is kept"
    return kept


@pytest.mark.parametrize("person", ["official", "reporter_a"])
@pytest.mark.parametrize(
    "url", [DASHBOARD, reverse("api-dashboard"), TARGETS, f"{TARGETS}?sort=-gap&status=far_behind&page=1"]
)
def test_every_table_a_kept_page_reads_is_watched(client, district, person, url):
    client.force_login(district[person])
    assert tables_named(kept_reads(client, url)) - watched_tables() == set()


def test_every_table_the_figures_functions_read_is_watched(district):
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname LIKE 'reportgov\\_%%'")
        bodies = [row[0] for row in cursor.fetchall()]
    read = tables_named(bodies) - {"reportgov_data_change"}
    assert {"projects_practicaltask", "targets_progressentry"} <= read  # the count of tasks done reads them
    assert read - watched_tables() == set()
