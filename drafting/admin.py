from django.contrib import admin

from .models import DepartmentKeyword, Draft


@admin.register(DepartmentKeyword)
class DepartmentKeywordAdmin(admin.ModelAdmin):
    list_display = ["keyword", "department_name"]
    search_fields = ["keyword", "department_name"]


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "file_name", "created_by", "created_at", "report"]
    readonly_fields = ["file_name", "created_by", "created_at", "report"]
    exclude = ["text", "data"]

    def has_add_permission(self, request):
        return False  # a draft comes from an uploaded report (drafting:upload)
