"""Writes of drafting: a draft from an uploaded report, the reviewer's decisions on it, and its
publication into a new 草稿 report (one transaction; nothing reaches a report before that)."""

import copy
import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import PracticalTask
from targets import errors
from targets.choices import Derivation, Kind, ReportState
from targets.models import Department, GlossaryTerm, Report, Section, Target

from . import extract
from .models import DepartmentKeyword, Draft
from .reading import NotAReport, read_upload

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
STATUSES = (PENDING, ACCEPTED, REJECTED)
EDITABLE = ("name", "value", "value_max", "unit", "comparator", "growth_rate", "kind", "measure", "lead_department")


def draft_text(text: str) -> dict:
    """The draft of a report's text, with departments suggested from the keyword table."""
    data = extract.draft(text, DepartmentKeyword.table())
    if not any(section["level"] == 1 and section["role"] in ("review", "forward") for section in data["sections"]):
        raise NotAReport(errors.DRAFT_NO_OUTLINE)
    return data


@transaction.atomic
def create_draft(*, name: str, content: bytes, government, year: int, user=None) -> Draft:
    """A draft from an uploaded file (NotAReport if it is not a report's text)."""
    text = read_upload(name, content)
    data = draft_text(text)
    data["government"] = government.pk
    data["year"] = year
    return Draft.objects.create(file_name=name[:200], text=text, data=data, created_by=user)


def _locked(draft_id) -> Draft:
    draft = Draft.objects.select_for_update().get(pk=draft_id)
    if draft.report_id is not None:
        raise ValidationError(errors.DRAFT_ALREADY_PUBLISHED % {"report": draft.report})
    return draft


def _find(draft, target_id):
    for index, target in enumerate(draft.data["targets"]):
        if target["id"] == target_id:
            return index, target
    raise Draft.DoesNotExist


def _next_id(draft):
    return max((target["id"] for target in draft.data["targets"]), default=0) + 1


def departments_of(draft):
    return Department.objects.filter(government_id=draft.data["government"]).order_by("order", "code")


@transaction.atomic
def decide(*, draft_id: int, target_id: int, action: str) -> Draft:
    """采纳 accept, 舍弃 reject, 拆分 split (a copy to edit beside it), 合并 merge (with the next:
    a growth rate read apart from its level, a figure cut in two)."""
    draft = _locked(draft_id)
    index, target = _find(draft, target_id)
    targets = draft.data["targets"]
    if action in (ACCEPTED, REJECTED, PENDING):
        target["status"] = action
    elif action == "split":
        twin = copy.deepcopy(target)
        twin["id"], twin["status"], twin["name"] = _next_id(draft), PENDING, target["name"] + "（拆分）"
        targets.insert(index + 1, twin)
        _retarget_tasks(draft, target["id"], [target["id"], twin["id"]])
    elif action == "merge":
        if index + 1 >= len(targets):
            raise ValidationError(errors.DRAFT_NOTHING_TO_MERGE)
        other = targets.pop(index + 1)
        for field in ("value", "value_max", "growth_rate", "baseline", "lead_department", "suggestion"):
            if target.get(field) in (None, "") and other.get(field) not in (None, ""):
                target[field] = other[field]
        target["unit"] = target["unit"] or other["unit"]
        target["marks"] = sorted(target.get("marks", []) + other.get("marks", []))
        if other["clause"] not in target["clause"]:
            target["clause"] = f"{target['clause']}，{other['clause']}"
        target["end"] = max(target["end"], other["end"])
        target["status"] = PENDING
        _retarget_tasks(draft, other["id"], [target["id"]])
    else:
        raise ValidationError(action)
    draft.save(update_fields=["data"])
    return draft


def _retarget_tasks(draft, old_id, new_ids):
    """The tasks measured by a split or merged target follow it."""
    for task in draft.data["practical_tasks"]:
        metrics = []
        for metric in task["metrics"]:
            for target_id in new_ids if metric["target"] == old_id else [metric["target"]]:
                if all(kept["target"] != target_id for kept in metrics):
                    metrics.append({**metric, "target": target_id})
        task["metrics"] = metrics


@transaction.atomic
def edit(*, draft_id: int, target_id: int, values: dict) -> Draft:
    """The reviewer's corrections of one drafted target (values already cleaned by the form)."""
    draft = _locked(draft_id)
    _index, target = _find(draft, target_id)
    for field in EDITABLE:
        if field in values:
            target[field] = values[field]
    target["direction"] = "qualitative" if not target["comparator"] else extract.DIRECTION[target["comparator"]]
    draft.save(update_fields=["data"])
    return draft


@transaction.atomic
def accept_all_pending(*, draft_id: int) -> int:
    draft = _locked(draft_id)
    count = 0
    for target in draft.data["targets"]:
        if target["status"] == PENDING:
            target["status"], count = ACCEPTED, count + 1
    draft.save(update_fields=["data"])
    return count


