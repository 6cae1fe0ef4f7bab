"""变更记录: who changed what in the report's data, when, from which request, before and after.

Recorded by PostgreSQL triggers (django-pghistory), not by Python signals, so that `QuerySet.update()`,
`bulk_create()`, imports and raw SQL are recorded as surely as a form save. Every event table is
append-only in the database itself (an UPDATE or DELETE on it raises), and the app offers no way to
edit or delete one. The context of each write (user, URL, method, request id, or the management
command) is attached by `HistoryMiddleware` for requests and by `command_context()` at the command line.
"""

import pghistory
import pghistory.middleware
import pghistory.models
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Checkpoint, Department, GlossaryTerm, ProgressEntry, Report, Section, StaffProfile, Target

INSERT, UPDATE, DELETE = "insert", "update", "delete"
LINK_ADD, LINK_REMOVE = "add", "remove"
# History can be read, never added, changed or deleted: no such permissions exist to be granted.
READ_ONLY = {"default_permissions": ("view",)}
LABELS = {
    INSERT: _("新增"),
    UPDATE: _("修改"),
    DELETE: _("删除"),
    LINK_ADD: _("关联"),
    LINK_REMOVE: _("取消关联"),
}


def track(model, *, model_name, exclude=()):
    """Record every insert, update (of a tracked field) and delete of `model` in an append-only table."""
    return pghistory.track(
        pghistory.InsertEvent(INSERT),
        pghistory.UpdateEvent(UPDATE),
        pghistory.DeleteEvent(DELETE),
        exclude=list(exclude),
        model_name=model_name,
        append_only=True,
        meta={"verbose_name": _("变更记录"), "verbose_name_plural": _("变更记录"), **READ_ONLY},
    )(model)


def track_links(through, *, model_name):
    """Record each link added to or removed from a many-to-many relation (its through table)."""
    return pghistory.track(
        pghistory.InsertEvent(LINK_ADD),
        pghistory.DeleteEvent(LINK_REMOVE),
        model_name=model_name,
        append_only=True,
        meta={"verbose_name": _("关联变更记录"), "verbose_name_plural": _("关联变更记录"), **READ_ONLY},
    )(through)


class TargetCoDepartment(Target.co_departments.through):
    """目标的配合单位: one link between a target and a supporting department (for its history)."""

    class Meta:
        proxy = True
        verbose_name = _("配合单位关联")
        verbose_name_plural = _("配合单位关联")


track(Report, model_name="ReportEvent")
track(Section, model_name="SectionEvent")
track(Department, model_name="DepartmentEvent")
# The latest-entry pointers are derived from the entries (services.refresh_latest), whose own
# history is kept; recording them again on the target would only repeat each entry.
track(Target, model_name="TargetEvent", exclude=["latest_entry", "latest_approved_entry"])
track_links(TargetCoDepartment, model_name="TargetCoDepartmentEvent")
track(Checkpoint, model_name="CheckpointEvent")
track(GlossaryTerm, model_name="GlossaryTermEvent")
track(ProgressEntry, model_name="ProgressEntryEvent")
track(StaffProfile, model_name="StaffProfileEvent")


class ChangeEvent(pghistory.models.Events):
    """变更记录: one recorded change of any tracked table, with its context, read across all event tables."""

    user = pghistory.ProxyField("pgh_context__user", models.BigIntegerField(_("操作人编号"), null=True))
    username = pghistory.ProxyField("pgh_context__username", models.TextField(_("操作人"), null=True))
    url = pghistory.ProxyField("pgh_context__url", models.TextField(_("请求地址"), null=True))
    method = pghistory.ProxyField("pgh_context__method", models.TextField(_("请求方法"), null=True))
    request_id = pghistory.ProxyField("pgh_context__request_id", models.TextField(_("请求编号"), null=True))
    command = pghistory.ProxyField("pgh_context__command", models.TextField(_("命令"), null=True))

    class Meta:
        proxy = True
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        default_permissions = ("view",)

    @property
    def label_display(self):
        return LABELS.get(self.pgh_label, self.pgh_label)


def request_id_of(request) -> str | None:
    """A request id set by a middleware earlier in the chain or by the proxy in front, if any."""
    return getattr(request, "request_id", None) or request.headers.get("X-Request-ID") or None


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """pghistory's middleware (user and URL) plus the method, the username and a request id."""

    def get_context(self, request):
        context = super().get_context(request)
        user = getattr(request, "user", None)
        context["method"] = request.method
        if user is not None and user.is_authenticated:
            context["username"] = user.get_username()
        request_id = request_id_of(request)
        if request_id:
            context["request_id"] = str(request_id)[:100]
        return context


def command_context(command, user=None, **extra):
    """The context of writes made by a management command (and, with `user`, on whose behalf)."""
    context = {"command": command, **extra}
    if user is not None:
        context["user"] = user.pk
        context["username"] = user.get_username()
    return pghistory.context(**context)
