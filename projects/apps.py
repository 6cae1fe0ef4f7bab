from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("实事与项目")

    def ready(self):
        from targets import progress
        from targets.choices import Derivation

        # 为民兴办20件实事: the tasks done, counted by projects/migrations/0004's SQL function.
        progress.DERIVED_VALUES[Derivation.PRACTICAL_TASKS_DONE] = "reportgov_practical_tasks_done"
