"""The one computation (Target.objects.with_progress) on worked examples."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import models

from targets import selectors
from targets.choices import Direction, Measure, ReviewStatus, Stage, Status
from targets.models import Checkpoint, Target

from . import builders
from .builders import standing

D = datetime.date


@pytest.fixture
def user(reporter_a):
    return reporter_a


def test_count_target_on_track_against_the_calendar(target_a, user):
    builders.entry(target_a, "2026-06-30", 4, user=user)
    row = standing(target_a, as_of=D(2026, 7, 1))
    assert row.latest_value == Decimal("4")
    assert row.percent_complete == 40.0
    assert row.expected_percent == 49.6  # 181 of 365 days, on the figure's own date (30 June)
    assert row.gap == Decimal("6")
    assert row.status == Status.ON_TRACK


def test_a_figure_is_judged_against_the_calendar_of_the_day_it_describes(target_a, user):
    """A figure for 1–6月 is compared with 序时 on 30 June, however late it is read."""
    builders.entry(target_a, "2026-06-30", 4, user=user)
    row = standing(target_a, as_of=D(2026, 11, 27))
    assert (row.latest_reported_on, row.expected_percent, row.status) == (D(2026, 6, 30), 49.6, Status.ON_TRACK)
    builders.entry(target_a, "2026-11-20", 4, user=user)  # still 4 in November
    row = standing(target_a, as_of=D(2026, 11, 27))
    assert (row.expected_percent, row.status) == (88.8, Status.FAR_BEHIND)


def test_lagging_between_one_and_two_tolerances_behind(target_a, user):
    builders.entry(target_a, "2026-07-31", 4, user=user)
    row = standing(target_a, as_of=D(2026, 8, 31))  # expected 58.1 on 31 July: 18.1 points behind
    assert row.expected_percent == 58.1
    assert row.status == Status.LAGGING
    builders.entry(target_a, "2026-08-31", 4, user=user)  # expected 66.6: 26.6 points behind
    assert standing(target_a, as_of=D(2026, 8, 31)).status == Status.FAR_BEHIND


def test_level_target_measured_from_its_baseline(report, dept_a, user):
    forest = builders.target(
        report,
        lead=dept_a,
        name="林草覆盖率",
        unit="%",
        measure=Measure.LEVEL,
        target_value=Decimal("35"),
        baseline_value=Decimal("31.5"),
    )
    builders.entry(forest, "2026-06-30", "33.25", user=user)
    row = standing(forest, as_of=D(2026, 7, 1))
    assert row.percent_complete == 50.0
    assert row.gap == Decimal("1.75")
    assert row.status == Status.ON_TRACK


def test_a_yearly_goal_is_judged_on_this_years_figure_against_this_years_calendar(report, dept_a, user):
    """每年拆迁100万平方米 over five years: each year's total against each year's calendar."""
    demolition = builders.target(
        report,
        lead=dept_a,
        name="每年拆迁",
        unit="万平方米",
        kind="five_year_goal",
        measure=Measure.ANNUAL,
        target_value=Decimal("100"),
        deadline=D(2030, 12, 31),
    )
    builders.entry(demolition, "2026-06-30", 60, user=user)
    row = standing(demolition, as_of=D(2026, 7, 1))
    assert (row.percent_complete, row.expected_percent, row.gap) == (60.0, 49.6, Decimal("40"))
    assert row.status == Status.ON_TRACK  # on a five-year line 10% would be expected, not 49.6%
    builders.entry(demolition, "2026-12-31", 60, user=user)
    assert standing(demolition, as_of=D(2026, 12, 31)).status == Status.FAR_BEHIND  # the year ended at 60

    row = standing(demolition, as_of=D(2027, 2, 1))  # last year's 60 is not this year's
    assert (row.percent_complete, row.expected_percent, row.status) == (None, 8.8, Status.NO_DATA)
    builders.entry(demolition, "2027-01-31", 10, user=user)  # a new year starts again: no decrease
    row = standing(demolition, as_of=D(2027, 2, 1))
    assert (row.latest_value, row.percent_complete, row.status) == (Decimal("10"), 10.0, Status.ON_TRACK)


def test_unemployment_ceiling_is_met_or_breached(report, dept_a, user):
    unemployment = builders.target(
        report,
        lead=dept_a,
        name="城镇登记失业率",
        unit="%",
        direction=Direction.AT_MOST,
        measure=Measure.LEVEL,
        target_value=Decimal("3.5"),
    )
    builders.entry(unemployment, "2026-03-31", "3.2", user=user)
    row = standing(unemployment, as_of=D(2026, 4, 1))
    assert (row.status, row.gap, row.percent_complete, row.expected_percent) == (Status.MET, Decimal("0"), None, None)
    builders.entry(unemployment, "2026-06-30", "3.8", user=user)
    row = standing(unemployment, as_of=D(2026, 7, 1))
    assert (row.status, row.gap) == (Status.BREACHED, Decimal("0.3"))


def test_growth_rate_gap_in_percentage_points_beside_the_level(report, dept_a, user):
    gdp = builders.target(
        report,
        lead=dept_a,
        kind="main_indicator",
        name="地区生产总值",
        unit="亿元",
        target_value=Decimal("500"),
        growth_rate_target=Decimal("15"),
    )
    builders.entry(gdp, "2026-06-30", 260, user=user, growth_rate=Decimal("14"))
    row = standing(gdp, as_of=D(2026, 7, 1))
    assert row.percent_complete == 52.0
    assert row.latest_growth_rate == Decimal("14")
    assert row.growth_gap == Decimal("1")
    assert row.status == Status.ON_TRACK


def test_target_given_only_as_growth_rate_is_judged_on_the_rate(report, dept_a, user):
    revenue = builders.target(
        report, lead=dept_a, name="一般预算收入增速", unit="%", target_value=None, growth_rate_target=Decimal("17")
    )
    builders.entry(revenue, "2026-06-30", None, user=user, growth_rate=Decimal("16"))
    row = standing(revenue, as_of=D(2026, 7, 1))
    assert row.percent_complete == 94.1
    assert row.expected_percent == 100.0
    assert row.gap == Decimal("1")
    assert row.status == Status.ON_TRACK


def test_checkpoints_replace_the_straight_line(report, dept_a, user):
    housing = builders.target(report, lead=dept_a, name="保障性住房", unit="万平方米", target_value=Decimal("100"))
    Checkpoint.objects.create(target=housing, due_on=D(2026, 3, 31), planned_value=10)
    Checkpoint.objects.create(target=housing, due_on=D(2026, 6, 30), planned_value=60)
    assert standing(housing, as_of=D(2026, 5, 15)).expected_percent == 34.7  # 10 + 50 × 45/91
    assert standing(housing, as_of=D(2026, 6, 30)).expected_percent == 60.0
    # After the last checkpoint the plan runs straight on to the target at the deadline.
    assert standing(housing, as_of=D(2026, 12, 31)).expected_percent == 100.0
    # Before the first, from the baseline (0) on the day before the start.
    assert standing(housing, as_of=D(2026, 2, 14)).expected_percent == 5.0


def test_over_achievement_shows_above_100_and_no_gap(target_a, user):
    builders.entry(target_a, "2026-05-31", 12, user=user)
    row = standing(target_a, as_of=D(2026, 6, 1))
    assert (row.percent_complete, row.gap, row.status) == (120.0, Decimal("0"), Status.DONE)


def test_a_correction_supersedes_the_previous_value(target_a, user):
    first = builders.entry(target_a, "2026-06-30", 6, user=user)
    builders.entry(target_a, "2026-06-30", 5, user=user, correction_reason="重复统计", supersedes=first)
    row = standing(target_a, as_of=D(2026, 7, 1))
    assert row.latest_value == Decimal("5")


def test_as_of_replays_only_entries_reported_by_then(target_a, user):
    builders.entry(target_a, "2026-03-31", 3, user=user)
    builders.entry(target_a, "2026-06-30", 6, user=user)
    assert standing(target_a, as_of=D(2026, 3, 30)).status == Status.NO_DATA
    assert standing(target_a, as_of=D(2026, 3, 31)).latest_value == Decimal("3")
    assert standing(target_a, as_of=D(2026, 6, 29)).latest_value == Decimal("3")
    assert standing(target_a, as_of=D(2026, 6, 29)).latest_reported_on == D(2026, 3, 31)
    assert standing(target_a, as_of=D(2026, 6, 30)).latest_value == Decimal("6")


def test_same_day_entries_resolve_to_the_last_recorded(target_a, user):
    builders.entry(target_a, "2026-06-30", 6, user=user)
    builders.entry(target_a, "2026-06-30", 7, user=user)
    assert standing(target_a, as_of=D(2026, 6, 30)).latest_value == Decimal("7")
    assert standing(target_a, as_of=D(2026, 8, 1)).latest_value == Decimal("7")


def test_deadline_passed_without_reaching_is_overdue(target_a, user):
    builders.entry(target_a, "2026-12-01", 9, user=user)
    assert standing(target_a, as_of=D(2027, 1, 5)).status == Status.OVERDUE


def test_nothing_reported_after_the_deadline_is_overdue(target_a):
    assert standing(target_a, as_of=D(2026, 11, 1)).status == Status.NO_DATA
    assert standing(target_a, as_of=D(2027, 1, 1)).status == Status.OVERDUE


def test_approximately_counts_within_five_percent(report, dept_a, user):
    demolition = builders.target(
        report, lead=dept_a, name="拆迁", unit="万平方米", direction=Direction.APPROXIMATELY, target_value=100
    )
    builders.entry(demolition, "2026-10-31", 96, user=user)
    assert standing(demolition, as_of=D(2026, 11, 1)).status == Status.DONE
    builders.entry(demolition, "2026-11-30", 94, user=user, correction_reason="核减")
    assert standing(demolition, as_of=D(2026, 12, 1)).status == Status.ON_TRACK


def test_qualitative_target_shows_its_stage(report, dept_a, user):
    saving = builders.target(
        report, lead=dept_a, name="节能减排", unit="", direction=Direction.QUALITATIVE, target_value=None
    )
    assert standing(saving, as_of=D(2026, 5, 1)).status == Status.NO_DATA
    builders.entry(saving, "2026-05-31", None, user=user, stage=Stage.IN_PROGRESS)
    assert standing(saving, as_of=D(2026, 6, 1)).status == Status.IN_PROGRESS
    assert standing(saving, as_of=D(2027, 1, 2)).status == Status.OVERDUE
    builders.entry(saving, "2026-12-20", None, user=user, stage=Stage.COMPLETED)
    row = standing(saving, as_of=D(2027, 1, 2))
    assert (row.status, row.percent_complete) == (Status.DONE, 100.0)


def test_official_figures_count_only_approved_entries(target_a, user):
    builders.entry(target_a, "2026-03-31", 3, user=user)
    builders.entry(target_a, "2026-06-30", 6, user=user, status=ReviewStatus.SUBMITTED)
    builders.entry(target_a, "2026-07-31", 9, user=user, status=ReviewStatus.RETURNED)
    assert standing(target_a, as_of=D(2026, 8, 1)).latest_value == Decimal("3")
    assert standing(target_a, as_of=D(2026, 8, 1), include_pending=True).latest_value == Decimal("6")
    # Replaying a past day takes the same rule through the history.
    assert standing(target_a, as_of=D(2026, 7, 1), include_pending=True).latest_value == Decimal("6")


def test_tolerance_is_a_setting(target_a, user, settings):
    builders.entry(target_a, "2026-06-30", 4, user=user)
    settings.REPORTGOV_TOLERANCE = 5
    assert standing(target_a, as_of=D(2026, 7, 1)).status == Status.LAGGING


FIGURES = ("code", "latest_value", "percent_complete", "expected_percent", "gap", "status")


def test_a_later_slice_has_the_same_rows_and_figures_as_the_whole(report, dept_a, user):
    for n in range(12):
        target = builders.target(report, code=f"S{n:02d}", lead=dept_a, target_value=Decimal(12))
        if n % 4:
            builders.entry(target, datetime.date(2026, 6, 30), n, user=user)
    ledger = Target.objects.with_progress(as_of=datetime.date(2026, 7, 1)).filter(report=report)
    for order in (["-code"], ["name", "-code"]):
        ordered = ledger.order_by(*order)
        whole = [tuple(getattr(t, name) for name in FIGURES) for t in ordered]
        assert len({row[-1] for row in whole}) >= 3  # the figures differ from row to row
        for start, stop in ((5, 10), (10, 15), (11, 12)):
            page = selectors.ledger_page(ordered, start, stop)
            assert [tuple(getattr(t, name) for name in FIGURES) for t in page] == whole[start:stop]
        # A filter on a figure holds in the slice as in the whole.
        behind = ordered.filter(status=Status.FAR_BEHIND)
        assert [t.code for t in selectors.ledger_page(behind, 1, 4)] == [t.code for t in behind][1:4]


def test_a_later_slice_computes_the_figures_for_its_own_rows_only(report, dept_a):
    """The rows an OFFSET skips are chosen in a subquery that selects no figure: the outer query
    computes the figures and has no OFFSET of its own."""
    sql = str(
        selectors.ledger_page(Target.objects.with_progress().filter(report=report).order_by("code"), 25, 50).query
    )
    inner = re.search(r'"id" IN \((SELECT .*? LIMIT 25 OFFSET 25)\)', sql)
    assert inner is not None
    assert "reportgov_status(" not in inner.group(1) and "reportgov_status(" in sql
    assert sql.count("LIMIT 25 OFFSET 25") == 1


def test_a_grouped_slice_of_targets_is_the_group_asked_for(report, dept_a):
    """Slicing a queryset of targets is Django's own: a grouped count's second group is the second."""
    for kind, n in (("annual_task", 3), ("five_year_goal", 2), ("main_indicator", 1)):
        for _ in range(n):
            builders.target(report, lead=dept_a, kind=kind)
    groups = Target.objects.values("kind").annotate(n=models.Count("id")).order_by("kind")
    assert list(groups[1:2]) == [{"kind": "five_year_goal", "n": 2}]


def test_the_ledger_filtered_on_a_figure_works_as_a_subquery(report, dept_a, user):
    """A figure keeps the SQL it was compiled to (compiling the computation again for every page
    cost more than running it). Inside another query its tables have other aliases: it is compiled
    afresh there and reads its own rows."""
    for n in range(6):
        target = builders.target(report, code=f"Q{n}", lead=dept_a, target_value=Decimal(10))
        builders.entry(target, datetime.date(2026, 6, 30), 2 * n, user=user)
    ledger = Target.objects.with_progress(as_of=datetime.date(2026, 7, 1)).filter(report=report)
    far_behind = {t.code for t in ledger if t.status == Status.FAR_BEHIND}
    assert far_behind and len(far_behind) < 6
    inner = ledger.filter(status=Status.FAR_BEHIND).values("pk")
    assert set(Target.objects.filter(pk__in=inner).values_list("code", flat=True)) == far_behind
    assert {t.code for t in ledger.exclude(pk__in=inner) if t.status == Status.FAR_BEHIND} == set()


FIGURES = (
    "latest_value", "latest_growth_rate", "latest_stage", "latest_reported_on", "percent_complete", "completion_rate",
    "expected_percent", "growth_percent", "growth_expected_percent", "goal_reached", "gap", "growth_gap", "status",
)  # fmt: skip


def test_a_second_reading_in_the_same_statement_is_the_reading_on_its_own(report, dept_a, user):
    """with_progress(reading=…): the same targets read again on another day, counting entries awaiting
    review, beside the first reading: each figure as with_progress on that day alone gives it."""
    target = builders.target(report, code="A1", lead=dept_a)
    builders.entry(target, "2026-06-30", 4, user=user)
    builders.entry(target, "2026-09-30", 6, user=user, status=ReviewStatus.SUBMITTED)
    Checkpoint.objects.create(target=target, due_on=D(2026, 8, 31), planned_value=8)
    quiet = builders.target(report, code="A2", lead=dept_a)
    builders.entry(quiet, "2026-10-31", 9, user=user)
    first, second = D(2026, 11, 27), D(2026, 9, 30)
    both = Target.objects.filter(report=report).with_progress(as_of=first)
    both = both.with_progress(as_of=second, include_pending=True, reading="other").order_by("code")
    alone = Target.objects.filter(report=report).order_by("code")
    for row, today, then in zip(
        both, alone.with_progress(as_of=first), alone.with_progress(as_of=second, include_pending=True), strict=True
    ):
        assert [getattr(row, name) for name in FIGURES] == [getattr(today, name) for name in FIGURES]
        assert [getattr(row, f"other_{name}") for name in FIGURES] == [getattr(then, name) for name in FIGURES]
    # the readings differ where they should: A1's pending 6 counts only in the second
    a1 = both[0]
    assert (a1.latest_value, a1.other_latest_value) == (Decimal("4"), Decimal("6"))
