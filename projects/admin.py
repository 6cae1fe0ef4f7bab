"""管理后台 of the practical tasks (为民实事) and major projects (重大项目), with the targets that
measure each edited inline."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from targets.admin import HistoryMixin
from targets.admin_numbers import NumbersAsWrittenMixin

from .models import PracticalTask, Project


class TaskTargetInline(admin.TabularInline):
    model = PracticalTask.targets.through
    extra = 0
    autocomplete_fields = ("target",)
    verbose_name = _("指标")
    verbose_name_plural = _("衡量该实事的指标")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target")


class ProjectTargetInline(admin.TabularInline):
    model = Project.targets.through
    extra = 0
    autocomplete_fields = ("target",)
    verbose_name = _("指标")
    verbose_name_plural = _("衡量该项目的指标")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target")


class TargetCountMixin:
    def get_queryset(self, request):
        return super().get_queryset(request).annotate(target_count=Count("targets"))

    @admin.display(description=_("指标数"), ordering="target_count")
    def target_count(self, obj):
        return obj.target_count


@admin.register(PracticalTask)
class PracticalTaskAdmin(HistoryMixin, TargetCountMixin, admin.ModelAdmin):
    list_display = ("no", "title", "report", "target_count")
    list_display_links = ("no", "title")
    list_filter = ("report",)
    search_fields = ("title", "targets__code")
    list_select_related = ("report",)
    autocomplete_fields = ("report",)
    exclude = ("targets",)
    inlines = (TaskTargetInline,)
    history_references = False


@admin.register(Project)
class ProjectAdmin(NumbersAsWrittenMixin, HistoryMixin, TargetCountMixin, admin.ModelAdmin):
    list_display = ("code", "name", "report", "cluster", "amount", "target_count")
    list_filter = ("report", "cluster")
    search_fields = ("code", "name", "source_text")
    list_select_related = ("report",)
    autocomplete_fields = ("report",)
    exclude = ("targets",)
    inlines = (ProjectTargetInline,)
