"""A report from a workbook: a new one (as 草稿, beside the others, which are untouched), or an update
of an existing one (same code): what changes is planned and shown first, then applied in one
transaction. A target left out of an update is deleted if nobody reported against it, else retired
(Target.retired_at: kept with its history, off the report's pages, closed to reporting).

The workbook (the same safety checks as the progress import, columns found by header text; the
template workbook, `template_workbook()`, has an example of every kind of target and a sheet 说明
explaining each column):

- 报告 (optional): 字段, 内容: the title page (标题, 人民政府, 年度, 会议, 报告人, 报告日期, 起始日期, 截止日期)
- 全文 (optional): 正文, a paragraph a row; or the full text in a .txt or .docx beside the workbook
- 责任单位 (optional): 名称*, 别名 (several, separated by 、), 代码
- 章节: 编号*, 标题*, 上级编号 (empty for a part), 顺序, 正文
- 目标: 编号*, 章节*, 名称*, 类别*, 方向*, 牵头单位*, 报告原文*, 计量方式, 增速口径, 取值方式, 单位, 目标值,
  目标上限, 目标增速(%), 基数, 基数来源, 起始日期, 完成期限, 配合单位 (several, separated by 、 or ,), 顺序
- 名词解释 (optional): 名词*, 解释*, 顺序

类别, 方向, 计量方式, 增速口径 and 取值方式 take their Chinese labels (主要预期目标, 不低于, 累计值 …) or their
codes; 牵头单位 and 配合单位 a department of the report's government by code, name or alias; a name it does
not know is a new department of that government (listed in the preview). Dates default to the report's
period. Everything is validated first (full_clean of every row, errors by sheet/row/column); then all
of it is stored in one transaction, or nothing.
"""

import datetime
import decimal
import io
import operator
import re
import zipfile
from dataclasses import dataclass, field
from functools import partial, reduce

from django import forms
from django.contrib import admin
from django.contrib import messages as admin_messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .choices import Derivation, Direction, GrowthBasis, Kind, Measure, ReportState
from .imports import (
    MAX_UNCOMPRESSED_BYTES,
    RowError,
    WorkbookRejected,
    cell_at,
    check_workbook,
    find_header,
    parse_date,
    read_sheets,
    text_of,
)
from .models import Department, GlossaryTerm, Government, Report, Section, Target

SECTIONS, TARGETS, GLOSSARY = "章节", "目标", "名词解释"
TITLE_PAGE, FULL_TEXT, DEPARTMENTS, EXPLANATION = "报告", "全文", "责任单位", "说明"
SECTION_HEADERS = ("编号", "标题")
TARGET_HEADERS = ("编号", "章节", "名称", "类别", "方向", "牵头单位", "报告原文")
GLOSSARY_HEADERS = ("名词", "解释")
TITLE_HEADERS = ("字段", "内容")
TEXT_HEADERS = ("正文",)
DEPARTMENT_HEADERS = ("名称",)

MISSING_SHEET = _("工作簿缺少“%(sheet)s”工作表（表头至少含：%(headers)s）。")
REQUIRED = _("必填。")
UNKNOWN_SECTION = _("章节 %(code)s 不在“章节”表中。")
UNKNOWN_CHOICE = _("无法识别：%(value)s。可填：%(choices)s。")
NOT_A_NUMBER = _("请输入数字。")
DUPLICATE_CODE = _("编号 %(code)s 重复。")
GOVERNMENT_REQUIRED = _("请在“报告”表填写人民政府，或在表单中选择。")
GOVERNMENT_FIXED = _("报告属于%(government)s，导入不能更改其人民政府。")
YEAR_REQUIRED = _("请填写年度（表单或“报告”表）。")
UNREADABLE_TEXT = _("无法读取报告全文：只接受 UTF-8 编码的 .txt 或 Word .docx 文件。")

# The title page's rows (sheet 报告: 字段, 内容) -> the report's fields.
TITLE_FIELDS = {
    "标题": "title",
    "人民政府": "government",
    "年度": "year",
    "会议": "session",
    "报告人": "speaker",
    "报告日期": "delivered_on",
    "起始日期": "period_start",
    "截止日期": "period_end",
}
# Model field -> the header it is read from (for pointing errors at a column).
TARGET_COLUMNS = {
    "code": "编号",
    "section": "章节",
    "name": "名称",
    "kind": "类别",
    "direction": "方向",
    "measure": "计量方式",
    "growth_basis": "增速口径",
    "derivation": "取值方式",
    "unit": "单位",
    "target_value": "目标值",
    "target_value_max": "目标上限",
    "growth_rate_target": "目标增速(%)",
    "baseline_value": "基数",
    "baseline_source": "基数来源",
    "period_start": "起始日期",
    "deadline": "完成期限",
    "lead_department": "牵头单位",
    "co_departments": "配合单位",
    "source_text": "报告原文",
    "order": "顺序",
}
# The fields an update compares and writes (the target's own, not the progress pointers).
TARGET_FIELDS = [name for name in TARGET_COLUMNS if name not in ("code", "co_departments")]
SECTION_COLUMNS = {"code": "编号", "parent": "上级编号", "title": "标题", "order": "顺序", "body": "正文"}
GLOSSARY_COLUMNS = {"term": "名词", "definition": "解释", "order": "顺序"}
REPORT_FIELDS = ("title", "year", "session", "speaker", "delivered_on", "period_start", "period_end", "text")

