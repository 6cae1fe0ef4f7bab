"""What the 督查室 keeps of its own: the reporting cycles, the reminders (提醒/催办/督办) sent, one
row per recipient, step and day, the requests to reopen a period (补报) and to extend or adjust a
target (延期/调整). The review and the period locks belong to the report's data and live in `targets`
(record_progress reads the locks in its one locked read)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from targets.choices import ExtensionStatus


def decided_unless_pending(prefix):
    """A request (补报, 延期/调整) waits with nobody's decision on it, or is decided: by whom and when."""
    return models.CheckConstraint(
        condition=models.Q(status=ExtensionStatus.PENDING, decided_at__isnull=True, decided_by__isnull=True)
        | (~models.Q(status=ExtensionStatus.PENDING) & models.Q(decided_at__isnull=False, decided_by__isnull=False)),
        name=f"{prefix}_decided_unless_pending",
        violation_error_message=_("已审批的申请须记录审批人和审批时间。"),
    )


class EscalationStep(models.TextChoices):
    """督办的三步: 提醒 while a report is due, 催办 once its due day has passed, 督办 when it is
    long overdue. Each carries its colour here, once (蓝/黄/红 督办单)."""

    REMIND = "remind", _("提醒")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")

    @property
    def colour(self) -> str:
        return STEP_COLOURS[self][0]

    @property
    def colour_name(self) -> str:
        return str(STEP_COLOURS[self][1])


# Background colours with at least 4.5:1 contrast against the text the badge puts on them.
STEP_COLOURS = {
    EscalationStep.REMIND: ("#1f5fa8", _("蓝色提醒单")),
    EscalationStep.URGE: ("#8a6a00", _("黄色催办单")),
    EscalationStep.SUPERVISE: ("#b3261e", _("红色督办单")),
}


class ReminderKind(models.TextChoices):
    DEPARTMENT = "department", _("单位催办")
    SUMMARY = "summary", _("督查汇总")


class ReminderLog(models.Model):
    """催办记录: one reminder e-mailed to one person on one day (a department's targets at one step of
    escalation to its reporters, or the day's summary to a supervisor). The unique day and step keep
    send_reminders from mailing anybody the same step twice the same day, however often it runs."""

    sent_on = models.DateField(_("催办日期"))
    kind = models.CharField(_("类别"), max_length=12, choices=ReminderKind.choices)
    step = models.CharField(_("督办环节"), max_length=12, choices=EscalationStep.choices, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="reminders", verbose_name=_("收件人")
    )
    email = models.EmailField(_("邮箱"))
    department = models.ForeignKey(
        "targets.Department", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("责任单位")
    )
    subject = models.CharField(_("主题"), max_length=200)
    target_count = models.PositiveIntegerField(_("目标数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("催办记录")
        verbose_name_plural = _("催办记录")
        ordering = ["-sent_on", "kind", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["sent_on", "kind", "step", "recipient"],
                name="reminder_once_a_day_per_step",
                violation_error_message=_("今天已向该收件人发送过催办。"),
            ),
        ]

    def __str__(self):
        return f"{self.sent_on} {self.get_kind_display()} → {self.email}"


class Cycle(models.IntegerChoices):
    """How often a target is reported: each month, or each quarter (the statistics)."""

    MONTHLY = 1, _("月报")
    QUARTERLY = 3, _("季报")


# The day of the month after a period ends by which its report is due (5 = the 5th).
DEFAULT_DUE_DAY = 5


class ReportingCycle(models.Model):
    """填报周期: how often a report's targets are reported and the day of the following month a
    period's report is due. A row without a target is the report's own rule; a row with a target
    is that target's, where it differs. Without rows: monthly, due on the 5th, and quarterly for
    the 主要预期目标 (statistics published by quarter) — supervision.cycles reads it, once."""

    report = models.ForeignKey(
        "targets.Report", models.CASCADE, related_name="reporting_cycles", verbose_name=_("报告")
    )
    target = models.ForeignKey(
        "targets.Target",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="reporting_cycles",
        verbose_name=_("目标"),
        help_text=_("留空表示整份报告的填报周期。"),
    )
    months = models.PositiveSmallIntegerField(_("填报周期"), choices=Cycle.choices, default=Cycle.MONTHLY)
    due_day = models.PositiveSmallIntegerField(
        _("报送截止日"), default=DEFAULT_DUE_DAY, help_text=_("期间结束后次月的第几日前报送（1–28）。")
    )

    class Meta:
        verbose_name = _("填报周期")
        verbose_name_plural = _("填报周期")
        ordering = ["report", "target"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(target__isnull=True),
                name="cycle_one_per_report",
                violation_error_message=_("该报告已设置填报周期。"),
            ),
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(target__isnull=False),
                name="cycle_one_per_target",
                violation_error_message=_("该目标已设置填报周期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(due_day__gte=1, due_day__lte=28),
                name="cycle_due_day_in_month",
                violation_error_message=_("报送截止日须在 1 至 28 日之间。"),
            ),
        ]

    def __str__(self):
        return f"{self.target or self.report} · {self.get_months_display()} · {self.due_day}"


