"""How close a draft comes to a report already in the ledger: precision and recall for the
quantified targets (value — or, with none, the growth rate — unit and direction all exact, within
the same part of the report), the practical tasks' metrics, the glossary's terms and the sections."""

import decimal
import re
from collections import Counter


def masked_years(title: str) -> str:
    """A title with its years as the report masks them (load_report fills in the masks it can place)."""
    return re.sub(r"20(\d\d|xx)年", "20xx年", title)


def number(value) -> str | None:
    """A value as one canonical string: 33360.0000 and 33360 are the same figure."""
    if value is None or value == "":
        return None
    text = format(decimal.Decimal(str(value)).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def target_key(value, growth_rate, unit, direction):
    return (number(value) if value not in (None, "") else number(growth_rate), unit or "", direction)


def expected_from_report(report) -> dict:
    """The comparable facts of a report in the database."""
    targets = list(report.targets.select_related("section").order_by("order", "code"))
    return {
        "targets": [
            (target_key(t.target_value, t.growth_rate_target, t.unit, t.direction), t.section.code) for t in targets
        ],
        "tasks": [
            (task.no, target_key(t.target_value, t.growth_rate_target, t.unit, t.direction))
            for task in report.practical_tasks.prefetch_related("targets").order_by("no")
            for t in task.targets.all()
        ],
        "glossary": [masked_years(term.term) for term in report.glossary.order_by("order")],
        "sections": [(section.code, masked_years(section.title)) for section in report.sections.order_by("order")],
    }


def drafted(draft: dict) -> dict:
    """The same facts of a draft (rejected targets left out)."""
    targets = {t["id"]: t for t in draft["targets"] if t.get("status") != "rejected"}

    def key(t):
        return target_key(t["value"], t["growth_rate"], t["unit"], t["direction"])

    return {
        "targets": [(key(t), t["section"]) for t in targets.values()],
        "tasks": [
            (task["no"], key(targets[m["target"]]))
            for task in draft["practical_tasks"]
            for m in task["metrics"]
            if m["target"] in targets
        ],
        "glossary": [masked_years(entry["term"]) for entry in draft["glossary"]],
        "sections": [(section["code"], masked_years(section["title"])) for section in draft["sections"]],
    }


def _match_targets(found, expected):
    """Matches in two passes: the same key in the same section, then in the same part."""
    left_found, left_expected = list(found), list(expected)
    matched = 0
    for same in (lambda a, b: a == b, lambda a, b: a.split(".")[0] == b.split(".")[0]):
        remaining = []
        for key, section in left_found:
            hit = next((i for i, (k, s) in enumerate(left_expected) if k == key and same(section, s)), None)
            if hit is None:
                remaining.append((key, section))
            else:
                left_expected.pop(hit)
                matched += 1
        left_found = remaining
    return matched, left_found, left_expected


def _score(matched, found, expected):
    precision = matched / found if found else (1.0 if not expected else 0.0)
    recall = matched / expected if expected else 1.0
    return {"found": found, "expected": expected, "matched": matched, "precision": precision, "recall": recall}


def evaluate(draft: dict, expected: dict) -> dict:
    mine = drafted(draft)
    matched, extra, missed = _match_targets(mine["targets"], expected["targets"])
    rows = {"targets": _score(matched, len(mine["targets"]), len(expected["targets"]))}
    rows["targets"]["extra"], rows["targets"]["missed"] = extra, missed
    for name in ("tasks", "glossary", "sections"):
        common = sum((Counter(mine[name]) & Counter(expected[name])).values())
        rows[name] = _score(common, len(mine[name]), len(expected[name]))
        rows[name]["extra"] = list((Counter(mine[name]) - Counter(expected[name])).elements())
        rows[name]["missed"] = list((Counter(expected[name]) - Counter(mine[name])).elements())
    return rows


LABELS = {"targets": "定量目标", "tasks": "实事指标", "glossary": "名词解释", "sections": "章节"}


def table(rows: dict) -> str:
    lines = [f"{'':10}{'drafted':>9}{'expected':>10}{'matched':>9}{'precision':>11}{'recall':>8}"]
    for name, label in LABELS.items():
        row = rows[name]
        lines.append(
            f"{name:10}{row['found']:>9}{row['expected']:>10}{row['matched']:>9}"
            f"{row['precision']:>11.2f}{row['recall']:>8.2f}  {label}"
        )
    lines.append(
        " ".join(
            f"{name} precision={rows[name]['precision']:.2f} recall={rows[name]['recall']:.2f}"
            for name in ("targets", "tasks", "glossary")
        )
    )
    return "\n".join(lines)