ADDED, CHANGED, RETIRED, REMOVED, RESTORED = _("新增"), _("修改"), _("停用（已有填报，保留历史）"), _("删除"), _("恢复")


@dataclass
class Change:
    """One line of an import's preview: what (目标, 章节 …), which (code), what happens, which fields."""

    what: str
    key: str
    action: str
    fields: str = ""


@dataclass
class ReportPlan:
    report: Report
    government: Government | None = None
    existing: bool = False
    sections: list = field(default_factory=list)  # (Section, parent code, row number)
    targets: list = field(default_factory=list)  # (Target, section code, [Department])
    terms: list = field(default_factory=list)
    departments: list = field(default_factory=list)  # Department to save: new ones, or with new aliases
    changes: list = field(default_factory=list)  # Change, for the preview
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def changes_of(self, what):
        return [change for change in self.changes if change.what == what]


class _Sheet:
    """One sheet's rows as {header: value}, with each row's Excel number."""

    def __init__(self, name, values, required):
        self.name = name
        found = find_header(values, required)
        self.rows = []
        if found is None:
            self.found = False
            return
        self.found = True
        index, columns = found
        for number, row in enumerate(values[index + 1 :], start=index + 2):
            cells = {header: cell_at(row, position) for header, position in columns.items()}
            if any(text_of(value) for value in cells.values()):
                self.rows.append((number, cells))


def _choice(value, choices, default=None):
    text = text_of(value)
    if not text and default is not None:
        return default
    known = {v: v for v in choices.values}
    known.update({str(label): v for v, label in choices.choices})
    with translation.override("zh-hans"):
        known.update({str(label): v for v, label in choices.choices})
    if text not in known:
        labels = "、".join(str(label) for label in choices.labels)
        raise ValidationError(UNKNOWN_CHOICE % {"value": text or "—", "choices": labels})
    return known[text]


def _number(value):
    if value is None or text_of(value) == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(NOT_A_NUMBER)
    text = repr(value) if isinstance(value, float) else text_of(value).replace(",", "").replace("%", "")
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise ValidationError(NOT_A_NUMBER) from None
    if not number.is_finite():
        raise ValidationError(NOT_A_NUMBER)
    return number


def _date(value, default):
    return parse_date(value) if text_of(value) or isinstance(value, datetime.date) else default


def _order(value, default):
    number = _number(value)
    return default if number is None else int(number)


def read_full_text(name: str, content: bytes) -> str:
    """The report's full text from a .txt (UTF-8) or a .docx (its paragraphs, one a line)."""
    if name.lower().endswith(".txt"):
        try:
            return content.decode("utf-8-sig").replace("\r\n", "\n").strip()
        except UnicodeDecodeError:
            raise WorkbookRejected(UNREADABLE_TEXT) from None
    if not name.lower().endswith(".docx"):
        raise WorkbookRejected(UNREADABLE_TEXT)
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    word = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if archive.getinfo("word/document.xml").file_size > MAX_UNCOMPRESSED_BYTES:
                raise WorkbookRejected(UNREADABLE_TEXT)
            root = fromstring(archive.read("word/document.xml"), forbid_dtd=True)
    except (zipfile.BadZipFile, KeyError, DefusedXmlException, ParseError):
        raise WorkbookRejected(UNREADABLE_TEXT) from None
    paragraphs = ("".join(node.text or "" for node in p.iter(f"{word}t")) for p in root.iter(f"{word}p"))
    return "\n".join(paragraphs).strip()


