from django.contrib import admin

from targets.admin_lists import DateDrillDownInCalendarMixin

from .models import ReminderLog, ReopenRequest, ReportingCycle


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
