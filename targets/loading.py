"""Loading the report's fixtures (fixtures/*.json) into the database for a given year: the report,
its sections, departments, targets and glossary (the practical tasks and projects that point at them
are loaded by projects.loading; `manage.py load_report` runs both).

The fixtures are written for the base year 2026 and keep the report's masked years ("20xx").
Loading shifts every date by (year - 2026) years, fills in the masked years it can place
(see YEAR_MASKS), and upserts every row by its natural key, so that loading again changes
nothing and loading after a fixture correction updates rows in place. Recorded progress is
never lost: a target that left the fixtures is deleted only if nobody reported against it.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from . import services
from .choices import Derivation, GrowthBasis, ReportState
from .models import Department, GlossaryTerm, Government, Report, Section, Target

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
FIXTURE_FILES = ("government.json", "departments.json", "report.json", "targets.json", "glossary.json")


class LoadError(Exception):
    """The fixtures cannot be loaded (a file missing, a reference to an unknown row)."""


# The report masks every year as "20xx". Each snippet below holds one "20xx" and says which year
# it means, relative to the report's year (the year whose work part 三 sets out). Masks left out
# of this list cannot be placed from the text alone ("是20xx年的2.3倍", "20xx年以来" twice, the
# glossary's 北城区 "到20xx年达到60平方公里左右") and stay masked.
YEAR_MASKS = (
    ("20xx年兰州市城关区政府工作报告", 0),
    ("20xx年10月11日", -1),  # delivered in the October before the year it plans
    ("即到20xx年", 4),  # 六个翻番: the end of the five years
    ("在20xx年基础上", -1),  # the base year of the doublings: the year the report was delivered
    ("到20xx年,建成五星级酒店", 4),
    ("到20xx年达到50平方公里左右", 4),
    ("到20xx年达到60%以上", 4),
    ("到20xx年,累计完成投资", 4),
    ("力争到20xx年", 4),
    ("三、20xx年的主要工作", 0),
    ("20xx年是新一届政府", 0),
    ("20xx年经济社会发展的", 0),
    ("20xx年城关区为民兴办实事", 0),
)
MASK = "20xx"
LOADED_OPEN = "load_report: 种子报告载入即执行中"


class YearFiller:
    """Replaces the placeable masks in the report text with real years. A fragment of the text
    (a section body, a source clause, a definition) gets the same years by position, so a
    clause stays a substring of the text it quotes."""

    def __init__(self, text: str, year: int):
        self.text = text
        chars = list(text)
        for snippet, offset in YEAR_MASKS:
            at = snippet.index(MASK)
            start = text.find(snippet)
            while start >= 0:
                chars[start + at : start + at + len(MASK)] = str(year + offset)
                start = text.find(snippet, start + 1)
        self.filled = "".join(chars)

    def __call__(self, fragment: str) -> str:
        if MASK not in fragment:
            return fragment
        start = self.text.find(fragment)
        return self.filled[start : start + len(fragment)] if start >= 0 else fragment


def read_fixtures(directory: Path, names=FIXTURE_FILES) -> dict[str, list[dict]]:
    """The fixture objects' fields of the files `names`, grouped by model label."""
    by_model: dict[str, list[dict]] = {}
    for name in names:
        path = directory / name
        if not path.exists():
            raise LoadError(f"missing fixture: {path}")
        for obj in json.loads(path.read_text(encoding="utf-8")):
            by_model.setdefault(obj["model"], []).append(obj["fields"])
    return by_model


def shift(value: str | None, years: int) -> datetime.date | None:
    if value is None:
        return None
    day = datetime.date.fromisoformat(value)
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class Upserter:
    """Creates or updates rows by natural key and counts what it did. An unchanged row is not written."""

    def __init__(self):
        self.counts = Counter()

    def save(self, existing, model, lookup: dict, values: dict):
        if existing is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.counts["created"] += 1
            return obj
        changed = [field for field, value in values.items() if getattr(existing, field) != value]
        if changed:
            for field in changed:
                setattr(existing, field, values[field])
            existing.full_clean()
            existing.save(update_fields=changed)
            self.counts["updated"] += 1
        else:
            self.counts["unchanged"] += 1
        return existing

    def set_m2m(self, manager, ids: set[int], current: set[int]):
        if ids != current:
            manager.set(ids)
            self.counts["links changed"] += 1


