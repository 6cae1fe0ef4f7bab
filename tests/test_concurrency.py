"""Many people at once: parallel threads (each with its own database connection) recording entries
on the same targets lose nothing and leave the latest pointers right; two admins saving the same
target, the second gets a conflict, not a silent overwrite (targets.admin_locking)."""

import datetime
import random
import threading
import time
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from targets import services
from targets.admin_locking import EDITED_MEANWHILE, VERSION_FIELD, OptimisticLockMixin, row_version
from targets.models import ProgressEntry, Target

from . import builders
from .committed import _restore_migrated_contents, committed_db  # noqa: F401  (fixtures)

THREADS = 8
ENTRIES_PER_THREAD = 12


def in_threads(count, work):
    """Run work(i) in `count` threads started together; each thread closes its own connection."""
    barrier = threading.Barrier(count)
    failures = []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # noqa: BLE001 — reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return failures


@pytest.fixture
def crowd(committed_db):  # noqa: F811
    report = builders.report()
    dept = builders.department("fgw", "发展和改革局")
    targets = [builders.target(report, code=f"C{i}", lead=dept, target_value=Decimal("1000")) for i in range(2)]
    reporters = [builders.person(f"reporter-{i}", builders.REPORTER, dept) for i in range(THREADS)]
    return targets, reporters


def test_parallel_reporters_lose_no_entry_and_the_latest_pointer_is_right(crowd):
    targets, reporters = crowd
    last_day = min(timezone.localdate(), targets[0].deadline)
    days = (last_day - targets[0].period_start).days

    def work(index):
        rng = random.Random(index)
        for n in range(ENTRIES_PER_THREAD):
            target = targets[(index + n) % len(targets)]
            day = target.period_start + datetime.timedelta(days=rng.randint(0, days))
            # The cumulative value grows with the date, so no entry is a correction of another. Its
            # jumps depend on the days drawn (and so on today): one of more than ten times the entry
            # before is confirmed, as its reporter would (the check itself: tests/test_recording.py).
            value = Decimal(day.toordinal() - target.period_start.toordinal())
            services.record_progress(
                user=reporters[index],
                target=target,
                reported_on=day,
                value=value,
                note=f"t{index}-{n}",
                unusual_confirmed=True,
            )
        close_old_connections()

    failures = in_threads(THREADS, work)
    assert failures == []
    assert ProgressEntry.objects.count() == THREADS * ENTRIES_PER_THREAD
    assert set(ProgressEntry.objects.values_list("note", flat=True)) == {
        f"t{i}-{n}" for i in range(THREADS) for n in range(ENTRIES_PER_THREAD)
    }
    for target in Target.objects.filter(pk__in=[t.pk for t in targets]):
        truly_latest = ProgressEntry.objects.filter(target=target).order_by("-reported_on", "-id").first()
        assert target.latest_entry_id == truly_latest.pk
        assert target.latest_approved_entry_id == truly_latest.pk
        assert builders.standing(target).latest_value == truly_latest.value


def test_an_entry_committed_while_waiting_for_the_lock_is_the_one_followed(crowd):
    """The second reporter's service waits for the first's lock; once it has it, it must judge its
    entry against the first's (committed meanwhile), not against what it saw before waiting: a
    lower cumulative value is then a correction that needs a reason."""
    (target, _), reporters = crowd
    day = min(timezone.localdate(), target.deadline)
    first_recorded, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                services.record_progress(user=reporters[0], target=target, reported_on=day, value=Decimal("500"))
                first_recorded.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def second():
        try:
            first_recorded.wait(timeout=30)
            services.record_progress(user=reporters[1], target=target, reported_on=day, value=Decimal("400"))
        except ValidationError as error:
            outcome["error"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert first_recorded.wait(timeout=30)
        assert waits_for_a_lock(), "the second reporter never waited for the first's lock"
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)
    assert "error" in outcome, "the second entry was judged against what it saw before the lock"
    assert "correction_reason" in outcome["error"].message_dict
    assert list(ProgressEntry.objects.values_list("value", flat=True)) == [Decimal("500")]
    assert Target.objects.get(pk=target.pk).latest_entry.value == Decimal("500")


def test_recording_works_after_a_rollback_and_on_a_new_connection(crowd):
    """record_progress's one locked read holds nothing on its connection: a rolled-back transaction
    leaves the next entry unharmed, and a new connection records at once."""
    (target, _), reporters = crowd
    day = min(timezone.localdate(), target.deadline)
    connection.close()
    with pytest.raises(ValidationError):  # refused after the read: its transaction is rolled back
        services.record_progress(user=reporters[0], target=target, reported_on=day + datetime.timedelta(days=1))
    services.record_progress(user=reporters[0], target=target, reported_on=day, value=Decimal("1"))
    connection.close()
    services.record_progress(user=reporters[1], target=target, reported_on=day, value=Decimal("2"))
    assert sorted(ProgressEntry.objects.values_list("value", flat=True)) == [Decimal("1"), Decimal("2")]


