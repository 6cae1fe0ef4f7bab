"""Review (审核) of reported progress: the state machine submit → approve | return → resubmit, who may
take each step, what counts in the official figures and what only with pending entries, the review
queue page and the returned entries on 我的目标."""

import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from ledger import rows
from targets import errors, services
from targets.choices import ReviewStatus, Status
from targets.models import ProgressEntry, Report

from . import builders
from .builders import standing

TODAY = datetime.date(2026, 11, 27)
D = datetime.date


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def report(db):
    return builders.report(review_required=True)


def submit(user, target, on="2026-11-20", value=7, **fields):
    return services.record_progress(
        user=user, target=target, reported_on=D.fromisoformat(on), value=Decimal(value), **fields
    )


def queue_url(**params):
    url = reverse("supervision:review-queue")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def review_url(entry):
    return reverse("supervision:review-entry", args=[entry.pk])


# --- The state machine ----------------------------------------------------------------------------


def test_new_reports_require_review_by_default(db):
    assert Report._meta.get_field("review_required").default is True


def test_entry_starts_awaiting_review_and_counts_only_with_pending(reporter_a, target_a):
    entry = submit(reporter_a, target_a)
    assert entry.review_status == ReviewStatus.SUBMITTED
    assert (entry.reviewed_by, entry.reviewed_at, entry.review_comment) == (None, None, "")
    official = standing(target_a)
    assert official.latest_value is None and official.status == Status.NO_DATA
    with_pending = standing(target_a, include_pending=True)
    assert with_pending.latest_value == Decimal("7")
    assert with_pending.percent_complete == 70.0


def test_supervisor_approves_and_the_entry_counts_in_the_official_figures(reporter_a, supervisor, target_a):
    entry = submit(reporter_a, target_a)
    services.review_entry(user=supervisor, entry=entry, approve=True)
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.APPROVED
    assert entry.reviewed_by == supervisor and entry.reviewed_at is not None
    target_a.refresh_from_db()
    assert target_a.latest_approved_entry == entry
    assert standing(target_a).latest_value == Decimal("7")


def test_returned_entry_never_counts_and_carries_the_comment(reporter_a, supervisor, target_a):
    builders.entry(target_a, "2026-10-31", 5, user=reporter_a)
    entry = submit(reporter_a, target_a)
    services.review_entry(user=supervisor, entry=entry, approve=False, comment="数字与佐证不符，请核实")
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.RETURNED
    assert entry.review_comment == "数字与佐证不符，请核实"
    for include_pending in (False, True):
        assert standing(target_a, include_pending=include_pending).latest_value == Decimal("5")


def test_returning_needs_a_comment(reporter_a, supervisor, target_a):
    entry = submit(reporter_a, target_a)
    with pytest.raises(ValidationError) as raised:
        services.review_entry(user=supervisor, entry=entry, approve=False, comment="  ")
    assert raised.value.message_dict == {"review_comment": [errors.RETURN_NEEDS_COMMENT]}
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.SUBMITTED


def test_an_entry_is_reviewed_once(reporter_a, supervisor, admin_user, target_a):
    entry = submit(reporter_a, target_a)
    services.review_entry(user=supervisor, entry=entry, approve=True)
    with pytest.raises(ValidationError) as raised:
        services.review_entry(user=admin_user, entry=entry, approve=False, comment="改主意了")
    assert raised.value.messages == [errors.ALREADY_REVIEWED]
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.APPROVED and entry.reviewed_by == supervisor


def test_reporter_and_official_cannot_review(reporter_a, reporter_b, official, target_a):
    entry = submit(reporter_a, target_a)
    for user in (reporter_a, reporter_b, official):
        with pytest.raises(PermissionDenied):
            services.review_entry(user=user, entry=entry, approve=True)
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.SUBMITTED


def test_admin_can_review(reporter_a, admin_user, target_a):
    entry = submit(reporter_a, target_a)
    services.review_entry(user=admin_user, entry=entry, approve=True)
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.APPROVED


def test_supervisor_cannot_review_their_own_entry(supervisor, admin_user, target_a):
    entry = submit(supervisor, target_a)
    with pytest.raises(PermissionDenied):
        services.review_entry(user=supervisor, entry=entry, approve=True)
    services.review_entry(user=admin_user, entry=entry, approve=True)


