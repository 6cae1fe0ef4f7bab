"""The in-process figures of bench/run.py and their floors, under bench.settings (DEBUG off).

Each figure is measured in rounds that interleave it with the floors it is bounded by, so that
both see the same load of this shared machine. Times are wall-clock milliseconds.
"""

import datetime
import io
import itertools
import os
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.template import engines
from django.test import Client, RequestFactory
from django.utils import timezone

REPORT = "scale-1-000"
OFFICIAL, REPORTER, SUPERVISOR = "bench-official", "bench-reporter", "bench-supervisor"
BENCH_USERS = (OFFICIAL, REPORTER, SUPERVISOR)


# --- Timing -------------------------------------------------------------------------------------


def summary(samples):
    return {
        "median_ms": round(statistics.median(samples), 3),
        "min_ms": round(min(samples), 3),
        "max_ms": round(max(samples), 3),
        "runs": len(samples),
    }


WINDOW_MS = 1000  # a sample spans at least this long: the mean of as many rounds as fill it


def timed(fn):
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def rounds(measures, runs, warmup=1, before=None, window_ms=WINDOW_MS):
    """{name: fn}: each round calls every fn once, in turn. After `warmup` unmeasured rounds, `runs`
    samples of each: a sample is the mean of a figure's calls over as many consecutive rounds as
    take `window_ms` (from the last warm-up round; one round for slower figures, and always with
    window_ms=0). This machine's neighbours slow it for spells of half a second or more: one call of
    a few milliseconds timed them more than the call, and a figure timed in a window of its own
    could sit in a slow spell while its floor sat in a quick one. Interleaved call by call, a figure
    and its floors share every spell. `before(name)` runs untimed before each call (a database
    switch, a clean-up)."""

    def one_round():
        times = {}
        for name, fn in measures.items():
            if before:
                before(name)
            times[name] = timed(fn)
        return times

    for _ in range(warmup):
        last = one_round()
    calls = max(1, int(window_ms / max(sum(last.values()), 0.001))) if warmup else 1
    samples = {name: [] for name in measures}
    for _ in range(runs):
        totals = dict.fromkeys(measures, 0.0)
        for _ in range(calls):
            for name, elapsed in one_round().items():
                totals[name] += elapsed
        for name, total in totals.items():
            samples[name].append(total / calls)
    return samples


# --- Databases, users, clients ------------------------------------------------------------------


def use_database(name):
    """Point the default connection at another scratch database (bench_s, bench_l, bench_x)."""
    db = connections["default"]
    if db.settings_dict["NAME"] != name:
        db.close()
        db.settings_dict["NAME"] = name
        ContentType.objects.clear_cache()


def bench_users():
    """The official (领导: reads everything), a reporter of the first department (填报员) and a
    supervisor (督查) of the current scratch database, created once."""
    from targets import roles
    from targets.models import Department, StaffProfile

    users = {}
    for username, group in ((OFFICIAL, roles.OFFICIAL), (REPORTER, roles.REPORTER), (SUPERVISOR, roles.SUPERVISOR)):
        user, _ = User.objects.get_or_create(username=username)
        user.groups.add(Group.objects.get(name=group))
        users[username] = user
    department = Department.objects.order_by("pk").first()
    StaffProfile.objects.get_or_create(user=users[REPORTER], defaults={"department": department})
    return users


_clients = {}


def client_for(database):
    """A logged-in client per database (the session lives in that database)."""
    if database not in _clients:
        use_database(database)
        client = Client()
        client.force_login(bench_users()[OFFICIAL])
        _clients[database] = client
    return _clients[database]


def get(client, url):
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"{url}: {response.status_code}")
        return response

    return fetch


def forget_kept_reads():
    from targets import data_version

    caches[data_version.CACHE].clear()


def no_db_floor():
    return get(Client(), "/bench/no-db")


# --- Dashboard ----------------------------------------------------------------------------------

