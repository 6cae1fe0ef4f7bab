"""起草新报告: upload a report's text, review the draft beside the text, publish it as a 草稿
report. For supervisors and admins only; every write goes through drafting.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.json import KT
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from targets import roles
from targets.choices import Kind
from targets.models import Government

from . import services
from .forms import ClauseForm, PublishForm, TargetForm, UploadForm
from .models import Draft
from .reading import NotAReport

ACTIONS = {"accepted", "rejected", "pending", "split", "merge"}


def _reviewer(request):
    if not roles.is_supervisor(request.user):
        raise PermissionDenied


def _draft(pk):
    return get_object_or_404(Draft.objects.select_related("report"), pk=pk)


@login_required
def upload(request):
    """The drafts so far and the form for a new one."""
    _reviewer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = services.create_draft(
                name=data["file"].name,
                content=data["file"].read(),
                government=data["government"],
                year=data["year"],
                user=request.user,
            )
        except NotAReport as refused:
            form.add_error("file", refused.message)
        else:
            return redirect("drafting:review", draft.pk)
    # The title read in SQL: the draft's data (a report's whole draft) is not loaded for a list.
    drafts = Draft.objects.select_related("created_by", "report").defer("text", "data")
    drafts = drafts.annotate(title=KT("data__meta__title"))[:50]
    return render(request, "drafting/upload.html", {"form": form, "drafts": drafts})


def _pieces(draft):
    """The report's text cut at every drafted figure (a target may have several: a growth rate and
    its level, a task's repetition): text, and for a figure its target, status and whether it is
    the target's first mark (the one the table links to)."""
    marks = sorted(
        (start, end, t["id"], t["status"])
        for t in draft.data["targets"]
        for start, end in t.get("marks") or [(t["start"], t["end"])]
        if end > start
    )
    pieces, at, anchored = [], 0, set()
    for start, end, target_id, status in marks:
        if start < at:
            continue  # a figure read twice (a split) is marked once
        pieces.append({"text": draft.text[at:start]})
        pieces.append(
            {"text": draft.text[start:end], "target": target_id, "status": status, "anchor": target_id not in anchored}
        )
        anchored.add(target_id)
        at = end
    pieces.append({"text": draft.text[at:]})
    return pieces


@login_required
def review(request, pk):
    _reviewer(request)
    draft = _draft(pk)
    departments = {d.pk: d for d in services.departments_of(draft)}
    targets = draft.data["targets"]
    counts = {status: sum(1 for t in targets if t["status"] == status) for status in services.STATUSES}
    government = Government.objects.filter(pk=draft.data["government"]).first()
    context = {
        "draft": draft,
        "government": government,
        "pieces": _pieces(draft),
        "targets": [
            {**t, "department": departments.get(t["lead_department"]), "kind_label": Kind(t["kind"]).label}
            for t in targets
        ],
        "counts": counts,
        "tasks": draft.data["practical_tasks"],
        "glossary": draft.data["glossary"],
        "clause_form": ClauseForm(),
        "publish_form": PublishForm(initial={"code": services.slug_for(draft), "year": draft.data["year"]}),
    }
    return render(request, "drafting/review.html", context)


def _back(pk, target_id=None):
    url = reverse("drafting:review", args=[pk])
    return redirect(f"{url}#row-{target_id}" if target_id else url)


def _refused(request, problem):
    for message in problem.messages:
        messages.error(request, message)


@login_required
@require_POST
def decide(request, pk, target_id):
    _reviewer(request)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    try:
        services.decide(draft_id=_draft(pk).pk, target_id=target_id, action=action)
    except Draft.DoesNotExist:
        raise Http404 from None
    except ValidationError as problem:
        _refused(request, problem)
    return _back(pk, target_id)


@login_required
def edit(request, pk, target_id):
    _reviewer(request)
    draft = _draft(pk)
    target = next((t for t in draft.data["targets"] if t["id"] == target_id), None)
    if target is None:
        raise Http404
    departments = services.departments_of(draft)
    initial = {**target, "lead_department": target.get("lead_department")}
    form = TargetForm(request.POST or None, initial=initial, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit(draft_id=draft.pk, target_id=target_id, values=form.draft_values())
        except ValidationError as problem:
            _refused(request, problem)
        return _back(pk, target_id)
    return render(request, "drafting/edit.html", {"draft": draft, "target": target, "form": form})


@login_required
@require_POST
def add_clause(request, pk):
    _reviewer(request)
    draft = _draft(pk)
    form = ClauseForm(request.POST)
    if not form.is_valid():
        _refused(request, ValidationError(form.errors["clause"]))
        return _back(pk)
    try:
        added = services.add_from_clause(draft_id=draft.pk, clause=form.cleaned_data["clause"])
    except ValidationError as problem:
        _refused(request, problem)
        return _back(pk)
    messages.success(request, _("已从所选原文添加 %(count)d 个目标。") % {"count": len(added)})
    return _back(pk, added[0])


@login_required
@require_POST
def bulk(request, pk):
    _reviewer(request)
    draft = _draft(pk)
    action = request.POST.get("action")
    try:
        if action == "accept_pending":
            count = services.accept_all_pending(draft_id=draft.pk)
            messages.success(request, _("已采纳其余 %(count)d 个目标。") % {"count": count})
        elif action == "accept_suggestions":
            count = services.accept_suggested_departments(draft_id=draft.pk)
            messages.success(request, _("已为 %(count)d 个目标采纳建议的牵头单位。") % {"count": count})
        else:
            raise Http404
    except ValidationError as problem:
        _refused(request, problem)
    return _back(pk)


@login_required
@require_POST
def publish(request, pk):
    _reviewer(request)
    draft = _draft(pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            _refused(request, ValidationError(field_errors))
        return _back(pk)
    government = Government.objects.filter(pk=draft.data["government"]).first()
    try:
        report = services.publish(draft_id=draft.pk, government=government, **form.cleaned_data)
    except ValidationError as problem:
        _refused(request, problem)
        return _back(pk)
    messages.success(
        request, _("已发布为草稿报告“%(title)s”（%(code)s）。") % {"title": report.title, "code": report.code}
    )
    return redirect(f"{reverse('living-report')}?report={report.code}")
