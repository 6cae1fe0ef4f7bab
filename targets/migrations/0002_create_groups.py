from django.db import migrations

GROUP_PERMISSIONS = {
    "填报员": ["targets.view_target", "targets.view_progressentry", "targets.add_progressentry"],
    "督查": [
        "targets.view_target",
        "targets.view_progressentry",
        "targets.add_progressentry",
        "targets.change_progressentry",
        "targets.view_department",
    ],
    "领导": ["targets.view_target", "targets.view_progressentry", "targets.view_department"],
    "管理员": "__all__",
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        if codenames == "__all__":
            permissions = Permission.objects.filter(content_type__app_label__in=["targets", "projects"])
        else:
            permissions = [
                Permission.objects.get(content_type__app_label=label, codename=codename)
                for label, codename in (item.split(".") for item in codenames)
            ]
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0001_initial"),
        ("projects", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
