"""The review queue in batches: tick entries, approve them all or return them all with one reason;
one that may not be decided refuses the whole batch, named; decreases and photos shown inline; the
buttons stay on a phone's screen (the batch bar is sticky and the table folds into blocks at 390 px)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from targets import errors, roles
from targets.choices import ReviewStatus
from targets.models import ProgressEntry

from . import builders

D = datetime.date


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: D(2026, 11, 27))


@pytest.fixture
def queue(report, dept_a, reporter_a):
    report.review_required = True
    report.save()
    targets = [builders.target(report, code=f"A{n}", lead=dept_a) for n in range(1, 4)]
    return [
        builders.entry(target, "2026-11-20", 5 + n, user=reporter_a, status=ReviewStatus.SUBMITTED)
        for n, target in enumerate(targets)
    ]


def batch(client, entries, decision, comment=""):
    return client.post(
        reverse("supervision:review-batch"),
        {"entries": [entry.pk for entry in entries], "decision": decision, "comment": comment},
        follow=True,
    )


def statuses():
    return list(ProgressEntry.objects.order_by("id").values_list("review_status", flat=True))


def test_a_supervisor_approves_the_ticked_entries_at_once(client, queue, supervisor):
    client.force_login(supervisor)
    response = batch(client, queue[:2], "approve")
    assert "已批量通过 2 条填报。" in response.content.decode()
    assert statuses() == [ReviewStatus.APPROVED, ReviewStatus.APPROVED, ReviewStatus.SUBMITTED]


def test_a_batch_return_gives_every_entry_the_one_reason(client, queue, supervisor):
    client.force_login(supervisor)
    assert str(errors.RETURN_NEEDS_COMMENT) in batch(client, queue, "return").content.decode()
    assert statuses() == [ReviewStatus.SUBMITTED] * 3
    batch(client, queue, "return", "请附佐证材料")
    assert list(ProgressEntry.objects.order_by().values_list("review_status", "review_comment").distinct()) == [
        (ReviewStatus.RETURNED, "请附佐证材料")
    ]


def test_nothing_ticked_is_refused_with_a_message(client, queue, supervisor):
    client.force_login(supervisor)
    assert str(errors.BATCH_NOTHING_CHOSEN) in batch(client, [], "approve").content.decode()
    assert statuses() == [ReviewStatus.SUBMITTED] * 3


def test_one_entry_that_may_not_be_decided_refuses_the_batch_and_is_named(client, queue, report, dept_a):
    other = builders.person("supervisor-2", roles.SUPERVISOR)
    own = builders.entry(queue[0].target, "2026-11-21", 9, user=other, status=ReviewStatus.SUBMITTED)
    client.force_login(other)
    page = batch(client, [queue[1], own], "approve").content.decode()
    assert str(errors.CANNOT_REVIEW_OWN_ENTRY) in page and "A1" in page
    assert statuses() == [ReviewStatus.SUBMITTED] * 4


def test_the_queue_flags_a_decrease_and_shows_a_photo_inline_and_the_batch_bar(
    client, report, dept_a, reporter_a, supervisor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report.review_required = True
    report.save()
    target = builders.target(report, code="A9", lead=dept_a)
    builders.entry(target, "2026-10-31", 8, user=reporter_a)
    lower = builders.entry(target, "2026-11-20", 6, user=reporter_a, status=ReviewStatus.SUBMITTED)
    photo = builders.entry(
        builders.target(report, code="A8", lead=dept_a), "2026-11-20", 3, user=reporter_a, status=ReviewStatus.SUBMITTED
    )
    photo.evidence = SimpleUploadedFile("site.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png")
    photo.save()
    client.force_login(supervisor)
    page = client.get(reverse("supervision:review-queue")).content.decode()
    assert "低于正式数据 8 座" in page
    assert f'<img src="{reverse("evidence", args=[photo.pk])}"' in page
    assert 'form="batch-review"' in page and f'value="{lower.pk}"' in page
    assert "批量通过所选" in page and "批量退回所选" in page


def test_a_higher_value_is_not_flagged(client, report, dept_a, reporter_a, supervisor):
    report.review_required = True
    report.save()
    target = builders.target(report, code="A9", lead=dept_a)
    builders.entry(target, "2026-10-31", 8, user=reporter_a)
    builders.entry(target, "2026-11-20", Decimal("8.5"), user=reporter_a, status=ReviewStatus.SUBMITTED)
    client.force_login(supervisor)
    assert "低于正式数据" not in client.get(reverse("supervision:review-queue")).content.decode()


def test_the_batch_bar_stays_on_a_phones_screen(settings):
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    assert ".batch-review { position: sticky; top: 0;" in css
    assert "@media (max-width: 720px) {\n  .review-queue, .review-queue tbody" in css


def test_batch_review_is_for_supervisors(client, queue, reporter_a, official):
    for user in (reporter_a, official):
        client.force_login(user)
        assert batch(client, queue, "approve").status_code == 403
    assert statuses() == [ReviewStatus.SUBMITTED] * 3