def test_resubmission_supersedes_the_returned_entry_and_awaits_review(reporter_a, supervisor, target_a):
    returned = submit(reporter_a, target_a, value=70)
    services.review_entry(user=supervisor, entry=returned, approve=False, comment="单位应为座，不是个")
    corrected = submit(reporter_a, target_a, value=7, resubmits=returned)
    assert corrected.supersedes == returned
    assert corrected.review_status == ReviewStatus.SUBMITTED
    assert standing(target_a, include_pending=True).latest_value == Decimal("7")
    services.review_entry(user=supervisor, entry=corrected, approve=True)
    assert standing(target_a).latest_value == Decimal("7")


def test_only_a_returned_entry_of_the_same_target_can_be_resubmitted(reporter_a, supervisor, target_a, report, dept_a):
    pending = submit(reporter_a, target_a)
    with pytest.raises(ValidationError) as raised:
        submit(reporter_a, target_a, resubmits=pending)
    assert raised.value.messages == [errors.RESUBMIT_NOT_RETURNED]
    other = builders.target(report, lead=dept_a)
    returned = submit(reporter_a, other)
    services.review_entry(user=supervisor, entry=returned, approve=False, comment="请补充佐证")
    with pytest.raises(ValidationError):
        submit(reporter_a, target_a, resubmits=returned)


def test_with_review_off_entries_count_at_once(reporter_a, target_a, report):
    Report.objects.filter(pk=report.pk).update(review_required=False)
    entry = submit(reporter_a, target_a)
    assert entry.review_status == ReviewStatus.APPROVED
    assert standing(target_a).latest_value == Decimal("7")


