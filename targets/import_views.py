"""导入进度: upload the filled-in 台账 → preview (every error, nothing written) → confirm (all or none).

The uploaded file waits server-side between preview and confirm, under MEDIA_ROOT/imports/<user id>/
with a random name kept in the user's session, so one user can never confirm another's file."""

import time
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import errors, imports, roles, selectors
from .models import Target

SESSION_KEY = "progress_import"
STALE_SECONDS = 24 * 3600
PREVIEW_ROWS = 300


class UploadForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("工作簿（.xlsx、.xls 或 .ods）"),
        widget=forms.FileInput(attrs={"accept": ",".join(imports.WORKBOOK_SUFFIXES)}),
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if upload.size > imports.MAX_FILE_BYTES:
            raise forms.ValidationError(imports.FILE_TOO_LARGE % {"limit": imports.MAX_FILE_BYTES // (1024 * 1024)})
        if Path(upload.name).suffix.lower() not in imports.WORKBOOK_SUFFIXES:
            raise forms.ValidationError(errors.WORKBOOK_FORMAT_NOT_ACCEPTED)
        return upload


def _folder(user) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports" / str(user.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove_stale(folder: Path):
    cutoff = time.time() - STALE_SECONDS
    for path in folder.iterdir():
        if path.suffix in imports.WORKBOOK_SUFFIXES and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _pending_path(request) -> Path | None:
    pending = request.session.get(SESSION_KEY) or {}
    token, suffix = pending.get("token", ""), pending.get("suffix", ".xlsx")
    try:
        token = str(uuid.UUID(token))
    except ValueError:
        return None
    if suffix not in imports.WORKBOOK_SUFFIXES:
        return None
    path = _folder(request.user) / f"{token}{suffix}"
    return path if path.is_file() else None


def _require_writer(request):
    if not roles.writable_targets(Target.objects.all(), request.user).exists():
        raise PermissionDenied(_("只有填报员、督查和管理员可以导入进度。"))


def _context(report, plan=None, form=None, name=""):
    return {
        "report": report,
        "plan": plan,
        "form": form or UploadForm(),
        "name": name,
        "limits": _limits(),
        "ledger_url": _ledger_url(report),
    }


def _ledger_url(report):
    """The 台账 to fill in: the workbook 我的目标 and the dashboard export (ledger-xlsx), of the targets the
    user may see in this report."""
    query = {"report": report.code} if report is not None else {}
    return f"{reverse('ledger-xlsx')}?{urlencode(query)}"


def _limits():
    return {"mb": imports.MAX_FILE_BYTES // (1024 * 1024), "rows": imports.MAX_ROWS}


@login_required
@require_http_methods(["GET", "POST"])
def import_progress(request):
    _require_writer(request)
    report = selectors.selected_report(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        folder = _folder(request.user)
        _remove_stale(folder)
        old = _pending_path(request)
        if old:
            old.unlink(missing_ok=True)
        token = str(uuid.uuid4())
        name = Path(form.cleaned_data["workbook"].name).name
        suffix = Path(name).suffix.lower()  # the reader picks the format by it
        name = name[:200]
        path = folder / f"{token}{suffix}"
        with path.open("wb") as out:
            for chunk in form.cleaned_data["workbook"].chunks():
                out.write(chunk)
        try:
            plan = imports.plan_import(path, user=request.user, report=report)
        except imports.WorkbookRejected as rejected:
            path.unlink(missing_ok=True)
            form.add_error("workbook", rejected.message)
        else:
            request.session[SESSION_KEY] = {"token": token, "suffix": suffix, "name": name}
            context = _context(report, plan, name=name)
            context["preview"] = plan.items[:PREVIEW_ROWS]
            return render(request, "targets/import_preview.html", context)
    return render(request, "targets/import_upload.html", _context(report, form=form))


@login_required
@require_POST
def confirm_import(request):
    _require_writer(request)
    report = selectors.selected_report(request)
    path = _pending_path(request)
    if path is None:
        messages.error(request, _("没有待确认的导入文件，或文件已过期，请重新上传。"))
        return redirect("progress-import")
    name = request.session[SESSION_KEY].get("name", "")
    try:
        plan = imports.commit_import(path, user=request.user, report=report, source=name)
    except imports.WorkbookRejected as rejected:
        messages.error(request, rejected.message)
        return redirect("progress-import")
    if not plan.ok:
        context = _context(report, plan, name=name)
        context["preview"] = plan.items[:PREVIEW_ROWS]
        return render(request, "targets/import_preview.html", context)
    path.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _("已导入 %(count)d 条进度（跳过已存在的 %(skipped)d 行）。")
        % {"count": len(plan.items), "skipped": len(plan.skipped)},
    )
    return redirect("target-list")