LATEST_SQL = """
    SELECT t.code, t.name, t.target_value, e.value, e.reported_on, t.unit, t.direction
    FROM targets_target t JOIN targets_report r ON r.id = t.report_id
    LEFT JOIN targets_progressentry e ON e.id = t.latest_approved_entry_id
    WHERE r.code = %s ORDER BY t."order", t.code
"""
ROWS_300_X_7 = engines["django"].from_string(
    "<table><tbody>{% for r in rows %}<tr><td>{{ r.code }}</td><td>{{ r.name }}</td><td>{{ r.target_value }}</td>"
    "<td>{{ r.value }}</td><td>{{ r.reported_on }}</td><td>{{ r.unit }}</td><td>{{ r.direction }}</td></tr>"
    "{% endfor %}</tbody></table>"
)
ROW_KEYS = ("code", "name", "target_value", "value", "reported_on", "unit", "direction")


def latest_sql():
    with connection.cursor() as cursor:
        cursor.execute(LATEST_SQL, [REPORT])
        return cursor.fetchall()


def dashboard(runs):
    """The dashboard of the 300-target report at S, its floors, and the same page at L. A switch of
    database opens a new connection: the page is requested once, untimed, to warm it."""
    url = f"/dashboard/?report={REPORT}"
    at_s, at_l = get(client_for("bench_s"), url), get(client_for("bench_l"), url)
    use_database("bench_s")
    rows = [dict(zip(ROW_KEYS, row, strict=True)) for row in latest_sql()]
    assert len(rows) == 300, len(rows)
    measures = {
        "no_db_floor": no_db_floor(),
        "latest_sql_300": latest_sql,
        "template_300x7": lambda: ROWS_300_X_7.render({"rows": rows}),
        "dashboard_s": at_s,
        "dashboard_l": at_l,
        # Not bounded: the page when its figures are not kept (targets.data_version), as after a write.
        "dashboard_s_recomputed": at_s,
    }

    def before(name):
        database = "bench_l" if name == "dashboard_l" else "bench_s"
        if connections["default"].settings_dict["NAME"] != database:
            use_database(database)
            (at_l if database == "bench_l" else at_s)()
            latest_sql()
        if name == "dashboard_s_recomputed":
            forget_kept_reads()
        elif name == "dashboard_s":
            at_s()  # kept again, after the round before forgot it

    return rounds(measures, runs, warmup=2, before=before)


# --- 我的目标 -----------------------------------------------------------------------------------

PAGE_SQL = """
    SELECT t.id, t.code, t.name, s.title, t.target_value, t.unit, e.value, e.reported_on,
           t.period_start, t.deadline, t.direction
    FROM targets_target t JOIN targets_report r ON r.id = t.report_id
    JOIN targets_section s ON s.id = t.section_id
    LEFT JOIN targets_progressentry e ON e.id = t.latest_approved_entry_id
    WHERE r.code = %s ORDER BY {order}, t.id LIMIT 26 OFFSET %s
"""
# The hand-written ordering of each sortable column, for the raw-SQL floor of the same page.
PAGE_ORDER = {
    "code": "t.code",
    "name": "t.name",
    "section": 's."order"',
    "target_value": "t.target_value",
    "latest_value": "e.value",
    "percent_complete": "e.value / NULLIF(t.target_value, 0)",
    "expected_percent": "(CURRENT_DATE - t.period_start)::float / (t.deadline - t.period_start + 1)",
    "gap": "t.target_value - e.value",
    "status": "e.value / NULLIF(t.target_value, 0)",
    "latest_reported_on": "e.reported_on",
}
PER_PAGE = 25


def _plain_table():
    """A django-tables2 table of the list's visible columns, with plain values: the floor."""
    import django_tables2 as tables

    from targets.tables import TargetTable

    columns = [column.name for column in TargetTable([]).columns]  # the visible ones
    attrs = {name: tables.Column() for name in columns}
    return type(tables.Table)("PlainTable", (tables.Table,), attrs), columns


def target_list(runs):
    from django_tables2 import RequestConfig

    from targets.tables import TargetTable

    client = client_for("bench_s")
    use_database("bench_s")
    sortable = [column.name for column in TargetTable([]).columns if column.orderable]
    deep = 300 // PER_PAGE  # the last page
    table_class, columns = _plain_table()
    rows = [{name: f"{name}-{index}" for name in columns} for index in range(PER_PAGE)]
    request = RequestFactory().get("/targets/")

    def render_plain_table():
        table = table_class(rows)
        RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
        return table.as_html(request)

    def page_sql(column, page):
        sql = PAGE_SQL.format(order=PAGE_ORDER.get(column, "t.id"))

        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, [REPORT, (page - 1) * PER_PAGE])
                return cursor.fetchall()

        return run

    measures = {"no_db_floor": no_db_floor(), "tables2_25_rows": render_plain_table}
    for column in sortable:
        for page in (1, deep):
            measures[f"list_sql:{column}:{page}"] = page_sql(column, page)
            measures[f"list:{column}:{page}"] = get(client, f"/targets/?report={REPORT}&sort={column}&page={page}")
    # Not bounded: the first page when it is not kept (targets.data_version), as after a write: a
    # query parameter the page ignores, new at each call, is a query nothing was kept for.
    fresh = itertools.count()
    measures["list_recomputed:code:1"] = lambda: get(client, f"/targets/?report={REPORT}&sort=code&n={next(fresh)}")()
    return rounds(measures, runs, warmup=1), sortable, deep


