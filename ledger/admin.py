"""接口令牌 in Django admin: listed with their expiry and last use, revoked here. A token is created
with `manage.py create_api_token`, which prints its secret once; admin never shows it (only its
digest is stored) and cannot create one."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked", "is_valid")
    list_filter = ("revoked",)
    search_fields = ("user__username", "name")
    list_select_related = ("user",)
    fields = ("user", "name", "created_at", "expires_at", "last_used_at", "revoked")
    readonly_fields = ("user", "created_at", "last_used_at")
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    @admin.display(boolean=True, description=_("有效"))
    def is_valid(self, token):
        return not token.revoked and token.expires_at > timezone.now()

    @admin.action(description=_("停用所选令牌"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked=False).update(revoked=True)
        message = ngettext("已停用 %(count)d 个令牌。", "已停用 %(count)d 个令牌。", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)
