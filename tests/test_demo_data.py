"""The demo data (`manage.py load_demo`, run by `make run`) is plausible for every kind of target on
the day it is loaded: a five-year goal in its first year shows first-year figures, growth rates are
realistic, ceilings sit near their limit, levels between their baseline and their goal, counts are
whole, and a derived target (M10) has no typed figure at all."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from targets import units
from targets.choices import Derivation, Direction, GrowthBasis, Kind, Measure
from targets.models import ProgressEntry, Target

DEMO_DAYS = (datetime.date(2026, 12, 1), datetime.date(2026, 4, 15))


@pytest.fixture(params=DEMO_DAYS, ids=lambda day: day.isoformat())
def demo(request, db, settings, monkeypatch):
    """The report and its demo progress as `make run` loads them on the given day."""
    day = request.param
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)
    settings.DEBUG = True
    call_command("load_report", year=2026, stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    targets = {target.code: target for target in Target.objects.with_progress(as_of=day)}
    return day, targets


def reported(targets, **where):
    """The targets with a counted figure that match `where` (attribute: value or predicate)."""
    return [
        target
        for target in targets.values()
        if target.latest_reported_on is not None
        and all(
            value(getattr(target, key)) if callable(value) else getattr(target, key) == value
            for key, value in where.items()
        )
    ]


def test_demo_reports_most_targets_and_never_a_derived_one(demo):
    _day, targets = demo
    assert len(reported(targets)) > len(targets) / 2
    derived = [target for target in targets.values() if target.derivation == Derivation.PRACTICAL_TASKS_DONE]
    assert [target.code for target in derived] == ["M10"]
    assert not ProgressEntry.objects.filter(target__in=derived).exists()


def test_demo_five_year_goals_show_first_year_figures(demo):
    _day, targets = demo
    five_year = reported(targets, kind=Kind.FIVE_YEAR_GOAL, is_qualitative=False)
    assert len(five_year) > 10
    for target in five_year:
        assert target.percent_complete is not None and 0 <= target.percent_complete <= 100, target.code


def test_demo_doubling_goals_follow_the_compounding_path(demo):
    _day, targets = demo
    doublings = reported(targets, growth_basis=GrowthBasis.OVER_PERIOD, target_value=None)
    assert {target.code for target in doublings} <= {"F02", "F03", "F04", "F05"} and doublings
    for target in doublings:
        # 翻一番 over five years, compounding, up to the day the figure describes.
        years = Decimal((target.latest_reported_on - target.period_start).days + 1) / Decimal("365.25")
        on_path = 100 * (2 ** (years / 5) - 1)
        assert on_path * Decimal("0.9") <= target.latest_growth_rate <= on_path * Decimal("1.1"), target.code
        assert target.latest_growth_rate < 20, target.code  # never 105 % in year one


def test_demo_growth_rates_year_on_year_are_realistic(demo):
    _day, targets = demo
    yearly = reported(targets, growth_basis=GrowthBasis.YEAR_ON_YEAR, growth_rate_target=lambda goal: goal is not None)
    assert len(yearly) >= 4
    for target in yearly:
        assert 8 <= target.latest_growth_rate <= 16, target.code


def test_demo_ceilings_sit_below_or_near_their_limit(demo):
    _day, targets = demo
    ceilings = reported(targets, direction=Direction.AT_MOST)
    assert ceilings
    for target in ceilings:
        assert target.target_value * Decimal("0.85") <= target.latest_value <= target.target_value * Decimal("1.05")


def test_demo_levels_lie_between_their_baseline_and_their_goal(demo):
    _day, targets = demo
    levels = reported(
        targets, measure=Measure.LEVEL, baseline_value=lambda value: value is not None, direction=Direction.AT_LEAST
    )
    assert len(levels) >= 5
    for target in levels:
        assert target.baseline_value <= target.latest_value <= target.target_value, target.code
        assert 0 <= target.percent_complete <= 100 and target.completion_rate <= 100, target.code


def test_demo_counts_are_whole_numbers_and_flows_never_pass_their_goal(demo):
    _day, targets = demo
    counts = reported(targets, unit=units.counts_whole_things, target_value=lambda value: value is not None)
    assert len(counts) > 20
    for target in counts:
        values = ProgressEntry.objects.filter(target=target).values_list("value", flat=True)
        assert all(value == value.to_integral_value() for value in values), target.code
    flows = reported(targets, measure=lambda measure: measure != Measure.LEVEL, direction=Direction.AT_LEAST)
    for target in flows:
        if target.target_value is not None:
            assert 0 <= target.latest_value <= target.target_value, target.code


def test_demo_yearly_goals_count_this_year_alone(demo):
    day, targets = demo
    yearly = reported(targets, measure=Measure.ANNUAL)
    assert yearly
    elapsed = ((day - datetime.date(day.year, 1, 1)).days + 1) / 365
    for target in yearly:
        assert target.latest_reported_on.year == day.year
        assert target.percent_complete <= 100 * elapsed * 1.2 + 1, target.code
