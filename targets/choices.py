"""The report's vocabularies. A status carries its label and colour here, once, so a badge on
the page, a fill in Excel and a word in JSON come from the same definition."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    """Where a report is in its year: loaded and checked (草稿), open to reporting (执行中), or closed
    with its year-end figures confirmed as the final account (收官). Changed only on purpose."""

    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("执行中")
    CLOSED = "closed", _("收官")


class Kind(models.TextChoices):
    MAIN_INDICATOR = "main_indicator", _("主要预期目标")
    FIVE_YEAR_GOAL = "five_year_goal", _("五年目标")
    ANNUAL_TASK = "annual_task", _("年度工作任务")
    PRACTICAL_TASK_METRIC = "practical_task_metric", _("实事指标")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("不低于")
    AT_MOST = "at_most", _("不高于")
    APPROXIMATELY = "approximately", _("左右")
    QUALITATIVE = "qualitative", _("定性")

    @property
    def is_ceiling(self) -> bool:
        """A limit not to exceed (控制在…以内, 不高于): judged 达标 or 超标 against it (targets/figures.sql),
        never as a share of the way to it, and often a rate that may fall below zero. Code outside the
        figures reads this (Target.is_ceiling), never the value."""
        return self is Direction.AT_MOST


class Measure(models.TextChoices):
    CUMULATIVE = "cumulative", _("累计值")
    LEVEL = "level", _("水平值")
    # 每年…: a goal for each year of a multi-year period (每年拆迁100万平方米). The value reported is
    # the year's own total; it is judged against the year's calendar and starts again each January.
    ANNUAL = "annual", _("每年值")


class GrowthBasis(models.TextChoices):
    """What a target's growth rate is measured against."""

    # 增长15%: the year-to-date figure against the same months of the year before. Never prorated.
    YEAR_ON_YEAR = "year_on_year", _("同比增长")
    # 翻一番 (100%) by the plan's last year: growth since the year before the period began, expected
    # to compound, (1 + G)^(elapsed share) − 1.
    OVER_PERIOD = "over_period", _("期间累计增长")


class Derivation(models.TextChoices):
    """Where a target's value comes from when nobody types it."""

    REPORTED = "", _("填报")
    # 为民兴办20件实事: the number of the report's practical tasks that are done.
    PRACTICAL_TASKS_DONE = "practical_tasks_done", _("已完成的为民实事件数")


class Stage(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    COMPLETED = "completed", _("已完成")


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")
    # An entry awaiting review that its reporter corrected: settled, never counted, when the review
    # of the latest entry of its correction chain decides the chain.
    SUPERSEDED = "superseded", _("已被更正")


class EntryKind(models.TextChoices):
    """What an entry is, read from its data: a figure of its own, a correction of an entry still
    standing (with its reason), or a resubmission of one that review returned."""

    FIRST = "first", _("首次填报")
    CORRECTION = "correction", _("更正")
    RESUBMISSION = "resubmission", _("退回后重新提交")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class Status(models.TextChoices):
    DONE = "done", _("已完成")
    ON_TRACK = "on_track", _("正常推进")
    LAGGING = "lagging", _("进度滞后")
    FAR_BEHIND = "far_behind", _("严重滞后")
    OVERDUE = "overdue", _("逾期未完成")
    NO_DATA = "no_data", _("未填报")
    MET = "met", _("达标")
    BREACHED = "breached", _("超标")
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self]

    @property
    def is_behind(self) -> bool:
        return self in BEHIND_STATUSES


# Background colours with at least 4.5:1 contrast against white text.
STATUS_COLOURS = {
    Status.DONE: "#1e6b3a",
    Status.ON_TRACK: "#2a6f97",
    Status.LAGGING: "#8a5a00",
    Status.FAR_BEHIND: "#b3261e",
    Status.OVERDUE: "#6e1a12",
    Status.NO_DATA: "#5f6368",
    Status.MET: "#1e6b3a",
    Status.BREACHED: "#b3261e",
    Status.NOT_STARTED: "#5f6368",
    Status.IN_PROGRESS: "#2a6f97",
}
# The status groups, defined here once for the dashboard, the ranking and the 督查通报.
# Behind where it should be, worst first (the order the laggards are listed in).
BEHIND_ORDER = (Status.OVERDUE, Status.FAR_BEHIND, Status.BREACHED, Status.LAGGING)
BEHIND_STATUSES = frozenset(BEHIND_ORDER)
# Where a target is where it should be (the 考核 ranking's on-track share counts these).
ON_TRACK_STATUSES = frozenset({Status.DONE, Status.MET, Status.ON_TRACK, Status.IN_PROGRESS})
# Its goal reached: done, or a ceiling kept.
ACHIEVED_STATUSES = frozenset({Status.DONE, Status.MET})
