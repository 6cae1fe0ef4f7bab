"""A baseline event for every task, project and link that existed before its history was tracked."""

import importlib

from django.db import migrations

TRACKED = [
    ("PracticalTaskEvent", "PracticalTask"),
    ("PracticalTaskTargetEvent", None),
    ("ProjectEvent", "Project"),
    ("ProjectTargetEvent", None),
]


def record_baseline(apps, schema_editor):
    baseline = importlib.import_module("targets.migrations.0004_history_baseline")
    baseline.record_baseline(apps, schema_editor, app_label="projects", tracked=TRACKED)


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_track_history"), ("targets", "0004_history_baseline")]

    operations = [migrations.RunPython(record_baseline, migrations.RunPython.noop)]
