"""The ledger as plain data: one dict per target, as export_ledger, the JSON API and the Excel
workbook publish it. Every figure comes from Target.objects.with_progress."""

import functools

from django.db.models import Prefetch
from django.utils import translation

from projects.models import PracticalTask, Project
from targets import columns, selectors
from targets.columns import gap_unit_of
from targets.models import Department, GlossaryTerm, Section


def number(value):
    """A JSON number: integers stay integers, decimals become floats, absent stays null."""
    if value is None:
        return None
    if hasattr(value, "as_integer_ratio") and not isinstance(value, float):
        integral = value == value.to_integral_value()
        return int(value) if integral else float(value)
    return value


def date(value):
    return value.isoformat() if value else None


@functools.lru_cache(maxsize=256)
def gap_unit(unit, judged_on_rate):
    """The unit of a target's gap as the ledger publishes it: in Chinese whatever the reader's
    language (个百分点 for a share or a growth rate, else the unit)."""
    with translation.override("zh-hans"):
        return str(gap_unit_of(unit, judged_on_rate=judged_on_rate))


def target_rows(*, user, report, as_of=None, include_pending=False, queryset=None):
    """The visible targets of `report` with their standing on `as_of`, related rows prefetched."""
    queryset = (
        queryset
        if queryset is not None
        else selectors.target_ledger(user=user, report=report, as_of=as_of, include_pending=include_pending)
    )
    return queryset.prefetch_related(
        Prefetch("co_departments", queryset=Department.objects.only("code")),
        Prefetch("practical_tasks", queryset=PracticalTask.objects.only("no")),
        Prefetch("projects", queryset=Project.objects.only("code")),
    ).order_by("order", "code")


def target_row(target) -> dict:
    """One target as the ledger publishes it (the keys are a public interface: add, never rename)."""
    tasks = [task.no for task in target.practical_tasks.all()]
    return {
        "code": target.code,
        "kind": target.kind,
        "section": target.section.code,
        "name": target.name,
        "unit": target.unit,
        "direction": target.direction,
        "target_value": number(target.target_value),
        "target_value_max": number(target.target_value_max),
        "growth_rate_target": number(target.growth_rate_target),
        "measure": target.measure,
        "baseline_value": number(target.baseline_value),
        "baseline_source": target.baseline_source or None,
        "period_start": date(target.period_start),
        "deadline": date(target.deadline),
        "lead_department": target.lead_department.code,
        "co_departments": [department.code for department in target.co_departments.all()],
        "practical_task": tasks[0] if tasks else None,
        "projects": [project.code for project in target.projects.all()],
        "source_text": target.source_text,
        # An approved extension (延期/调整): status is judged against these when set; the report's
        # own target_value and deadline above stay as written.
        "adjusted_target_value": number(target.adjusted_target_value),
        "adjusted_deadline": date(target.adjusted_deadline),
        **figures(target),
    }


def figures(target) -> dict:
    """The figures of targets.columns a JSON row publishes; a gap with its unit (`gap_unit`, in Chinese
    whatever the reader's language, like the units themselves)."""
    published = {}
    for figure in columns.shown_on(columns.JSON):
        value = getattr(target, figure.key)
        if figure.kind == "date":
            value = date(value)
        elif figure.kind in columns.NUMBER_KINDS:
            value = number(value)
        elif figure.kind == "stage":
            value = value or None
        published[figure.key] = value
        if figure.kind == "gap":
            published[f"{figure.key}_unit"] = gap_unit(target.unit, target.target_value is None)
    return published


def ledger(*, user, report, as_of, include_pending=False) -> dict:
    """The whole ledger of `report` on `as_of`, scoped to what `user` may see."""
    targets = list(target_rows(user=user, report=report, as_of=as_of, include_pending=include_pending))
    visible = {target.pk for target in targets}
    tasks = PracticalTask.objects.filter(report=report).prefetch_related("targets").order_by("no")
    projects = Project.objects.filter(report=report).prefetch_related("targets").order_by("code")
    return {
        "report": {
            "code": report.code,
            "title": report.title,
            "year": report.year,
            "period_start": date(report.period_start),
            "period_end": date(report.period_end),
            "government": report.government.name,
            "state": report.state,
        },
        "as_of": date(as_of),
        "include_pending": include_pending,
        "sections": [
            {"code": section.code, "title": section.title, "parent": section.parent.code if section.parent else None}
            for section in Section.objects.filter(report=report).select_related("parent").order_by("order")
        ],
        "departments": [
            {"code": d.code, "name": d.name}
            for d in Department.objects.filter(government_id=report.government_id).order_by("order", "code")
        ],
        "targets": [target_row(target) for target in targets],
        "practical_tasks": [
            {"no": task.no, "title": task.title, "targets": [t.code for t in task.targets.all() if t.pk in visible]}
            for task in tasks
        ],
        "projects": [
            {
                "code": project.code,
                "name": project.name,
                "cluster": project.cluster or None,
                "targets": [t.code for t in project.targets.all() if t.pk in visible],
            }
            for project in projects
        ],
        "glossary": [
            {"term": term.term, "definition": term.definition}
            for term in GlossaryTerm.objects.filter(report=report).order_by("order")
        ],
    }
