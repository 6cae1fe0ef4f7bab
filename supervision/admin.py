from django.contrib import admin

from targets.admin_lists import DateDrillDownInCalendarMixin

from .models import ReminderLog


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
