"""A new year's report from a workbook: its outline (章节), its targets (目标) and, if given, its
glossary (名词解释). It becomes a new Report beside the earlier ones, which stay as they were (and,
no longer current, read-only: roles.writable_targets).

The workbook (the same safety checks as the progress import, columns found by header text):

- 章节: 编号*, 标题*, 上级编号 (empty for a part), 顺序, 正文
- 目标: 编号*, 章节*, 名称*, 类别*, 方向*, 牵头单位*, 报告原文*, 计量方式, 单位, 目标值, 目标上限,
  目标增速(%), 基数, 基数来源, 起始日期, 完成期限, 配合单位 (several, separated by 、 or ,), 顺序
- 名词解释 (optional): 名词*, 解释*, 顺序

类别, 方向 and 计量方式 take their Chinese labels (主要预期目标, 不低于, 累计值 …) or their codes;
牵头单位 and 配合单位 a department's code or name. Dates default to the report's period.
Everything is validated first (full_clean of every row, errors by sheet/row/column); then all of it
is stored in one transaction, or nothing.
"""

import datetime
import decimal
import re
from dataclasses import dataclass, field
from functools import partial

from django import forms
from django.contrib import admin
from django.contrib import messages as admin_messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .choices import Direction, Kind, Measure
from .imports import RowError, WorkbookRejected, cell_at, check_workbook, find_header, parse_date, read_sheets, text_of
from .models import Department, GlossaryTerm, Report, Section, Target

SECTIONS, TARGETS, GLOSSARY = "章节", "目标", "名词解释"
SECTION_HEADERS = ("编号", "标题")
TARGET_HEADERS = ("编号", "章节", "名称", "类别", "方向", "牵头单位", "报告原文")
GLOSSARY_HEADERS = ("名词", "解释")

REPORT_EXISTS = _("报告代码 %(code)s 已存在：新报告需要新的代码。")
MISSING_SHEET = _("工作簿缺少“%(sheet)s”工作表（表头至少含：%(headers)s）。")
REQUIRED = _("必填。")
UNKNOWN_SECTION = _("章节 %(code)s 不在“章节”表中。")
UNKNOWN_DEPARTMENT = _("没有该责任单位：%(name)s（请先在后台添加）。")
UNKNOWN_CHOICE = _("无法识别：%(value)s。可填：%(choices)s。")
NOT_A_NUMBER = _("请输入数字。")
DUPLICATE_CODE = _("编号 %(code)s 重复。")

