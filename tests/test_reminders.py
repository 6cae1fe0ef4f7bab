"""催办: send_reminders e-mails each department's reporters the targets they lead that are stale, lagging,
far behind or overdue, and the supervisors a summary; never twice the same day."""

import datetime
import io

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.urls import reverse

from supervision.models import ReminderKind, ReminderLog
from targets import roles
from targets.choices import ReviewStatus

from . import builders

TODAY = datetime.date(2026, 11, 27)
D = datetime.date


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def people(dept_a, dept_b, supervisor, reporter_a, reporter_b, official):
    for user, email in ((reporter_a, "a@fgw.example"), (reporter_b, "b@jyj.example"), (supervisor, "s@dc.example")):
        user.email = email
        user.save()
    official.email = "leader@example"
    official.save()
    no_email = builders.person("reporter-a2", roles.REPORTER, dept_a)
    return {"reporter_a": reporter_a, "reporter_b": reporter_b, "supervisor": supervisor, "no_email": no_email}


@pytest.fixture
def ledger(report, dept_a, dept_b, people):
    """Department A leads one target of each kind of standing; department B's only target is done."""
    user = people["reporter_a"]
    t = {}
    t["stale"] = builders.target(report, code="A1", lead=dept_a, name="已报上月未报本月")
    builders.entry(t["stale"], "2026-10-31", 9, user=user)
    t["lagging"] = builders.target(report, code="A2", lead=dept_a, name="进度滞后的目标")
    builders.entry(t["lagging"], "2026-11-20", "7.5", user=user)
    t["overdue"] = builders.target(report, code="A3", lead=dept_a, name="逾期的目标", deadline=D(2026, 6, 30))
    builders.entry(t["overdue"], "2026-06-30", 5, user=user)
    t["far_behind"] = builders.target(report, code="A4", lead=dept_a, name="严重滞后的目标")
    builders.entry(t["far_behind"], "2026-11-02", 3, user=user)
    t["done"] = builders.target(report, code="A5", lead=dept_a, name="已完成的目标")
    builders.entry(t["done"], "2026-06-30", 10, user=user)
    t["on_track"] = builders.target(report, code="A6", lead=dept_a, name="本月已报正常的目标")
    builders.entry(t["on_track"], "2026-11-20", 9, user=user)
    t["pending"] = builders.target(report, code="A7", lead=dept_a, name="本月已报待审核的目标")
    builders.entry(t["pending"], "2026-10-31", 9, user=user)
    builders.entry(t["pending"], "2026-11-25", "9.5", user=user, status=ReviewStatus.SUBMITTED)
    t["not_started"] = builders.target(
        report, code="A8", lead=dept_a, name="尚未开始的目标", period_start=D(2026, 12, 1)
    )
    t["supported"] = builders.target(report, code="B2", lead=dept_b, co=[dept_a], name="A配合的目标")
    builders.entry(t["supported"], "2026-11-20", 10, user=people["reporter_b"])
    return t


def send(*args):
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_each_department_gets_its_stale_lagging_far_behind_and_overdue_targets(ledger, people):
    send()
    [message] = mails_to("a@fgw.example")
    assert "发展和改革局" in message.subject
    body = message.body
    for key in ("stale", "lagging", "overdue", "far_behind"):
        assert f"{ledger[key].code} {ledger[key].name}" in body
    for key in ("done", "on_track", "pending", "not_started", "supported"):
        assert ledger[key].name not in body
    assert "逾期未完成、本期未填报" in body  # the overdue target has no entry this month either
    assert f"/targets/{ledger['lagging'].report.code}/A2/" in body


def test_departments_with_nothing_to_chase_and_people_without_email_get_nothing(ledger, people):
    send()
    assert mails_to("b@jyj.example") == []
    assert {tuple(message.to) for message in mail.outbox} == {("a@fgw.example",), ("s@dc.example",)}


def test_supervisors_get_a_summary_by_department(ledger, people):
    send()
    [summary] = mails_to("s@dc.example")
    assert "1 个单位、4 项目标" in summary.subject
    assert "发展和改革局：4 项（逾期 1，严重滞后 1，滞后 1，本期未填报 2）" in summary.body
    assert "reporter-a" in summary.body


def test_none_sent_twice_the_same_day(ledger, people):
    first = send()
    assert "sent 2" in first and len(mail.outbox) == 2
    second = send()
    assert "sent 0, already sent today 2" in second
    assert len(mail.outbox) == 2
    assert ReminderLog.objects.count() == 2
    log = ReminderLog.objects.get(kind=ReminderKind.DEPARTMENT)
    assert (log.recipient, log.sent_on, log.target_count) == (people["reporter_a"], TODAY, 4)


def test_the_next_day_reminds_again(ledger, people):
    send()
    send("--date", "2026-11-28")
    assert len(mail.outbox) == 4
    assert set(ReminderLog.objects.values_list("sent_on", flat=True)) == {TODAY, D(2026, 11, 28)}


def test_dry_run_sends_nothing(ledger, people):
    output = send("--dry-run")
    assert "a@fgw.example" in output and ledger["lagging"].name in output
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_a_failed_send_is_not_logged_and_is_retried(ledger, people, monkeypatch):
    real_send = EmailMessage.send

    def refuse_reporters(message, *args, **kwargs):
        if message.to == ["a@fgw.example"]:
            raise ConnectionError("mail server down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", refuse_reporters)
    with pytest.raises(CommandError):
        send()
    assert list(ReminderLog.objects.values_list("email", flat=True)) == ["s@dc.example"]
    monkeypatch.setattr(EmailMessage, "send", real_send)
    send()
    assert len(mails_to("a@fgw.example")) == 1 and len(mails_to("s@dc.example")) == 1


def test_preview_shows_supervisors_what_would_be_sent_today(client, ledger, people):
    client.force_login(people["supervisor"])
    page = client.get(reverse("supervision:reminders")).content.decode()
    assert "发展和改革局" in page and ledger["overdue"].name in page and ledger["done"].name not in page
    assert "reporter-a2" in page  # named as unreachable
    assert "今日已发送" not in page
    send()
    page = client.get(reverse("supervision:reminders")).content.decode()
    assert "今日已发送" in page
    assert len(mail.outbox) == 2  # looking never sends


def test_preview_is_for_supervisors(client, ledger, people, official):
    for user in (people["reporter_a"], official):
        client.force_login(user)
        assert client.get(reverse("supervision:reminders")).status_code == 403