class ReopenRequest(models.Model):
    """补报申请: a department (or a supervisor on its behalf, or for every department) asks the 督查室
    to reopen a closed reporting period, with its reason. Another supervisor decides: nobody decides
    a request they made. Approval reopens the period for that department (or all) with the request's
    reason, and the request keeps the reopening it led to."""

    report = models.ForeignKey("targets.Report", models.CASCADE, related_name="+", verbose_name=_("报告"))
    period_start = models.DateField(_("期间起始"))
    period_end = models.DateField(_("期间截止"))
    department = models.ForeignKey(
        "targets.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请单位"),
        help_text=_("留空表示对全部单位重新开放。"),
    )
    reason = models.TextField(_("申请理由"), max_length=1000)
    status = models.CharField(
        _("审批状态"), max_length=12, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True, max_length=1000)
    lock = models.ForeignKey(
        "targets.ReportingPeriodLock",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("重新开放记录"),
    )

    class Meta:
        verbose_name = _("补报申请")
        verbose_name_plural = _("补报申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="reopen_request_gives_reason",
                violation_error_message=_("请填写申请理由。"),
            ),
            decided_unless_pending("reopen_request"),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="reopen_request_not_decided_by_requester",
                violation_error_message=_("不能审批自己提出的申请。"),
            ),
            models.UniqueConstraint(
                fields=["report", "period_start", "department"],
                condition=models.Q(status=ExtensionStatus.PENDING),
                nulls_distinct=False,
                name="reopen_request_one_pending",
                violation_error_message=_("该期间已有待审批的补报申请。"),
            ),
        ]

    def __str__(self):
        return f"{self.report.code} {self.period_start} {self.department or '-'} {self.get_status_display()}"


class ExtensionRequest(models.Model):
    """延期/调整申请: a department asks for a later deadline or a changed target value, with its
    reason; a supervisor or an admin approves or rejects it. Approval sets the target's adjusted
    values (the report's own stay beside them) and from then on status is judged against them."""

    target = models.ForeignKey(
        "targets.Target", models.CASCADE, related_name="extension_requests", verbose_name=_("目标")
    )
    requested_deadline = models.DateField(_("申请完成期限"), null=True, blank=True)
    requested_target_value = models.DecimalField(
        _("申请目标值"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    reason = models.TextField(_("申请理由"), max_length=2000)
    status = models.CharField(
        _("审批状态"), max_length=12, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="extension_requests", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("延期/调整申请")
        verbose_name_plural = _("延期/调整申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_deadline__isnull=False) | models.Q(requested_target_value__isnull=False),
                name="extension_asks_something",
                violation_error_message=_("请填写申请的完成期限或目标值。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="extension_gives_reason",
                violation_error_message=_("请填写申请理由。"),
            ),
            decided_unless_pending("extension"),
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(status=ExtensionStatus.PENDING),
                name="extension_one_pending_per_target",
                violation_error_message=_("该目标已有待审批的申请。"),
            ),
        ]

    def __str__(self):
        return f"{self.target.code} {self.get_status_display()}"


# The change history of these models is declared beside them (event tables, triggers).
from . import history  # noqa: E402, F401
