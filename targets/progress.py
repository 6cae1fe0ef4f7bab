"""The one computation of where a target stands: latest value, % complete, expected % (序时进度),
gap and status, as of any date. Every page, table, export and API reads it through
`Target.objects.with_progress(as_of=...)`; nothing recomputes it in Python.

The rules are SQL functions in targets/figures.sql (docs/figures.md says what they compute). This
module joins each target to the rows they read — the counted entry and the checkpoints either side
of the figure's day — and calls one function per figure with those rows: the statement names each
rule once, whatever the number of figures that depend on it."""

import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Case, F, FilteredRelation, Func, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from .choices import ReviewStatus

FIGURES_SQL = Path(__file__).resolve().parent / "figures.sql"

# Values nobody types (Target.derivation): each a SQL function of (report id, as_of, include_pending)
# registered at start-up by the app that owns what it counts (projects: the practical tasks done, for
# 为民兴办20件实事). After every migrate they become the body of reportgov_derived_value.
DERIVED_VALUES: dict[str, str] = {}


def derived_value_function() -> str:
    """reportgov_derived_value, dispatching on Target.derivation to the registered functions."""
    branches = " ".join(
        f"WHEN '{name}' THEN {function}(report, as_of, include_pending)" for name, function in DERIVED_VALUES.items()
    )
    body = f"CASE derivation {branches} END::numeric" if branches else "NULL::numeric"
    return (
        "CREATE OR REPLACE FUNCTION reportgov_derived_value(derivation text, report bigint, as_of date, "
        f"include_pending boolean) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT {body} $$"
    )


class Row(Func):
    """The whole row of a table in the query (a composite value), written as its alias: `Row("pk")`
    is the target's own row, `Row("_counted__pk")` the row the _counted relation joins."""

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return column.rsplit(".", 1)[0], params


class Figure(Func):
    """A figure of docs/figures.md: reportgov_<name>(…) of targets/figures.sql."""

    def __init__(self, name, *expressions, output_field):
        super().__init__(*expressions, function=f"reportgov_{name}", output_field=output_field)


