from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("目标与进度")

    def ready(self):
        post_migrate.connect(create_figure_functions, sender=self)


def create_figure_functions(using, **kwargs):
    """targets/figures.sql as it stands, and the derived values the apps registered
    (progress.DERIVED_VALUES), created again after every migrate; and, since the rules may have
    changed with them and a migration's DDL fires no trigger, a change recorded (data_version)."""
    from django.db import connections

    from . import data_version, progress

    with connections[using].cursor() as cursor:
        cursor.execute(progress.FIGURES_SQL.read_text(encoding="utf-8"))
        cursor.execute(progress.derived_value_function())
        cursor.execute(data_version.RULES_CHANGED_SQL)
