"""make bench: is reportgov fast at a city's scale? Every goal is a ratio to a floor measured in the
same run, on the same loaded machine, interleaved with the figure it bounds (issue 9).

    DEBUG=1 .venv/bin/python bench/run.py [--runs N] [--only GROUP ...] [--rebuild]

1. Builds (or reuses) three scratch databases on the embedded server with seed_scale: bench_s
   (S: 1 report × 300 targets × 3 300 entries, plus one target with 3 000 entries and one with 30),
   bench_l (L: 100 reports × 300 targets × 170 entries) and bench_x (one report of 100 000 targets,
   for the Excel export and import). Never the dev or a test database.
2. Measures each figure at least five times (median, min, max), in this process under
   bench.settings (DEBUG off, as production runs), and the throughput under gunicorn.
3. Prints each figure, each bound and PASS/FAIL, and writes var/bench/results.json and results.md.

Groups: dashboard, list, target, record, export, import, throughput.
"""

import argparse
import datetime
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

RESULTS = BASE / "var" / "bench" / "results.json"
PYTHON = sys.executable
GROUPS = ("dashboard", "list", "target", "record", "export", "import", "throughput")
REPORT = "scale-1-000"  # seed_scale's first report (prefix "scale", seed 1)
HISTORY_REPORTS = {3000: "hist3000-1-000", 30: "hist30-1-000"}  # one target (S00000) each, last year
DATABASES = {
    "bench_s": {"reports": 1, "targets": 300, "entries": 3300},
    "bench_l": {"reports": 100, "targets": 300, "entries": 170},
    "bench_x": {"reports": 1, "targets": 100_000, "entries": 2},
}
EXPORT_ROWS = 100_000
IMPORT_ROWS = 10_000


# --- 1. The scratch databases ---------------------------------------------------------------


def database_url(name):
    from reportgov import embedded_db

    embedded_db.database_url()  # starts the embedded server if it is not running
    return f"postgresql://postgres:@/{name}?host={embedded_db.PGDATA}"


def manage(name, *args):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url(name)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([PYTHON, str(BASE / "manage.py"), *args], env=env, check=True, cwd=BASE)


def scalar(name, sql, params=()):
    import psycopg2

    with psycopg2.connect(database_url(name)) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    connection.close()
    return row[0] if row else None


def build(name, spec, rebuild=False):
    """Create, migrate and seed one scratch database unless it already holds its data."""
    import psycopg2

    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists and rebuild:
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    manage(name, "migrate", "--no-input", "--verbosity", "0")
    counts = seeded(name)
    if counts != (spec["reports"], spec["targets"], spec["entries"]):
        print(f"{name}: seeding {spec} (found {counts}) …", flush=True)
        started = time.perf_counter()
        sizes = ("--reports", spec["reports"], "--targets-per-report", spec["targets"])
        manage(name, "seed_scale", *map(str, sizes), "--entries-per-target", str(spec["entries"]), "--force")
        print(f"{name}: seeded in {time.perf_counter() - started:.0f} s", flush=True)
    if name == "bench_s":
        last_year = str(datetime.date.today().year - 1)
        for entries, code in HISTORY_REPORTS.items():
            if not scalar(name, "SELECT count(*) FROM targets_report WHERE code = %s", [code]):
                one = ("--reports", "1", "--targets-per-report", "1", "--entries-per-target", str(entries))
                manage(name, "seed_scale", "--prefix", code.split("-")[0], *one, "--year", last_year, "--force")


