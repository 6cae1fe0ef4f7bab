from django.contrib import admin

from targets.admin import HistoryMixin
from targets.admin_lists import DateDrillDownInCalendarMixin
from targets.admin_numbers import NumbersAsWrittenMixin
from targets.models import ReportingPeriodLock

from .models import ExtensionRequest, ReminderLog, ReopenRequest, ReportingCycle


@admin.register(ReminderLog)
class ReminderLogAdmin(DateDrillDownInCalendarMixin, admin.ModelAdmin):
    """Read-only: reminders are sent by `manage.py send_reminders`; the log is their record."""

    list_display = ("sent_on", "kind", "recipient", "email", "department", "target_count", "sent_at")
    list_filter = ("kind", "sent_on", "department")
    search_fields = ("email", "recipient__username", "subject")
    list_select_related = ("recipient", "department")
    date_hierarchy = "sent_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportingCycle)
class ReportingCycleAdmin(admin.ModelAdmin):
    """填报周期: a report's rule (no target) or a target's own; without rows, monthly (quarterly for the
    主要预期目标), due on the 5th (supervision.cycles)."""

    list_display = ("report", "target", "months", "due_day")
    list_filter = ("report", "months")
    autocomplete_fields = ("target",)
    list_select_related = ("report", "target")


@admin.register(ReopenRequest)
class ReopenRequestAdmin(admin.ModelAdmin):
    """补报申请: read-only here; decided on the periods page by a supervisor who did not ask."""

    list_display = ("report", "period_start", "department", "status", "requested_by", "decided_by", "decided_at")
    list_filter = ("status", "report")
    list_select_related = ("report", "department", "requested_by", "decided_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(NumbersAsWrittenMixin, HistoryMixin, admin.ModelAdmin):
    """延期/调整申请 are decided on the supervision pages (a decision sets the target's adjusted
    values in one service call); here admins look them up."""

    list_display = ("target", "requested_deadline", "requested_target_value", "status", "requested_by", "decided_by")
    list_filter = ("status", "target__report")
    search_fields = ("target__code", "target__name", "reason")
    list_select_related = ("target", "requested_by", "decided_by")
    readonly_fields = [field.name for field in ExtensionRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportingPeriodLock)
class ReportingPeriodLockAdmin(HistoryMixin, admin.ModelAdmin):
    """填报期关闭记录 are closed and reopened on the supervision pages, with a recorded reason."""

    list_display = ("report", "period_start", "period_end", "closed_at", "closed_by", "reopened_at", "reopened_by")
    list_filter = ("report",)
    list_select_related = ("report", "closed_by", "reopened_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
