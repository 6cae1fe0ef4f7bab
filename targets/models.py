"""The report as data (报告, 章节, 责任单位, 目标, 名词解释) and the progress recorded against it."""

import re
from operator import attrgetter

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Length, StrIndex, Upper
from django.utils.translation import gettext_lazy as _

from . import units
from .choices import (
    Derivation,
    Direction,
    GrowthBasis,
    Kind,
    Measure,
    ReportState,
    ReviewStatus,
    Stage,
)
from .errors import ALIAS_TAKEN, DUPLICATE_ALIAS, SYNONYM_SAME_AS_TERM, SYNONYM_TAKEN
from .progress import TargetQuerySet


class GovernmentManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Government(models.Model):
    """人民政府: the government that issues reports (区/县/市人民政府); its departments carry them out."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    objects = GovernmentManager()

    class Meta:
        verbose_name = _("人民政府")
        verbose_name_plural = _("人民政府")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class ReportManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def current(self):
        """The report a command reads unless told another (--report): the first by Report.current_order,
        the newest 执行中, else the newest. Its full text is read when asked for."""
        return min(self.defer("text"), key=attrgetter("current_order"), default=None)


class Report(models.Model):
    """政府工作报告: one year's report of a government, the source of every target, task and glossary term."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    government = models.ForeignKey(
        # NULL is refused by report_has_government; nullable only so its history (whose rows predate
        # governments) can keep the column as it was.
        Government,
        models.PROTECT,
        null=True,
        related_name="reports",
        verbose_name=_("人民政府"),
    )
    title = models.CharField(_("标题"), max_length=200)
    speaker = models.CharField(_("报告人"), max_length=50, blank=True)
    session = models.CharField(_("会议"), max_length=200, blank=True)
    delivered_on = models.DateField(_("报告日期"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    text = models.TextField(_("报告全文"), blank=True)
    state = models.CharField(
        _("状态"),
        max_length=8,
        choices=ReportState.choices,
        default=ReportState.DRAFT,
        help_text=_("草稿：仅管理员和督查可见，不接受填报；执行中：接受填报；收官：年终数据已确认，不再填报。"),
    )
    demo_data = models.BooleanField(
        _("含演示数据"), default=False, help_text=_("由 load_demo 设置：页面显示“演示数据”提示。")
    )
    review_required = models.BooleanField(
        _("进度需审核"), default=True, help_text=_("开启后，填报的进度经督查审核通过才计入正式数据。")
    )

    objects = ReportManager()

    class Meta:
        verbose_name = _("政府工作报告")
        verbose_name_plural = _("政府工作报告")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_period_ordered",
                violation_error_message=_("截止日期不能早于起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(government__isnull=False),
                name="report_has_government",
                violation_error_message=_("请选择发布报告的人民政府。"),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["targets.government"]

    @property
    def takes_progress(self) -> bool:
        return self.state == ReportState.ACTIVE

    @property
    def current_order(self) -> tuple:
        """The current report is the first in this order: 执行中 before the others, then the newest year, then
        the newest row. Commands (ReportManager.current) and pages (selectors.selected_report) choose by it."""
        return (self.state != ReportState.ACTIVE, -self.year, -self.pk)


class ReportStateChange(models.Model):
    """状态变更: a report moved between 草稿, 执行中 and 收官, by whom, when, and why when it went back."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="state_changes", verbose_name=_("报告"))
    from_state = models.CharField(_("原状态"), max_length=8, choices=ReportState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=8, choices=ReportState.choices)
    changed_at = models.DateTimeField(_("变更时间"))
    # None when a management command (load_report, import_report) made the change.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    reason = models.TextField(_("原因"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("报告状态变更")
        verbose_name_plural = _("报告状态变更")
        ordering = ["report", "changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_state=ReportState.CLOSED, to_state=ReportState.ACTIVE) | ~Q(reason=""),
                name="report_reopening_gives_reason",
                violation_error_message=_("收官后重新开放须填写原因。"),
            ),
        ]

    def __str__(self):
        return f"{self.report.code} {self.get_from_state_display()} → {self.get_to_state_display()}"


class SectionManager(models.Manager):
    def get_by_natural_key(self, report_code, code):
        return self.get(report__code=report_code, code=code)


class Section(models.Model):
    """章节: a heading of the report's outline (part, area, numbered sub-section) and its own text."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="sections", verbose_name=_("报告"))
    code = models.CharField(_("编号"), max_length=20)
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("上级章节")
    )
    title = models.CharField(_("标题"), max_length=200)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    body = models.TextField(_("正文"), blank=True)

    objects = SectionManager()

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["report", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "code"],
                name="section_code_unique_in_report",
                violation_error_message=_("同一报告中章节编号不能重复。"),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def natural_key(self):
        return (*self.report.natural_key(), self.code)

    natural_key.dependencies = ["targets.report"]


class DepartmentManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Department(models.Model):
    """责任单位: a unit of a government that leads or supports the targets of its reports."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    government = models.ForeignKey(
        # NULL is refused by department_has_government (nullable for its history, as Report.government).
        Government,
        models.PROTECT,
        null=True,
        related_name="departments",
        verbose_name=_("人民政府"),
    )
    name = models.CharField(_("名称"), max_length=100)
    # Other names a workbook may call it by (区发改局 for 发展和改革局); matched by imports.
    aliases = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("别名"),
        default=list,
        blank=True,
        help_text=_("导入报告时也按这些名称匹配，多个以逗号分隔。"),
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)

    objects = DepartmentManager()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(government__isnull=False),
                name="department_has_government",
                violation_error_message=_("请选择责任单位所属的人民政府。"),
            ),
            models.UniqueConstraint(
                fields=["government", "name"],
                name="department_name_unique_in_government",
                violation_error_message=_("同一人民政府的责任单位名称不能重复。"),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["targets.government"]

    def clean(self):
        names = [self.name, *self.aliases]
        if len(set(names)) != len(names):
            raise ValidationError({"aliases": DUPLICATE_ALIAS})
        if self.government_id:
            taken = Department.objects.filter(government_id=self.government_id).exclude(pk=self.pk)
            clash = taken.filter(Q(name__in=names) | Q(aliases__overlap=names)).first()
            if clash is not None:
                raise ValidationError({"aliases": ALIAS_TAKEN % {"department": clash.name}})


class TargetManager(models.Manager.from_queryset(TargetQuerySet)):
    def get_by_natural_key(self, report_code, code):
        return self.get(report__code=report_code, code=code)


class Target(models.Model):
    """目标: one measurable commitment of the report, with its lead unit and verbatim source clause."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="targets", verbose_name=_("报告"))
    code = models.CharField(_("编号"), max_length=20)
    section = models.ForeignKey(Section, models.PROTECT, related_name="targets", verbose_name=_("章节"))
    name = models.CharField(_("名称"), max_length=200)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    direction = models.CharField(_("方向"), max_length=16, choices=Direction.choices)
    measure = models.CharField(_("计量方式"), max_length=12, choices=Measure.choices, default=Measure.CUMULATIVE)
    target_value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    target_value_max = models.DecimalField(_("目标上限"), max_digits=20, decimal_places=4, null=True, blank=True)
    growth_rate_target = models.DecimalField(_("目标增速(%)"), max_digits=8, decimal_places=2, null=True, blank=True)
    growth_basis = models.CharField(
        _("增速口径"), max_length=16, choices=GrowthBasis.choices, default=GrowthBasis.YEAR_ON_YEAR
    )
    derivation = models.CharField(
        _("取值方式"),
        max_length=24,
        choices=Derivation.choices,
        default=Derivation.REPORTED,
        blank=True,
        help_text=_("由系统计算的目标不接受填报。"),
    )
    baseline_value = models.DecimalField(_("基数"), max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_source = models.CharField(_("基数来源"), max_length=300, blank=True)
    period_start = models.DateField(_("起始日期"))
    deadline = models.DateField(_("完成期限"))
    lead_department = models.ForeignKey(
        Department, models.PROTECT, related_name="led_targets", verbose_name=_("牵头单位")
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="supported_targets", verbose_name=_("配合单位")
    )
    source_text = models.TextField(_("报告原文"))
    order = models.PositiveIntegerField(_("顺序"), default=0)
    # A target an update import left out, kept because progress was reported on it: in the history,
    # no longer on the report's pages, closed to reporting.
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True, editable=False)
    # Set by an approved extension request (supervision.ExtensionRequest, 延期/调整); the original
    # deadline and target value stay as the report wrote them, and with_progress judges against these.
    adjusted_deadline = models.DateField(_("调整后完成期限"), null=True, blank=True, editable=False)
    adjusted_target_value = models.DecimalField(
        _("调整后目标值"), max_digits=20, decimal_places=4, null=True, blank=True, editable=False
    )
    # Who changed the goal outside the extension flow, which day and why (an admin's 调整, see
    # targets.adjustments): the adjusted values above hold the new goal, the report's stay.
    adjustment_reason = models.TextField(_("调整理由"), max_length=500, blank=True, editable=False)
    adjusted_on = models.DateField(_("调整日期"), null=True, blank=True, editable=False)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("调整人"),
    )
    # The latest counted entries, kept in the same transaction as every write so that reading
    # "where does it stand today" never scans the history (see services.refresh_latest).
    latest_entry = models.ForeignKey(
        "ProgressEntry",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("最新填报(含待审核)"),
    )
    latest_approved_entry = models.ForeignKey(
        "ProgressEntry",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("最新审核通过填报"),
    )

    objects = TargetManager()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["report", "order", "code"]
        # 我的目标 sorts only by what these (and the unique report + code) can order: a page of a
        # report's targets is read from the index, not sorted from all of them.
        indexes = [
            models.Index(fields=["report", "order", "code"], name="target_report_order"),
            models.Index(fields=["report", "name"], name="target_report_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "code"],
                name="target_code_unique_in_report",
                violation_error_message=_("同一报告中目标编号不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("period_start")),
                name="target_period_ordered",
                violation_error_message=_("完成期限不能早于起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(direction=Direction.QUALITATIVE)
                | Q(target_value__isnull=False)
                | Q(growth_rate_target__isnull=False),
                name="target_quantified_unless_qualitative",
                violation_error_message=_("定量目标必须有目标值或目标增速。"),
            ),
            models.CheckConstraint(
                condition=Q(target_value_max__isnull=True) | Q(target_value_max__gte=models.F("target_value")),
                name="target_range_ordered",
                violation_error_message=_("目标上限不能小于目标值。"),
            ),
            models.CheckConstraint(
                condition=Q(adjusted_deadline__isnull=True) | Q(adjusted_deadline__gte=models.F("period_start")),
                name="target_adjusted_deadline_ordered",
                violation_error_message=_("调整后完成期限不能早于起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(adjusted_target_value__isnull=True) | Q(target_value__isnull=False),
                name="target_adjusted_value_has_original",
                violation_error_message=_("只有设定了目标值的目标才能调整目标值。"),
            ),
            models.CheckConstraint(
                condition=Q(adjusted_on__isnull=True, adjustment_reason="")
                | (Q(adjusted_on__isnull=False) & ~Q(adjustment_reason="")),
                name="target_adjustment_has_reason",
                violation_error_message=_("调整须记录调整理由和调整日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (*self.report.natural_key(), self.code)

    natural_key.dependencies = ["targets.report", "targets.section", "targets.department"]

    @property
    def is_qualitative(self) -> bool:
        return self.direction == Direction.QUALITATIVE

    @property
    def is_ceiling(self) -> bool:
        return Direction(self.direction).is_ceiling

    @property
    def allows_negative(self) -> bool:
        """Ceiling targets are rates (unemployment, natural population growth) that may fall below zero."""
        return self.is_ceiling

    @property
    def effective_deadline(self):
        """The deadline progress is judged against: the approved extension's, else the report's."""
        return self.adjusted_deadline or self.deadline

    @property
    def effective_target_value(self):
        return self.target_value if self.adjusted_target_value is None else self.adjusted_target_value

    @property
    def is_adjusted(self) -> bool:
        return self.adjusted_deadline is not None or self.adjusted_target_value is not None


class Checkpoint(models.Model):
    """节点: a planned cumulative value by a date; a target with checkpoints is expected to follow them
    instead of the straight line from its start to its deadline."""

    target = models.ForeignKey(Target, models.CASCADE, related_name="checkpoints", verbose_name=_("目标"))
    due_on = models.DateField(_("节点日期"))
    planned_value = models.DecimalField(_("计划累计值"), max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("进度节点")
        verbose_name_plural = _("进度节点")
        ordering = ["target", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "due_on"],
                name="checkpoint_date_unique_per_target",
                violation_error_message=_("同一目标的节点日期不能重复。"),
            ),
        ]

    def __str__(self):
        return f"{self.target.code} {self.due_on}: {units.format_number(self.planned_value)}"


def evidence_path(entry, filename):
    return f"evidence/{entry.target.report.code}/{entry.target.code}/{filename}"


class ProgressEntry(models.Model):
    """进度填报: where a target stood on a date, as a department reported it. Append-only: a correction
    is a new entry that supersedes the previous one and gives its reason."""

    # No index of its own: the indexes below lead with the target (a second, single-column one drew
    # the planner away from them for the reads by date).
    target = models.ForeignKey(Target, models.CASCADE, related_name="entries", verbose_name=_("目标"), db_index=False)
    reported_on = models.DateField(_("填报日期"))
    value = models.DecimalField(_("累计完成值"), max_digits=20, decimal_places=4, null=True, blank=True)
    growth_rate = models.DecimalField(_("增速(%)"), max_digits=8, decimal_places=2, null=True, blank=True)
    stage = models.CharField(_("推进阶段"), max_length=12, choices=Stage.choices, blank=True)
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True, max_length=300)
    correction_reason = models.TextField(_("更正原因"), blank=True, max_length=1000)
    # A value over 10× the target or the previous value, kept because the reporter confirmed it;
    # the review queue flags it.
    unusual_confirmed = models.BooleanField(_("已确认异常值"), default=False)
    supersedes = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="superseded_by", verbose_name=_("更正的填报")
    )
    review_status = models.CharField(
        _("审核状态"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="progress_entries", verbose_name=_("填报人")
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    # The review (审核) of a submitted entry: who approved or returned it, when, and why.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_entries",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("进度填报")
        verbose_name_plural = _("进度填报")
        ordering = ["target", "-reported_on", "-id"]
        indexes = [
            # A target's entries by date, with what the first report of a period needs to be found
            # without reading the rows (supervision.cycles: submitted when, sent back or not).
            models.Index(
                "target",
                models.F("reported_on").desc(),
                models.F("id").desc(),
                include=["created_at", "review_status"],
                name="entry_latest_per_target",
            ),
            # The few entries sent back by review, found without reading a target's whole history
            # (a reporter's 我的目标 lists them on every view).
            models.Index(fields=["target"], condition=Q(review_status="returned"), name="entry_returned_per_target"),
            # The latest approved entry (the official figures' pointer), found without reading through
            # the entries awaiting review above it: refreshing it after each entry recorded read
            # back through all of a target's pending entries.
            models.Index(
                "target",
                models.F("reported_on").desc(),
                models.F("id").desc(),
                condition=Q(review_status="approved"),
                name="entry_latest_approved",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(stage="") | Q(growth_rate__isnull=False),
                name="entry_reports_something",
                violation_error_message=_("请填写完成值、增速或推进阶段。"),
            ),
            models.CheckConstraint(
                condition=~Q(review_status=ReviewStatus.SUBMITTED)
                | Q(reviewed_at__isnull=True, reviewed_by__isnull=True),
                name="entry_pending_not_yet_reviewed",
                violation_error_message=_("待审核的填报不能有审核人或审核时间。"),
            ),
        ]

    def __str__(self):
        return f"{self.target.code} {self.reported_on}"

    def clean(self):
        if self.supersedes_id and self.supersedes.target_id != self.target_id:
            raise ValidationError({"supersedes": _("只能更正同一目标的填报。")})


class GlossaryTermManager(models.Manager):
    def get_by_natural_key(self, report_code, term):
        return self.get(report__code=report_code, term=term)


class GlossaryTerm(models.Model):
    """名词解释: a term the report explains at its end, with the definition verbatim."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="glossary", verbose_name=_("报告"))
    term = models.CharField(_("名词"), max_length=100)
    definition = models.TextField(_("解释"))
    order = models.PositiveIntegerField(_("顺序"), default=0)

    objects = GlossaryTermManager()

    class Meta:
        verbose_name = _("名词解释")
        verbose_name_plural = _("名词解释")
        ordering = ["report", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "term"],
                name="glossary_term_unique_in_report",
                violation_error_message=_("同一报告中名词不能重复。"),
            ),
        ]

    def __str__(self):
        return self.term

    def natural_key(self):
        return (*self.report.natural_key(), self.term)

    natural_key.dependencies = ["targets.report"]


class StaffProfile(models.Model):
    """填报员的单位: which department a user reports for (reporters belong to exactly one), and which
    governments a supervisor, official or admin oversees (none: every government)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_profile", verbose_name=_("用户")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("所属单位")
    )
    governments = models.ManyToManyField(
        Government,
        blank=True,
        related_name="overseers",
        verbose_name=_("督查范围"),
        help_text=_("督查、领导和管理员所看的人民政府；不选则为全部。填报员按所属单位的人民政府。"),
    )

    class Meta:
        verbose_name = _("人员单位")
        verbose_name_plural = _("人员单位")

    def __str__(self):
        return f"{self.user} · {self.department or '-'}"


class ReportingPeriodLock(models.Model):
    """填报期关闭: a reporting period of a report (a month by default) closed by 督查. While it is
    closed nobody adds an entry dated inside it; a supervisor reopens it with a recorded reason.
    Closing again after a reopening adds a new row, so every close and reopening stays on record,
    and the first close of a period is the deadline its reports are judged timely against.

    Closed and reopened by supervision (supervision.services), but kept here with the report's data:
    record_progress refuses an entry dated in a closed period within its one locked read of the
    target (services._READ_LOCKED), which joins this table."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="period_locks", verbose_name=_("报告"))
    period_start = models.DateField(_("期间起始"))
    period_end = models.DateField(_("期间截止"))
    closed_at = models.DateTimeField(_("关闭时间"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("关闭人"))
    reopened_at = models.DateTimeField(_("重新开放时间"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("重新开放人")
    )
    reopen_reason = models.TextField(_("重新开放原因"), blank=True, max_length=1000)
    # Reopened for one department only: the period stays closed to every other department's targets
    # until it is closed again (a new row), and opens to this one's.
    reopened_for = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("仅对该单位重新开放"),
    )

    class Meta:
        verbose_name = _("填报期关闭记录")
        verbose_name_plural = _("填报期关闭记录")
        ordering = ["report", "period_start", "closed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="period_lock_ordered",
                violation_error_message=_("期间截止不能早于期间起始。"),
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True, reopened_by__isnull=True, reopen_reason="")
                | (Q(reopened_at__isnull=False, reopened_by__isnull=False) & ~Q(reopen_reason="")),
                name="period_reopened_with_reason",
                violation_error_message=_("重新开放填报期须记录操作人和原因。"),
            ),
            models.CheckConstraint(
                condition=Q(reopened_for__isnull=True) | Q(reopened_at__isnull=False),
                name="period_reopened_for_when_reopened",
                violation_error_message=_("只有重新开放时才能指定单位。"),
            ),
            models.UniqueConstraint(
                fields=["report", "period_start"],
                condition=Q(reopened_at__isnull=True),
                name="period_closed_once_at_a_time",
                violation_error_message=_("该填报期已经关闭。"),
            ),
        ]

    def __str__(self):
        return f"{self.report.code} {self.period_start}–{self.period_end}"

    @property
    def is_closed(self) -> bool:
        return self.reopened_at is None


# The change history of these models is declared beside them (event tables, triggers).
from . import history  # noqa: E402, F401


class SearchSynonymManager(models.Manager):
    def get_by_natural_key(self, term, expands_to):
        return self.get(term=term, expands_to=expands_to)

    def search_words(self, query: str) -> list[str]:
        """`query`, then `query` with each short name in it written out ("GDP增速" → "地区生产总值增速"),
        longest short name first. One query; at most MAX_SEARCH_WORDS words."""
        if not query:
            return []
        rows = (
            self.alias(_at=StrIndex(Value(query.upper()), Upper("term")))
            .filter(_at__gt=0)
            .order_by(Length("term").desc(), "id")
            .values_list("term", "expands_to")
        )
        words = [query]
        for term, expands_to in rows:
            word = re.sub(re.escape(term), lambda _match, full=expands_to: full, query, flags=re.IGNORECASE)
            if word not in words:
                words.append(word)
        return words[: SearchSynonym.MAX_SEARCH_WORDS]


class SearchSynonym(models.Model):
    """搜索同义词: a short name people type (GDP, 固投, 社零) and the words a report writes for it
    (地区生产总值, 固定资产投资, 社会消费品零售总额). A search that contains the short name also looks
    for the full name; admins add and edit them."""

    MAX_SEARCH_WORDS = 8  # the query and its expansions: each word is one more condition per column

    term = models.CharField(_("简称"), max_length=30, help_text=_("用户输入的词，如 GDP、固投；不区分大小写。"))
    expands_to = models.CharField(_("全称"), max_length=50, help_text=_("报告中的写法，如 地区生产总值。"))

    objects = SearchSynonymManager()

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        ordering = ["term", "expands_to"]
        constraints = [
            models.UniqueConstraint(
                Upper("term"), "expands_to", name="search_synonym_unique", violation_error_message=SYNONYM_TAKEN
            ),
            models.CheckConstraint(condition=~Q(term="") & ~Q(expands_to=""), name="search_synonym_not_blank"),
            models.CheckConstraint(
                condition=~Q(expands_to__iexact=F("term")),
                name="search_synonym_differs_from_term",
                violation_error_message=SYNONYM_SAME_AS_TERM,
            ),
        ]

    def __str__(self):
        return f"{self.term} → {self.expands_to}"

    def natural_key(self):
        return (self.term, self.expands_to)
