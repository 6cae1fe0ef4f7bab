from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods
from django_filters.views import FilterView
from django_tables2 import LazyPaginator, SingleTableMixin
from django_tables2.export import ExportMixin

from . import charts, columns, data_version, drafts, errors, roles, selectors, services
from .choices import Status
from .filters import TargetFilter
from .forms import ProgressForm, ReportStateForm
from .history import can_see_history, describe, events_of
from .models import GlossaryTerm, Report, Target
from .spreadsheet import TableExport
from .tables import LedgerData, TargetTable


@cache_control(max_age=3600, public=True)
def status_css(request):
    return render(request, "targets/status.css", {"statuses": list(Status)}, content_type="text/css")


def home(request):
    """Each role lands on its daily page: reporters on 我的目标, supervisors on the review queue,
    officials and admins on the dashboard."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "home.html")
    if not roles.sees_everything(user):
        return redirect("target-list")
    if roles.is_supervisor(user) and not roles.is_admin(user):
        return redirect("supervision:review-queue")
    return redirect("dashboard")


class LedgerContextMixin:
    """The report, the as-of date and whether pending entries count, read once from the request."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.report = selectors.selected_report(request)
        self.as_of = selectors.as_of_from(request)
        self.include_pending = selectors.include_pending_from(request)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            report=self.report, as_of=self.as_of, include_pending=self.include_pending, **kwargs
        )


class BoundedPaginator(LazyPaginator):
    """A lazy paginator (counting every row of a city's ledger on each page view grows with the data)
    with limits: `?per_page=` up to MAX_PER_PAGE rows, and pages up to MAX_PAGES deep, since a page
    is read past every row before it. Deeper than that, the filters narrow the list."""

    MAX_PER_PAGE = 100
    MAX_PAGES = 200

    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, min(int(per_page), self.MAX_PER_PAGE), *args, **kwargs)

    def validate_number(self, number):
        return min(super().validate_number(number), self.MAX_PAGES)

    def page(self, number):
        page = super().page(number)
        if page.number >= self.MAX_PAGES:
            self._num_pages = page.number  # no "next" past the limit
        return page


