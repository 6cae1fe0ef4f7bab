"""管理后台: admins keep the report's data right. Figures (latest value, gap, status) are read from
`Target.objects.with_progress()`, never recomputed here; every change is recorded by the triggers of
targets.history and shown by each object's 历史 button."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pghistory.core import event_models

from . import adjustments, columns, history, roles
from .admin_lists import DateDrillDownInCalendarMixin
from .admin_locking import EDITED_MEANWHILE, OptimisticLockMixin
from .admin_numbers import NumbersAsWrittenMixin
from .choices import Status
from .models import (
    Checkpoint,
    Department,
    GlossaryTerm,
    Government,
    ProgressEntry,
    Report,
    SearchSynonym,
    Section,
    StaffProfile,
    Target,
)
from .tables import figure_html

admin.site.site_header = _("政府工作报告目标台账 · 管理后台")
admin.site.site_title = _("管理后台")
admin.site.index_title = _("数据管理")


def _admins_only(request):
    """管理后台 is for 管理员 (and superusers): being staff is not enough, so a reporter or a
    supervisor given is_staff by mistake still cannot get in."""
    return admin.AdminSite.has_permission(admin.site, request) and roles.is_admin(request.user)


admin.site.has_permission = _admins_only


class ReportGovMedia:
    css = {"all": (reverse_lazy("status-css"), "css/admin.css")}


class HistoryMixin:
    """The 历史 button shows the change history the triggers recorded (every write path), not
    Django's LogEntry (admin saves only)."""

    history_references = False  # also the rows that point at the object (a target's entries …)
    object_history_template = "admin/reportgov_history.html"

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return super().history_view(request, object_id, extra_context)
        rows = history.describe(history.events_of(obj, references=self.history_references)[:200])
        context = {
            **self.admin_site.each_context(request),
            "title": _("变更记录：%(object)s") % {"object": obj},
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)


# --- The report and its outline ------------------------------------------------------------


@admin.register(Government)
class GovernmentAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Report)
class ReportAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "government",
        "year",
        "state",
        "period_start",
        "period_end",
        "review_required",
        "demo_data",
    )
    list_filter = ("state", "government", "year", "review_required")
    list_select_related = ("government",)
    search_fields = ("code", "title")
    # The state changes only on its own page (报告状态: who, when, why), never by editing the row.
    readonly_fields = ("state",)
    change_list_template = "admin/targets/report/change_list.html"
    Media = ReportGovMedia

    def get_urls(self):
        from .report_import import report_import_view, template_view

        custom = [
            path(
                "import/",
                self.admin_site.admin_view(report_import_view(self)),
                name="targets_report_import",
            ),
            path(
                "import/template.xlsx",
                self.admin_site.admin_view(template_view(self)),
                name="targets_report_import_template",
            ),
        ]
        return custom + super().get_urls()


class SubSectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ("code", "title", "order")

    def _get_validation_exclusions(self):
        # The report is set from the parent section, not typed: still check the code is unique in it.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("report")
        return exclusions


class SubSectionFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.report_id = self.instance.report_id
        return form


class SubSectionInline(admin.TabularInline):
    model = Section
    fk_name = "parent"
    form = SubSectionForm
    formset = SubSectionFormSet
    fields = ("code", "title", "order")
    extra = 0
    verbose_name = _("下级章节")
    verbose_name_plural = _("下级章节")
    show_change_link = True


@admin.register(Section)
class SectionAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = ("code", "title", "report", "parent", "order")
    list_filter = ("report",)
    search_fields = ("code", "title")
    list_select_related = ("report", "parent")
    autocomplete_fields = ("report", "parent")
    inlines = (SubSectionInline,)
    ordering = ("report", "order")


@admin.register(Department)
class DepartmentAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = ("code", "name", "government", "order", "led_count", "staff_count")
    list_filter = ("government",)
    list_select_related = ("government",)
    search_fields = ("code", "name")
    ordering = ("order", "code")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(led_count=Count("led_targets", distinct=True), staff_count=Count("staff", distinct=True))
        )

    @admin.display(description=_("牵头目标数"), ordering="led_count")
    def led_count(self, obj):
        return obj.led_count

    @admin.display(description=_("人员数"), ordering="staff_count")
    def staff_count(self, obj):
        return obj.staff_count


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = ("term", "report", "order")
    list_filter = ("report",)
    search_fields = ("term", "definition")
    list_select_related = ("report",)
    autocomplete_fields = ("report",)


# --- Targets --------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """By the status the one computation gives today."""

    title = _("状态")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


class CheckpointInline(NumbersAsWrittenMixin, admin.TabularInline):
    model = Checkpoint
    extra = 0
    fields = ("due_on", "planned_value")


