"""看板 (the officials' dashboard), the Excel 台账 download and the dashboard's JSON for a big screen.
All three read the same selectors; the user scopes them (reporters see their department's targets)."""

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from targets import data_version, roles
from targets import selectors as ledger_request
from targets.filters import TargetFilter

from . import api, selectors, workbook


def _ledger_arguments(request):
    """The report, the as-of date and the pending switch, read from the request as the list page does."""
    return {
        "report": ledger_request.selected_report(request),
        "as_of": ledger_request.as_of_from(request),
        "include_pending": ledger_request.include_pending_from(request),
    }


@login_required
@require_GET
def dashboard(request):
    arguments = _ledger_arguments(request)
    sort = request.GET.get("sort", selectors.DEFAULT_DEPARTMENT_SORT)
    board = None if arguments["report"] is None else _board(request.user, sort, arguments)
    sort_key, descending = selectors.parse_sort(sort)
    return render(
        request,
        "ledger/dashboard.html",
        {"board": board, **arguments, "department_columns": _department_columns(request, sort_key, descending)},
    )


def _board(user, sort, arguments):
    """The dashboard with its status bars drawn, kept until what it reads changes (data_version).
    What it reads of the user is their read_scope: whose targets, and whether they see everything."""
    parts = (
        arguments["report"].pk,
        roles.read_scope(user),
        arguments["as_of"],
        arguments["include_pending"],
        selectors.parse_sort(sort),
    )
    return data_version.remembered(
        "dashboard", parts, lambda: _draw_mix_bars(selectors.dashboard(user=user, sort=sort, **arguments))
    )


def _draw_mix_bars(board):
    """The stacked status bars of the whole report, each area and each department (`.mix_bar`)."""
    board.mix_bar = mix_bar(board.segments, _("全部目标的状态分布"), big=True)
    for area in board.areas:
        area.mix_bar = mix_bar(area.segments, area.section.title)
    for row in board.departments:
        row.mix_bar = mix_bar(row.segments, row.department.name)
    return board


# Loaded once: a template included once per row is looked up and parsed each time.
MIX_BAR = get_template("ledger/mix_bar.html")


def mix_bar(segments, label, big=False):
    """A stacked bar of a status mix (ledger.charts.segments), from templates/ledger/mix_bar.html."""
    return MIX_BAR.render({"segments": segments, "label": label, "big": big})


# The department table's sortable columns: key, heading, and whether a first click sorts descending.
DEPARTMENT_COLUMNS = (
    ("name", gettext_lazy("责任单位"), False),
    ("total", gettext_lazy("目标数"), True),
    ("share", gettext_lazy("正常推进占比"), True),
    ("behind", gettext_lazy("滞后"), True),
    ("overdue", gettext_lazy("逾期"), True),
    ("days", gettext_lazy("距上次填报"), True),
)


def _department_columns(request, current, descending):
    """Headings that sort the department table server-side (`?sort=key` or `?sort=-key`), keeping the rest."""
    params = request.GET.copy()
    columns = []
    for key, heading, first_descending in DEPARTMENT_COLUMNS:
        is_current = key == current
        next_descending = not descending if is_current else first_descending
        params["sort"] = ("-" if next_descending else "") + key
        aria_sort = ("descending" if descending else "ascending") if is_current else None
        columns.append(
            {"key": key, "heading": heading, "url": f"?{params.urlencode()}#departments", "aria_sort": aria_sort}
        )
    return columns


@login_required
@require_GET
def ledger_xlsx(request):
    """The 台账, the one workbook every export of targets writes (看板's 导出 Excel 台账, 我的目标's XLSX with
    the list's filters, a target page's with `?target=<code>`): as the filters, as-of date and pending
    switch choose it."""
    arguments = _ledger_arguments(request)
    report = arguments["report"]
    if report is None:
        raise Http404(_("没有报告。"))
    queryset = workbook.ledger_queryset(user=request.user, **arguments)
    filterset = TargetFilter(request.GET, queryset=queryset, report=report, user=request.user)
    # As the list page (a strict FilterView): a filter that does not validate shows nothing.
    queryset = filterset.qs if filterset.is_valid() else queryset.none()
    if request.GET.get("target"):
        queryset = queryset.filter(code=request.GET["target"])
    output = io.BytesIO()
    workbook.write_ledger(output, user=request.user, queryset=queryset, **arguments)
    output.seek(0)
    filename = f"ledger-{report.code}-{arguments['as_of'].isoformat()}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename, content_type=workbook.CONTENT_TYPE)


@require_GET
def api_dashboard(request):
    """GET /api/v1/dashboard?as_of=YYYY-MM-DD: the dashboard's figures, as the page shows them."""
    user = api.api_user(request)
    if user is None:
        return api.unauthorized()
    arguments = _ledger_arguments(request)
    if arguments["report"] is None:
        return api.error(404, _("没有报告。"))
    board = _board(user, request.GET.get("sort"), arguments)
    return api.ok(selectors.as_json(board))
