"""The app behind PgBouncer in transaction mode, the usual pooler when several app servers share one
PostgreSQL (README: Behind PgBouncer).

A copy of the migrated test database on the tests' server, pooled by Debian's pgbouncer with the
server connections taken in turn, and the app under gunicorn (two workers) connected through it.
Every role's pages answer, and the write paths — the progress form, the API, the review — store
what they acknowledge and the pages then show it, while the statements of one request are spread
over several server connections. The first test proves the pool is one where a statement prepared
by name in one transaction is gone in the next, so the others would catch a page that relied on it."""

import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
import requests
from django.db import connection

from .servers import ROOT, Gunicorn, PgBouncer, app_environment, database_url, pg_tool

PASSWORD = "correct-horse-battery-9"
SEED = """
import datetime, django
django.setup()
from tests import builders
from targets import roles
from ledger.models import ApiToken
report = builders.report(year=2026, review_required=True)
works = builders.department("zjj", "住房和城乡建设局")
targets = [builders.target(report, code=f"P{n:02d}", lead=works, target_value=10 * n) for n in range(1, 31)]
builders.target(report, code="PG", lead=works, target_value=None, growth_rate_target=8, unit="%", name="增长")
reporter = builders.person("pooled-reporter", builders.REPORTER, works)
builders.person("pooled-supervisor", roles.SUPERVISOR)
builders.person("pooled-leader", roles.OFFICIAL)
print(ApiToken.objects.issue(user=reporter, name="pooled")[1])
"""
MIGRATED_TABLES = [
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
]
PAGES = {
    "pooled-reporter": ["/", "/targets/", "/targets/?page=2", "/targets/test/P01/", "/targets/test/P01/progress/"],
    "pooled-supervisor": ["/dashboard/", "/supervision/review/", "/supervision/ranking/", "/ledger.xlsx"],
    "pooled-leader": ["/dashboard/", "/report/", "/public/", "/api/v1/dashboard?report=test"],
}


@pytest.fixture(scope="module")
def pooled_app(django_db_setup, django_db_blocker):
    """(gunicorn, pgbouncer, direct URL, API token) for a seeded copy of the migrated test database."""
    with django_db_blocker.unblock():
        source = database_url()
        name = f"{connection.settings_dict['NAME']}_pooled"
        direct = database_url(name)
        maintenance = database_url("postgres")
    folder = Path(tempfile.mkdtemp(prefix="reportgov-pgbouncer-"))
    pg_tool("dropdb", "--if-exists", "--force", "--maintenance-db", maintenance, name)
    pg_tool("createdb", "--maintenance-db", maintenance, name)
    schema, rows = folder / "schema.sql", folder / "migrated-rows.sql"
    pg_tool("pg_dump", "--no-owner", "--schema-only", "--file", str(schema), source)
    pg_tool(
        "pg_dump", "--no-owner", "--data-only", *(f"--table={t}" for t in MIGRATED_TABLES), "--file", str(rows), source
    )
    for part in (schema, rows):
        pg_tool("psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--file", str(part), direct)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=app_environment(direct), capture_output=True, text=True
    )
    assert seeded.returncode == 0, seeded.stderr
    token = seeded.stdout.strip().splitlines()[-1]
    bouncer = PgBouncer(name)
    server = None
    try:
        server = Gunicorn(bouncer.url, workers=2, log=folder / "gunicorn.log", DATABASE_POOL_MODE="transaction")
        yield server, bouncer, direct, token
    finally:
        if server is not None:
            server.stop()
        bouncer.stop()
        pg_tool("dropdb", "--if-exists", "--force", "--maintenance-db", maintenance, name)
    shutil.rmtree(folder, ignore_errors=True)


def signed_in(server, username):
    session = requests.Session()
    login = session.get(server.base + "/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)[1]
    answer = session.post(
        server.base + "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        timeout=30,
    )
    assert answer.status_code == 200 and "/accounts/login/" not in answer.url, answer.text[:300]
    return session


def csrf_of(session, server, path):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(server.base + path, timeout=30).text)[1]