class ProgressEntryInline(NumbersAsWrittenMixin, admin.TabularInline):
    """The entries, read-only: progress is recorded through the form, the API or an import, and a
    correction is a new entry, never an edit."""

    model = ProgressEntry
    fk_name = "target"
    extra = 0
    can_delete = False
    fields = ("reported_on", "value", "growth_rate", "stage", "note", "correction_reason", "review_status")
    fields = (*fields, "created_by", "created_at")
    readonly_fields = fields
    ordering = ("-reported_on", "-id")
    verbose_name_plural = _("进度填报（只读）")

    def get_queryset(self, request):
        # The target too: each row is titled with the entry's __str__, which names its target.
        return super().get_queryset(request).select_related("created_by", "target")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LeadDepartmentForm(forms.Form):
    lead_department = forms.ModelChoiceField(Department.objects.all(), label=_("牵头单位"))


def _reason_field(**kwargs):
    return forms.CharField(label=_("调整理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}), **kwargs)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = _reason_field()


def _bulk_form_page(modeladmin, request, queryset, *, form_class, action, title, apply):
    """An intermediate page: the chosen targets and a form; on submit, `apply(ids, cleaned_data)`."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        ids = list(queryset.values_list("pk", flat=True))
        message = apply(ids, form.cleaned_data)
        if message:
            modeladmin.message_user(request, message, messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.opts,
        "form": form,
        "action": action,
        "targets": queryset.order_by("code")[:200],
        "count": queryset.count(),
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/targets/target/bulk_action.html", context)


@admin.action(description=_("指定牵头单位"), permissions=["change"])
def assign_lead_department(modeladmin, request, queryset):
    def apply(ids, data):
        department = data["lead_department"]
        with transaction.atomic():
            changed = Target.objects.filter(pk__in=ids).update(lead_department=department)
        return _("已将 %(count)d 个目标的牵头单位设为 %(department)s。") % {"count": changed, "department": department}

    return _bulk_form_page(
        modeladmin,
        request,
        queryset,
        form_class=LeadDepartmentForm,
        action="assign_lead_department",
        title=_("指定牵头单位"),
        apply=apply,
    )


@admin.action(description=_("设置完成期限"), permissions=["change"])
def set_deadline(modeladmin, request, queryset):
    def apply(ids, data):
        deadline = data["deadline"]
        too_early = list(
            Target.objects.filter(pk__in=ids, period_start__gt=deadline).order_by("code").values_list("code", flat=True)
        )
        if too_early:
            modeladmin.message_user(
                request,
                _("完成期限不能早于起始日期，未作修改：%(codes)s") % {"codes": "、".join(too_early[:20])},
                messages.ERROR,
            )
            return None
        # An adjustment of each target (the report's own deadline stays), with its reason.
        changed = adjustments.adjust_deadlines(
            user=request.user, target_ids=ids, deadline=deadline, reason=data["reason"]
        )
        return _("已将 %(count)d 个目标的完成期限设为 %(deadline)s。") % {"count": changed, "deadline": deadline}

    return _bulk_form_page(
        modeladmin,
        request,
        queryset,
        form_class=DeadlineForm,
        action="set_deadline",
        title=_("设置完成期限"),
        apply=apply,
    )


def _figure_display(figure):
    """A figure of targets.columns as a column of the target list, written as 我的目标 writes it."""

    def display(obj):
        return figure_html(figure, obj)

    display.__name__ = f"{figure.key}_display"
    return admin.display(description=figure.label, ordering=figure.key)(display)


class TargetAdminForm(forms.ModelForm):
    """目标值 and 完成期限 show the goal in force, and changing either on a saved target is an
    adjustment (targets.adjustments) that takes a reason: the report's own values stay as written."""

    reason = _reason_field(
        required=False,
        help_text=_("修改目标值或完成期限时必填。报告原文的数值保留，目标页、公开页和台账显示“调整：原 … → …”。"),
    )
    goal_seen = forms.CharField(label=_("打开页面时的目标"), widget=forms.HiddenInput, required=False)
    user = None  # the admin saving: set on the form class TargetAdmin.get_form makes for each request

    class Meta:
        model = Target
        fields = (*adjustments.ADJUSTED, *adjustments.NOT_ADJUSTABLE)  # TargetAdmin adds its fieldsets' others

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.update(adjustments.goal_in_force(self.instance))
            self.initial["goal_seen"] = adjustments.goal_version(self.instance)

    def _get_validation_exclusions(self):
        # The adjustment is set by clean(), not typed: its constraints are still checked.
        return super()._get_validation_exclusions() - {
            "adjusted_target_value",
            "adjusted_deadline",
            *adjustments.RECORD,
        }

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned  # a new target is the report's own
        locked = Target.objects.select_for_update().get(pk=self.instance.pk)  # until admin's transaction ends
        if self.data.get(self.add_prefix("goal_seen")) != adjustments.goal_version(locked):
            raise ValidationError(EDITED_MEANWHILE, code="edited_meanwhile")
        goal = (*adjustments.ADJUSTED, *adjustments.NOT_ADJUSTABLE)
        changed = [name for name in goal if name in self.changed_data]
        reason = cleaned.get("reason", "")
        found = adjustments.problems(
            self.instance, changed=changed, target_value=cleaned.get("target_value"), reason=reason
        )
        for name, message in found.items():
            self.add_error(name, message)
        if changed and not self.errors:
            adjustments.adjust(
                self.instance,
                user=self.user,
                target_value=cleaned["target_value"],
                deadline=cleaned["deadline"],
                reason=reason,
            )
            # The fields would otherwise write the goal in force over what the report wrote.
            cleaned["target_value"], cleaned["deadline"] = self.instance.target_value, self.instance.deadline
        return cleaned


@admin.register(Target)
class TargetAdmin(NumbersAsWrittenMixin, OptimisticLockMixin, HistoryMixin, admin.ModelAdmin):
    form = TargetAdminForm
    list_display = (
        "code",
        "name",
        "lead_department",
        "deadline_display",
        *(_figure_display(figure) for figure in columns.shown_on(columns.ADMIN)),
    )
    list_display_links = ("code", "name")
    list_filter = (StatusFilter, "report", "kind", "direction", "lead_department")
    search_fields = ("code", "name", "source_text")
    list_select_related = ("report", "lead_department")
    autocomplete_fields = ("report", "section", "lead_department", "co_departments")
    readonly_fields = ("standing_display", "adjustment_display")
    inlines = (CheckpointInline, ProgressEntryInline)
    actions = (assign_lead_department, set_deadline)
    list_per_page = 50
    history_references = True
    Media = ReportGovMedia
    fieldsets = (
        (None, {"fields": ("report", "code", "name", "section", "kind", "order")}),
        (
            _("目标值"),
            {
                "fields": (
                    ("direction", "measure", "unit"),
                    ("target_value", "target_value_max", "growth_rate_target"),
                    ("baseline_value", "baseline_source"),
                )
            },
        ),
        (_("期限与责任"), {"fields": (("period_start", "deadline"), "lead_department", "co_departments")}),
        (_("报告原文"), {"fields": ("source_text",)}),
        (_("当前进度"), {"fields": ("standing_display",)}),
    )

    def get_queryset(self, request):
        # The one computation: every figure on these pages is an annotation of with_progress().
        return Target.objects.with_progress()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # who adjusts: the class is made anew for each request
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("调整"), {"fields": ("adjustment_display", "reason", "goal_seen")})]

    @admin.display(description=_("调整记录"))
    def adjustment_display(self, obj):
        note = render_to_string("targets/adjustment_note.html", {"target": obj})
        return note if note.strip() else _("未调整：目标值和完成期限按报告原文。")

    @admin.display(description=_("完成期限"), ordering="deadline")
    def deadline_display(self, obj):
        return obj.deadline.isoformat()

    @admin.display(description=_("当前进度"))
    def standing_display(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return render_to_string("admin/targets/target/standing.html", {"target": obj})


# --- Progress, checkpoints, people ---------------------------------------------------------


@admin.register(ProgressEntry)
class ProgressEntryAdmin(NumbersAsWrittenMixin, DateDrillDownInCalendarMixin, HistoryMixin, admin.ModelAdmin):
    """Read-only: entries are recorded through the form, the API or an import; corrections are new entries."""

    list_display = ("target", "reported_on", "value", "growth_rate", "stage", "review_status", "created_by")
    list_display = (*list_display, "created_at")
    list_filter = ("review_status", "target__report", "target__lead_department")
    search_fields = ("target__code", "target__name", "note")
    list_select_related = ("target", "created_by")
    date_hierarchy = "reported_on"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Checkpoint)