# --- The target page ----------------------------------------------------------------------------


def target_page(runs, history_reports):
    client = client_for("bench_s")
    use_database("bench_s")
    measures = {
        f"target_page_{entries}": get(client, f"/targets/{code}/S00000/") for entries, code in history_reports.items()
    }
    return rounds(measures, runs, warmup=2)


# --- Recording one entry ------------------------------------------------------------------------


def record(runs):
    from targets import services
    from targets.choices import ReviewStatus
    from targets.models import ProgressEntry, Target

    use_database("bench_s")
    users = bench_users()
    reporter = users[REPORTER]
    target = Target.objects.filter(report__code=REPORT, lead_department=reporter.staff_profile.department).first()
    today = timezone.localdate()
    first_id = ProgressEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    value = iter(range(10_000_000, 20_000_000))

    def service():
        # Values far past the target, one after another: confirmed as a reporter confirms an unusual one.
        services.record_progress(
            user=reporter, target=target, reported_on=today, value=Decimal(next(value)), unusual_confirmed=True
        )

    def orm_create():
        ProgressEntry.objects.create(
            target=target,
            reported_on=today,
            value=Decimal(next(value)),
            review_status=ReviewStatus.SUBMITTED,
            created_by=reporter,
        )

    try:
        return rounds({"record_service": service, "orm_create": orm_create}, runs, warmup=1)
    finally:
        remove_entries_after(first_id, [target.pk])


def remove_entries_after(last_kept_id, target_ids):
    """Take the bench's own entries out again (history triggers off: they are not anyone's changes),
    and vacuum what they leave: the next run would otherwise find the newest end of the entries'
    (target, date) index full of dead rows, which a real ledger, whose entries stay, never has."""
    from targets.services import refresh_latest

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM targets_progressentry WHERE id > %s", [last_kept_id])
        refresh_latest(target_ids=target_ids)
    with connection.cursor() as cursor:  # VACUUM runs outside a transaction: autocommit here
        cursor.execute("VACUUM (ANALYZE) targets_progressentry, targets_target")


# --- Excel export -------------------------------------------------------------------------------


def _export_rows(first=None):
    """The rows the 台账 writes, as write_ledger reads them, already in memory: the floor's input."""
    from ledger import workbook
    from targets.models import Report
    from targets.roles import COMMAND_LINE

    report = Report.objects.get(code=REPORT)
    queryset = workbook.ledger_queryset(user=COMMAND_LINE, report=report, as_of=timezone.localdate())
    if first is not None:
        queryset = queryset.filter(pk__in=queryset.order_by("order", "code").values("pk")[:first])
    columns = workbook.TARGET_COLUMNS
    values = workbook._target_values(queryset, as_of=timezone.localdate(), include_pending=False)
    rows = [[_cell_value(row, column.key) for column in columns] for row in values]
    return [column.header for column in columns], rows


def _cell_value(row, key):
    value = None if key is None else row[key]
    return "、".join(value) if isinstance(value, list) else value


def _write_plain(path, header, rows):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("年度任务")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _write_ledger(path, first=None):
    """The 台账 of the 100 000-target report (or of its `first` targets only)."""
    from ledger import workbook
    from targets.models import Report
    from targets.roles import COMMAND_LINE

    report, today = Report.objects.get(code=REPORT), timezone.localdate()
    queryset = None
    if first is not None:
        ledger = workbook.ledger_queryset(user=COMMAND_LINE, report=report, as_of=today)
        queryset = ledger.filter(pk__in=ledger.order_by("order", "code").values("pk")[:first])
    workbook.write_ledger(path, user=COMMAND_LINE, report=report, as_of=today, queryset=queryset)