@dataclass
class Loaded:
    """What load() put in the database, for the loaders of the apps that point at it and the summary."""

    year: int
    up: Upserter
    reports: dict = field(default_factory=dict)  # code -> Report
    fillers: dict = field(default_factory=dict)  # report code -> (YearFiller, years shifted)
    targets: dict = field(default_factory=dict)  # (report id, code) -> Target, of the fixtures
    counts: list = field(default_factory=list)  # "23 glossary terms", … in the summary's first line
    kept: list = field(default_factory=list)

    def report_of(self, fields):
        """The loaded report a fixture row names, its year filler and the years its dates shift by."""
        code = fields["report"][0]
        if code not in self.reports:
            raise LoadError(f"unknown report {code!r}")
        return self.reports[code], *self.fillers[code]

    def summary(self) -> str:
        lines = [
            f"report year {self.year}: {len(self.reports)} report(s), " + ", ".join(self.counts),
            "rows: "
            + ", ".join(f"{what} {self.up.counts[what]}" for what in ("created", "updated", "unchanged", "removed"))
            + f"; link sets changed {self.up.counts['links changed']}",
        ]
        if self.kept:
            lines.append("kept (no longer in the fixtures, but progress was reported): " + ", ".join(sorted(self.kept)))
        return "\n".join(lines)


def remove_unseen(up: Upserter, rows: dict, seen: set) -> None:
    """Delete the rows (by key) the fixtures no longer hold."""
    for key, obj in rows.items():
        if key not in seen:
            obj.delete()
            up.counts["removed"] += 1