class TargetListView(LoginRequiredMixin, LedgerContextMixin, ExportMixin, SingleTableMixin, FilterView):
    """我的目标: the targets the user's department leads or supports (everything for those who oversee)."""

    table_class = TargetTable
    filterset_class = TargetFilter
    template_name = "targets/target_list.html"
    table_pagination = {"per_page": 25, "paginator_class": BoundedPaginator}
    export_formats = ("csv",)  # the XLSX is the 台账 (ledger-xlsx): one importable workbook for every export
    export_class = TableExport  # the CSV with a byte-order mark and plain numbers
    exclude_columns = ()

    def get(self, request, *args, **kwargs):
        if request.GET.get(self.export_trigger_param) == "xlsx":  # a link to the list's old workbook
            return redirect(self.workbook_url())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.report is None:
            return Target.objects.none()
        ledger = selectors.target_ledger(
            user=self.request.user,
            report=self.report,
            as_of=self.as_of,
            include_pending=self.include_pending,
            figures=columns.read_on(columns.TABLE),  # the table's figures: the others are not computed
        )
        if self.request.GET.get(self.export_trigger_param):
            return ledger.select_related(None).select_related("report", "section")
        # The page's 25 rows name their section and link through the report: both are attached to
        # the rows in get_table, from the report read already and the section filter's list. Each
        # table joined to the computation's query doubled the time PostgreSQL took to plan it
        # (the lead department, the report and the section: 13 ms, 5 ms, 2 ms for 25 rows).
        return ledger.select_related(None)

    def get_table_data(self):
        return LedgerData(super().get_table_data())

    def get_table(self, **kwargs):
        # Built when first read: the page reads it only when its HTML is not kept (page_of_targets).
        return SimpleLazyObject(lambda: self._table(**kwargs))

    def _table(self, **kwargs):
        table = super().get_table(**kwargs)
        if getattr(table, "page", None) is not None and not self.request.GET.get(self.export_trigger_param):
            sections = self.filterset.sections()
            for row in table.page.object_list:
                target = row.record
                Target.report.field.set_cached_value(target, self.report)
                if target.section_id in sections:
                    Target.section.field.set_cached_value(target, sections[target.section_id])
        return table

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "report": self.report, "user": self.request.user}

    def get_export_filename(self, export_format):
        return f"targets-{self.as_of.isoformat()}.{export_format}"

    def get_context_data(self, **kwargs):
        # The department's entries sent back by review, to correct and resubmit (one query).
        returned = selectors.returned_entries(self.request.user)
        context = super().get_context_data(returned_entries=returned, workbook_url=self.workbook_url(), **kwargs)
        if not self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):  # a page
            context["table_html"], context["total"] = self.page_of_targets(context["table"])
        return context

    def page_of_targets(self, table):
        """The table's HTML and 共 N 项, kept until what they read changes (data_version). They read
        the request's query (filters, sort, page), the report, the as-of day and the user's read_scope."""
        query = sorted(self.request.GET.lists())
        parts = (
            getattr(self.report, "pk", None),
            roles.read_scope(self.request.user),
            self.as_of,
            self.include_pending,
            query,
        )
        return data_version.remembered("target-list", parts, lambda: (table.as_html(self.request), self.total()))

    def total(self):
        """共 N 项: the targets as filtered, counted with no figure but those the filters read."""
        if self.report is None or (self.filterset.is_bound and not self.filterset.is_valid()):
            return 0
        counted = selectors.target_ledger(
            user=self.request.user,
            report=self.report,
            as_of=self.as_of,
            include_pending=self.include_pending,
            figures=self.filterset.figures_read(),
        )
        return (self.filterset.filter_queryset(counted) if self.filterset.is_bound else counted).count()

    def workbook_url(self):
        """The 台账 of the list as filtered (the same filters, date and pending switch; not its page or sort)."""
        query = self.request.GET.copy()
        for name in ("page", "per_page", "sort", self.export_trigger_param):
            query.pop(name, None)
        if self.report is not None:
            query["report"] = self.report.code
        return f"{reverse('ledger-xlsx')}?{query.urlencode()}"


def _visible_target(request, report_code, code, *, as_of=None, include_pending=False):
    report = selectors.Report.objects.select_related("government").filter(code=report_code).first()
    if report is None:
        raise Http404
    request._selected_report = report  # the page is about this target's report
    queryset = selectors.target_ledger(
        user=request.user, report=report, as_of=as_of, include_pending=include_pending, retired=True
    )
    queryset = queryset.prefetch_related("co_departments", "checkpoints")
    target = queryset.filter(code=code).first()
    if target is None:
        # Someone else's target and a target that does not exist look the same.
        raise Http404
    return target


class HistoryPage:
    """One page of a target's progress entries, newest first, read as the page's rows plus one (to
    know whether an older page follows): never a count of a history that only grows."""

    PER_PAGE = 20

    def __init__(self, entries, number):
        self.number = number
        start = (self.number - 1) * self.PER_PAGE
        rows = list(entries[start : start + self.PER_PAGE + 1])
        self.entries = rows[: self.PER_PAGE]
        self.has_next = len(rows) > self.PER_PAGE
        self.has_previous = self.number > 1

    def __iter__(self):
        return iter(self.entries)

    def __len__(self):
        return len(self.entries)