@transaction.atomic
def accept_suggested_departments(*, draft_id: int) -> int:
    """The suggested lead department, for every target that has none yet and whose suggestion names a
    department of the draft's government: the reviewer's own act, never done silently."""
    draft = _locked(draft_id)
    by_name = {}
    for department in departments_of(draft):
        for name in [department.name, *department.aliases]:
            by_name.setdefault(name, department.pk)
    count = 0
    for target in draft.data["targets"]:
        suggestion = target.get("suggestion")
        if target.get("lead_department") is None and suggestion and suggestion["department"] in by_name:
            target["lead_department"], count = by_name[suggestion["department"]], count + 1
    draft.save(update_fields=["data"])
    return count


@transaction.atomic
def add_from_clause(*, draft_id: int, clause: str) -> list[int]:
    """Targets read from a clause the reviewer selected in the text (a qualitative one if it holds no
    figure), placed in the section the clause stands in."""
    draft = _locked(draft_id)
    clause = clause.strip()
    at = draft.text.find(clause) if clause else -1
    if at < 0:
        raise ValidationError(errors.DRAFT_CLAUSE_NOT_IN_TEXT)
    sections = [s for s in draft.data["sections"] if s["start"] <= at and s["role"] != "glossary"]
    section = sections[-1] if sections else draft.data["sections"][0]
    kind = section["kind"] or Kind.ANNUAL_TASK
    reader = extract.Reader(clause)
    paragraph = extract.Paragraph(clause.translate(extract.NORMALISE), list(range(len(clause))))
    place = extract.Section(section["code"], section["title"], section["level"], None, 0, role="forward", kind=kind)
    found = reader.read_paragraph(paragraph, place)
    added = []
    rows = found or [
        extract.Item(
            extract._tidy(clause)[:200],
            None,
            None,
            "",
            "",
            None,
            kind,
            "cumulative",
            section["code"],
            0,
            len(clause),
            clause,
            0,
        )
    ]
    for item in rows:
        row = {
            "id": _next_id(draft),
            "name": item.name[:200],
            "value": item.value,
            "value_max": item.value_max,
            "unit": item.unit,
            "comparator": item.comparator,
            "direction": item.direction,
            "growth_rate": item.growth_rate,
            "growth_basis": item.growth_basis or "year_on_year",
            "kind": item.kind,
            "measure": item.measure,
            "section": section["code"],
            "section_title": section["title"],
            "start": at + item.start,
            "marks": [[at + start, at + end] for start, end in item.marks],
            "end": at + item.end,
            "clause": item.clause or clause,
            "baseline": item.baseline,
            "baseline_clause": item.baseline_clause,
            "status": PENDING,
            "lead_department": None,
        }
        row["suggestion"] = extract.suggest_department(row, DepartmentKeyword.table())
        draft.data["targets"].append(row)
        added.append(row["id"])
    draft.data["targets"].sort(key=lambda target: target["start"])
    draft.save(update_fields=["data"])
    return added


# --- Publishing ----------------------------------------------------------------------------------

CODE_PREFIX = {
    Kind.MAIN_INDICATOR: "M",
    Kind.FIVE_YEAR_GOAL: "F",
    Kind.ANNUAL_TASK: "A",
    Kind.PRACTICAL_TASK_METRIC: "A",
}


def _decimal(value):
    return None if value in (None, "") else value


def _section_bodies(draft):
    """Each section's own text: after its heading line, up to the next section."""
    text = draft.text
    bodies = {}
    for section in draft.data["sections"]:
        start, end = section["start"], section["end"]
        if section["level"] < 3:  # a heading on a line of its own
            newline = text.find("\n", start, end)
            start = end if newline < 0 else newline + 1
        bodies[section["code"]] = text[start:end].strip()
    return bodies


