"""督查督办 pages: the review queue, reporting periods, reminders, extension requests and the ranking.

Supervisors and admins run all of it (roles.is_supervisor, checked once by `supervisors_only`);
reporters request extensions for their own department's targets; officials read the ranking.
Every state change is a POST through a service (targets.services, supervision.services); a GET never
changes anything.
"""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ledger import selectors as ledger_selectors
from targets import errors, roles, services
from targets import selectors as ledger_request
from targets.choices import ExtensionStatus, ReviewStatus
from targets.models import Department, ProgressEntry, Report, Target
from targets.periods import period_containing

from . import circular as circular_document
from . import exports, reminders, selectors
from . import ranking as ranking_selectors
from . import services as supervision_services
from .forms import (
    APPROVE,
    BatchReviewForm,
    CircularForm,
    ClosePeriodForm,
    DepartmentFilterForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ReopenPeriodForm,
    ReopenRequestForm,
    ReviewForm,
)
from .models import EscalationStep, ExtensionRequest, ReopenRequest

QUEUE_PAGE_SIZE = 30


def supervisors_only(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles.is_supervisor(request.user):
            raise PermissionDenied(errors.SUPERVISORS_ONLY)
        return view(request, *args, **kwargs)

    return wrapped


def _report(request) -> Report:
    report = ledger_request.selected_report(request)
    if report is None:
        raise Http404(_("没有报告。"))
    return report


def _error_messages(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


def _back(request, fallback):
    """Return to the page the form was on (a local URL only), or to `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@supervisors_only
@require_GET
def index(request):
    report = _report(request)
    today = timezone.localdate()
    last_period = period_containing(today)
    rows = [row for row in selectors.period_rows(report=report, today=today) if row.period.end < last_period.start]
    return render(
        request,
        "supervision/index.html",
        {
            "report": report,
            "pending_entries": ProgressEntry.objects.filter(
                target__report=report, review_status=ReviewStatus.SUBMITTED
            ).count(),
            "pending_extensions": ExtensionRequest.objects.filter(
                target__report=report, status=ExtensionStatus.PENDING
            ).count(),
            "open_periods": [row for row in rows if not row.is_closed],
        },
    )


# --- Review (审核) ----------------------------------------------------------------------------


@supervisors_only
@require_GET
def review_queue(request):
    """待审核: the entries awaiting review, oldest first, each beside its target's standing."""
    report = _report(request)
    filter_form = DepartmentFilterForm(request.GET or None)
    department = filter_form.cleaned_data["department"] if filter_form.is_valid() else None
    paginator = Paginator(selectors.review_queue(report=report, department=department), QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    entries = list(page.object_list)
    as_of = timezone.localdate()
    selectors.attach_standing(entries, as_of=as_of)
    selectors.attach_chains(entries)
    return render(
        request,
        "supervision/review_queue.html",
        {
            "report": report,
            "filter_form": filter_form,
            "department": department,
            "page": page,
            "entries": entries,
            "as_of": as_of,
        },
    )


@supervisors_only
@require_POST
def review_entry(request, pk):
    entry = get_object_or_404(ProgressEntry.objects.select_related("target"), pk=pk)
    form = ReviewForm(request.POST)
    label = services.entry_label(entry)
    if not form.is_valid():
        messages.error(request, _("%(entry)s：%(message)s") % {"entry": label, "message": _("请选择通过或退回。")})
        return _back(request, "supervision:review-queue")
    approve = form.cleaned_data["decision"] == APPROVE
    try:
        services.review_entry(user=request.user, entry=entry, approve=approve, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, _("%(entry)s：%(message)s") % {"entry": label, "message": message})
    else:
        done = _("已通过 %(entry)s。") if approve else _("已退回 %(entry)s。")
        messages.success(request, done % {"entry": label})
    return _back(request, "supervision:review-queue")


@supervisors_only
@require_POST
def review_batch(request):
    """批量通过 / 批量退回 the ticked entries, with one reason for a return: all or none."""
    form = BatchReviewForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return _back(request, "supervision:review-queue")
    approve = form.cleaned_data["decision"] == APPROVE
    entries = list(form.cleaned_data["entries"].select_related("target").order_by("created_at", "id"))
    try:
        reviewed = supervision_services.review_batch(
            user=request.user, entries=entries, approve=approve, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        done = _("已批量通过 %(count)s 条填报。") if approve else _("已批量退回 %(count)s 条填报。")
        messages.success(request, done % {"count": len(reviewed)})
    return _back(request, "supervision:review-queue")


# --- Reporting periods (填报期) -----------------------------------------------------------------


@supervisors_only
@require_GET
def periods(request):
    report = _report(request)
    today = timezone.localdate()
    return render(
        request,
        "supervision/periods.html",
        {
            "report": report,
            "rows": selectors.period_rows(report=report, today=today),
            "today": today,
            "departments": Department.objects.all(),
            "reopen_requests": list(selectors.reopen_requests(report=report)),
            "decision_form": ExtensionDecisionForm(),
        },
    )


def _period_of(report, day):
    period = period_containing(day)
    if not (report.period_start <= period.end and period.start <= report.period_end):
        raise Http404
    return period


def _to_periods(report):
    return redirect(f"{reverse('supervision:periods')}?report={report.code}")


@supervisors_only
@require_POST
def close_period(request):
    report = _report(request)
    form = ClosePeriodForm(request.POST)
    if not form.is_valid():
        if "period_start" in form.errors:
            raise Http404
        _error_messages(request, ValidationError(form.errors["confirm"]))
        return _to_periods(report)
    period = _period_of(report, form.cleaned_data["period_start"])
    try:
        supervision_services.close_period(user=request.user, report=report, period=period)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("已关闭 %(period)s 的填报期。") % {"period": period.label})
    return _to_periods(report)


@supervisors_only
@require_POST
def reopen_period(request):
    report = _report(request)
    form = ReopenPeriodForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return _to_periods(report)
    period = _period_of(report, form.cleaned_data["period_start"])
    department = form.cleaned_data["department"]
    try:
        supervision_services.reopen_period(
            user=request.user, report=report, period=period, reason=form.cleaned_data["reason"], department=department
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        done = _("已对%(department)s重新开放 %(period)s 的填报期。")
        messages.success(request, done % {"period": period.label, "department": department or _("全部单位")})
    return _to_periods(report)


@login_required
@require_http_methods(["GET", "POST"])
def reopen_request_new(request):
    """补报申请: a reporter asks for their department, a supervisor for one or all, to reopen a closed period."""
    report = _report(request)
    for_supervisor = roles.is_supervisor(request.user)
    if not for_supervisor and supervision_services.user_department(request.user) is None:
        raise PermissionDenied(errors.REOPEN_NOT_YOUR_DEPARTMENT)
    closed = [row.period for row in selectors.period_rows(report=report, today=timezone.localdate()) if row.is_closed]
    form = ReopenRequestForm(request.POST or None, periods=closed, for_supervisor=for_supervisor)
    if request.method == "POST" and form.is_valid():
        try:
            supervision_services.request_reopening(
                user=request.user,
                report=report,
                period=_period_of(report, form.cleaned_data["period_start"]),
                reason=form.cleaned_data["reason"],
                department=form.cleaned_data.get("department"),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已提交补报申请，等待督查审批。"))
            return redirect(f"{reverse('target-list')}?report={report.code}")
    return render(request, "supervision/reopen_request_form.html", {"report": report, "form": form})


@supervisors_only
@require_POST
def reopen_request_decide(request, pk):
    reopen_request = get_object_or_404(ReopenRequest.objects.select_related("report"), pk=pk)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return _to_periods(reopen_request.report)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        supervision_services.decide_reopening(
            user=request.user, request=reopen_request, approve=approve, comment=form.cleaned_data["comment"]
        )
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("已批准补报申请。") if approve else _("已驳回补报申请。"))
    return _to_periods(reopen_request.report)


# --- Reminders (催办) ---------------------------------------------------------------------------


@supervisors_only
@require_GET
def reminders_preview(request):
    """Exactly what 发送催办 (and the daily `manage.py send_reminders`) e-mails today, to whom, and to
    whom it has already gone."""
    report = _report(request)
    plan = reminders.plan_reminders(report=report, today=timezone.localdate())
    with translation.override(settings.LANGUAGE_CODE):  # the e-mails' language, as send_reminders writes them
        previews = [(reminder, *reminders.department_message(plan, reminder)) for reminder in plan.departments]
        summary = reminders.summary_message(plan) if plan.departments else None
    return render(
        request,
        "supervision/reminders.html",
        {"report": report, "plan": plan, "previews": previews, "summary": summary},
    )


@supervisors_only
@require_POST
def send_reminders(request):
    """发送催办: send what the preview showed and has not gone today (idempotent per day and step)."""
    report = _report(request)
    outcome = reminders.send_reminders(report=report, today=timezone.localdate())
    counts = {"sent": len(outcome.sent), "skipped": outcome.skipped, "failed": outcome.failed}
    messages.success(request, _("已发送 %(sent)s 封；今日已发送过而跳过 %(skipped)s 封。") % counts)
    if outcome.failed:
        messages.error(request, _("%(failed)s 封未能发送（邮件服务器拒绝），请稍后再试。") % counts)
    return redirect(f"{reverse('supervision:reminders')}?report={report.code}")


@require_GET
def steps_css(request):
    return render(request, "supervision/steps.css", {"steps": list(EscalationStep)}, content_type="text/css")


# --- Extensions and target changes (延期/调整) ---------------------------------------------------


@login_required
@require_GET
def extensions(request):
    report = _report(request)
    can_decide = roles.is_supervisor(request.user)
    requests = list(selectors.visible_extensions(request.user, report=report)[:200])
    return render(
        request,
        "supervision/extensions.html",
        {"report": report, "extensions": requests, "can_decide": can_decide, "decision_form": ExtensionDecisionForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_new(request, report_code, code):
    target = (
        roles.writable_targets(Target.objects.filter(report__code=report_code, code=code), request.user)
        .select_related("report", "lead_department")
        .first()
    )
    if target is None:
        # Someone else's target and a target that does not exist look the same.
        raise Http404
    form = ExtensionRequestForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        try:
            supervision_services.request_extension(user=request.user, target=target, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("已提交 %(code)s 的延期/调整申请，等待审批。") % {"code": target.code})
            return redirect(f"{reverse('supervision:extensions')}?report={target.report.code}")
    pending = target.extension_requests.filter(status=ExtensionStatus.PENDING).first()
    return render(
        request,
        "supervision/extension_form.html",
        {"target": target, "report": target.report, "form": form, "pending": pending},
    )


@supervisors_only
@require_POST
def extension_decide(request, pk):
    extension = get_object_or_404(ExtensionRequest.objects.select_related("target__report"), pk=pk)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            supervision_services.decide_extension(
                user=request.user, extension=extension, approve=approve, comment=form.cleaned_data["comment"]
            )
        except PermissionDenied as error:  # one's own request
            messages.error(request, str(error))
        except ValidationError as error:
            _error_messages(request, error)
        else:
            done = _("已批准 %(code)s 的申请。") if approve else _("已驳回 %(code)s 的申请。")
            messages.success(request, done % {"code": extension.target.code})
    return redirect(f"{reverse('supervision:extensions')}?report={extension.target.report.code}")


# --- Ranking (考核) -----------------------------------------------------------------------------


@login_required
@require_GET
def ranking(request):
    """考核排名 for any as-of date; `?format=xlsx` downloads the same table."""
    if not roles.sees_everything(request.user):
        raise PermissionDenied(errors.SUPERVISORS_ONLY)
    report = _report(request)
    as_of = ledger_request.as_of_from(request)
    include_pending = ledger_request.include_pending_from(request)
    result = ranking_selectors.department_ranking(
        user=request.user, report=report, as_of=as_of, include_pending=include_pending
    )
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            exports.ranking_xlsx(result),
            as_attachment=True,
            filename=f"ranking-{report.code}-{as_of.isoformat()}.xlsx",
            content_type=exports.XLSX_CONTENT_TYPE,
        )
    return render(
        request,
        "supervision/ranking.html",
        {
            "report": report,
            "ranking": result,
            "as_of": as_of,
            "include_pending": include_pending,
            "led_weight": ranking_selectors.LED_WEIGHT,
            "supported_weight": ranking_selectors.SUPPORTED_WEIGHT,
        },
    )


# --- 督查通报 -------------------------------------------------------------------------------------


@login_required
@require_GET
def circular(request):
    """督查通报 of `?month=YYYY-MM` as .docx, for supervisors and leaders (those who see everything);
    without a month, the form with the previous month chosen."""
    if not roles.sees_everything(request.user):
        raise PermissionDenied(errors.SUPERVISORS_ONLY)
    report = _report(request)
    form = CircularForm(request.GET if "month" in request.GET else None, report=report)
    if form.is_valid():
        year, month = form.cleaned_data["month"]
        built = circular_document.build(
            user=request.user, report=report, year=year, month=month, wenhao=form.cleaned_data["wenhao"]
        )
        return FileResponse(
            circular_document.circular_docx(built),
            as_attachment=True,
            filename=f"duchatongbao-{report.code}-{year}-{month:02d}.docx",
            content_type=circular_document.DOCX_CONTENT_TYPE,
        )
    last_month = ledger_selectors.previous_month_end(timezone.localdate())
    return render(
        request,
        "supervision/circular.html",
        {"report": report, "form": form, "default_month": last_month.strftime("%Y-%m")},
        status=400 if form.is_bound else 200,
    )
