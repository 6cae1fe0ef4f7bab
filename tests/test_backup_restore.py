"""Backup and restore, as the README tells an operator to do it: `pg_dump -Fc` of the database,
`pg_restore` into an empty one; the app starts on the copy (its migrations all applied, its checks
clean) and `export_ledger` and the change history read exactly the same as on the original."""

import datetime
import json
from decimal import Decimal

import psycopg2
import pytest
from django.db import connection

from targets import services
from targets.history import command_context

from . import builders
from .committed import _restore_migrated_contents, committed_db  # noqa: F401  (fixtures)
from .servers import database_url, manage, pg_tool

AS_OF = "2026-09-30"


@pytest.fixture
def ledger_with_history(committed_db):  # noqa: F811
    report = builders.report()
    fgw, jyj = builders.department("fgw", "发展和改革局"), builders.department("jyj", "教育局")
    reporter = builders.person("reporter-fgw", builders.REPORTER, fgw)
    first = builders.target(report, code="B1", lead=fgw, name="新建肉菜市场", target_value=Decimal("10"))
    second = builders.target(report, code="B2", lead=jyj, co=[fgw], name='=HYPERLINK("x")', target_value=8)
    for month, value in ((3, 2), (6, 5), (9, 7)):
        services.record_progress(
            user=reporter, target=first, reported_on=datetime.date(2026, month, 28), value=Decimal(value)
        )
    with command_context("test-edit"):
        second.name = "新建中小学教学楼"
        second.save()
        second.co_departments.remove(fgw)
    return report


def history_of(url):
    """Every event table and the contexts, row by row, in a stable order."""
    with psycopg2.connect(url) as database, database.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND (table_name LIKE '%%event' OR table_name = 'pghistory_context') ORDER BY table_name"
        )
        tables = [row[0] for row in cursor.fetchall()]
        history = {}
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t ORDER BY 1')
            history[table] = [row[0] for row in cursor.fetchall()]
    return history


def test_a_dump_restored_into_an_empty_database_serves_the_same_ledger_and_history(ledger_with_history, tmp_path):
    original = database_url()
    restored_name = f"{connection.settings_dict['NAME']}_restored"
    restored = database_url(restored_name)
    backup = tmp_path / "reportgov.dump"

    pg_tool("pg_dump", "--format=custom", "--no-owner", "--file", str(backup), original)
    pg_tool("dropdb", "--if-exists", "--maintenance-db", database_url("postgres"), restored_name)
    pg_tool("createdb", "--maintenance-db", database_url("postgres"), restored_name)
    try:
        pg_tool("pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, str(backup))

        migrations = manage(restored, "migrate", "--check")
        assert migrations.returncode == 0, migrations.stdout + migrations.stderr
        assert manage(restored, "check").returncode == 0

        exports = [manage(url, "export_ledger", "--report", "test", "--as-of", AS_OF) for url in (original, restored)]
        assert [export.returncode for export in exports] == [0, 0], [export.stderr for export in exports]
        assert exports[0].stdout == exports[1].stdout
        ledger = json.loads(exports[0].stdout)
        assert {row["code"] for row in ledger["targets"]} == {"B1", "B2"}
        assert next(row for row in ledger["targets"] if row["code"] == "B1")["latest_value"] == 7

        before, after = history_of(original), history_of(restored)
        assert before == after
        assert len(before["targets_progressentryevent"]) == 3
        contexts = [json.loads(row)["metadata"] for row in after["pghistory_context"]]
        assert any(context.get("command") == "test-edit" for context in contexts)
    finally:
        pg_tool("dropdb", "--if-exists", "--maintenance-db", database_url("postgres"), restored_name)
