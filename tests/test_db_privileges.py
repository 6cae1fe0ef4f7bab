"""Least privilege in the database: the change history cannot be erased, not even with SQL.

Every event table refuses TRUNCATE (UPDATE and DELETE it refused already); pghistory_context, who
and from which request, refuses UPDATE, DELETE and TRUNCATE, except pghistory's own upsert; the
owner may truncate only when it says so (manage.py flush). An app role granted as the README's
Production section says cannot TRUNCATE, ALTER, drop or disable a trigger, or create a table, and
still does its work."""

import datetime
import json
import re
import secrets
import uuid
from pathlib import Path

import pghistory
import pghistory.models
import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from . import builders

pytestmark = pytest.mark.django_db

EVENT_TABLES = sorted(
    model._meta.db_table
    for model in apps.get_models()
    if issubclass(model, pghistory.models.Event) and not model._meta.proxy and model._meta.managed
)
README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def run(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def refused(sql, params=None, match="append-only"):
    """`sql` fails with `match`; the test's transaction goes on (the failure is inside a savepoint)."""
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        run(sql, params)
    return True


def recorded_context(**metadata):
    """A context row recorded by an earlier transaction (the test runs in one, so its date says so)."""
    context_id = uuid.uuid4()
    run(
        "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
        "VALUES (%s, %s::jsonb, now() - interval '1 day', now() - interval '1 day')",
        [context_id, json.dumps(metadata)],
    )
    return context_id


def test_every_history_table_is_known():
    assert "targets_progressentryevent" in EVENT_TABLES and "projects_projectevent" in EVENT_TABLES


@pytest.mark.parametrize("table", EVENT_TABLES)
def test_every_history_table_refuses_truncate(table):
    assert refused(f"TRUNCATE {table}")
    assert refused(f"TRUNCATE {table} CASCADE")


def test_history_tables_still_refuse_update_and_delete_and_take_inserts(reporter_a, target_a):
    builders.entry(target_a, datetime.date(2026, 3, 31), 2, user=reporter_a)
    assert run("SELECT count(*) FROM targets_progressentryevent")[0][0] == 1
    assert refused("UPDATE targets_progressentryevent SET note = 'rewritten'", match="Cannot update or delete")
    assert refused("DELETE FROM targets_progressentryevent", match="Cannot update or delete")


def test_the_context_table_refuses_update_delete_and_truncate():
    context_id = recorded_context(user=7, username="reporter-a", url="/targets/")
    assert refused("UPDATE pghistory_context SET metadata = '{}'::jsonb WHERE id = %s", [context_id])
    assert refused(
        "UPDATE pghistory_context SET metadata = jsonb_set(metadata, '{user}', '8') WHERE id = %s", [context_id]
    )
    assert refused("UPDATE pghistory_context SET created_at = now() WHERE id = %s", [context_id])
    assert refused("DELETE FROM pghistory_context WHERE id = %s", [context_id])
    assert refused("TRUNCATE pghistory_context CASCADE")
    assert run("SELECT metadata->>'username' FROM pghistory_context WHERE id = %s", [context_id]) == [("reporter-a",)]


def test_a_context_may_still_grow_as_pghistory_grows_it():
    """Adding a key to a recorded context changes nothing said; pghistory's upsert in the request's own
    transaction (a token's user named after the request began) goes through."""
    context_id = recorded_context(url="/api/v1/")
    run("UPDATE pghistory_context SET metadata = metadata || '{\"user\": 7}'::jsonb WHERE id = %s", [context_id])
    assert run("SELECT metadata->>'user' FROM pghistory_context WHERE id = %s", [context_id]) == [("7",)]
    with pghistory.context(url="/api/v1/", user=None):
        builders.department("first", "一")
        pghistory.context(user=7, username="token-user")
        builders.department("second", "二")
    users = run(
        "SELECT DISTINCT c.metadata->>'username' FROM targets_departmentevent e "
        "JOIN pghistory_context c ON c.id = e.pgh_context_id"
    )
    assert users == [("token-user",)]


def test_the_owner_truncates_only_when_it_says_so():
    assert refused("TRUNCATE targets_progressentryevent")
    with transaction.atomic():
        run("SET LOCAL reportgov.erase_history = on")
        run("TRUNCATE targets_progressentryevent")
        run("SET LOCAL reportgov.erase_history = off")
    assert refused("TRUNCATE targets_progressentryevent")


# --- The app's role, granted as README's Production section says --------------------------------

APP_GRANTS = (
    "GRANT USAGE ON SCHEMA public TO reportgov_app;",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO reportgov_app;",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO reportgov_app;",
)


def test_the_readme_grants_the_app_role_what_this_test_grants():
    for grant in APP_GRANTS:
        assert grant in README


@pytest.fixture
def as_app_role():
    """Acts, until the test ends, as a fresh role granted exactly APP_GRANTS (created in the test's
    transaction, so it is gone afterwards; a random name, so parallel runs on one server do not meet)."""
    role = f"reportgov_app_{secrets.token_hex(4)}"
    run(f"CREATE ROLE {role} NOLOGIN")
    for grant in APP_GRANTS:
        run(re.sub(r"\breportgov_app\b", role, grant))
    run(f"SET ROLE {role}")
    try:
        yield role
    finally:
        run("RESET ROLE")


def test_the_app_role_cannot_truncate_alter_or_create(as_app_role):
    assert refused("TRUNCATE targets_progressentryevent", match="permission denied")
    assert refused("TRUNCATE targets_target CASCADE", match="permission denied")
    assert refused("TRUNCATE pghistory_context", match="permission denied")
    run("SET reportgov.erase_history = on")
    assert refused("TRUNCATE targets_progressentryevent", match="permission denied")
    assert refused("ALTER TABLE targets_progressentryevent DISABLE TRIGGER ALL", match="must be owner")
    assert refused("DROP TRIGGER reportgov_refuse_update_delete ON pghistory_context", match="must be owner")
    assert refused("ALTER TABLE targets_target ADD COLUMN x int", match="must be owner")
    assert refused("DROP TABLE targets_progressentryevent", match="must be owner")
    assert refused("CREATE TABLE reportgov_stray (id int)", match="permission denied")
    run("RESET reportgov.erase_history")


def test_the_app_role_still_records_with_its_history(as_app_role):
    with pghistory.context(url="/targets/", username="reporter-a"):
        department = builders.department("app-role", "应用角色")
        department.name = "应用角色（改）"
        department.save()
    labels = run("SELECT pgh_label FROM targets_departmentevent WHERE pgh_obj_id = %s ORDER BY pgh_id", [department.pk])
    assert labels == [("insert",), ("update",)]
    assert refused("DELETE FROM targets_departmentevent", match="Cannot update or delete")