def plan_report(
    path, *, code, year=None, title="", period_start=None, period_end=None, government=None, text=None
) -> ReportPlan:
    """Read and validate a report's workbook, new or an update of the report `code`; write nothing.
    Form values (year, title, dates, government, `text` read from a file beside it) win over the
    workbook's title page (报告) and full text (全文); an update keeps what neither gives."""
    check_workbook(path)
    values = dict(read_sheets(path))
    existing = Report.objects.select_related("government").filter(code=code).first()
    report = existing or Report(code=code, state=ReportState.DRAFT)
    plan = ReportPlan(report=report, existing=existing is not None)

    def error(sheet, number, column, messages):
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            plan.errors.append(RowError(sheet=sheet, row=number, column=column, message=str(message)))

    page = _title_page(values.get(TITLE_PAGE, []))
    plan.government = _government(plan, page.get("人民政府", ""), government, error)
    if text is None and FULL_TEXT in values:
        sheet = _Sheet(FULL_TEXT, values[FULL_TEXT], TEXT_HEADERS)
        text = "\n".join(text_of(cells.get("正文")) for _number, cells in sheet.rows) if sheet.found else None
    try:
        year = year or _order(page.get("年度"), None) or report.year
        given = {
            "year": year,
            "title": title or text_of(page.get("标题")) or report.title or (f"{year}年政府工作报告" if year else ""),
            "session": text_of(page.get("会议")) or report.session,
            "speaker": text_of(page.get("报告人")) or report.speaker,
            "delivered_on": _date(page.get("报告日期"), report.delivered_on),
            "period_start": period_start or _date(page.get("起始日期"), report.period_start),
            "period_end": period_end or _date(page.get("截止日期"), report.period_end),
            "text": report.text if text is None else text,
        }
    except ValidationError as problem:
        error(TITLE_PAGE, 0, "", problem.messages)
        return plan
    if not year:
        error(TITLE_PAGE, 0, "年度", YEAR_REQUIRED)
        return plan
    given["period_start"] = given["period_start"] or datetime.date(year, 1, 1)
    given["period_end"] = given["period_end"] or datetime.date(year, 12, 31)
    if existing is not None:
        changed = [name for name in REPORT_FIELDS if getattr(existing, name) != given[name]]
        if changed:
            labels = "、".join(str(Report._meta.get_field(name).verbose_name) for name in changed)
            plan.changes.append(Change(str(_("报告")), code, str(CHANGED), labels))
        report = plan.report = Report.objects.get(pk=existing.pk)  # a copy to change; `existing` stays as stored
    for name, value in given.items():
        setattr(report, name, value)
    try:
        report.full_clean(exclude=["code", "government"], validate_unique=False)
    except ValidationError as problem:
        for name, messages in problem.message_dict.items():
            error(TITLE_PAGE, 0, str(Report._meta.get_field(name).verbose_name) if name != "__all__" else "", messages)

    sheets = {}
    for name, required in ((SECTIONS, SECTION_HEADERS), (TARGETS, TARGET_HEADERS), (GLOSSARY, GLOSSARY_HEADERS)):
        sheet = _Sheet(name, values.get(name, []), required)
        if not sheet.found and name != GLOSSARY:
            error(name, 0, "", MISSING_SHEET % {"sheet": name, "headers": "、".join(required)})
        sheets[name] = sheet
    if plan.errors:
        return plan

    departments = _DepartmentBook(plan)
    departments.read(_Sheet(DEPARTMENTS, values.get(DEPARTMENTS, []), DEPARTMENT_HEADERS), error)
    _plan_sections(plan, sheets[SECTIONS], error)
    _plan_targets(plan, sheets[TARGETS], error, departments)
    _plan_glossary(plan, sheets[GLOSSARY], error)
    if plan.ok and existing is not None:
        _compare(plan, existing)
    elif plan.ok:
        plan.changes.append(Change(str(_("报告")), code, str(ADDED), given["title"]))
    return plan


def _title_page(rows) -> dict:
    """报告: {字段: 内容} of the title page sheet (a missing sheet is an empty page)."""
    found = find_header(rows, TITLE_HEADERS)
    if found is None:
        return {}
    index, columns = found
    page = {}
    for row in rows[index + 1 :]:
        name = text_of(cell_at(row, columns["字段"]))
        if name in TITLE_FIELDS:
            page[name] = cell_at(row, columns["内容"])
    return page


def _government(plan, name, chosen, error):
    """The report's government: an update's own; else the form's, or the title page's by name or code
    (a name not known yet is a new government, created with the report)."""
    if plan.existing:
        own = plan.report.government
        if (chosen and chosen != own) or (name and name not in (own.name, own.code)):
            error(TITLE_PAGE, 0, "人民政府", GOVERNMENT_FIXED % {"government": own.name})
        return own
    if chosen:
        return chosen
    if not name:
        error(TITLE_PAGE, 0, "人民政府", GOVERNMENT_REQUIRED)
        return None
    known = Government.objects.filter(Q(name=name) | Q(code=name)).first()
    return known or Government(code=_free_code(Government, slugify(plan.report.code)[:36] or "gov", 40), name=name)


def _names(value) -> list[str]:
    """Several names in one cell, separated by 、 , ; or a line break."""
    return [part.strip() for part in re.split(r"[、,，;；\n]", text_of(value)) if part.strip()]


