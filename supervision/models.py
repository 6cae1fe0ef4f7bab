"""What the 督查室 keeps of its own: the reminders (催办) sent, one row per recipient per day. The
review, period locks and extensions belong to the report's data and live in `targets`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    DEPARTMENT = "department", _("单位催办")
    SUMMARY = "summary", _("督查汇总")


class ReminderLog(models.Model):
    """催办记录: one reminder e-mailed to one person on one day (a department's targets to its
    reporters, or the day's summary to a supervisor). The unique day keeps send_reminders from
    mailing anybody twice the same day, however often cron runs it."""

    sent_on = models.DateField(_("催办日期"))
    kind = models.CharField(_("类别"), max_length=12, choices=ReminderKind.choices)
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
                fields=["sent_on", "kind", "recipient"],
                name="reminder_once_a_day",
                violation_error_message=_("今天已向该收件人发送过催办。"),
            ),
        ]

    def __str__(self):
        return f"{self.sent_on} {self.get_kind_display()} → {self.email}"
