"""延期/调整申请 move to supervision (issue 18), their rows and history kept: the models leave the
targets state only (supervision's 0004 takes them and renames the tables). Their history triggers
write into targets_extensionrequestevent by name, so they are dropped here and supervision's 0004
creates them again for the renamed tables."""

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0016_search_synonyms"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="extensionrequest", name="insert_insert"),
        pgtrigger.migrations.RemoveTrigger(model_name="extensionrequest", name="update_update"),
        pgtrigger.migrations.RemoveTrigger(model_name="extensionrequest", name="delete_delete"),
        pgtrigger.migrations.RemoveTrigger(model_name="extensionrequestevent", name="append_only"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="extensionrequestevent", name="pgh_obj"),
                migrations.RemoveField(model_name="extensionrequestevent", name="decided_by"),
                migrations.RemoveField(model_name="extensionrequestevent", name="pgh_context"),
                migrations.RemoveField(model_name="extensionrequestevent", name="requested_by"),
                migrations.RemoveField(model_name="extensionrequestevent", name="target"),
                migrations.DeleteModel(name="ExtensionRequest"),
                migrations.DeleteModel(name="ExtensionRequestEvent"),
            ],
            database_operations=[],
        ),
    ]
