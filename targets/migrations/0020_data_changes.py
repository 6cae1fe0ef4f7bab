"""The committed writes a read can be kept for (targets.data_version): every transaction that writes
to a watched table records its transaction id once in reportgov_data_change, and reportgov_watch(table)
is how an app puts one of its tables under watch (each app watches its own, in its own migrations).
Statement-level triggers: one row per transaction however many rows it writes, TRUNCATE included.
The table takes inserts only, so no writer waits for another."""

from django.db import migrations

FUNCTIONS = """
CREATE TABLE reportgov_data_change (xid xid8 PRIMARY KEY);

CREATE FUNCTION reportgov_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reportgov_data_change VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION reportgov_watch(watched regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'CREATE TRIGGER reportgov_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
        'FOR EACH STATEMENT EXECUTE FUNCTION reportgov_data_changed()',
        watched
    );
END $$;

CREATE FUNCTION reportgov_unwatch(watched regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER reportgov_data_changed ON %s', watched);
END $$;
"""
REVERSE = """
DROP FUNCTION reportgov_unwatch(regclass);
DROP FUNCTION reportgov_watch(regclass);
DROP FUNCTION reportgov_data_changed();
DROP TABLE reportgov_data_change;
"""
# What the dashboard, 我的目标 and their figures read of this app.
WATCHED = (
    "targets_government",
    "targets_report",
    "targets_section",
    "targets_department",
    "targets_target",
    "targets_target_co_departments",
    "targets_checkpoint",
    "targets_progressentry",
    "targets_staffprofile",
    "targets_staffprofile_governments",
)


def watch(tables):
    """The operation that puts `tables` under watch (and, reversed, takes them off)."""
    listed = ", ".join(f"('{table}')" for table in tables)
    return migrations.RunSQL(
        f"SELECT reportgov_watch(t::regclass) FROM (VALUES {listed}) AS watched(t)",
        f"SELECT reportgov_unwatch(t::regclass) FROM (VALUES {listed}) AS watched(t)",
    )


class Migration(migrations.Migration):
    dependencies = [("targets", "0019_entries_by_date_cover_first_reports")]

    operations = [migrations.RunSQL(FUNCTIONS, REVERSE), watch(WATCHED)]
