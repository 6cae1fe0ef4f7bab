"""变更记录 of the practical tasks and major projects, and of the targets linked to them
(see targets.history: PostgreSQL triggers, append-only tables)."""

from django.utils.translation import gettext_lazy as _

from targets.history import track, track_links

from .models import PracticalTask, Project


class PracticalTaskTarget(PracticalTask.targets.through):
    """实事的指标: one link between a practical task and a target that measures it."""

    class Meta:
        proxy = True
        verbose_name = _("实事指标关联")
        verbose_name_plural = _("实事指标关联")


class ProjectTarget(Project.targets.through):
    """项目的指标: one link between a major project and a target that measures it."""

    class Meta:
        proxy = True
        verbose_name = _("项目指标关联")
        verbose_name_plural = _("项目指标关联")


track(PracticalTask, model_name="PracticalTaskEvent")
track_links(PracticalTaskTarget, model_name="PracticalTaskTargetEvent")
track(Project, model_name="ProjectEvent")
track_links(ProjectTarget, model_name="ProjectTargetEvent")