def _free_code(model, base, length):
    """`base`, or `base-2`, `base-3` … : the first code no `model` row holds yet."""
    taken = set(model.objects.filter(code__startswith=base).values_list("code", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base[: length - len(str(number)) - 1]}-{number}"
    taken.add(candidate)
    return candidate


class _DepartmentBook:
    """The report's government's departments by code, name and alias, and the new ones the workbook
    names (the 责任单位 sheet, or a name a target gives that nobody holds yet)."""

    def __init__(self, plan):
        self.plan = plan
        self.by_key = {}
        self.codes = set(Department.objects.values_list("code", flat=True))
        government = plan.government
        if government is not None and government.pk is not None:
            for department in Department.objects.filter(government=government):
                for key in (department.code, department.name, *department.aliases):
                    self.by_key.setdefault(key, department)

    def _free_code(self):
        """A department code no department holds yet, nor one planned: <government>-<n>."""
        prefix = slugify(self.plan.government.code)[:14] or "dept"
        number = len(self.codes) + 1
        while f"{prefix}-{number}" in self.codes:
            number += 1
        return f"{prefix}-{number}"

    def read(self, sheet, error):
        for number, cells in sheet.rows:
            name = text_of(cells.get("名称"))
            aliases = _names(cells.get("别名"))
            department = self.get(name, code=text_of(cells.get("代码")))
            missing = [alias for alias in aliases if alias not in department.aliases and alias != department.name]
            if missing:
                department.aliases = [*department.aliases, *missing]
                if department not in self.plan.departments:
                    self.plan.departments.append(department)
                    if department.pk:
                        self.plan.changes.append(Change(str(_("责任单位")), department.name, str(CHANGED), "别名"))
                for alias in missing:
                    self.by_key.setdefault(alias, department)
            try:
                department.full_clean(exclude=["government", "code"], validate_unique=False, validate_constraints=False)
            except ValidationError as problem:
                error(DEPARTMENTS, number, "名称", problem.messages)

    def get(self, name, code=""):
        department = self.by_key.get(code) or self.by_key.get(name)
        if department is None:
            code = code if code and code not in self.codes else self._free_code()
            self.codes.add(code)
            department = Department(code=code, name=name, government=self.plan.government, order=len(self.by_key))
            self.plan.departments.append(department)
            self.plan.changes.append(Change(str(_("责任单位")), name, str(ADDED)))
            for key in (code, name):
                self.by_key[key] = department
        return department


def _plan_sections(plan, sheet, error):
    codes = set()
    for order, (number, cells) in enumerate(sheet.rows, start=1):
        code = text_of(cells.get("编号"))
        if code in codes:
            error(SECTIONS, number, "编号", DUPLICATE_CODE % {"code": code})
            continue
        codes.add(code)
        section = Section(
            report=plan.report,
            code=code,
            title=text_of(cells.get("标题")),
            body=text_of(cells.get("正文")),
        )
        try:
            section.order = _order(cells.get("顺序"), order)
            section.full_clean(exclude=["report", "parent"], validate_unique=False, validate_constraints=False)
        except ValidationError as problem:
            for name, messages in problem.message_dict.items():
                error(SECTIONS, number, SECTION_COLUMNS.get(name, "顺序"), messages)
            continue
        plan.sections.append((section, text_of(cells.get("上级编号")), number))
    for _section, parent, number in plan.sections:
        if parent and parent not in codes:
            error(SECTIONS, number, "上级编号", UNKNOWN_SECTION % {"code": parent})


def _plan_targets(plan, sheet, error, departments):
    sections = {section.code for section, _parent, _number in plan.sections}
    codes = set()
    for order, (number, cells) in enumerate(sheet.rows, start=1):
        problems = {}

        def read(name, parse, default=None, cells=cells, problems=problems):
            try:
                return parse(cells.get(TARGET_COLUMNS[name]))
            except ValidationError as problem:
                problems[name] = problem.messages
                return default

        code = text_of(cells.get("编号"))
        if code in codes:
            problems["code"] = [DUPLICATE_CODE % {"code": code}]
        codes.add(code)
        section_code = text_of(cells.get("章节"))
        if section_code and section_code not in sections:
            problems["section"] = [UNKNOWN_SECTION % {"code": section_code}]
        lead_name = text_of(cells.get("牵头单位"))
        lead = departments.get(lead_name) if lead_name else None
        co = [departments.get(name) for name in _names(cells.get("配合单位"))]
        target = Target(
            report=plan.report,
            code=code,
            name=text_of(cells.get("名称")),
            unit=text_of(cells.get("单位")),
            kind=read("kind", partial(_choice, choices=Kind), ""),
            direction=read("direction", partial(_choice, choices=Direction), ""),
            measure=read("measure", partial(_choice, choices=Measure, default=Measure.CUMULATIVE), ""),
            growth_basis=read(
                "growth_basis", partial(_choice, choices=GrowthBasis, default=GrowthBasis.YEAR_ON_YEAR), ""
            ),
            derivation=read("derivation", partial(_choice, choices=Derivation, default=Derivation.REPORTED), ""),
            target_value=read("target_value", _number),
            target_value_max=read("target_value_max", _number),
            growth_rate_target=read("growth_rate_target", _number),
            baseline_value=read("baseline_value", _number),
            baseline_source=text_of(cells.get("基数来源")),
            period_start=read("period_start", partial(_date, default=plan.report.period_start)),
            deadline=read("deadline", partial(_date, default=plan.report.period_end)),
            lead_department=lead,
            source_text=text_of(cells.get("报告原文")),
            order=read("order", partial(_order, default=order), order),
        )
        if not problems:
            try:
                target.full_clean(exclude=["report", "section", "lead_department"], validate_unique=False)
            except ValidationError as problem:
                problems.update(problem.message_dict)
        if not lead_name:
            problems.setdefault("lead_department", []).append(REQUIRED)
        if not section_code:
            problems.setdefault("section", []).append(REQUIRED)
        for name, messages in problems.items():
            error(TARGETS, number, TARGET_COLUMNS.get(name, ""), messages)
        if not problems:
            plan.targets.append((target, section_code, co))


def _plan_glossary(plan, sheet, error):
    terms = set()
    for order, (number, cells) in enumerate(sheet.rows, start=1):
        term = GlossaryTerm(report=plan.report, term=text_of(cells.get("名词")), definition=text_of(cells.get("解释")))
        if term.term in terms:
            error(GLOSSARY, number, "名词", DUPLICATE_CODE % {"code": term.term})
            continue
        terms.add(term.term)
        try:
            term.order = _order(cells.get("顺序"), order)
            term.full_clean(exclude=["report"], validate_unique=False, validate_constraints=False)
        except ValidationError as problem:
            for name, messages in problem.message_dict.items():
                error(GLOSSARY, number, GLOSSARY_COLUMNS.get(name, ""), messages)
            continue
        plan.terms.append(term)


# What a target's history is made of, by the name its rows are reached by from Target: a target with any
# of them is retired, never deleted. Apps built on targets add theirs at start-up (supervision: its
# extension requests), as they register derived values (progress.DERIVED_VALUES).
HISTORY_RELATIONS = ["entries"]


def _with_history(targets):
    """The `targets` that have a history (HISTORY_RELATIONS); a target may come once per row of it."""
    return targets.filter(reduce(operator.or_, (Q(**{f"{name}__isnull": False}) for name in HISTORY_RELATIONS)))


def _field_labels(model, names):
    return "、".join(str(model._meta.get_field(name).verbose_name) for name in names)


def _target_values(target, section_code, co_codes):
    values = {}
    for name in TARGET_FIELDS:
        if name == "section":
            values[name] = section_code
        elif name == "lead_department":
            values[name] = target.lead_department.code if target.lead_department else None
        else:
            values[name] = getattr(target, name)
    values["co_departments"] = frozenset(co_codes)
    return values


def _compare(plan, existing):
    """An update: what the plan adds, changes, retires or removes against the stored report."""
    stored = {
        t.code: t
        for t in Target.objects.filter(report=existing)
        .select_related("section", "lead_department")
        .prefetch_related("co_departments")
    }
    with_history = set(_with_history(Target.objects.filter(report=existing)).values_list("code", flat=True))
    seen = set()
    for target, section_code, co in plan.targets:
        seen.add(target.code)
        old = stored.get(target.code)
        if old is None:
            plan.changes.append(Change(str(_("目标")), target.code, str(ADDED), target.name))
            continue
        before = _target_values(old, old.section.code, (d.code for d in old.co_departments.all()))
        after = _target_values(target, section_code, (d.code for d in co))
        changed = [name for name in after if before[name] != after[name]]
        if old.retired_at is not None:
            plan.changes.append(Change(str(_("目标")), target.code, str(RESTORED), _field_labels(Target, changed)))
        elif changed:
            plan.changes.append(Change(str(_("目标")), target.code, str(CHANGED), _field_labels(Target, changed)))
    for code, old in stored.items():
        if code not in seen and old.retired_at is None:
            action = RETIRED if code in with_history else REMOVED
            plan.changes.append(Change(str(_("目标")), code, str(action), old.name))

    stored_sections = {s.code: s for s in Section.objects.filter(report=existing).select_related("parent")}
    planned = {section.code for section, _parent, _number in plan.sections}
    for section, parent, _number in plan.sections:
        old = stored_sections.get(section.code)
        if old is None:
            plan.changes.append(Change(str(_("章节")), section.code, str(ADDED), section.title))
            continue
        changed = [n for n in ("title", "order", "body") if getattr(old, n) != getattr(section, n)]
        if (old.parent.code if old.parent else "") != parent:
            changed.append("parent")
        if changed:
            plan.changes.append(Change(str(_("章节")), section.code, str(CHANGED), _field_labels(Section, changed)))
    for code, old in stored_sections.items():
        if code not in planned:
            plan.changes.append(Change(str(_("章节")), code, str(REMOVED), old.title))

    stored_terms = {t.term: t for t in GlossaryTerm.objects.filter(report=existing)}
    for term in plan.terms:
        old = stored_terms.get(term.term)
        if old is None:
            plan.changes.append(Change(str(_("名词解释")), term.term, str(ADDED)))
        elif (old.definition, old.order) != (term.definition, term.order):
            changed = _field_labels(
                GlossaryTerm, [n for n in ("definition", "order") if getattr(old, n) != getattr(term, n)]
            )
            plan.changes.append(Change(str(_("名词解释")), term.term, str(CHANGED), changed))
    for term in set(stored_terms) - {t.term for t in plan.terms}:
        plan.changes.append(Change(str(_("名词解释")), term, str(REMOVED)))


@transaction.atomic
def apply_report(plan: ReportPlan) -> Report:
    """Store a valid plan in one transaction: a new report (as 草稿) or the update of one. A target the
    workbook left out is deleted when nobody reported on it, else retired; a retired target it names
    again is restored. Sections left out go when no target sits in them any more."""
    if not plan.ok:
        raise ValueError("the plan has errors")
    report = plan.report
    government = plan.government
    if government.pk is None:
        government.full_clean()
        government.save()
    report.government = government
    report.save()
    for department in plan.departments:
        department.government = government
        department.full_clean()
        department.save()

    sections = {s.code: s for s in Section.objects.filter(report=report)}
    for section, _parent, _number in plan.sections:
        old = sections.get(section.code)
        if old is None:
            section.report = report
            section.save()
            sections[section.code] = section
        else:
            for name in ("title", "order", "body"):
                setattr(old, name, getattr(section, name))
            old.save(update_fields=["title", "order", "body"])
    for section, parent, _number in plan.sections:
        stored = sections[section.code]
        parent_id = sections[parent].pk if parent else None
        if stored.parent_id != parent_id:
            stored.parent_id = parent_id
            stored.save(update_fields=["parent"])

    stored = {t.code: t for t in Target.objects.filter(report=report).prefetch_related("co_departments")}
    new_targets, links = [], []
    for target, section_code, co in plan.targets:
        old = stored.pop(target.code, None)
        section_id = sections[section_code].pk
        if old is None:
            target.report, target.section_id = report, section_id
            new_targets.append((target, co))
            continue
        changed = ["retired_at"] if old.retired_at is not None else []
        old.retired_at = None
        for name in TARGET_FIELDS:
            attribute = {"section": "section_id", "lead_department": "lead_department_id"}.get(name, name)
            value = (
                section_id
                if name == "section"
                else target.lead_department.pk
                if name == "lead_department"
                else (getattr(target, name))
            )
            if getattr(old, attribute) != value:
                setattr(old, attribute, value)
                changed.append(attribute)
        if changed:
            old.full_clean(validate_unique=False)
            old.save(update_fields=changed)
        if {d.pk for d in old.co_departments.all()} != {d.pk for d in co}:
            old.co_departments.set(co)
    for target, _co in new_targets:
        target.lead_department_id = target.lead_department.pk
    Target.objects.bulk_create([target for target, _co in new_targets])
    links = [
        Target.co_departments.through(target_id=target.pk, department_id=department.pk)
        for target, co in new_targets
        for department in co
    ]
    Target.co_departments.through.objects.bulk_create(links)
    left_out = [t for t in stored.values() if t.retired_at is None]
    with_history = set(
        _with_history(Target.objects.filter(pk__in=[t.pk for t in left_out])).values_list("pk", flat=True)
    )
    Target.objects.filter(pk__in=with_history).update(retired_at=timezone.now())
    Target.objects.filter(pk__in=[t.pk for t in left_out if t.pk not in with_history]).delete()
    planned_sections = {section.code for section, _parent, _number in plan.sections}
    for section in sorted(
        (s for code, s in sections.items() if code not in planned_sections), key=lambda s: -s.code.count(".")
    ):
        if not section.targets.exists() and not section.children.exists():
            section.delete()

    terms = {t.term: t for t in GlossaryTerm.objects.filter(report=report)}
    for term in plan.terms:
        old = terms.pop(term.term, None)
        if old is None:
            term.report = report
            term.save()
        elif (old.definition, old.order) != (term.definition, term.order):
            old.definition, old.order = term.definition, term.order
            old.save(update_fields=["definition", "order"])
    GlossaryTerm.objects.filter(pk__in=[t.pk for t in terms.values()]).delete()
    return report


# --- The admin page -----------------------------------------------------------------------

PENDING_KEY = "report_import"  # the session's note of the uploaded workbook awaiting confirmation


class ReportImportForm(forms.Form):
    workbook = forms.FileField(
        label=_("工作簿（.xlsx、.xls 或 .ods）"),
        help_text=_("含“章节”“目标”工作表，可选“报告”“全文”“责任单位”“名词解释”。"),
    )
    full_text = forms.FileField(
        label=_("报告全文（.txt 或 .docx）"), required=False, help_text=_("可选：也可写在工作簿的“全文”表中。")
    )
    code = forms.SlugField(
        label=_("报告代码"), max_length=40, help_text=_("已有报告的代码：按工作簿更新该报告（先预览变更）。")
    )
    government = forms.ModelChoiceField(
        label=_("人民政府"),
        queryset=Government.objects.all(),
        required=False,
        help_text=_("新报告：不选则按“报告”表中的人民政府（新的人民政府随报告创建）。"),
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    period_start = forms.DateField(label=_("起始日期"), required=False, help_text=_("默认为该年 1 月 1 日"))
    period_end = forms.DateField(label=_("截止日期"), required=False, help_text=_("默认为该年 12 月 31 日"))

    def clean_workbook(self):
        from .import_views import UploadForm

        return UploadForm.clean_workbook(self)

    def clean_full_text(self):
        upload = self.cleaned_data.get("full_text")
        if upload is None:
            return None
        if upload.size > MAX_UNCOMPRESSED_BYTES:
            raise forms.ValidationError(UNREADABLE_TEXT)
        try:
            return read_full_text(upload.name, upload.read())
        except WorkbookRejected as rejected:
            raise forms.ValidationError(rejected.message) from None

    def plan_arguments(self) -> dict:
        data = self.cleaned_data
        names = ("code", "year", "title", "period_start", "period_end", "government")
        return {**{name: data[name] for name in names}, "text": data["full_text"]}


def _pending_folder(user):
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.MEDIA_ROOT) / "report-imports" / str(user.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def report_import_view(model_admin):
    """导入报告 (admin): upload → a preview of every change (or every error), nothing written → confirm:
    the same workbook planned again against the data as it then stands and applied in one transaction."""

    def view(request):
        import json
        import uuid
        from pathlib import Path

        import pghistory
        from django.core.exceptions import PermissionDenied

        if not model_admin.has_add_permission(request) or not model_admin.has_change_permission(request):
            raise PermissionDenied
        form = ReportImportForm(request.POST or None, request.FILES or None)
        plan, token = None, ""
        pending = request.session.get(PENDING_KEY) or {}
        if request.method == "POST" and request.POST.get("confirm"):
            form = ReportImportForm()
            path = _pending_folder(request.user) / f"{pending.get('token', '-')}{pending.get('suffix', '.xlsx')}"
            if request.POST["confirm"] != pending.get("token") or not path.is_file():
                model_admin.message_user(request, _("没有待确认的导入文件，请重新上传。"), admin_messages.ERROR)
                return redirect("admin:targets_report_import")
            arguments = json.loads(pending["arguments"])
            government = arguments.pop("government")
            arguments["government"] = Government.objects.filter(pk=government).first() if government else None
            for name in ("period_start", "period_end"):
                arguments[name] = datetime.date.fromisoformat(arguments[name]) if arguments[name] else None
            plan = plan_report(path, **arguments)
            if plan.ok:
                with pghistory.context(import_file=pending.get("name", "")):
                    report = apply_report(plan)
                path.unlink(missing_ok=True)
                request.session.pop(PENDING_KEY, None)
                model_admin.message_user(
                    request,
                    _("已导入报告 %(title)s：%(count)d 项变更。") % {"title": report.title, "count": len(plan.changes)},
                    admin_messages.SUCCESS,
                )
                return redirect("admin:targets_report_change", report.pk)
        elif request.method == "POST" and form.is_valid():
            token = str(uuid.uuid4())
            suffix = Path(form.cleaned_data["workbook"].name).suffix.lower()  # the reader picks the format by it
            path = _pending_folder(request.user) / f"{token}{suffix}"
            with path.open("wb") as out:
                for chunk in form.cleaned_data["workbook"].chunks():
                    out.write(chunk)
            try:
                plan = plan_report(path, **form.plan_arguments())
            except WorkbookRejected as rejected:
                form.add_error("workbook", rejected.message)
                plan, token = None, ""
            if plan is not None and plan.ok:
                arguments = {**form.plan_arguments()}
                arguments["government"] = arguments["government"].pk if arguments["government"] else None
                for name in ("period_start", "period_end"):
                    arguments[name] = arguments[name].isoformat() if arguments[name] else None
                request.session[PENDING_KEY] = {
                    "token": token,
                    "suffix": suffix,
                    "name": form.cleaned_data["workbook"].name[:200],
                    "arguments": json.dumps(arguments, ensure_ascii=False),
                }
            else:
                path.unlink(missing_ok=True)
                token = ""
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("从工作簿导入或更新报告"),
            "opts": model_admin.opts,
            "form": form,
            "plan": plan,
            "token": token,
            "adminform": admin.helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
        }
        return TemplateResponse(request, "admin/targets/report/import.html", context)

    return view


def template_view(model_admin):
    """The template workbook (admin): an example row of every kind of target and a sheet 说明."""

    def view(request):
        from django.core.exceptions import PermissionDenied
        from django.http import HttpResponse

        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="report-template.xlsx"'
        return response

    return view


# The template's example targets: one of every kind, direction, measure, growth basis and derivation.
TEMPLATE_TARGET_HEADERS = list(TARGET_COLUMNS.values())
TEMPLATE_TARGETS = [
    # 编号, 章节, 名称, 类别, 方向, 计量方式, 增速口径, 取值方式, 单位, 目标值, 目标上限, 目标增速(%), 基数, 基数来源,
    # 起始日期, 完成期限, 牵头单位, 配合单位, 报告原文, 顺序
    [
        "M01",
        "3.1",
        "地区生产总值",
        "主要预期目标",
        "不低于",
        "水平值",
        "同比增长",
        "",
        "亿元",
        None,
        None,
        8,
        None,
        "",
        "",
        "",
        "区发改局",
        "区统计局",
        "地区生产总值增长8%",
        1,
    ],
    [
        "M02",
        "3.1",
        "城镇登记失业率",
        "主要预期目标",
        "不高于",
        "水平值",
        "",
        "",
        "%",
        3.5,
        None,
        None,
        None,
        "",
        "",
        "",
        "区人社局",
        "",
        "城镇登记失业率控制在3.5%以内",
        2,
    ],
    [
        "M03",
        "3.1",
        "居民消费价格涨幅",
        "主要预期目标",
        "左右",
        "水平值",
        "",
        "",
        "%",
        3,
        None,
        None,
        None,
        "",
        "",
        "",
        "区发改局",
        "",
        "居民消费价格涨幅3%左右",
        3,
    ],
    [
        "F01",
        "3.1",
        "地区生产总值翻一番",
        "五年目标",
        "不低于",
        "水平值",
        "期间累计增长",
        "",
        "亿元",
        None,
        None,
        100,
        None,
        "",
        "",
        "2030-12-31",
        "区发改局",
        "",
        "地区生产总值五年翻一番",
        4,
    ],
    [
        "F02",
        "3.1",
        "每年新建保障房",
        "五年目标",
        "不低于",
        "每年值",
        "",
        "",
        "套",
        1000,
        None,
        None,
        None,
        "",
        "",
        "2030-12-31",
        "区住建局",
        "",
        "每年新建保障房1000套",
        5,
    ],
    [
        "T01",
        "3.2",
        "新建中小学",
        "年度工作任务",
        "不低于",
        "累计值",
        "",
        "",
        "所",
        3,
        None,
        None,
        None,
        "",
        "",
        "",
        "区教育局",
        "区财政局、区住建局",
        "新建中小学3所",
        6,
    ],
    [
        "T02",
        "3.2",
        "绿化覆盖率",
        "年度工作任务",
        "不低于",
        "水平值",
        "",
        "",
        "%",
        40,
        None,
        None,
        38,
        "上年末统计公报",
        "",
        "",
        "区林业局",
        "",
        "绿化覆盖率由38%提高到40%",
        7,
    ],
    [
        "T03",
        "3.2",
        "优化营商环境",
        "年度工作任务",
        "定性",
        "",
        "",
        "",
        "",
        None,
        None,
        None,
        None,
        "",
        "",
        "",
        "区发改局",
        "",
        "持续优化营商环境",
        8,
    ],
    [
        "S01",
        "4",
        "为民兴办实事",
        "实事指标",
        "不低于",
        "累计值",
        "",
        "已完成的为民实事件数",
        "件",
        10,
        None,
        None,
        None,
        "",
        "",
        "",
        "区政府办",
        "",
        "为民兴办10件实事",
        9,
    ],
    [
        "S02",
        "4",
        "新增公共停车位",
        "实事指标",
        "不低于",
        "累计值",
        "",
        "",
        "个",
        2000,
        2500,
        None,
        None,
        "",
        "",
        "",
        "区交通局",
        "",
        "新增公共停车位2000至2500个",
        10,
    ],
]
COLUMN_HELP = {
    "编号": "必填。目标的编号，在本报告中唯一；更新导入时按编号对应已有目标。",
    "章节": "必填。目标所在章节的编号（见“章节”表）。",
    "名称": "必填。目标的简称。",
    "类别": "必填。主要预期目标、五年目标、年度工作任务或实事指标。",
    "方向": "必填。不低于、不高于、左右或定性（定性目标不填目标值）。",
    "计量方式": "累计值（默认）、水平值或每年值（五年中每年的目标）。",
    "增速口径": "同比增长（默认）或期间累计增长（如五年翻一番：目标增速填 100）。",
    "取值方式": "留空为填报；“已完成的为民实事件数”由系统计算，不接受填报。",
    "单位": "如 亿元、%、所、个。",
    "目标值": "定量目标的目标值；只给增速的目标可不填。",
    "目标上限": "区间目标的上限（如 2000至2500个）。",
    "目标增速(%)": "增速目标，填数字（8 表示 8%）。",
    "基数": "由基数提高到目标值的目标的起点。",
    "基数来源": "基数的出处。",
    "起始日期": "默认为报告的起始日期，如 2027-01-01。",
    "完成期限": "默认为报告的截止日期。",
    "牵头单位": "必填。责任单位的代码、名称或别名；本级政府尚无的名称将新建为责任单位（预览中列出）。",
    "配合单位": "可填多个，以、或逗号分隔。",
    "报告原文": "必填。报告中该目标的原句。",
    "顺序": "排序用的数字，默认按行的顺序。",
}


def template_workbook() -> bytes:
    """The template for a report's workbook: its title page, full text, departments, outline, one
    example target of every kind, glossary, and 说明 explaining each column of each sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    page = book.active
    page.title = TITLE_PAGE
    page.append(list(TITLE_HEADERS))
    for name, value in (
        ("标题", "2027年某区人民政府工作报告"),
        ("人民政府", "某区人民政府"),
        ("年度", 2027),
        ("会议", "某区第一届人民代表大会第二次会议"),
        ("报告人", "某某"),
        ("报告日期", "2027-01-10"),
        ("起始日期", "2027-01-01"),
        ("截止日期", "2027-12-31"),
    ):
        page.append([name, value])
    text = book.create_sheet(FULL_TEXT)
    text.append(list(TEXT_HEADERS))
    text.append(["各位代表：现在，我代表区人民政府向大会报告工作，请予审议。"])
    units = book.create_sheet(DEPARTMENTS)
    units.append(["名称", "别名", "代码"])
    units.append(["发展和改革局", "区发改局", ""])
    outline = book.create_sheet(SECTIONS)
    outline.append(list(SECTION_COLUMNS.values()))
    for row in (
        ["3", "", "三、2027年的主要工作", 1, ""],
        ["3.1", "3", "（一）主要预期目标", 2, ""],
        ["3.2", "3", "（二）重点工作", 3, ""],
        ["4", "", "四、为民兴办实事", 4, ""],
    ):
        outline.append(row)
    targets = book.create_sheet(TARGETS)
    targets.append(TEMPLATE_TARGET_HEADERS)
    for row in TEMPLATE_TARGETS:
        targets.append(row)
    glossary = book.create_sheet(GLOSSARY)
    glossary.append(list(GLOSSARY_COLUMNS.values()))
    glossary.append(["一刻钟服务圈", "居民步行一刻钟内可享受基本生活服务的范围。", 1])
    explanation = book.create_sheet(EXPLANATION)
    explanation.append(["工作表", "列", "说明"])
    for name, meaning in {
        "字段": "报告表的字段名：标题、人民政府、年度、会议、报告人、报告日期、起始日期、截止日期。",
        "内容": "该字段的值；表单中填写的值优先。",
    }.items():
        explanation.append([TITLE_PAGE, name, meaning])
    explanation.append([FULL_TEXT, "正文", "报告全文，一段一行；也可在导入页上传 .txt 或 .docx 文件。"])
    explanation.append([DEPARTMENTS, "名称", "责任单位的名称；本级政府尚无的将新建。"])
    explanation.append([DEPARTMENTS, "别名", "工作簿中也可用的其他名称，多个以、分隔（如 区发改局）。"])
    explanation.append([DEPARTMENTS, "代码", "可选：新建单位的代码（字母、数字、-）。"])
    for name, meaning in {
        "编号": "必填。章节编号，如 3.1。",
        "上级编号": "上级章节的编号；部分（如 三）留空。",
        "标题": "必填。章节标题。",
        "顺序": "排序用的数字。",
        "正文": "该章节的原文，用于“报告”页和搜索。",
    }.items():
        explanation.append([SECTIONS, name, meaning])
    for name in TEMPLATE_TARGET_HEADERS:
        explanation.append([TARGETS, name, COLUMN_HELP[name]])
    for name, meaning in {"名词": "必填。名词。", "解释": "必填。报告中的解释原文。", "顺序": "排序用的数字。"}.items():
        explanation.append([GLOSSARY, name, meaning])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