def test_the_pool_moves_a_client_between_server_connections(pooled_app):
    """The control: what a name prepared in one transaction relies on is gone in a later one."""
    _, bouncer, _, _ = pooled_app
    held = [psycopg2.connect(bouncer.url) for _ in range(3)]  # three transactions at once: three servers
    for other in held:
        other.cursor().execute("SELECT 1")
    for other in held:
        other.commit()  # a server whose client leaves in a transaction is closed, not pooled
        other.close()
    client = psycopg2.connect(bouncer.url)
    client.autocommit = True
    try:
        with client.cursor() as cursor:
            cursor.execute("PREPARE pooled_probe AS SELECT 1")
            backends = set()
            failures = 0
            for _ in range(6):
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
                try:
                    cursor.execute("EXECUTE pooled_probe")
                except psycopg2.errors.InvalidSqlStatementName:
                    failures += 1
    finally:
        client.close()
    assert len(backends) > 1 and failures > 0
    assert {row["pool_mode"] for row in bouncer.admin("SHOW POOLS") if row["database"] != "pgbouncer"} == {
        "transaction"
    }


def test_every_roles_pages_answer_through_the_pool(pooled_app):
    server, _, _, _ = pooled_app
    answers, sessions = [], {user: signed_in(server, user) for user in PAGES}

    def visit(user):
        for _ in range(3):
            for path in PAGES[user]:
                response = sessions[user].get(server.base + path, timeout=60)
                answers.append((user, path, response.status_code))

    threads = [threading.Thread(target=visit, args=(user,)) for user in PAGES for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    failed = [answer for answer in answers if answer[2] != 200]
    assert not failed and len(answers) == 2 * 3 * sum(len(paths) for paths in PAGES.values())


def test_the_write_paths_store_what_they_acknowledge_through_the_pool(pooled_app):
    server, _, direct, token = pooled_app
    day = min(datetime.date.today(), datetime.date(2026, 12, 31)).isoformat()
    reporter = signed_in(server, "pooled-reporter")

    # The progress form (a level, then a growth rate), and the API.
    for code, fields in (("P02", {"value": "12"}), ("PG", {"growth_rate": "7.5"})):
        form = f"/targets/test/{code}/progress/"
        posted = reporter.post(
            server.base + form,
            data={"csrfmiddlewaretoken": csrf_of(reporter, server, form), "reported_on": day, **fields},
            timeout=60,
        )
        assert posted.status_code == 200 and posted.url.endswith(f"/targets/test/{code}/"), posted.text[:500]
    api = requests.post(
        server.base + "/api/v1/targets/P03/progress",
        data=json.dumps({"reported_on": day, "value": "21", "note": "pooled"}),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        timeout=60,
    )
    assert api.status_code == 201, api.text[:500]

    # The supervisor approves the three in the review queue.
    supervisor = signed_in(server, "pooled-supervisor")
    queue = supervisor.get(server.base + "/supervision/review/", timeout=60).text
    pending = sorted(set(re.findall(r'action="/supervision/review/(\d+)/"', queue)))
    assert len(pending) == 3, queue[:500]
    for pk in pending:
        decided = supervisor.post(
            server.base + f"/supervision/review/{pk}/",
            data={"csrfmiddlewaretoken": csrf_of(supervisor, server, "/supervision/review/"), "decision": "approve"},
            timeout=60,
        )
        assert decided.status_code == 200

    with psycopg2.connect(direct) as stored, stored.cursor() as cursor:
        cursor.execute(
            "SELECT t.code, e.value, e.growth_rate, e.review_status FROM targets_progressentry e"
            " JOIN targets_target t ON t.id = e.target_id ORDER BY t.code"
        )
        entries = cursor.fetchall()
    stored.close()
    assert [(code, status) for code, _, _, status in entries] == [
        ("P02", "approved"),
        ("P03", "approved"),
        ("PG", "approved"),
    ]
    assert [(value, rate) for _, value, rate, _ in entries] == [(12, None), (21, None), (None, Decimal("7.5"))]

    # The one computation, read through the pool, counts the approved values.
    ledger = requests.get(
        server.base + "/api/v1/ledger?report=test", headers={"Authorization": f"Token {token}"}, timeout=60
    )
    assert ledger.status_code == 200, ledger.text[:500]
    figures = {row["code"]: row for row in ledger.json()["targets"]}
    assert (figures["P02"]["latest_value"], figures["P02"]["percent_complete"]) == (12, 60.0)
    assert (figures["P03"]["latest_value"], figures["P03"]["percent_complete"]) == (21, 70.0)
    assert figures["PG"]["latest_growth_rate"] == 7.5 and figures["P04"]["status"] == "no_data"
