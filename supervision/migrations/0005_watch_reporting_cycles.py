"""The reporting cycles are read by the dashboard's reports owed: put under watch (targets' 0020), so
that what is kept of that read is read again after they change."""

import importlib

from django.db import migrations

data_changes = importlib.import_module("targets.migrations.0020_data_changes")


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_extension_requests"), ("targets", "0020_data_changes")]

    operations = [data_changes.watch(("supervision_reportingcycle",))]
