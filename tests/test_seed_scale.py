"""seed_scale builds synthetic data fast and the same way twice, and never beside a real report."""

import io

import pytest
from django.core.management import CommandError, call_command

from targets.models import ProgressEntry, Report, Target

from . import builders


def seed(**options):
    call_command("seed_scale", stdout=io.StringIO(), **options)


@pytest.mark.django_db
def test_seed_scale_builds_the_requested_sizes_with_latest_pointers():
    seed(reports=2, targets_per_report=5, entries_per_target=7, seed=3)
    assert Report.objects.count() == 2
    assert Target.objects.count() == 10
    assert ProgressEntry.objects.count() == 70
    target = Target.objects.order_by("pk").first()
    latest = ProgressEntry.objects.filter(target=target).order_by("-reported_on", "-id").first()
    assert target.latest_entry_id == latest.pk == target.latest_approved_entry_id


@pytest.mark.django_db
def test_seed_scale_is_deterministic_for_a_seed():
    seed(reports=1, targets_per_report=4, entries_per_target=5, seed=9)
    first = list(ProgressEntry.objects.order_by("target__code", "reported_on", "id").values_list("value", flat=True))
    seed(reports=1, targets_per_report=4, entries_per_target=5, seed=9)  # replaces the same report
    again = list(ProgressEntry.objects.order_by("target__code", "reported_on", "id").values_list("value", flat=True))
    assert first == again and len(again) == 20


@pytest.mark.django_db
def test_seed_scale_refuses_a_database_with_a_real_report():
    builders.report(code="chengguan")
    with pytest.raises(CommandError):
        seed(reports=1, targets_per_report=1, entries_per_target=1)
    assert not Target.objects.exists()
