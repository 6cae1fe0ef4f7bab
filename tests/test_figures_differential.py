"""The database's computation (Target.objects.with_progress) against the reference model of
docs/figures.md (tests/reference.py), on generated targets of every kind, with entries (corrections,
pending and returned ones), extensions and checkpoints, on generated as-of dates."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import PracticalTask
from targets.choices import Derivation
from targets.models import Checkpoint, ProgressEntry, Target

from . import builders, reference

TODAY = datetime.date(2027, 3, 1)
START = datetime.date(2026, 1, 1)
FIGURES = (
    "latest_value",
    "latest_growth_rate",
    "latest_reported_on",
    "percent_complete",
    "completion_rate",
    "expected_percent",
    "growth_percent",
    "growth_expected_percent",
    "goal_reached",
    "gap",
    "growth_gap",
    "status",
)
# Every rule of docs/figures.md that decides a figure, as the reference names it.
RULES = {
    "进度 from 0",
    "进度 from the baseline",
    "序时: a straight line",
    "序时: a rate is never prorated",
    "序时: growth over the period compounds",
    "序时: a level on the compounding path",
    "序时: the calendar of the figure's year",
    "序时: between checkpoints",
    "yearly goal: an earlier year's figure does not count",
    "nothing counted",
    "a ceiling",
    "qualitative",
    "growth reached and settled",
    "growth reached before the final figure",
    "a level and a rate: the worse decides",
    "past the deadline",
    "rank done",
    "rank on_track",
    "rank lagging",
    "rank far_behind",
}
_codes = itertools.count(1)


def days(low, high):
    return st.integers(0, (high - low).days).map(lambda n: low + datetime.timedelta(days=n))


def amounts(low=0, high=1000):
    return st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def target_kinds(draw):
    direction = draw(st.sampled_from(["at_least", "at_least", "approximately", "at_most", "qualitative"]))
    measure = draw(st.sampled_from(["cumulative", "level", "annual"]))
    basis = draw(st.sampled_from(["year_on_year", "over_period"]))
    deadline = draw(
        st.sampled_from([datetime.date(2026, 6, 30), datetime.date(2026, 12, 31), datetime.date(2030, 12, 31)])
    )
    fields = {"direction": direction, "measure": measure, "growth_basis": basis, "deadline": deadline}
    if direction == "qualitative":
        return {**fields, "target_value": None, "growth_rate_target": None, "unit": ""}
    shape = draw(st.sampled_from(["level", "rate", "both"]))
    target_value = draw(amounts(1, 1000)) if shape != "rate" else None
    rate = draw(st.decimals(-20, 150, places=2)) if shape != "level" else None
    baseline = draw(st.none() | amounts(0, 900)) if target_value is not None else None
    if baseline is not None and direction != "at_most":
        baseline = min(baseline, target_value)
    fields.update(target_value=target_value, growth_rate_target=rate, baseline_value=baseline, unit="亿元")
    if target_value is not None and draw(st.booleans()):
        fields["adjusted_target_value"] = draw(amounts(1, 1000))
    if draw(st.booleans()):
        fields["adjusted_deadline"] = deadline + datetime.timedelta(days=draw(st.integers(1, 400)))
    return fields


@st.composite
def cases(draw):
    fields = draw(target_kinds())
    deadline = fields.get("adjusted_deadline") or fields["deadline"]
    last_day = min(deadline, TODAY)
    checkpoints = []
    if fields.get("target_value") is not None and draw(st.integers(0, 3)) == 0:
        dates = draw(st.lists(days(START, deadline), min_size=1, max_size=2, unique=True))
        checkpoints = [(day, draw(amounts(0, 1000))) for day in sorted(dates)]
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        entry = {
            "reported_on": draw(days(START, last_day)),
            "review_status": draw(st.sampled_from(["approved", "approved", "submitted", "returned"])),
        }
        if fields["direction"] == "qualitative":
            entry["stage"] = draw(st.sampled_from(["not_started", "in_progress", "completed"]))
        else:
            if fields["target_value"] is not None:
                entry["value"] = draw(amounts(0, 1500))
            if fields["growth_rate_target"] is not None and (fields["target_value"] is None or draw(st.booleans())):
                entry["growth_rate"] = draw(st.decimals(-30, 200, places=2))
        entries.append(entry)
    as_of = draw(st.one_of(st.just(TODAY), days(datetime.date(2025, 12, 1), datetime.date(2031, 3, 1))))
    return fields, checkpoints, entries, as_of, draw(st.booleans())


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def build(report, dept, user, fields, checkpoints, entries):
    target = builders.target(report, code=f"X{next(_codes):05d}", lead=dept, period_start=START, **fields)
    Checkpoint.objects.bulk_create(Checkpoint(target=target, due_on=d, planned_value=p) for d, p in checkpoints)
    previous = None
    for entry in entries:  # each one corrects the one before: a chain, as a reporter builds it
        reviewed = entry["review_status"] != "submitted"
        previous = ProgressEntry.objects.create(
            target=target, created_by=user, supersedes=previous, reviewed_by=user if reviewed else None,
            reviewed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if reviewed else None, **entry,
        )  # fmt: skip
    builders.refresh_latest(target_ids=[target.pk])
    return Target.objects.get(pk=target.pk)


def compare(target, as_of, include_pending):
    row = Target.objects.filter(pk=target.pk).with_progress(as_of=as_of, include_pending=include_pending).get()
    expected = reference.standing(
        target,
        list(target.entries.all()),
        list(target.checkpoints.all()),
        as_of=as_of,
        include_pending=include_pending,
    )
    got = {name: getattr(row, name) for name in FIGURES}
    want = {name: getattr(expected, "reached" if name == "goal_reached" else name) for name in FIGURES}
    assert got == want, (target.__dict__, as_of, include_pending)
    return expected.rules


@pytest.mark.django_db
def test_the_database_computes_every_figure_as_the_spec_says(frozen_today, report, dept_a, reporter_a):
    covered = set()

    @settings(
        max_examples=1000,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(cases())
    def check(case):
        fields, checkpoints, entries, as_of, include_pending = case
        with transaction.atomic():  # a savepoint: a failing example leaves the next ones a usable transaction
            target = build(report, dept_a, reporter_a, fields, checkpoints, entries)
            covered.update(compare(target, as_of, include_pending))
            covered.update(compare(target, TODAY, not include_pending))

    check()
    assert covered >= RULES, RULES - covered


@pytest.mark.django_db
def test_a_derived_target_counts_the_practical_tasks_done(frozen_today, report, dept_a, reporter_a):
    """为民兴办实事 (M10): the tasks each of whose targets reached its goal, never typed."""
    derived = builders.target(
        report, code="M10", lead=dept_a, unit="件", target_value=Decimal(4), derivation=Derivation.PRACTICAL_TASKS_DONE
    )

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.lists(cases(), min_size=0, max_size=3), min_size=1, max_size=4), days(START, TODAY))
    def check(tasks, as_of):
        with transaction.atomic():
            count_the_tasks(tasks, as_of)

    def count_the_tasks(tasks, as_of):
        PracticalTask.objects.filter(report=report).delete()
        standings = []
        for no, metrics in enumerate(tasks, start=1):
            task = PracticalTask.objects.create(report=report, no=no, title=f"实事{no}")
            standings.append([])
            for fields, checkpoints, entries, _, _ in metrics:
                target = build(report, dept_a, reporter_a, fields, checkpoints, entries)
                task.targets.add(target)
                standings[-1].append(reference.standing(target, list(target.entries.all()), [], as_of=as_of))
        row = Target.objects.filter(pk=derived.pk).with_progress(as_of=as_of).get()
        assert row.latest_value == reference.tasks_done(standings)
        assert row.latest_reported_on == as_of

    check()
