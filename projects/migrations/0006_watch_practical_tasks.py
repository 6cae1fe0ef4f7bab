"""The practical tasks and the targets measuring them are read by the dashboard and by the count of
tasks done (reportgov_practical_tasks_done): put under watch (targets' 0020), so that what is kept of
those reads is read again after they change."""

import importlib

from django.db import migrations

data_changes = importlib.import_module("targets.migrations.0020_data_changes")


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_practical_tasks_done_plpgsql"), ("targets", "0020_data_changes")]

    operations = [data_changes.watch(("projects_practicaltask", "projects_practicaltask_targets"))]