def waits_for_a_lock(seconds=10):
    """Whether another session of this database is waiting for a row lock, within `seconds`."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


# --- Two admins, one target ---------------------------------------------------------------------


class LockedTargetAdmin(OptimisticLockMixin, admin.ModelAdmin):
    fields = ["name", "unit", "co_departments"]


@pytest.fixture
def target_admin():
    return LockedTargetAdmin(Target, admin.AdminSite(name="locking-test"))


def admin_request(user, data=None):
    factory = RequestFactory()
    request = factory.post("/", data) if data is not None else factory.get("/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True
    return request


def opened_form(target_admin, user, target):
    """What a person's browser holds after opening the change page: the form's initial data."""
    response = target_admin.change_view(admin_request(user), str(target.pk))
    form = response.context_data["adminform"].form
    return {
        "name": form.initial["name"],
        "unit": form.initial["unit"],
        "co_departments": [str(d.pk) for d in form.initial["co_departments"]],
        VERSION_FIELD: form.initial[VERSION_FIELD],
    }


def save(target_admin, user, target, data):
    response = target_admin.change_view(admin_request(user, data), str(target.pk))
    return response.status_code, response


def test_the_second_admin_to_save_gets_a_conflict_not_an_overwrite(db, admin_user, target_a, dept_b, target_admin):
    colleague = User.objects.create_superuser("admin-2", password="correct-horse-battery-9")
    mine = opened_form(target_admin, admin_user, target_a)
    theirs = opened_form(target_admin, colleague, target_a)
    status, _ = save(target_admin, colleague, target_a, {**theirs, "name": "同事改的名称"})
    assert status == 302
    status, response = save(target_admin, admin_user, target_a, {**mine, "name": "我改的名称"})
    assert status == 200
    assert str(EDITED_MEANWHILE) in response.rendered_content
    target_a.refresh_from_db()
    assert target_a.name == "同事改的名称"


def test_a_change_to_the_co_departments_is_a_change_too(db, admin_user, target_a, dept_b, target_admin):
    before = row_version(Target, target_a.pk)
    target_a.co_departments.add(dept_b)
    assert row_version(Target, target_a.pk) != before


def test_an_admin_who_reopens_the_page_saves_normally(db, admin_user, target_a, target_admin):
    first = opened_form(target_admin, admin_user, target_a)
    assert save(target_admin, admin_user, target_a, {**first, "name": "第一次"})[0] == 302
    again = opened_form(target_admin, admin_user, target_a)
    assert save(target_admin, admin_user, target_a, {**again, "name": "第二次"})[0] == 302
    target_a.refresh_from_db()
    assert target_a.name == "第二次"


def test_a_form_without_the_version_is_refused(db, admin_user, target_a, target_admin):
    data = opened_form(target_admin, admin_user, target_a)
    del data[VERSION_FIELD]
    assert save(target_admin, admin_user, target_a, {**data, "name": "无版本"})[0] == 200
    target_a.refresh_from_db()
    assert target_a.name != "无版本"


def test_two_admins_saving_at_the_same_moment_one_wins_one_is_told(committed_db, target_admin):  # noqa: F811
    report = builders.report()
    target = builders.target(report, code="R1", lead=builders.department("fgw"))
    admins = [User.objects.create_superuser(f"admin-{i}", password="correct-horse-battery-9") for i in range(2)]
    opened = [opened_form(target_admin, user, target) for user in admins]
    statuses = {}

    def work(index):
        statuses[index] = save(target_admin, admins[index], target, {**opened[index], "name": f"名称{index}"})[0]

    assert in_threads(2, work) == []
    assert sorted(statuses.values()) == [200, 302]
    winner = next(i for i, status in statuses.items() if status == 302)
    target.refresh_from_db()
    assert target.name == f"名称{winner}"


def test_the_target_admin_page_refuses_a_stale_save(db, admin_user, target_a, dept_b):
    """The real TargetAdmin: its page carries the version, and a save with a stale one is refused."""
    from django.test import Client

    from targets.admin import TargetAdmin

    assert issubclass(TargetAdmin, OptimisticLockMixin)
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/targets/target/{target_a.pk}/change/"
    stale = row_version(Target, target_a.pk)
    assert f'name="{VERSION_FIELD}" value="{stale}"' in client.get(url).content.decode()
    Target.objects.filter(pk=target_a.pk).update(name="别人刚改的")
    response = client.post(url, {VERSION_FIELD: stale, "name": "我的修改", "lead_department": dept_b.pk})
    assert response.status_code == 200 and str(EDITED_MEANWHILE) in response.content.decode()
    target_a.refresh_from_db()
    assert target_a.name == "别人刚改的" and target_a.lead_department_id != dept_b.pk


def test_recording_progress_while_an_admin_edits_is_no_conflict(db, admin_user, reporter_a, target_a, target_admin):
    opened = opened_form(target_admin, admin_user, target_a)
    builders.entry(target_a, "2026-03-31", 3, user=reporter_a)  # moves the target's latest pointers
    assert save(target_admin, admin_user, target_a, {**opened, "name": "照常保存"})[0] == 302