def export(runs):
    use_database("bench_x")
    header, rows = _export_rows()
    assert len(rows) == 100_000, len(rows)
    with tempfile.TemporaryDirectory() as folder:
        measures = {
            "openpyxl_write_only": lambda: _write_plain(Path(folder) / "plain.xlsx", header, rows),
            "export_ledger": lambda: _write_ledger(Path(folder) / "ledger.xlsx"),
        }
        return rounds(measures, runs, warmup=1)


def peak_memory(kind):
    """In a fresh process: the rise of the peak resident set while writing (the export, or the
    floor from the moment it starts holding its rows), in MB. Each first writes a small workbook the
    same way, so that imports and caches are in place as in a running server; a full-size warm-up
    would leave the export's memory allocated already and hide its peak."""
    use_database("bench_x")
    with tempfile.TemporaryDirectory() as folder:
        if kind == "export":
            _write_ledger(Path(folder) / "warm.xlsx", first=100)
        else:
            header, rows = _export_rows(first=100)
            _write_plain(Path(folder) / "warm.xlsx", header, rows)
            del rows
        _reset_peak()
        before = _rss_mb()
        if kind == "export":
            _write_ledger(Path(folder) / "ledger.xlsx")
        else:
            header, rows = _export_rows()
            _write_plain(Path(folder) / "plain.xlsx", header, rows)
        return round(_peak_mb() - before, 1)


def _status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def _reset_peak():
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux)


def _rss_mb():
    return _status_kb("VmRSS") / 1024


def _peak_mb():
    return _status_kb("VmHWM") / 1024


# --- Excel import -------------------------------------------------------------------------------


def import_workbook(path, count):
    """A 台账 a department filled in: the ledger's headers, one new cumulative value per target (a round
    number far above the seeded ones, each confirmed in the sheet's 确认数值无误 column as a
    reporter would: the import's check of values ten times the goal or the entry before passes)."""
    from openpyxl import Workbook

    from targets.imports import CONFIRM

    book = Workbook(write_only=True)
    sheet = book.create_sheet("年度任务")
    sheet.append(["编号", "名称", "填报日期", "本期累计完成值", "本期说明", CONFIRM])
    today = timezone.localdate()
    for n in range(count):
        sheet.append([f"S{n:05d}", f"规模测试目标{n}", today, 1_000_000 + n, "月报", "是"])
    book.save(path)


def importing(runs):
    from psycopg2.extras import execute_values
    from python_calamine import CalamineWorkbook

    from targets.choices import ReviewStatus
    from targets.models import ProgressEntry, Target

    use_database("bench_x")
    users = bench_users()
    codes = {f"S{n:05d}" for n in range(10_000)}
    ids = dict(Target.objects.filter(report__code=REPORT, code__in=codes).values_list("code", "pk"))
    now = timezone.now()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "progress.xlsx"
        import_workbook(path, 10_000)

        def floor():
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("年度任务").to_python()
            values = [
                (ids[code], day, value, "", note, "", "", ReviewStatus.SUBMITTED, "", users[SUPERVISOR].pk, now, True)
                for code, _name, day, value, note, _confirmed in sheet[1:]
            ]
            with transaction.atomic(), connection.cursor() as cursor:
                execute_values(
                    cursor.cursor,
                    "INSERT INTO targets_progressentry (target_id, reported_on, value, stage, note, evidence, "
                    "correction_reason, review_status, review_comment, created_by_id, created_at, "
                    "unusual_confirmed) VALUES %s",
                    values,
                    page_size=1000,
                )
            assert len(values) == 10_000

        def command():
            out = io.StringIO()
            call_command("import_progress", str(path), user=SUPERVISOR, report=REPORT, stdout=out)
            assert "10000" in out.getvalue(), out.getvalue()

        last = ProgressEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        try:
            return rounds(
                {"calamine_execute_values": floor, "import_progress": command},
                runs,
                warmup=1,
                before=lambda name: remove_entries_after(last, list(ids.values())),
                window_ms=0,
            )
        finally:
            remove_entries_after(last, list(ids.values()))


def now_iso():
    return datetime.datetime.now().isoformat(timespec="seconds")


def environment():
    return {"pid": os.getpid(), "settings": os.environ.get("DJANGO_SETTINGS_MODULE")}