def seeded(name):
    """(synthetic reports, targets of the first, seeded entries of its first target)."""
    import psycopg2

    with psycopg2.connect(database_url(name)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM targets_report WHERE code LIKE 'scale-1-%%'")
        (reports,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM targets_target t JOIN targets_report r ON r.id = t.report_id WHERE r.code = %s",
            [REPORT],
        )
        (targets,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM targets_progressentry e JOIN targets_target t ON t.id = e.target_id "
            "JOIN targets_report r ON r.id = t.report_id JOIN auth_user u ON u.id = e.created_by_id "
            "WHERE r.code = %s AND t.code = 'S00000' AND u.username = 'scale-reporter'",
            [REPORT],
        )
        (entries,) = cursor.fetchone()
    connection.close()
    return reports, targets, entries


# --- 2. Measuring -------------------------------------------------------------------------------


def setup_django(secret_key):
    os.environ["DATABASE_URL"] = database_url("bench_s")
    os.environ["SECRET_KEY"] = secret_key
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def memory_in_fresh_process(kind, secret_key):
    env = {**os.environ, "DATABASE_URL": database_url("bench_s"), "SECRET_KEY": secret_key}
    output = subprocess.run(
        [PYTHON, __file__, "--memory", kind], env=env, check=True, capture_output=True, text=True, cwd=BASE
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["peak_mb"]


def measure(groups, runs, secret_key):
    from bench import figures, throughput

    figures_ms, extra = {}, {}

    def keep(samples):
        for name, values in samples.items():
            figures_ms[name] = figures.summary(values)

    if "dashboard" in groups:
        print("dashboard …", flush=True)
        keep(figures.dashboard(runs))
    if "list" in groups:
        print("我的目标 …", flush=True)
        samples, sortable, deep = figures.target_list(runs)
        keep(samples)
        extra["list"] = {"sortable": sortable, "deep_page": deep}
    if "target" in groups:
        print("target page …", flush=True)
        keep(figures.target_page(runs, HISTORY_REPORTS))
    if "record" in groups:
        print("recording one entry …", flush=True)
        keep(figures.record(runs))
    if "export" in groups:
        print("Excel export (100 000 rows) …", flush=True)
        keep(figures.export(runs))
        extra["export_memory_mb"] = {
            "export_ledger": memory_in_fresh_process("export", secret_key),
            "openpyxl_write_only": memory_in_fresh_process("floor", secret_key),
        }
    if "import" in groups:
        print("Excel import (10 000 rows) …", flush=True)
        keep(figures.importing(runs))
    if "throughput" in groups:
        print("throughput under gunicorn …", flush=True)
        cookie = f"sessionid={figures.client_for('bench_s').cookies['sessionid'].value}"
        figures.use_database("bench_s")
        urls = {
            "no_db": ("/bench/no-db", 300, False),
            "one_query": ("/bench/one-query", 300, False),
            "dashboard": (f"/dashboard/?report={REPORT}", 5, True),
            "list": (f"/targets/?report={REPORT}", 10, True),
        }
        env = {**os.environ, "DATABASE_URL": database_url("bench_s"), "SECRET_KEY": secret_key}
        rates, pids = throughput.measure(env, cookie, urls, runs)
        extra["throughput_rps"] = {name: _rate_summary(values) for name, values in rates.items()}
        extra["one_query_backend_pids"] = pids
    return figures_ms, extra


def _rate_summary(values):
    return {
        "median_rps": round(statistics.median(values), 1),
        "min_rps": round(min(values), 1),
        "max_rps": round(max(values), 1),
        "runs": len(values),
    }


# --- 3. The bounds ------------------------------------------------------------------------------


def checks(figures_ms, extra):
    """(figure, measured, bound, PASS?) for each line of the issue's table that was measured."""

    def med(name):
        return figures_ms[name]["median_ms"]

    rows = []

    def check(label, value, bound, unit, passed):
        rows.append({"figure": label, "value": round(value, 3), "bound": round(bound, 3), "unit": unit, "pass": passed})

    def within(label, figure, bound_ms):
        check(label, med(figure), bound_ms, "ms", med(figure) <= bound_ms)

    def at_most(label, figure, floor, bound):
        """`figure` within `bound` times `floor` (both medians of this run)."""
        ratio = med(figure) / med(floor)
        check(label, ratio, bound, "×", ratio <= bound)

    if "dashboard_s" in figures_ms:
        floor = 1.5 * (med("latest_sql_300") + med("template_300x7")) + 5 * med("no_db_floor")
        within("dashboard, 300 targets, S ≤ 1.5×(SQL + 300×7 template) + 5×no-DB", "dashboard_s", floor)
        at_most("dashboard at L / at S (same report) ≤ 1.5", "dashboard_l", "dashboard_s", 1.5)
    if "list" in extra:
        for column in extra["list"]["sortable"]:
            for page in (1, extra["list"]["deep_page"]):
                floor = 1.5 * (med("tables2_25_rows") + med(f"list_sql:{column}:{page}")) + 5 * med("no_db_floor")
                label = f"我的目标 sort={column} page {page} ≤ 1.5×(tables2 25 rows + SQL) + 5×no-DB"
                within(label, f"list:{column}:{page}", floor)
    if "target_page_3000" in figures_ms:
        at_most("target page, 3 000 entries / 30 entries ≤ 2", "target_page_3000", "target_page_30", 2.0)
    if "export_ledger" in figures_ms:
        at_most("Excel export 100 000 rows / openpyxl write-only ≤ 1.25", "export_ledger", "openpyxl_write_only", 1.25)
        memory = extra["export_memory_mb"]
        ratio = memory["export_ledger"] / memory["openpyxl_write_only"]
        check("Excel export peak memory / openpyxl write-only ≤ 1.5", ratio, 1.5, "×", ratio <= 1.5)
    if "import_progress" in figures_ms:
        at_most(
            "Excel import 10 000 rows / (calamine + execute_values) ≤ 4",
            "import_progress",
            "calamine_execute_values",
            4.0,
        )
    if "record_service" in figures_ms:
        at_most("record one entry (service) / ORM create() ≤ 4", "record_service", "orm_create", 4.0)
    if "throughput_rps" in extra:
        rates = extra["throughput_rps"]
        ratio = rates["one_query"]["median_rps"] / rates["no_db"]["median_rps"]
        reused = len(extra["one_query_backend_pids"]) <= throughput_workers()
        check(
            "one-query view / no-DB view requests/s ≥ 0.4 (connections reused)",
            ratio,
            0.4,
            "×",
            ratio >= 0.4 and reused,
        )
    return rows


def throughput_workers():
    from bench import throughput

    return throughput.WORKERS


def print_table(figures_ms, extra, rows):
    print()
    print(f"{'figure':<44} {'median':>10} {'min':>10} {'max':>10}  (ms, n)")
    for name, values in figures_ms.items():
        print(
            f"{name:<44} {values['median_ms']:>10.2f} {values['min_ms']:>10.2f} {values['max_ms']:>10.2f}"
            f"  n={values['runs']}"
        )
    if "export_memory_mb" in extra:
        memory = extra["export_memory_mb"]
        print(f"{'peak memory, MB':<44} export {memory['export_ledger']}  floor {memory['openpyxl_write_only']}")
    if "throughput_rps" in extra:
        for name, values in extra["throughput_rps"].items():
            print(
                f"{'requests/s ' + name:<44} {values['median_rps']:>10.1f} {values['min_rps']:>10.1f}"
                f" {values['max_rps']:>10.1f}"
            )
        print(f"{'one-query backend pids':<44} {extra['one_query_backend_pids']}")
    print()
    print(f"{'bound':<84} {'measured':>10} {'bound':>10}  result")
    for row in rows:
        result = "PASS" if row["pass"] else "FAIL"
        print(f"{row['figure']:<84} {row['value']:>10.3f} {row['bound']:>10.3f}{row['unit']:<2} {result}")


def _load(averages):
    return " / ".join(f"{n:.2f}" for n in averages)


def markdown(figures_ms, extra, rows, machine):
    """The same results as Markdown tables (var/bench/results.md), for the README and the issue."""
    lines = [
        f"{machine['cpus']} CPUs; load average (1/5/15 min) {_load(machine['load_average_at_start'])} at the start,"
        f" {_load(machine['load_average'])} at the end; Python {machine['python']}; {machine['finished_at']}",
        "",
        "| figure | median | min | max | n |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in figures_ms.items():
        lines.append(
            f"| {name} | {values['median_ms']:.2f} ms | {values['min_ms']:.2f} ms | {values['max_ms']:.2f} ms"
            f" | {values['runs']} |"
        )
    for name, values in extra.get("throughput_rps", {}).items():
        lines.append(
            f"| requests/s {name} | {values['median_rps']:.1f} | {values['min_rps']:.1f} | {values['max_rps']:.1f}"
            f" | {values['runs']} |"
        )
    if "export_memory_mb" in extra:
        memory = extra["export_memory_mb"]
        lines.append(
            f"| peak memory rise, export / openpyxl floor | {memory['export_ledger']} MB"
            f" / {memory['openpyxl_write_only']} MB | | | 1 |"
        )
    lines += ["", "| bound | measured | bound | result |", "|---|---:|---:|---|"]
    for row in rows:
        unit = row["unit"]
        lines.append(
            f"| {row['figure']} | {row['value']:.3f} {unit} | {row['bound']:.3f} {unit} |"
            f" {'PASS' if row['pass'] else '**FAIL**'} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="measured rounds per figure (at least 5)")
    parser.add_argument("--only", nargs="+", choices=GROUPS, default=list(GROUPS))
    parser.add_argument("--rebuild", action="store_true", help="drop and seed the scratch databases again")
    parser.add_argument("--memory", choices=["export", "floor"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.memory:  # the child process of the peak-memory figure
        setup_django(os.environ["SECRET_KEY"])
        from bench import figures

        print(json.dumps({"peak_mb": figures.peak_memory(args.memory)}))
        return

    if args.runs < 5:
        parser.error("--runs must be at least 5")
    started, load_at_start = time.perf_counter(), os.getloadavg()
    for name, spec in DATABASES.items():
        build(name, spec, rebuild=args.rebuild)
    secret_key = secrets.token_urlsafe(50)  # one per run, shared with gunicorn: the session must verify
    setup_django(secret_key)
    figures_ms, extra = measure(args.only, args.runs, secret_key)
    rows = checks(figures_ms, extra)
    print_table(figures_ms, extra, rows)
    machine = {
        "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "finished_at": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    print(f"load average (1/5/15 min): {_load(load_at_start)} at the start, {_load(os.getloadavg())} at the end")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.with_suffix(".md").write_text(markdown(figures_ms, extra, rows, machine))
    RESULTS.write_text(
        json.dumps(
            {
                "finished_at": machine["finished_at"],
                "seconds": round(time.perf_counter() - started),
                "machine": machine,
                "runs": args.runs,
                "databases": DATABASES,
                "figures": figures_ms,
                **extra,
                "checks": rows,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"\n{RESULTS.relative_to(BASE)} · {sum(r['pass'] for r in rows)}/{len(rows)} PASS")
    sys.exit(0 if all(row["pass"] for row in rows) else 1)


if __name__ == "__main__":
    main()
