"""The report as people read it: the living report, the glossary, search, the practical tasks,
and the public page of the practical tasks (政务公开)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control, cache_page

from targets import selectors as ledger

from . import selectors

PUBLIC_CACHE_SECONDS = 5 * 60


def _ledger_query(request, as_of, include_pending) -> str:
    """The as-of date and pending switch the page was asked for, carried on to target pages."""
    params = {}
    if ledger.query_text(request, "as_of") and as_of != timezone.localdate():
        params["as_of"] = as_of.isoformat()
    if include_pending:
        params["pending"] = "1"
    return "?" + urlencode(params) if params else ""


@login_required
def living_report(request):
    """报告: the report's own text, every visible target's clause marked with its standing."""
    report = ledger.selected_report(request)
    as_of = ledger.as_of_from(request)
    include_pending = ledger.include_pending_from(request)
    reading = (
        selectors.living_report(user=request.user, report=report, as_of=as_of, include_pending=include_pending)
        if report
        else None
    )
    return render(
        request,
        "reader/living_report.html",
        {
            "report": report,
            "reading": reading,
            "as_of": as_of,
            "include_pending": include_pending,
            "link_query": _ledger_query(request, as_of, include_pending),
        },
    )


@login_required
def glossary(request):
    """名词解释: every term, its definition, and the targets and sections that mention it."""
    report = ledger.selected_report(request)
    entries = selectors.glossary_mentions(user=request.user, report=report) if report else []
    glossary = [entry.term for entry in entries]
    return render(
        request,
        "reader/glossary.html",
        {
            "report": report,
            "entries": entries,
            "glossary": glossary,
            "masks_years": selectors.masks_years(term.definition for term in glossary),
        },
    )


@login_required
def search(request):
    """The header's search box: targets, sections, practical tasks, projects and terms."""
    report = ledger.selected_report(request)
    results = selectors.search(user=request.user, report=report, query=ledger.query_text(request, "q"))
    return render(request, "reader/search.html", {"report": report, "results": results, "search_query": results.query})


@login_required
def practical_tasks(request):
    """实事: the practical tasks with the standing of the targets the user may see."""
    report = ledger.selected_report(request)
    as_of = ledger.as_of_from(request)
    include_pending = ledger.include_pending_from(request)
    targets = ledger.target_ledger(user=request.user, report=report, as_of=as_of, include_pending=include_pending)
    return render(
        request,
        "reader/practical_tasks.html",
        {
            "report": report,
            "tasks": selectors.practical_tasks(report=report, targets=targets),
            "glossary": selectors.glossary_terms(report) if report else [],
            "as_of": as_of,
            "include_pending": include_pending,
            "link_query": _ledger_query(request, as_of, include_pending),
            "public_page": settings.REPORTGOV_PUBLIC_PAGE,
        },
    )


@cache_control(public=True, max_age=PUBLIC_CACHE_SECONDS)
@cache_page(PUBLIC_CACHE_SECONDS)
def _public_page(request):
    report = ledger.selected_report(request)
    tasks = selectors.practical_tasks(report=report, targets=selectors.public_targets(report)) if report else []
    # The template never touches the user, the session, messages or a CSRF token: the page is
    # the same for everyone, so one cached copy may be served to anyone.
    return render(
        request,
        "reader/public.html",
        {"report": report, "tasks": tasks, "as_of": timezone.localdate(), "messages": ()},
    )


def public(request):
    """为民实事 (政务公开): anonymous and read-only, approved progress only; off → 404."""
    if not settings.REPORTGOV_PUBLIC_PAGE:
        raise Http404
    return _public_page(request)