def _plan(draft, *, code, year, title, government):
    """The report, its sections (parents first), its targets by draft id, and the problems found."""
    meta = draft.data["meta"]
    delivered_on = datetime.date.fromisoformat(meta["delivered_on"]) if meta.get("delivered_on") else None
    report = Report(
        code=code,
        government=government,
        title=title or meta.get("title") or f"{year}年政府工作报告",
        speaker=meta.get("speaker", "")[:50],
        session=meta.get("session", "")[:200],
        delivered_on=delivered_on,
        year=year,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        text=draft.text,
        state=ReportState.DRAFT,
    )
    bodies = _section_bodies(draft)
    sections = [
        (Section(code=s["code"], title=s["title"][:200], order=order, body=bodies[s["code"]]), s["parent"])
        for order, s in enumerate(draft.data["sections"], start=1)
    ]
    departments = {department.pk: department for department in departments_of(draft)}
    counters = {}
    by_draft_id = {}
    problems = []
    task_sections = {s["code"] for s in draft.data["sections"] if s["role"] == "tasks"}
    for order, row in enumerate((t for t in draft.data["targets"] if t["status"] == ACCEPTED), start=1):
        prefix = "S" if row["section"] in task_sections else CODE_PREFIX.get(row["kind"], "A")
        counters[prefix] = counters.get(prefix, 0) + 1
        five_year = row["kind"] == Kind.FIVE_YEAR_GOAL
        target = Target(
            report=report,
            code=f"{prefix}{counters[prefix]:03d}",
            name=row["name"][:200] or row["clause"][:200],
            unit=row["unit"][:20],
            kind=row["kind"],
            direction=row["direction"],
            measure=row["measure"],
            target_value=_decimal(row["value"]),
            target_value_max=_decimal(row["value_max"]),
            growth_rate_target=_decimal(row["growth_rate"]),
            growth_basis=row.get("growth_basis") or "year_on_year",
            baseline_value=_decimal(row["baseline"]),
            baseline_source=(row.get("baseline_clause") or "")[:300],
            period_start=report.period_start,
            deadline=datetime.date(year + 4 if five_year else year, 12, 31),
            lead_department=departments.get(row["lead_department"]),
            source_text=row["clause"],
            order=order,
        )
        if row["kind"] == Kind.MAIN_INDICATOR and "实事" in row["name"] and row["unit"] == "件":
            target.derivation = Derivation.PRACTICAL_TASKS_DONE  # 为民兴办20件实事: counted from the tasks
        try:
            target.full_clean(exclude=["report", "section", "lead_department"], validate_unique=False)
        except ValidationError as problem:
            for messages in problem.message_dict.values():
                problems.extend(f"{target.name}：{message}" for message in messages)
        target.section_code = row["section"]
        by_draft_id[row["id"]] = target
    return report, sections, by_draft_id, problems


def publish(*, draft_id: int, code: str, year: int, title: str = "", government) -> Report:
    """The reviewed draft as a new 草稿 report: its sections, accepted targets, practical tasks and
    glossary, all in one transaction (ValidationError, and nothing written, if anything is amiss)."""
    with transaction.atomic():
        draft = _locked(draft_id)
        targets = draft.data["targets"]
        pending = sum(1 for t in targets if t["status"] == PENDING)
        accepted = [t for t in targets if t["status"] == ACCEPTED]
        problems = []
        if government is None:
            problems.append(errors.DRAFT_GOVERNMENT_MISSING)
        if Report.objects.filter(code=code).exists():
            problems.append(errors.DRAFT_REPORT_CODE_TAKEN % {"code": code})
        if pending:
            problems.append(errors.DRAFT_PENDING_LEFT % {"count": pending})
        if not accepted:
            problems.append(errors.DRAFT_NOTHING_ACCEPTED)
        known = set(departments_of(draft).values_list("pk", flat=True))
        missing = sum(1 for t in accepted if t["lead_department"] not in known)
        if missing:
            problems.append(errors.DRAFT_DEPARTMENTS_MISSING % {"count": missing})
        if problems:
            raise ValidationError(problems)
        report, sections, by_draft_id, problems = _plan(draft, code=code, year=year, title=title, government=government)
        if problems:
            raise ValidationError(problems)
        try:
            with transaction.atomic():  # a savepoint: another reviewer may take the code at the same moment
                report.save()
        except IntegrityError:
            raise ValidationError(errors.DRAFT_REPORT_CODE_TAKEN % {"code": code}) from None
        by_code = {}
        for section, parent in sections:  # the draft lists a parent before its children
            section.report, section.parent = report, by_code.get(parent)
            section.save()
            by_code[section.code] = section
        for target in by_draft_id.values():
            target.report, target.section = report, by_code[target.section_code]
        Target.objects.bulk_create(by_draft_id.values())
        GlossaryTerm.objects.bulk_create(
            GlossaryTerm(report=report, term=entry["term"][:100], definition=entry["definition"], order=order)
            for order, entry in enumerate(draft.data["glossary"], start=1)
        )
        for task in draft.data["practical_tasks"]:
            practical = PracticalTask.objects.create(report=report, no=task["no"], title=task["title"])
            practical.targets.set([by_draft_id[m["target"]] for m in task["metrics"] if m["target"] in by_draft_id])
        draft.report = report
        draft.save(update_fields=["report"])
        return report


def slug_for(draft) -> str:
    """A report code to start from: the year and the file's name, as a slug."""
    base = re.sub(r"[^a-z0-9-]+", "-", draft.file_name.lower().rsplit(".", 1)[0]).strip("-") or "report"
    return f"{draft.data.get('year', '')}-{base}"[:40].strip("-")