@login_required
def target_detail(request, report_code, code):
    as_of = selectors.as_of_from(request)
    include_pending = selectors.include_pending_from(request)
    target = _visible_target(request, report_code, code, as_of=as_of, include_pending=include_pending)
    history = HistoryPage(selectors.target_history(target), selectors.query_page(request, "history_page"))
    chart = None
    if charts.plotted(target):
        chart = charts.progress_chart(target, selectors.chart_points(target), selectors.plan_path(target))
    awaiting = selectors.awaiting_review(target)
    return render(
        request,
        "targets/target_detail.html",
        {
            "target": target,
            "report": target.report,
            "as_of": as_of,
            "include_pending": include_pending,
            "history": history,
            "chart": chart,
            # The latest entry while it awaits review, and who reviews it (nothing counts it until then).
            "awaiting_review": awaiting,
            "reviewers": list(roles.reviewers_of(target)) if awaiting else [],
            "glossary": GlossaryTerm.objects.filter(report=target.report).select_related("report"),
            "can_record": roles.writable_targets(Target.objects.filter(pk=target.pk), request.user).exists(),
            # The audit trail, for those who audit (history.can_see_history); None hides it.
            "change_history": describe(events_of(target, references=True)[:50])
            if can_see_history(request.user)
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_progress(request, report_code, code):
    target = _visible_target(request, report_code, code)
    if not roles.writable_targets(Target.objects.filter(pk=target.pk), request.user).exists():
        raise PermissionDenied(services.refusal(target))  # says why: the report is not 执行中, or not theirs
    resubmits = _returned_entry(request, target)
    initial = None
    if resubmits is not None:
        # The returned entry's figures to start from; the reporter corrects what the comment asks.
        initial = {
            "reported_on": resubmits.reported_on,
            "value": _plain(resubmits.value),
            "growth_rate": _plain(resubmits.growth_rate),
            "stage": resubmits.stage,
            "note": resubmits.note,
        }
    if request.method == "GET":
        # What the reporter had typed when their session expired, given back after signing in (drafts.py).
        initial = {**(initial or {}), **drafts.typed_before_login(request)}
    form = ProgressForm(request.POST or None, request.FILES or None, target=target, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_progress(user=request.user, target=target, resubmits=resubmits, **form.service_arguments())
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            messages.success(request, _("已保存 %(code)s 的进度。") % {"code": target.code})
            return redirect("target-detail", report_code, code)
    return render(
        request,
        "targets/progress_form.html",
        {"target": target, "report": target.report, "form": form, "resubmits": resubmits},
    )


def _plain(number):
    """A stored decimal as staff would type it: 70.0000 → "70"."""
    return None if number is None else format(number.normalize(), "f")


def _returned_entry(request, target):
    """`?resubmits=<id>` (or the same field posted): a returned entry of this target being corrected."""
    from .choices import ReviewStatus

    raw = request.POST.get("resubmits") or request.GET.get("resubmits")
    if not raw or not str(raw).isdigit():
        return None
    return target.entries.filter(pk=int(raw), review_status=ReviewStatus.RETURNED).first()


@login_required
@require_http_methods(["GET", "POST"])
def report_state(request, report_code):
    """报告状态: where a report is (草稿 / 执行中 / 收官), every change with who, when and why, and, for
    supervisors and admins of its government, the moves open from here (收官 → 执行中 with a reason)."""
    report = roles.visible_reports(Report.objects.select_related("government"), request.user).filter(code=report_code)
    report = report.first()
    if report is None:
        raise Http404
    request._selected_report = report
    can_change = roles.is_supervisor(request.user)
    form = ReportStateForm(request.POST or None, report=report)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(errors.ONLY_SUPERVISORS_CHANGE_STATE)
        if form.is_valid():
            try:
                services.change_report_state(user=request.user, report=report, **form.cleaned_data)
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                messages.success(
                    request,
                    _("报告“%(title)s”已改为%(state)s。")
                    % {"title": report.title, "state": report.get_state_display()},
                )
                return redirect("report-state", report.code)
    changes = report.state_changes.select_related("changed_by").order_by("-changed_at", "-id")
    return render(
        request,
        "targets/report_state.html",
        {"report": report, "form": form if can_change else None, "changes": changes},
    )