def load(data: dict[str, list[dict]], year: int) -> Loaded:
    """Upsert the report's own rows from `data` (read_fixtures) for `year`; remove what left the fixtures."""
    up = Upserter()
    loaded = Loaded(year=year, up=up)
    governments = {g.code: g for g in Government.objects.all()}
    for fields in data.get("targets.government", []):
        governments[fields["code"]] = up.save(
            governments.get(fields["code"]), Government, {"code": fields["code"]}, {"name": fields["name"]}
        )
    departments = {d.code: d for d in Department.objects.all()}
    for fields in data.get("targets.department", []):
        departments[fields["code"]] = up.save(
            departments.get(fields["code"]),
            Department,
            {"code": fields["code"]},
            {
                "government_id": governments[fields["government"][0]].pk,
                "name": fields["name"],
                "aliases": fields.get("aliases", []),
                "order": fields["order"],
            },
        )
    dept_ids = {code: d.pk for code, d in departments.items()}

    reports, fillers = loaded.reports, loaded.fillers
    for fields in data.get("targets.report", []):
        years = year - fields["year"]
        fill = YearFiller(fields["text"], year)
        existing = Report.objects.filter(code=fields["code"]).first()
        reports[fields["code"]] = up.save(
            existing,
            Report,
            {"code": fields["code"]},
            {
                "government_id": governments[fields["government"][0]].pk,
                "title": fill(fields["title"]),
                "speaker": fields["speaker"],
                "session": fields["session"],
                "delivered_on": shift(fields["delivered_on"], years),
                "year": year,
                "period_start": shift(fields["period_start"], years),
                "period_end": shift(fields["period_end"], years),
                "text": fill(fields["text"]),
            },
        )
        fillers[fields["code"]] = (fill, years)
        if existing is None:  # the seed is the report being run: reporting opens on loading it
            services.change_report_state(
                user=None, report=reports[fields["code"]], state=ReportState.ACTIVE, reason=LOADED_OPEN
            )
    if not reports:
        raise LoadError("the fixtures hold no report")

    sections = {(s.report_id, s.code): s for s in Section.objects.filter(report__in=reports.values())}
    seen_sections = set()
    for fields in data.get("targets.section", []):
        report, fill, _ = loaded.report_of(fields)
        key = (report.pk, fields["code"])
        parent = sections[(report.pk, fields["parent"][1])] if fields["parent"] else None
        sections[key] = up.save(
            sections.get(key),
            Section,
            {"report": report, "code": fields["code"]},
            {
                "parent_id": parent.pk if parent else None,
                "title": fill(fields["title"]),
                "order": fields["order"],
                "body": fill(fields["body"]),
            },
        )
        seen_sections.add(key)

    targets = {
        (t.report_id, t.code): t
        for t in Target.objects.filter(report__in=reports.values()).prefetch_related("co_departments")
    }
    seen_targets = set()
    for fields in data.get("targets.target", []):
        report, fill, years = loaded.report_of(fields)
        key = (report.pk, fields["code"])
        existing = targets.get(key)
        target = up.save(
            existing,
            Target,
            {"report": report, "code": fields["code"]},
            {
                "section_id": sections[(report.pk, fields["section"][1])].pk,
                "name": fill(fields["name"]),
                "unit": fields["unit"],
                "kind": fields["kind"],
                "direction": fields["direction"],
                "measure": fields["measure"],
                "target_value": decimal(fields["target_value"]),
                "target_value_max": decimal(fields["target_value_max"]),
                "growth_rate_target": decimal(fields["growth_rate_target"]),
                "growth_basis": fields.get("growth_basis", GrowthBasis.YEAR_ON_YEAR),
                "derivation": fields.get("derivation", Derivation.REPORTED),
                "baseline_value": decimal(fields["baseline_value"]),
                "baseline_source": fields["baseline_source"],
                "period_start": shift(fields["period_start"], years),
                "deadline": shift(fields["deadline"], years),
                "lead_department_id": dept_ids[fields["lead_department"][0]],
                "source_text": fill(fields["source_text"]),
                "order": fields["order"],
            },
        )
        current = {d.pk for d in existing.co_departments.all()} if existing else set()
        up.set_m2m(target.co_departments, {dept_ids[d[0]] for d in fields["co_departments"]}, current)
        targets[key] = target
        seen_targets.add(key)

    glossary = {(g.report_id, g.term): g for g in GlossaryTerm.objects.filter(report__in=reports.values())}
    seen_terms = set()
    for fields in data.get("targets.glossaryterm", []):
        report, fill, _ = loaded.report_of(fields)
        key = (report.pk, fields["term"])
        up.save(
            glossary.get(key),
            GlossaryTerm,
            {"report": report, "term": fields["term"]},
            {"definition": fill(fields["definition"]), "order": fields["order"]},
        )
        seen_terms.add(key)

    loaded.kept = _remove_stale(up, targets, seen_targets, sections, seen_sections)
    loaded.targets = {key: targets[key] for key in seen_targets}  # what the tasks and projects may point at
    remove_unseen(up, glossary, seen_terms)
    kinds = Counter(fields["kind"] for fields in data.get("targets.target", []))
    loaded.counts += [
        f"{len(data.get('targets.department', []))} departments",
        f"{len(seen_sections)} sections",
        f"{len(seen_targets)} targets ({', '.join(f'{kind} {n}' for kind, n in sorted(kinds.items()))})",
        f"{len(seen_terms)} glossary terms",
    ]
    return loaded


def _remove_stale(up, targets, seen_targets, sections, seen_sections) -> list[str]:
    """Delete what left the fixtures, except targets with progress and the sections they sit in."""
    kept = []
    for key, target in targets.items():
        if key in seen_targets:
            continue
        if target.entries.exists():
            kept.append(target.code)
        else:
            target.delete()
            up.counts["removed"] += 1
    stale = [s for key, s in sections.items() if key not in seen_sections]
    for section in sorted(stale, key=lambda s: -s.code.count(".")):
        if not section.targets.exists() and not section.children.exists():
            section.delete()
            up.counts["removed"] += 1
    return kept
