"""A baseline event for every row that existed before its history was tracked, so that the first
change after tracking began still shows what it changed from."""

from django.db import migrations

BASELINE = "baseline"
TRACKED = [
    ("ReportEvent", "Report"),
    ("SectionEvent", "Section"),
    ("DepartmentEvent", "Department"),
    ("TargetEvent", "Target"),
    ("TargetCoDepartmentEvent", None),
    ("CheckpointEvent", "Checkpoint"),
    ("GlossaryTermEvent", "GlossaryTerm"),
    ("ProgressEntryEvent", "ProgressEntry"),
    ("StaffProfileEvent", "StaffProfile"),
]


def record_baseline(apps, schema_editor, app_label="targets", tracked=TRACKED):
    for event_name, model_name in tracked:
        event_model = apps.get_model(app_label, event_name)
        if model_name is None:  # a many-to-many link table
            table = event_model._meta.get_field("pgh_obj").related_model._meta.db_table
        else:
            table = apps.get_model(app_label, model_name)._meta.db_table
        columns = [f.column for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_")]
        quoted = ", ".join(schema_editor.quote_name(c) for c in columns)
        schema_editor.execute(
            f"INSERT INTO {schema_editor.quote_name(event_model._meta.db_table)} "
            f"({quoted}, pgh_created_at, pgh_label, pgh_obj_id) "
            f"SELECT {quoted}, NOW(), %s, id FROM {schema_editor.quote_name(table)} ORDER BY id",
            [BASELINE],
        )


class Migration(migrations.Migration):
    dependencies = [("targets", "0003_track_history")]

    operations = [migrations.RunPython(record_baseline, migrations.RunPython.noop)]
