"""What the report's targets measure: the 20 practical tasks for the people (为民兴办实事) and the
major projects (重大项目) named in part 三."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from targets.models import Report, Target


class PracticalTaskManager(models.Manager):
    def get_by_natural_key(self, report_code, no):
        return self.get(report__code=report_code, no=no)


class PracticalTask(models.Model):
    """为民兴办实事: one of the numbered practical tasks, measured by one or more targets."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="practical_tasks", verbose_name=_("报告"))
    no = models.PositiveSmallIntegerField(_("序号"))
    title = models.TextField(_("内容"))
    targets = models.ManyToManyField(Target, blank=True, related_name="practical_tasks", verbose_name=_("指标"))

    objects = PracticalTaskManager()

    class Meta:
        verbose_name = _("为民实事")
        verbose_name_plural = _("为民实事")
        ordering = ["report", "no"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "no"],
                name="practical_task_no_unique_in_report",
                violation_error_message=_("同一报告中实事序号不能重复。"),
            ),
        ]

    def __str__(self):
        return f"{self.no}. {self.title}"

    def natural_key(self):
        return (*self.report.natural_key(), self.no)

    natural_key.dependencies = ["targets.report", "targets.target"]


class Cluster(models.TextChoices):
    """一区两线三组团: where the report places a project in the district's service-industry layout."""

    CBD = "cbd", _("一区：中央商务区")
    TWO_MOUNTAINS = "two_mountains", _("两线：南北两山休闲旅游经济带")
    EAST = "east", _("三组团：东部组团")
    YANTAN = "yantan", _("三组团：雁滩组团")
    NORTH = "north", _("三组团：河北组团")


class ProjectManager(models.Manager):
    def get_by_natural_key(self, report_code, code):
        return self.get(report__code=report_code, code=code)


class Project(models.Model):
    """重大项目: a major project the report names, with its cluster, any stated amount and its targets."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="projects", verbose_name=_("报告"))
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    cluster = models.CharField(_("所属组团"), max_length=20, choices=Cluster.choices, blank=True)
    amount = models.DecimalField(_("投资额(亿元)"), max_digits=12, decimal_places=2, null=True, blank=True)
    source_text = models.TextField(_("报告原文"), blank=True)
    targets = models.ManyToManyField(Target, blank=True, related_name="projects", verbose_name=_("指标"))

    objects = ProjectManager()

    class Meta:
        verbose_name = _("重大项目")
        verbose_name_plural = _("重大项目")
        ordering = ["report", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "code"],
                name="project_code_unique_in_report",
                violation_error_message=_("同一报告中项目编号不能重复。"),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.report.natural_key(), self.code)

    natural_key.dependencies = ["targets.report", "targets.target"]


# The change history of these models is declared beside them (event tables, triggers).
from . import history  # noqa: E402, F401
