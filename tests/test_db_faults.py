"""The database goes away while the app is serving, and comes back.

A throwaway PostgreSQL cluster of this test's own (never the shared server) holds a copy of the
migrated test database; the app runs under gunicorn against it. Requests keep coming in a thread
while the cluster is stopped and started again: during the outage every answer is the Chinese 503
(JSON for the API) with Retry-After — never a 500 — and after recovery every request succeeds.
Afterwards every acknowledged entry is stored, nothing is stored that was not submitted, and no
entry is half-written (each has its history row, and the latest pointers are right)."""

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import pytest

from .servers import ROOT, Gunicorn, ThrowawayCluster, app_environment, database_url, pg_tool

SEED = """
import django, os
django.setup()
from tests import builders
from ledger.models import ApiToken
report = builders.report(year=2026)
department = builders.department("fgw", "发展和改革局")
target = builders.target(report, code="F1", lead=department, target_value=1000)
user = builders.person("reporter-fault", builders.REPORTER, department)
print(ApiToken.objects.issue(user=user, name="faults")[1])
"""

MIGRATED_TABLES = [
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
]


@pytest.fixture
def cluster():
    # Not under pytest's tmp folder: every pytest session that starts (another developer's, on the
    # same machine) makes /tmp/pytest-of-<user> private again, and the server runs as another user.
    folder = Path(tempfile.mkdtemp(prefix="reportgov-faults-"))
    cluster = ThrowawayCluster(folder)
    yield cluster
    cluster.remove()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def app_on_cluster(cluster, django_db_setup, django_db_blocker, tmp_path):
    """A copy of the migrated test database in the throwaway cluster, the app running on it."""
    with django_db_blocker.unblock():
        source = database_url()
    target_url = cluster.uri("reportgov")
    pg_tool("createdb", "--maintenance-db", cluster.uri("postgres"), "reportgov")
    # The schema, and of the rows only those the migrations made (other tests may have left theirs).
    schema, rows = tmp_path / "schema.sql", tmp_path / "migrated-rows.sql"
    pg_tool("pg_dump", "--no-owner", "--schema-only", "--file", str(schema), source)
    tables = [f"--table={table}" for table in MIGRATED_TABLES]
    pg_tool("pg_dump", "--no-owner", "--data-only", *tables, "--file", str(rows), source)
    for part in (schema, rows):
        pg_tool("psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--file", str(part), target_url)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=app_environment(target_url), capture_output=True, text=True
    )
    assert seeded.returncode == 0, seeded.stderr
    token = seeded.stdout.strip().splitlines()[-1]
    server = Gunicorn(target_url, log=tmp_path / "gunicorn.log")
    yield server, token, target_url
    server.stop()


def post_entry(server, token, note, value):
    body = json.dumps({"reported_on": "2026-06-30", "value": value, "note": note}).encode()
    return server.request(
        "/api/v1/targets/F1/progress",
        data=body,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )


def test_an_outage_gives_503s_recovery_gives_success_and_no_entry_is_lost_or_half_written(cluster, app_on_cluster):
    server, token, target_url = app_on_cluster
    submitted, acknowledged, statuses = [], [], []
    outage = threading.Event()
    done = threading.Event()

    def keep_submitting():
        n = 0
        while not done.is_set():
            n += 1
            note = f"in-flight-{n}"
            submitted.append(note)
            status, headers, body = post_entry(server, token, note, 10)
            statuses.append((outage.is_set(), status))
            if status == 201:
                acknowledged.append(note)
            else:
                assert status == 503, (status, body[:300])
            time.sleep(0.02)

    # Healthy.
    for n in range(3):
        status, _, _ = post_entry(server, token, f"before-{n}", 5)
        assert status == 201
        acknowledged.append(f"before-{n}")
        submitted.append(f"before-{n}")
    assert server.request("/")[0] == 200

    writer = threading.Thread(target=keep_submitting)
    writer.start()
    try:
        time.sleep(0.5)
        cluster.stop()
        outage.set()
        time.sleep(0.5)
        for path in ("/", "/accounts/login/", "/api/v1/ledger?report=test"):
            headers = {"Authorization": f"Token {token}"} if path.startswith("/api/") else {}
            status, response_headers, body = server.request(path, headers=headers)
            assert status == 503, (path, status, body[:300])
            assert response_headers.get("Retry-After") == "30"
            assert "系统暂时不可用" in body or "数据库暂时无法连接" in body
            assert "Traceback" not in body and "OperationalError" not in body
        outage_answers = [status for during, status in statuses if during]
        cluster.start()
        outage.clear()
        time.sleep(1.0)
    finally:
        done.set()
        writer.join(timeout=60)

    assert 500 not in {status for _, status in statuses}
    assert outage_answers and set(outage_answers) <= {201, 503}
    # After recovery, every request succeeds.
    for n in range(10):
        status, _, body = post_entry(server, token, f"after-{n}", 20)
        assert status == 201, body[:300]
        acknowledged.append(f"after-{n}")
        submitted.append(f"after-{n}")
        assert server.request("/")[0] == 200
    assert server.request("/api/v1/ledger?report=test", headers={"Authorization": f"Token {token}"})[0] == 200

    with psycopg2.connect(target_url) as database, database.cursor() as cursor:
        cursor.execute("SELECT id, note FROM targets_progressentry")
        stored = dict(cursor.fetchall())
        cursor.execute("SELECT pgh_obj_id FROM targets_progressentryevent WHERE pgh_label = 'insert'")
        with_history = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT t.latest_entry_id, (SELECT e.id FROM targets_progressentry e WHERE e.target_id = t.id "
            "ORDER BY e.reported_on DESC, e.id DESC LIMIT 1) FROM targets_target t"
        )
        pointers = cursor.fetchall()
    notes = set(stored.values())
    assert set(acknowledged) <= notes  # nothing acknowledged was lost
    assert notes <= set(submitted)  # nothing stored that was not submitted
    assert len(notes) == len(stored)  # and nothing stored twice
    assert set(stored) == with_history  # no entry without its history row: no half-written write
    assert all(latest == truly_latest for latest, truly_latest in pointers)