class TargetQuerySet(models.QuerySet):
    def with_progress(
        self, as_of: datetime.date | None = None, include_pending: bool = False, figures=None, reading: str = ""
    ):
        """Annotate each target with its standing on `as_of` (default: today), by docs/figures.md.

        Counted entries are the approved ones, or also those awaiting review when
        `include_pending`; returned and superseded entries never count. Annotations: latest_value,
        latest_growth_rate, latest_stage, latest_reported_on, percent_complete (进度),
        completion_rate (完成率), expected_percent (序时, at the figure's own date), growth_percent,
        growth_expected_percent, goal_reached, gap, growth_gap, status — or only the `figures` named
        (a reader that needs the status alone has PostgreSQL plan and compute the status alone).

        A `reading` name reads the same targets again in the same statement, on another day or
        counting otherwise: its annotations are `<reading>_<figure>` (the dashboard reads today's
        figures, the status at last month's end and the reports owed in one statement).
        """
        as_of = as_of or timezone.localdate()
        ProgressEntry = apps.get_model("targets", "ProgressEntry")
        Checkpoint = apps.get_model("targets", "Checkpoint")

        counted = [ReviewStatus.APPROVED, ReviewStatus.SUBMITTED] if include_pending else [ReviewStatus.APPROVED]
        pointer = "latest_entry" if include_pending else "latest_approved_entry"
        if as_of >= timezone.localdate():
            # Nothing is dated after the day it is recorded (validate_progress refuses it), so from
            # today on the kept pointer is the entry that counts: one primary-key join.
            counted_entry_id = F(f"{pointer}_id")
        else:
            # A replay of an earlier day: the pointer while it is not after as_of, else the history,
            # through the (target, reported_on, id) index.
            history = ProgressEntry.objects.filter(
                target=OuterRef("pk"), reported_on__lte=as_of, review_status__in=counted
            ).order_by("-reported_on", "-id")
            counted_entry_id = Case(
                When(**{f"{pointer}__isnull": True}, then=Value(None)),
                When(**{f"{pointer}__reported_on__lte": as_of}, then=F(f"{pointer}_id")),
                default=Subquery(history.values("pk")[:1]),
                output_field=models.BigIntegerField(),
            )
        day, pending = Value(as_of, output_field=models.DateField()), Value(include_pending)
        tolerance = Value(float(settings.REPORTGOV_TOLERANCE))
        decimal, percent = models.DecimalField(max_digits=24, decimal_places=4), models.FloatField()
        # Each figure's function and arguments (t: the target's row, e: the counted entry's, cb and ca: the
        # checkpoints either side of the figure's day). The rows are aliases, resolved once for every
        # figure that reads them, and joined only when a figure asked for reads them.
        alias = f"_{reading}" if reading else ""  # each reading's own joins
        t, e = F("_target_row"), F(f"{alias}_entry_row")  # the target's row is every reading's
        cb, ca = F(f"{alias}_before_row"), F(f"{alias}_after_row")
        every = {
            "latest_value": Figure("value", t, e, day, pending, output_field=decimal),
            "latest_growth_rate": F(f"{alias}_counted__growth_rate"),
            "latest_stage": F(f"{alias}_counted__stage"),
            "latest_reported_on": Figure("reported_on", t, e, day, output_field=models.DateField()),
            "percent_complete": Figure("percent_complete", t, e, day, pending, output_field=percent),
            "completion_rate": Figure("completion_rate", t, e, day, pending, output_field=percent),
            "expected_percent": Figure("expected_percent", t, e, cb, ca, day, pending, output_field=percent),
            "growth_percent": Figure("growth_percent", t, e, output_field=percent),
            "growth_expected_percent": Figure("growth_expected_percent", t, e, day, pending, output_field=percent),
            "goal_reached": Figure("goal_reached", t, e, day, pending, output_field=models.BooleanField()),
            "gap": Figure("gap", t, e, day, pending, output_field=decimal),
            "growth_gap": Figure("growth_gap", t, e, output_field=decimal),
            "status": Figure("status", t, e, cb, ca, day, pending, tolerance, output_field=models.CharField()),
        }
        chosen = every if figures is None else {name: every[name] for name in figures}
        if not chosen:
            return self
        qs = self.alias(
            **{
                f"{alias}_counted_entry_id": counted_entry_id,
                f"{alias}_counted": FilteredRelation(
                    "entries", condition=Q(entries__pk=F(f"{alias}_counted_entry_id"))
                ),
            }
        ).alias(**{"_target_row": Row("pk"), f"{alias}_entry_row": Row(f"{alias}_counted__pk")})
        if {"expected_percent", "status"} & chosen.keys():
            # The checkpoints on either side of the figure's day, joined once each (one per date).
            checkpoints = Checkpoint.objects.filter(target=OuterRef("pk")).values("due_on")
            judged_on, before, after = f"{alias}_judged_on", f"{alias}_checkpoint_before", f"{alias}_checkpoint_after"
            qs = (
                qs.alias(**{judged_on: Figure("judged_on", t, e, day, pending, output_field=models.DateField())})
                .alias(
                    **{
                        f"{before}_due": Subquery(
                            checkpoints.filter(due_on__lte=OuterRef(judged_on)).order_by("-due_on")[:1]
                        ),
                        f"{after}_due": Subquery(
                            checkpoints.filter(due_on__gt=OuterRef(judged_on)).order_by("due_on")[:1]
                        ),
                    }
                )
                .alias(
                    **{
                        before: FilteredRelation("checkpoints", condition=Q(checkpoints__due_on=F(f"{before}_due"))),
                        after: FilteredRelation("checkpoints", condition=Q(checkpoints__due_on=F(f"{after}_due"))),
                    }
                )
                .alias(**{f"{alias}_before_row": Row(f"{before}__pk"), f"{alias}_after_row": Row(f"{after}__pk")})
            )
        return qs.annotate(**{f"{reading}_{name}" if reading else name: figure for name, figure in chosen.items()})

    def for_report(self, report):
        return self.filter(report=report)
