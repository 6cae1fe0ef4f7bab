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
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import (
    Checkpoint,
    Department,
    GlossaryTerm,
    Government,
    ProgressEntry,
    Report,
    ReportingPeriodLock,
    ReportStateChange,
    Section,
    StaffProfile,
    Target,
)

INSERT, UPDATE, DELETE = "insert", "update", "delete"
LINK_ADD, LINK_REMOVE = "add", "remove"
# History can be read, never added, changed or deleted: no such permissions exist to be granted.
READ_ONLY = {"default_permissions": ("view",)}
BASELINE = "baseline"  # the state of a row when tracking began (migration 0004)
LABELS = {
    BASELINE: _("初始记录"),
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


class StaffGovernment(StaffProfile.governments.through):
    """督查范围: one government a supervisor, official or admin oversees (for its history)."""

    class Meta:
        proxy = True
        verbose_name = _("督查范围关联")
        verbose_name_plural = _("督查范围关联")


track(Government, model_name="GovernmentEvent")
track(Report, model_name="ReportEvent")
track(ReportStateChange, model_name="ReportStateChangeEvent")
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
track_links(StaffGovernment, model_name="StaffGovernmentEvent")
track(ReportingPeriodLock, model_name="ReportingPeriodLockEvent")


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


# --- Reading the history -------------------------------------------------------------------

HIDDEN_COLUMNS = {"id", "latest_entry_id", "latest_approved_entry_id"}
LONG_TEXT = 120


def can_see_history(user) -> bool:
    """The change history is an audit tool: supervisors (督查) and admins (管理员) read it, on the
    target page and in admin. Reporters and officials see the standing and the progress entries,
    not who changed which field when."""
    from . import roles

    return roles.is_supervisor(user)


def events_of(obj, *, references=False):
    """The recorded changes of `obj` (with `references`, also of every row pointing at it: a
    target's entries, checkpoints and links), newest first."""
    events = ChangeEvent.objects.references(obj) if references else ChangeEvent.objects.tracks(obj)
    return events.order_by("-pgh_created_at", "-pgh_id")


def describe(events):
    """Turn events into rows a person reads: when, who, what was done to what, and for each field
    its label with the value before and after. Related rows are named with one query per related
    model, however many events there are."""
    from django.apps import apps

    events = list(events)
    tracked = {}
    wanted = {}  # related model -> ids to name
    for event in events:
        model = tracked.setdefault(event.pgh_obj_model, apps.get_model(event.pgh_obj_model))
        if event.pgh_obj_id and not _is_link(model):
            wanted.setdefault(model._meta.concrete_model, set()).add(event.pgh_obj_id)
        for column, (old, new) in _changes(event, model):
            field = _field_of(model, column)
            if field is not None and field.is_relation and field.related_model is not None:
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v is not None)
    names = {related: _names(related, ids) for related, ids in wanted.items()}
    rows = []
    for event in events:
        model = tracked[event.pgh_obj_model]
        changes = []
        for column, (old, new) in _changes(event, model):
            field = _field_of(model, column)
            if field is None:
                continue
            # A link table's columns are named after the models they point at (target, department).
            label = field.verbose_name
            if _is_link(model) and field.is_relation:
                label = field.related_model._meta.verbose_name
            changes.append({"field": label, "old": _shown(field, old, names), "new": _shown(field, new, names)})
        rows.append(
            {
                "event": event,
                "at": event.pgh_created_at,
                "action": event.label_display,
                "model": model._meta.verbose_name,
                "object_id": event.pgh_obj_id,
                "object": names.get(model._meta.concrete_model, {}).get(str(event.pgh_obj_id), ""),
                "who": event.username or (f"#{event.user}" if event.user else ""),
                "via": _via(event),
                "request_id": event.request_id,
                "changes": changes,
            }
        )
    return rows


def _names(model, ids) -> dict:
    """str() of each row, its foreign keys joined in: a row's name may use them (an entry names its target)."""
    joined = [field.name for field in model._meta.concrete_fields if field.many_to_one]
    rows = model._default_manager.select_related(*joined).in_bulk(list(ids))
    return {str(pk): str(obj) for pk, obj in rows.items()}


def _is_link(model) -> bool:
    """A many-to-many link row: it is named by the two rows it links, shown as its changes."""
    return model._meta.concrete_model._meta.auto_created is not False


def _via(event) -> str:
    if event.command:
        return f"manage.py {event.command}"
    return " ".join(part for part in (event.method, event.url) if part)


def _changes(event, model):
    """(column, (before, after)) for each changed field; what was there for an insert or a delete."""
    if event.pgh_label in (UPDATE,) and event.pgh_diff:
        return [(column, tuple(pair)) for column, pair in event.pgh_diff.items() if column not in HIDDEN_COLUMNS]
    data = event.pgh_data or {}
    if event.pgh_label in (DELETE, LINK_REMOVE):
        return [(c, (v, None)) for c, v in data.items() if c not in HIDDEN_COLUMNS and v not in (None, "")]
    return [(c, (None, v)) for c, v in data.items() if c not in HIDDEN_COLUMNS and v not in (None, "")]


def _field_of(model, column):
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field
    return None


def _shown(field, value, names):
    if value is None or value == "":
        return "—"
    if field.is_relation and field.related_model is not None:
        return names.get(field.related_model, {}).get(str(value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(moment) else value
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = f"{value:f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        return text
    text = str(value)
    return text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1] + "…"


def attribute_to(user) -> None:
    """Name `user` as the author of the request's writes, for views that authenticate by themselves
    (an API token) after HistoryMiddleware has opened the request's context with no user."""
    pghistory.context(user=user.pk, username=user.get_username())