# Model field -> the header it is read from (for pointing errors at a column).
TARGET_COLUMNS = {
    "code": "编号",
    "section": "章节",
    "name": "名称",
    "kind": "类别",
    "direction": "方向",
    "measure": "计量方式",
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
SECTION_COLUMNS = {"code": "编号", "parent": "上级编号", "title": "标题", "order": "顺序", "body": "正文"}
GLOSSARY_COLUMNS = {"term": "名词", "definition": "解释", "order": "顺序"}


@dataclass
class ReportPlan:
    report: Report
    sections: list = field(default_factory=list)  # (Section, parent code)
    targets: list = field(default_factory=list)  # (Target, [Department])
    terms: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


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


def plan_report(path, *, code, year, title="", period_start=None, period_end=None) -> ReportPlan:
    """Read and validate a new report's workbook; write nothing."""
    check_workbook(path)
    period_start = period_start or datetime.date(year, 1, 1)
    period_end = period_end or datetime.date(year, 12, 31)
    report = Report(
        code=code,
        year=year,
        title=title or f"{year}年政府工作报告",
        period_start=period_start,
        period_end=period_end,
    )
    plan = ReportPlan(report=report)

    def error(sheet, number, column, messages):
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            plan.errors.append(RowError(sheet=sheet, row=number, column=column, message=str(message)))

    if Report.objects.filter(code=code).exists():
        error("", 0, "", REPORT_EXISTS % {"code": code})
    try:
        report.full_clean(exclude=["code"])
    except ValidationError as problem:
        for name, messages in problem.message_dict.items():
            error("", 0, str(Report._meta.get_field(name).verbose_name) if name != "__all__" else "", messages)

    values = dict(read_sheets(path))
    sheets = {}
    for name, required in ((SECTIONS, SECTION_HEADERS), (TARGETS, TARGET_HEADERS), (GLOSSARY, GLOSSARY_HEADERS)):
        sheet = _Sheet(name, values.get(name, []), required)
        if not sheet.found and name != GLOSSARY:
            error(name, 0, "", MISSING_SHEET % {"sheet": name, "headers": "、".join(required)})
        sheets[name] = sheet
    if plan.errors:
        return plan

    _plan_sections(plan, sheets[SECTIONS], error)
    _plan_targets(plan, sheets[TARGETS], error)
    _plan_glossary(plan, sheets[GLOSSARY], error)
    return plan


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


def _departments():
    by_key = {}
    for department in Department.objects.all():
        by_key[department.code] = department
        by_key[department.name] = department
    return by_key


def _plan_targets(plan, sheet, error):
    sections = {section.code for section, _parent, _number in plan.sections}
    departments = _departments()
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
        lead = departments.get(lead_name)
        if lead_name and lead is None:
            problems["lead_department"] = [UNKNOWN_DEPARTMENT % {"name": lead_name}]
        co = []
        for name in filter(None, (part.strip() for part in re.split(r"[、,，;；\n]", text_of(cells.get("配合单位"))))):
            if name not in departments:
                problems.setdefault("co_departments", []).append(UNKNOWN_DEPARTMENT % {"name": name})
            else:
                co.append(departments[name])
        target = Target(
            report=plan.report,
            code=code,
            name=text_of(cells.get("名称")),
            unit=text_of(cells.get("单位")),
            kind=read("kind", partial(_choice, choices=Kind), ""),
            direction=read("direction", partial(_choice, choices=Direction), ""),
            measure=read("measure", partial(_choice, choices=Measure, default=Measure.CUMULATIVE), ""),
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


@transaction.atomic
def create_report(plan: ReportPlan) -> Report:
    """Store a valid plan: the report, its sections (parents first), targets, links and glossary."""
    if not plan.ok:
        raise ValueError("the plan has errors")
    report = plan.report
    report.save()
    by_code = {}
    pending = list(plan.sections)
    while pending:  # parents before children, whatever the sheet's order: one insert per level
        level = [(s, parent) for s, parent, _number in pending if not parent or parent in by_code]
        if not level:
            raise ValueError("the sections' parents form a cycle")
        for section, parent in level:
            section.report = report
            section.parent = by_code.get(parent)
        Section.objects.bulk_create([section for section, _parent in level])
        by_code.update({section.code: section for section, _parent in level})
        pending = [item for item in pending if item[0].code not in by_code]
    targets = []
    for target, section_code, _co in plan.targets:
        target.report = report
        target.section = by_code[section_code]
        targets.append(target)
    Target.objects.bulk_create(targets)
    links = [
        Target.co_departments.through(target_id=target.pk, department_id=department.pk)
        for target, _section, co in plan.targets
        for department in co
    ]
    Target.co_departments.through.objects.bulk_create(links)
    for term in plan.terms:
        term.report = report
    GlossaryTerm.objects.bulk_create(plan.terms)
    return report


# --- The admin page -----------------------------------------------------------------------


class ReportImportForm(forms.Form):
    workbook = forms.FileField(label=_("工作簿（.xlsx）"), help_text=_("含“章节”“目标”工作表，可选“名词解释”。"))
    code = forms.SlugField(label=_("报告代码"), max_length=40)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("标题"), max_length=200, required=False)
    period_start = forms.DateField(label=_("起始日期"), required=False, help_text=_("默认为该年 1 月 1 日"))
    period_end = forms.DateField(label=_("截止日期"), required=False, help_text=_("默认为该年 12 月 31 日"))
    dry_run = forms.BooleanField(label=_("只校验，不导入"), required=False)


def report_import_view(model_admin):
    """导入新报告 (admin): upload, validate everything, then create it all or show every error."""

    def view(request):
        import tempfile
        from pathlib import Path

        import pghistory

        if not model_admin.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = ReportImportForm(request.POST or None, request.FILES or None)
        plan = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "report.xlsx"
                with path.open("wb") as out:
                    for chunk in data["workbook"].chunks():
                        out.write(chunk)
                try:
                    plan = plan_report(
                        path,
                        code=data["code"],
                        year=data["year"],
                        title=data["title"],
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                    )
                except WorkbookRejected as rejected:
                    form.add_error("workbook", rejected.message)
            if plan is not None and plan.ok and not data["dry_run"]:
                pghistory.context(import_file=data["workbook"].name)
                report = create_report(plan)
                model_admin.message_user(
                    request,
                    _("已导入新报告 %(title)s：%(sections)d 个章节，%(targets)d 个目标。")
                    % {"title": report.title, "sections": len(plan.sections), "targets": len(plan.targets)},
                    admin_messages.SUCCESS,
                )
                return redirect("admin:targets_report_change", report.pk)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("从工作簿导入新报告"),
            "opts": model_admin.opts,
            "form": form,
            "plan": plan,
            "adminform": admin.helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
        }
        return TemplateResponse(request, "admin/targets/report/import.html", context)

    return view
