"""A report drafted from its own text and kept between the requests of its review (草拟台账), and
the keyword table that suggests each drafted target's lead department (牵头单位关键词)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from targets.models import Report


class Draft(models.Model):
    """草拟台账: the report's text as uploaded and the draft read from it (sections, targets,
    practical tasks, glossary, baselines, as drafting.extract.draft returns them), edited by its
    reviewer until published into a new 草稿 report. Nothing reaches a report before that."""

    file_name = models.CharField(_("文件名"), max_length=200)
    text = models.TextField(_("报告全文"))
    data = models.JSONField(_("草拟内容"))
    # Empty for a draft made at the command line (manage.py draft_report).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("上传人")
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    report = models.OneToOneField(
        Report, models.SET_NULL, null=True, blank=True, related_name="draft", verbose_name=_("发布为报告")
    )

    class Meta:
        verbose_name = _("草拟台账")
        verbose_name_plural = _("草拟台账")
        ordering = ["-created_at"]

    def __str__(self):
        return self.data.get("meta", {}).get("title") or self.file_name


class DepartmentKeyword(models.Model):
    """牵头单位关键词: a word that, found in a drafted target's name, clause or section title,
    suggests its lead department (教育 → 教育局). Admins keep the table; the longest keyword wins."""

    keyword = models.CharField(_("关键词"), max_length=30, unique=True)
    department_name = models.CharField(
        _("建议牵头单位"), max_length=100, help_text=_("责任单位的名称或别名，与本级政府的责任单位匹配。")
    )

    class Meta:
        verbose_name = _("牵头单位关键词")
        verbose_name_plural = _("牵头单位关键词")
        ordering = ["keyword"]

    def __str__(self):
        return f"{self.keyword} → {self.department_name}"

    @classmethod
    def table(cls):
        """(keyword, department name) pairs, the longest keyword first."""
        pairs = cls.objects.values_list("keyword", "department_name")
        return sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0]))
