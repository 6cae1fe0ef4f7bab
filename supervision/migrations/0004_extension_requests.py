"""延期/调整申请 (ExtensionRequest) and their change history, moved here from targets with every row
kept (issue 18): the models enter supervision's state on the tables targets made (targets' 0017 took
them out of its state), the tables are renamed to supervision's, the content types follow (the
permissions granted and the admin's log on them stay), and the history triggers are created again
for the renamed tables."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

MOVED = ("extensionrequest", "extensionrequestevent")


def move_content_types(apps, schema_editor, source="targets", destination="supervision"):
    """The content types of the moved models take the new app label, unless the new ones already exist."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if not ContentType.objects.using(db).filter(app_label=destination, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=destination)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="supervision", destination="targets")


class Migration(migrations.Migration):
    dependencies = [
        ("pghistory", "0007_auto_20250421_0444"),
        ("supervision", "0003_reopen_requests"),
        ("targets", "0017_extension_requests_to_supervision"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExtensionRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("requested_deadline", models.DateField(blank=True, null=True, verbose_name="申请完成期限")),
                        (
                            "requested_target_value",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=20, null=True, verbose_name="申请目标值"
                            ),
                        ),
                        ("reason", models.TextField(max_length=2000, verbose_name="申请理由")),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "待审批"), ("approved", "已批准"), ("rejected", "已驳回")],
                                default="pending",
                                max_length=12,
                                verbose_name="审批状态",
                            ),
                        ),
                        ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="申请时间")),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="审批时间")),
                        ("decision_comment", models.TextField(blank=True, max_length=1000, verbose_name="审批意见")),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="审批人",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="extension_requests",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申请人",
                            ),
                        ),
                        (
                            "target",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="extension_requests",
                                to="targets.target",
                                verbose_name="目标",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "targets_extensionrequest",
                        "verbose_name": "延期/调整申请",
                        "verbose_name_plural": "延期/调整申请",
                        "ordering": ["-requested_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="ExtensionRequestEvent",
                    fields=[
                        ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                        ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                        ("pgh_label", models.TextField(help_text="The event label.")),
                        ("id", models.BigIntegerField()),
                        ("requested_deadline", models.DateField(blank=True, null=True, verbose_name="申请完成期限")),
                        (
                            "requested_target_value",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=20, null=True, verbose_name="申请目标值"
                            ),
                        ),
                        ("reason", models.TextField(max_length=2000, verbose_name="申请理由")),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "待审批"), ("approved", "已批准"), ("rejected", "已驳回")],
                                default="pending",
                                max_length=12,
                                verbose_name="审批状态",
                            ),
                        ),
                        ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="申请时间")),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="审批时间")),
                        ("decision_comment", models.TextField(blank=True, max_length=1000, verbose_name="审批意见")),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                related_query_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="审批人",
                            ),
                        ),
                        (
                            "pgh_context",
                            models.ForeignKey(
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="pghistory.context",
                            ),
                        ),
                        (
                            "pgh_obj",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="events",
                                to="supervision.extensionrequest",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                related_query_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="申请人",
                            ),
                        ),
                        (
                            "target",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                related_query_name="+",
                                to="targets.target",
                                verbose_name="目标",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "targets_extensionrequestevent",
                        "verbose_name": "变更记录",
                        "verbose_name_plural": "变更记录",
                        "abstract": False,
                        "default_permissions": ("view",),
                    },
                ),
                migrations.AddConstraint(
                    model_name="extensionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("requested_deadline__isnull", False),
                            ("requested_target_value__isnull", False),
                            _connector="OR",
                        ),
                        name="extension_asks_something",
                        violation_error_message="请填写申请的完成期限或目标值。",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="extensionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True),
                        name="extension_gives_reason",
                        violation_error_message="请填写申请理由。",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="extensionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("decided_at__isnull", True), ("decided_by__isnull", True), ("status", "pending")),
                            models.Q(
                                models.Q(("status", "pending"), _negated=True),
                                ("decided_at__isnull", False),
                                ("decided_by__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="extension_decided_unless_pending",
                        violation_error_message="已审批的申请须记录审批人和审批时间。",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="extensionrequest",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("target",),
                        name="extension_one_pending_per_target",
                        violation_error_message="该目标已有待审批的申请。",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="extensionrequest", table=None),
        migrations.AlterModelTable(name="extensionrequestevent", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
        pgtrigger.migrations.AddTrigger(
            model_name="extensionrequest",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "supervision_extensionrequestevent" ("decided_at", "decided_by_id", "decision_comment", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "requested_at", "requested_by_id", "requested_deadline", "requested_target_value", "status", "target_id") VALUES (NEW."decided_at", NEW."decided_by_id", NEW."decision_comment", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reason", NEW."requested_at", NEW."requested_by_id", NEW."requested_deadline", NEW."requested_target_value", NEW."status", NEW."target_id"); RETURN NULL;',
                    hash="b239959a0f8b9b11acbc773bc9daced5de1cc101",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_ae044",
                    table="supervision_extensionrequest",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="extensionrequest",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "supervision_extensionrequestevent" ("decided_at", "decided_by_id", "decision_comment", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "requested_at", "requested_by_id", "requested_deadline", "requested_target_value", "status", "target_id") VALUES (NEW."decided_at", NEW."decided_by_id", NEW."decision_comment", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reason", NEW."requested_at", NEW."requested_by_id", NEW."requested_deadline", NEW."requested_target_value", NEW."status", NEW."target_id"); RETURN NULL;',
                    hash="217b97ba7bd17d9570c972e04e662a0a951ca4ee",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_b58e5",
                    table="supervision_extensionrequest",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="extensionrequest",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "supervision_extensionrequestevent" ("decided_at", "decided_by_id", "decision_comment", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "requested_at", "requested_by_id", "requested_deadline", "requested_target_value", "status", "target_id") VALUES (OLD."decided_at", OLD."decided_by_id", OLD."decision_comment", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reason", OLD."requested_at", OLD."requested_by_id", OLD."requested_deadline", OLD."requested_target_value", OLD."status", OLD."target_id"); RETURN NULL;',
                    hash="35c89de0b1aaa3f40066fdea3459920686dddbe7",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_4a37b",
                    table="supervision_extensionrequest",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="extensionrequestevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="a80d4a99cf1698fb623791ac692d6cf94eea4644",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_ba742",
                    table="supervision_extensionrequestevent",
                    when="BEFORE",
                ),
            ),
        ),
    ]