class CheckpointAdmin(NumbersAsWrittenMixin, HistoryMixin, admin.ModelAdmin):
    list_display = ("target", "due_on", "planned_value")
    list_filter = ("target__report",)
    search_fields = ("target__code", "target__name")
    list_select_related = ("target",)
    autocomplete_fields = ("target",)


@admin.register(StaffProfile)
class StaffProfileAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = ("user", "department")
    list_filter = ("department",)
    filter_horizontal = ("governments",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "department__name")
    list_select_related = ("user", "department")
    autocomplete_fields = ("user", "department")


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ("department",)
    filter_horizontal = ("governments",)
    verbose_name = _("所属单位")
    verbose_name_plural = _("所属单位")


class DepartmentFilter(admin.SimpleListFilter):
    title = _("所属单位")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(str(d.pk), d.name) for d in Department.objects.order_by("order", "code")]

    def queryset(self, request, queryset):
        if self.value() in dict(self.lookup_choices):  # an id that is no department's, or no id, filters nothing
            return queryset.filter(staff_profile__department=self.value())
        return queryset


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """A user, their department and their groups (填报员, 督查, 领导, 管理员) edited on one page."""

    inlines = (StaffProfileInline,)
    list_display = ("username", "full_name", "department", "group_list", "is_staff", "is_active", "last_login")
    list_filter = ("groups", DepartmentFilter, "is_staff", "is_active", "is_superuser")
    list_select_related = ("staff_profile__department",)
    search_fields = ("username", "first_name", "last_name", "email", "staff_profile__department__name")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser makes superusers or hands out single permissions; 管理员 manage the rest.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    @admin.display(description=_("姓名"))
    def full_name(self, obj):
        return obj.get_full_name() or "—"

    @admin.display(description=_("所属单位"), ordering="staff_profile__department__order")
    def department(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.department.name if profile and profile.department else "—"

    @admin.display(description=_("角色"))
    def group_list(self, obj):
        return "、".join(sorted(group.name for group in obj.groups.all())) or "—"


# --- The change history itself -------------------------------------------------------------


class EventLabelFilter(admin.SimpleListFilter):
    title = _("操作")
    parameter_name = "label"

    def lookups(self, request, model_admin):
        return [(key, label) for key, label in history.LABELS.items()]

    def queryset(self, request, queryset):
        if self.value() in history.LABELS:
            return queryset.filter(pgh_label=self.value())
        return queryset


class EventModelFilter(admin.SimpleListFilter):
    title = _("对象类型")
    parameter_name = "model"

    def lookups(self, request, model_admin):
        return sorted(
            (event_model._meta.label, str(event_model.pgh_tracked_model._meta.verbose_name))
            for event_model in event_models()
        )

    def queryset(self, request, queryset):
        for event_model in event_models():
            if event_model._meta.label == self.value():
                return queryset.across(event_model)
        return queryset


@admin.register(history.ChangeEvent)
class ChangeEventAdmin(admin.ModelAdmin):
    """Every recorded change, read-only: nobody adds, edits or deletes history through the app."""

    list_display = ("when", "object_display", "action_display", "changes_display", "who", "via")
    list_display_links = None
    Media = ReportGovMedia
    list_filter = (EventLabelFilter, EventModelFilter)
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-pgh_created_at",)
    actions = None

    def get_queryset(self, request):
        return history.ChangeEvent.objects.order_by("-pgh_created_at", "-pgh_id")

    def has_view_permission(self, request, obj=None):
        return history.can_see_history(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return history.can_see_history(request.user) and super().has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # Name the related rows of the whole page at once (one query per related model).
        self._rows = {row["event"].pk: row for row in history.describe(changelist.result_list)}
        return changelist

    def _row(self, obj):
        return getattr(self, "_rows", {}).get(obj.pk) or history.describe([obj])[0]

    @admin.display(description=_("时间"), ordering="pgh_created_at")
    def when(self, obj):
        return timezone.localtime(obj.pgh_created_at).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description=_("对象"))
    def object_display(self, obj):
        row = self._row(obj)
        return f"{row['model']}：{row['object'] or '#' + str(row['object_id'] or '—')}"

    @admin.display(description=_("操作"))
    def action_display(self, obj):
        return obj.label_display

    @admin.display(description=_("变更"))
    def changes_display(self, obj):
        return render_to_string("admin/reportgov_history_changes.html", {"row": self._row(obj), "limit": 6})

    @admin.display(description=_("操作人"))
    def who(self, obj):
        return self._row(obj)["who"] or "—"

    @admin.display(description=_("来源"))
    def via(self, obj):
        return self._row(obj)["via"] or "—"


# --- Login records (django-axes) ------------------------------------------------------------


# axes' own admins, with their date drill-down kept inside the calendar.
for model, axes_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, type(axes_admin.__name__, (DateDrillDownInCalendarMixin, axes_admin), {}))


# --- Search synonyms ------------------------------------------------------------------------


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ("term", "expands_to")
    list_editable = ("expands_to",)
    search_fields = ("term", "expands_to")
