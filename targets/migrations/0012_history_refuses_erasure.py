"""The change history cannot be erased from the database: the event tables (already refusing UPDATE
and DELETE through pghistory's append_only triggers) refuse TRUNCATE, and pghistory_context (who,
from which request) refuses DELETE, TRUNCATE and any UPDATE but pghistory's own upsert.

pghistory's _pgh_attach_context() updates a context row when a request's metadata grows (a token's
user named after the request began): allowed in the transaction that created the row, or when no
value already recorded changes (new keys only). Everything else is refused.

TRUNCATE is allowed to the tables' owner only after it says so in its session
(`SET reportgov.erase_history = on`): `manage.py flush` does, which the test suite runs between
transactional tests. The app's own role (README, Production) owns nothing, so it cannot, nor drop
or disable these triggers.
"""

from django.db import migrations

EVENT_TABLES = (
    "targets_reportevent",
    "targets_sectionevent",
    "targets_departmentevent",
    "targets_targetevent",
    "targets_targetcodepartmentevent",
    "targets_checkpointevent",
    "targets_glossarytermevent",
    "targets_progressentryevent",
    "targets_staffprofileevent",
    "targets_reportingperiodlockevent",
    "targets_extensionrequestevent",
    "projects_practicaltaskevent",
    "projects_practicaltasktargetevent",
    "projects_projectevent",
    "projects_projecttargetevent",
)

FUNCTION = """
CREATE OR REPLACE FUNCTION reportgov_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.id = OLD.id AND NEW.created_at = OLD.created_at
           AND (OLD.created_at = now() OR NEW.metadata @> OLD.metadata) THEN
            RETURN NEW;
        END IF;
    ELSIF TG_OP = 'TRUNCATE' THEN
        IF current_setting('reportgov.erase_history', true) = 'on'
           AND pg_has_role((SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'reportgov: % of % refused: the change history is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

TRIGGERS = "".join(
    f"CREATE TRIGGER reportgov_refuse_truncate BEFORE TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION reportgov_keep_history();\n"
    for table in (*EVENT_TABLES, "pghistory_context")
) + (
    "CREATE TRIGGER reportgov_refuse_update_delete BEFORE UPDATE OR DELETE ON pghistory_context "
    "FOR EACH ROW EXECUTE FUNCTION reportgov_keep_history();\n"
)

REVERSE = "".join(
    f"DROP TRIGGER reportgov_refuse_truncate ON {table};\n" for table in (*EVENT_TABLES, "pghistory_context")
) + (
    "DROP TRIGGER reportgov_refuse_update_delete ON pghistory_context;\n"
    "DROP FUNCTION reportgov_keep_history();\n"
)


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0011_review_superseded"),
        ("projects", "0002_track_history"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, REVERSE)]