def test_a_pending_entry_cannot_carry_a_review(reporter_a, supervisor, target_a):
    entry = submit(reporter_a, target_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressEntry.objects.filter(pk=entry.pk).update(reviewed_by=supervisor, reviewed_at=timezone.now())
    ProgressEntry.objects.filter(pk=entry.pk).update(
        review_status=ReviewStatus.APPROVED, reviewed_by=supervisor, reviewed_at=timezone.now()
    )


def test_official_figures_count_approved_entries_and_the_toggle_adds_pending(
    client, official, reporter_a, supervisor, target_a, report
):
    builders.entry(target_a, "2026-10-31", 5, user=reporter_a)
    submit(reporter_a, target_a, value=9)
    official_row = rows.target_row(rows.target_rows(user=official, report=report, as_of=TODAY).get(pk=target_a.pk))
    pending_row = rows.target_row(
        rows.target_rows(user=official, report=report, as_of=TODAY, include_pending=True).get(pk=target_a.pk)
    )
    assert (official_row["latest_value"], pending_row["latest_value"]) == (5, 9)
    client.force_login(official)
    page = client.get(reverse("target-list")).content.decode()
    assert "仅计审核通过的填报" in page and "5 座" in page and "9 座" not in page
    page = client.get(reverse("target-list"), {"pending": "1"}).content.decode()
    assert "含待审核的填报" in page and "9 座" in page


def test_loaded_report_requires_review_and_demo_entries_are_already_approved(db, settings):
    settings.DEBUG = True  # load_demo refuses to run outside development
    call_command("load_report", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    assert Report.objects.get().review_required is True
    statuses = set(ProgressEntry.objects.values_list("review_status", flat=True))
    assert statuses == {ReviewStatus.APPROVED}


# --- The review queue page --------------------------------------------------------------------------


def test_queue_lists_pending_entries_oldest_first_with_target_context(
    client, supervisor, reporter_a, reporter_b, target_a, target_b
):
    first = submit(reporter_b, target_b, value=3)
    second = submit(reporter_a, target_a, value=7, note="已建成7座")
    ProgressEntry.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    approved = builders.entry(target_a, "2026-10-31", 5, user=reporter_a)
    client.force_login(supervisor)
    page = client.get(queue_url()).content.decode()
    assert page.index(f'id="entry-{first.pk}"') < page.index(f'id="entry-{second.pk}"')
    assert f'id="entry-{approved.pk}"' not in page
    assert "已建成7座" in page and target_a.lead_department.name in page
    assert "5 座" in page  # the official standing beside the entry
    assert "70.0%" in page  # and the standing with it counted


def test_queue_filters_by_department(client, supervisor, reporter_a, reporter_b, target_a, target_b, dept_b):
    mine = submit(reporter_a, target_a)
    theirs = submit(reporter_b, target_b, value=3)
    client.force_login(supervisor)
    page = client.get(queue_url(department=dept_b.code)).content.decode()
    assert f'id="entry-{theirs.pk}"' in page and f'id="entry-{mine.pk}"' not in page


def test_supervisor_approves_and_returns_through_the_page(client, supervisor, reporter_a, target_a, report, dept_a):
    entry = submit(reporter_a, target_a)
    other = submit(reporter_a, builders.target(report, lead=dept_a))
    client.force_login(supervisor)
    response = client.post(review_url(entry), {"decision": "approve", "next": queue_url()})
    assert response.status_code == 302 and response["Location"] == queue_url()
    response = client.post(review_url(other), {"decision": "return", "comment": ""}, follow=True)
    assert str(errors.RETURN_NEEDS_COMMENT) in response.content.decode()
    client.post(review_url(other), {"decision": "return", "comment": "请附验收材料"})
    statuses = dict(ProgressEntry.objects.values_list("pk", "review_status"))
    assert statuses == {entry.pk: ReviewStatus.APPROVED, other.pk: ReviewStatus.RETURNED}


def test_get_never_changes_state(client, supervisor, reporter_a, target_a):
    entry = submit(reporter_a, target_a)
    client.force_login(supervisor)
    response = client.get(review_url(entry), {"decision": "approve"})
    assert response.status_code == 405
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.SUBMITTED


def test_review_post_needs_the_csrf_token(supervisor, reporter_a, target_a):
    from django.test import Client

    entry = submit(reporter_a, target_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    assert client.post(review_url(entry), {"decision": "approve"}).status_code == 403
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.SUBMITTED


def test_reporters_and_officials_cannot_use_the_queue(client, reporter_a, official, target_a):
    entry = submit(reporter_a, target_a)
    for user in (reporter_a, official):
        client.force_login(user)
        assert client.get(queue_url()).status_code == 403
        assert client.post(review_url(entry), {"decision": "approve"}).status_code == 403
    entry.refresh_from_db()
    assert entry.review_status == ReviewStatus.SUBMITTED


def test_anonymous_is_sent_to_login(client, reporter_a, target_a):
    entry = submit(reporter_a, target_a)
    assert client.get(queue_url()).status_code == 302
    assert client.post(review_url(entry), {"decision": "approve"}).status_code == 302


def test_queue_query_count_does_not_grow_with_the_queue(
    client, supervisor, reporter_a, report, dept_a, django_assert_num_queries
):
    def grow(count):
        # Each target: an approved entry, one awaiting review and its correction (a chain of three).
        for _ in range(count):
            target = builders.target(report, lead=dept_a)
            builders.entry(target, "2026-10-31", 2, user=reporter_a)
            submit(reporter_a, target, value=5)
            submit(reporter_a, target, value=4, correction_reason="重复统计了一座")

    client.force_login(supervisor)
    grow(1)
    client.get(queue_url(department=dept_a.code))  # warm the session
    # session, user, groups, report, the department filtered by, count, the page of entries, the two
    # standings, the page's correction chains and the department filter's choices
    with django_assert_num_queries(11) as small:
        client.get(queue_url(department=dept_a.code))
    grow(9)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(queue_url(department=dept_a.code))
    page = response.content.decode()
    assert page.count('class="target-context"') == 20
    assert page.count('class="correction-chain"') == 20


# --- Correction chains ------------------------------------------------------------------------------


@pytest.fixture
def gdp(report, dept_a):
    return builders.target(
        report, code="M01", name="地区生产总值", unit="亿元", target_value=Decimal("500"), lead=dept_a
    )


def row_of(page, entry):
    """The queue's row of one entry."""
    start = page.index(f'id="entry-{entry.pk}"')
    return page[start : page.index("</tr>", start)]


def submitted_at(entry):
    return timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M")


def corrected_chain(reporter, target):
    """9 awaiting review, then corrected by its reporter to 8.5 (also awaiting review)."""
    first = submit(reporter, target, value=9, note="初步统计")
    correction = submit(reporter, target, value="8.5", correction_reason="统计局核定数据下调")
    assert correction.supersedes == first
    return first, correction


def test_queue_shows_the_correction_chain_of_each_entry(client, supervisor, reporter_a, gdp):
    first, correction = corrected_chain(reporter_a, gdp)
    client.force_login(supervisor)
    page = client.get(queue_url()).content.decode()
    for entry in (first, correction):
        row = " ".join(row_of(page, entry).split())
        assert "更正链（共 2 条）" in row
        # each member with its value, date, who and when submitted
        for member, figure in ((first, "9 亿元"), (correction, "8.5 亿元")):
            assert f"{figure} · 填报日期 2026-11-20 · reporter-a 于 {submitted_at(member)} 提交" in row
        assert "更正原因：统计局核定数据下调" in row
    corrected_row = row_of(page, first)
    assert "已被更正" in corrected_row and "填报人已更正为 8.5 亿元" in corrected_row
    assert "首次填报" in corrected_row
    assert '<span class="badge entry-kind">更正</span>' in row_of(page, correction)


def test_the_queue_offers_no_review_of_a_superseded_entry(client, supervisor, reporter_a, gdp):
    first, correction = corrected_chain(reporter_a, gdp)
    client.force_login(supervisor)
    page = client.get(queue_url()).content.decode()
    assert review_url(first) not in row_of(page, first)
    assert "已被更正，请审核最新的一条。" in row_of(page, first)
    assert review_url(correction) in row_of(page, correction)  # the latest of the chain is reviewed


def test_approving_a_superseded_entry_is_refused_and_changes_nothing(client, supervisor, reporter_a, gdp):
    first, correction = corrected_chain(reporter_a, gdp)
    client.force_login(supervisor)
    before = standing(gdp)
    for decision in ({"decision": "approve"}, {"decision": "return", "comment": "数据有误"}):
        response = client.post(review_url(first), {**decision, "next": queue_url()}, follow=True)
        page = response.content.decode()
        latest = f"M01 地区生产总值 · 2026-11-20 · 8.5 亿元（{submitted_at(correction)} 提交）"
        refused = errors.ENTRY_SUPERSEDED % {"latest": latest}
        assert f"M01 地区生产总值 · 2026-11-20 · 9 亿元（{submitted_at(first)} 提交）：{refused}" in page
    statuses = dict(ProgressEntry.objects.values_list("pk", "review_status"))
    assert statuses == {first.pk: ReviewStatus.SUBMITTED, correction.pk: ReviewStatus.SUBMITTED}
    first.refresh_from_db()
    assert (first.reviewed_by, first.reviewed_at, first.value) == (None, None, Decimal("9"))
    after = standing(gdp)
    assert (after.latest_value, after.status) == (before.latest_value, before.status) == (None, Status.NO_DATA)


def test_approving_the_latest_settles_the_chain_and_its_value_is_official(client, supervisor, reporter_a, gdp):
    first, correction = corrected_chain(reporter_a, gdp)
    client.force_login(supervisor)
    response = client.post(review_url(correction), {"decision": "approve", "next": queue_url()}, follow=True)
    page = response.content.decode()
    assert f"已通过 M01 地区生产总值 · 2026-11-20 · 8.5 亿元（{submitted_at(correction)} 提交）。" in page
    assert f'id="entry-{first.pk}"' not in page and f'id="entry-{correction.pk}"' not in page
    first.refresh_from_db()
    correction.refresh_from_db()
    assert correction.review_status == ReviewStatus.APPROVED
    # the corrected entry is kept, as reported, marked by the review that settled its chain
    assert (first.review_status, first.value, first.note) == (ReviewStatus.SUPERSEDED, Decimal("9"), "初步统计")
    assert (first.reviewed_by, first.reviewed_at) == (supervisor, correction.reviewed_at)
    for include_pending in (False, True):
        assert standing(gdp, include_pending=include_pending).latest_value == Decimal("8.5")
    detail = client.get(reverse("target-detail", args=[gdp.report.code, gdp.code])).content.decode()
    assert "已被更正" in detail and "8.5 亿元" in detail
    # the chart plots the official 8.5, not the withdrawn 9
    assert "2026-11-20：8.5 亿元（已通过）</title>" in detail and "2026-11-20：9 亿元" not in detail


def test_returning_the_latest_settles_the_chain_and_the_resubmission_keeps_each_label_and_reason(
    client, supervisor, reporter_a, gdp
):
    first, correction = corrected_chain(reporter_a, gdp)
    services.review_entry(user=supervisor, entry=correction, approve=False, comment="请附统计局核定文件")
    resubmitted = submit(reporter_a, gdp, value="8.4", resubmits=correction, note="附核定文件")
    client.force_login(supervisor)
    page = client.get(queue_url()).content.decode()
    assert f'id="entry-{first.pk}"' not in page  # settled with its chain
    row = row_of(page, resubmitted)
    assert '<span class="badge entry-kind">退回后重新提交</span>' in row
    assert "更正链（共 3 条）" in row
    chain = row[row.index('class="correction-chain"') :]
    labels = [chain.index(label) for label in ("<strong>首次填报</strong> 9 亿元", "<strong>更正</strong> 8.5 亿元")]
    labels.append(chain.index("<strong>退回后重新提交</strong> 8.4 亿元"))
    assert labels == sorted(labels)  # oldest first
    assert "更正原因：统计局核定数据下调" in chain and "审核意见：请附统计局核定文件" in chain
    services.review_entry(user=supervisor, entry=resubmitted, approve=True)
    assert standing(gdp).latest_value == Decimal("8.4")


def test_a_correction_submitted_before_a_return_is_labelled_a_correction(client, supervisor, reporter_a, gdp):
    """A chain left from before: 9 returned after its reporter had corrected it to 8.5. The
    correction is not a resubmission, and its own reason is shown."""
    first = builders.entry(gdp, "2026-11-20", 9, user=reporter_a, status=ReviewStatus.SUBMITTED)
    correction = builders.entry(
        gdp,
        "2026-11-20",
        "8.5",
        user=reporter_a,
        status=ReviewStatus.SUBMITTED,
        supersedes=first,
        correction_reason="统计局核定数据下调",
    )
    ProgressEntry.objects.filter(pk=first.pk).update(
        review_status=ReviewStatus.RETURNED, reviewed_by=supervisor, reviewed_at=timezone.now(), review_comment="请核实"
    )
    client.force_login(supervisor)
    row = row_of(client.get(queue_url()).content.decode(), correction)
    assert '<span class="badge entry-kind">更正</span>' in row and "退回后重新提交" not in row
    assert "更正原因：统计局核定数据下调" in row


def test_migration_settles_the_pending_entries_of_chains_decided_before(supervisor, reporter_a, gdp):
    """Before chains were settled, 9 and 8.7 awaiting review could sit below an approved 8.5: the
    migration marks them as the review of 8.5 would now, and leaves undecided chains alone."""
    settle = importlib.import_module("targets.migrations.0011_review_superseded").SETTLE_DECIDED_CHAINS
    pending = {"user": reporter_a, "status": ReviewStatus.SUBMITTED}
    first = builders.entry(gdp, "2026-11-20", 9, **pending)
    middle = builders.entry(gdp, "2026-11-20", "8.7", supersedes=first, correction_reason="核减", **pending)
    reviewed_at = timezone.now()
    latest = builders.entry(
        gdp,
        "2026-11-20",
        "8.5",
        supersedes=middle,
        correction_reason="核定",
        user=reporter_a,
        reviewed_by=supervisor,
        reviewed_at=reviewed_at,
    )
    undecided = builders.entry(gdp, "2026-11-21", 10, **pending)
    undecided_correction = builders.entry(
        gdp, "2026-11-21", 9, supersedes=undecided, correction_reason="核减", **pending
    )
    with connection.cursor() as cursor:
        cursor.execute(settle)
    statuses = dict(ProgressEntry.objects.values_list("pk", "review_status"))
    assert statuses == {
        first.pk: ReviewStatus.SUPERSEDED,
        middle.pk: ReviewStatus.SUPERSEDED,
        latest.pk: ReviewStatus.APPROVED,
        undecided.pk: ReviewStatus.SUBMITTED,
        undecided_correction.pk: ReviewStatus.SUBMITTED,
    }
    first.refresh_from_db()
    assert (first.reviewed_by, first.reviewed_at, first.value) == (supervisor, reviewed_at, Decimal("9"))


def test_queue_flags_a_value_its_reporter_confirmed_as_unusual(client, supervisor, reporter_a, gdp, target_a):
    unusual = builders.entry(
        gdp, "2026-11-20", 100000, user=reporter_a, status=ReviewStatus.SUBMITTED, unusual_confirmed=True
    )
    usual = builders.entry(target_a, "2026-11-20", 7, user=reporter_a, status=ReviewStatus.SUBMITTED)
    client.force_login(supervisor)
    page = client.get(queue_url()).content.decode()
    assert "异常值（填报人已确认）" in row_of(page, unusual) and "100,000 亿元" in row_of(page, unusual)
    assert "异常值（填报人已确认）" not in row_of(page, usual)
    response = client.post(review_url(unusual), {"decision": "approve", "next": queue_url()}, follow=True)
    assert f"已通过 M01 地区生产总值 · 2026-11-20 · 100,000 亿元（{submitted_at(unusual)} 提交）。" in (
        response.content.decode()
    )


# --- Returned entries on 我的目标 -------------------------------------------------------------------


def test_reporter_sees_returned_entries_with_the_comment_and_resubmits(client, reporter_a, supervisor, target_a):
    entry = submit(reporter_a, target_a, value=70)
    services.review_entry(user=supervisor, entry=entry, approve=False, comment="单位应为座")
    client.force_login(reporter_a)
    page = client.get(reverse("target-list")).content.decode()
    resubmit_url = reverse("record-progress", args=[target_a.report.code, target_a.code]) + f"?resubmits={entry.pk}"
    assert "单位应为座" in page and resubmit_url in page
    form = client.get(resubmit_url).content.decode()
    assert 'value="70"' in form and "单位应为座" in form
    response = client.post(
        resubmit_url, {"reported_on": "2026-11-20", "value": "7", "note": "已更正", "resubmits": entry.pk}
    )
    assert response.status_code == 302
    corrected = ProgressEntry.objects.latest("id")
    assert corrected.supersedes == entry and corrected.review_status == ReviewStatus.SUBMITTED
    assert "单位应为座" not in client.get(reverse("target-list")).content.decode()


def test_returned_entries_of_another_department_are_not_shown(client, reporter_b, reporter_a, supervisor, target_a):
    entry = submit(reporter_a, target_a)
    services.review_entry(user=supervisor, entry=entry, approve=False, comment="请核实数据来源")
    client.force_login(reporter_b)
    assert "请核实数据来源" not in client.get(reverse("target-list")).content.decode()


def test_target_page_shows_the_review_comment(client, reporter_a, supervisor, target_a):
    entry = submit(reporter_a, target_a)
    services.review_entry(user=supervisor, entry=entry, approve=False, comment="请补充现场照片")
    client.force_login(reporter_a)
    page = client.get(reverse("target-detail", args=[target_a.report.code, target_a.code])).content.decode()
    assert "请补充现场照片" in page and str(ReviewStatus.RETURNED.label) in page


def test_the_latest_approved_entry_is_found_without_reading_the_pending_ones(report, dept_a, reporter_a):
    """Refreshing a target's pointers after each entry reads its latest approved entry through an
    index of approved entries only: through the index of all entries it read back past every entry
    awaiting review (recording got slower with each pending entry of the target)."""
    target = builders.target(report, lead=dept_a)
    builders.entry(target, datetime.date(2026, 3, 31), 2, user=reporter_a)
    for day in range(1, 21):
        builders.entry(target, datetime.date(2026, 4, day), day, user=reporter_a, status=ReviewStatus.SUBMITTED)
    params = {"counted": list(services.COUNTED_ANY), "approved": ReviewStatus.APPROVED, "ids": [target.pk]}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + services._REFRESH_LATEST, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "entry_latest_approved" in plan
    target.refresh_from_db()
    assert target.latest_approved_entry.value == 2 and target.latest_entry.value == 20
