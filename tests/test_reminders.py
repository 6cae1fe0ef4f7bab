"""提醒/催办/督办: only what is due or late is chased, from each target's reporting cycle (monthly, or
quarterly for the 主要预期目标, due on the 5th of the following month), in three steps, each e-mail
logged and sent once per day and step, by the daily command or a supervisor's 发送催办 button."""

import datetime
import io

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from supervision import cycles
from supervision.cycles import DueState
from supervision.models import EscalationStep, ReminderKind, ReminderLog, ReportingCycle
from targets import roles
from targets.choices import Derivation, Kind, ReviewStatus

from . import builders

D = datetime.date


@pytest.fixture
def today(monkeypatch):
    """The day the 督查室 looks at, 1 December unless a test moves it."""
    day = {"value": D(2026, 12, 1)}
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day["value"])
    return day


def move_to(today, value):
    today["value"] = value


@pytest.fixture
def people(dept_a, dept_b, supervisor, reporter_a, reporter_b, official):
    for user, email in ((reporter_a, "a@fgw.example"), (reporter_b, "b@jyj.example"), (supervisor, "s@dc.example")):
        user.email = email
        user.save()
    no_email = builders.person("reporter-a2", roles.REPORTER, dept_a)
    return {"reporter_a": reporter_a, "reporter_b": reporter_b, "supervisor": supervisor, "no_email": no_email}


def reported(target, day, value, *, user, submitted=None, **fields):
    """An entry dated `day`, submitted on `submitted` (default: that same day)."""
    entry = builders.entry(target, day, value, user=user, **fields)
    moment = datetime.datetime.combine(
        submitted or entry.reported_on, datetime.time(10), timezone.get_current_timezone()
    )
    type(entry).objects.filter(pk=entry.pk).update(created_at=moment)
    return entry


@pytest.fixture
def ledger(report, dept_a, dept_b, people, today):
    """Department A: one target reported for November on 30 November (M01), one last reported in
    October, one whose November report was returned, one done, one quarterly statistic reported for
    Q3, one starting in December; department B reported for November."""
    user = people["reporter_a"]
    t = {}
    t["reported"] = builders.target(report, code="M01", lead=dept_a, name="昨天已报的目标")
    reported(t["reported"], "2026-11-30", 9, user=user)
    t["october"] = builders.target(report, code="A2", lead=dept_a, name="十月报过十一月未报")
    reported(t["october"], "2026-10-31", 8, user=user)
    t["returned"] = builders.target(report, code="A3", lead=dept_a, name="十一月被退回的目标")
    reported(t["returned"], "2026-11-20", 8, user=user, status=ReviewStatus.RETURNED)
    t["pending"] = builders.target(report, code="A4", lead=dept_a, name="十一月已报待审核")
    reported(t["pending"], "2026-11-25", "9.5", user=user, status=ReviewStatus.SUBMITTED)
    t["done"] = builders.target(report, code="A5", lead=dept_a, name="已完成的目标")
    reported(t["done"], "2026-06-30", 10, user=user)
    t["quarterly"] = builders.target(report, code="A6", lead=dept_a, name="季报的统计指标", kind=Kind.MAIN_INDICATOR)
    reported(t["quarterly"], "2026-09-30", 7, user=user, submitted=D(2026, 10, 4))
    t["december"] = builders.target(
        report, code="A8", lead=dept_a, name="十二月开始的目标", period_start=D(2026, 12, 1)
    )
    t["b"] = builders.target(report, code="B1", lead=dept_b, co=[dept_a], name="B已报的目标")
    reported(t["b"], "2026-11-28", 9, user=people["reporter_b"])
    return t


def send(*args):
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def states(report, as_of):
    return {o.target.code: (o.period.label, o.due_on, o.state) for o in cycles.obligations(report=report, as_of=as_of)}


def test_on_the_first_of_the_month_only_last_months_unreported_targets_are_reminded(ledger, people, report):
    assert states(report, D(2026, 12, 1)) == {
        "M01": ("2026年11月", D(2026, 12, 5), DueState.ON_TIME),
        "A2": ("2026年11月", D(2026, 12, 5), DueState.DUE),
        "A3": ("2026年11月", D(2026, 12, 5), DueState.DUE),  # a returned report is no report
        "A4": ("2026年11月", D(2026, 12, 5), DueState.ON_TIME),
        "A6": ("2026年7—9月", D(2026, 10, 5), DueState.ON_TIME),
        "B1": ("2026年11月", D(2026, 12, 5), DueState.ON_TIME),
    }
    send()
    [message] = mails_to("a@fgw.example")
    assert message.subject == "【提醒】发展和改革局：2 项目标的进度请于 2026-12-05 前报送"
    assert "A2 十月报过十一月未报" in message.body and "A3 十一月被退回的目标" in message.body
    assert "2026年11月（月报），应于 2026-12-05 前报送：待报送" in message.body
    for key in ("reported", "pending", "done", "quarterly", "december"):
        assert ledger[key].name not in message.body
    assert mails_to("b@jyj.example") == []


def test_a_retired_target_and_a_derived_one_owe_no_report(client, ledger, people, report, official, dept_a):
    """A target an update import retired is closed to reporting, and nobody types a derived value: neither is
    chased, and neither counts in the dashboard's line of reports due."""
    retired = builders.target(report, code="A9", lead=dept_a, name="已停用的目标")
    retired.retired_at = timezone.now()
    retired.save(update_fields=["retired_at"])
    derived = Derivation.PRACTICAL_TASKS_DONE
    builders.target(report, code="M10", lead=dept_a, name="为民实事完成件数", derivation=derived)
    owed = states(report, D(2026, 12, 1))
    assert "A9" not in owed and "M10" not in owed
    assert set(owed) == {"M01", "A2", "A3", "A4", "A6", "B1"}  # as before either was added
    client.force_login(official)
    board = client.get(reverse("dashboard"), {"as_of": "2026-12-01"}).context["board"]
    assert board.reports.total == len(owed) and board.reports.due == 2


def test_after_the_due_day_a_missing_report_is_urged_and_after_five_more_days_supervised(ledger, people, report, today):
    move_to(today, D(2026, 12, 8))
    send()
    [urge] = mails_to("a@fgw.example")
    assert urge.subject == "【催办】发展和改革局：2 项目标的进度已过报送截止日未报"
    assert "逾期未报，已逾期 3 天" in urge.body
    assert ReminderLog.objects.get(recipient=people["reporter_a"]).step == EscalationStep.URGE
    move_to(today, D(2026, 12, 11))
    send()
    assert mails_to("a@fgw.example")[-1].subject.startswith("【督办】发展和改革局：2 项目标")


def test_a_report_submitted_after_its_due_day_is_late_and_not_chased(ledger, people, report):
    reported(ledger["october"], "2026-11-30", 9, user=people["reporter_a"], submitted=D(2026, 12, 7))
    assert states(report, D(2026, 12, 9))["A2"][2] == DueState.LATE
    assert states(report, D(2026, 12, 9))["M01"][2] == DueState.ON_TIME


def test_a_quarterly_statistic_is_due_after_its_quarter(ledger, people, report):
    assert states(report, D(2026, 10, 3))["A6"] == ("2026年7—9月", D(2026, 10, 5), DueState.DUE)
    assert states(report, D(2026, 10, 6))["A6"] == ("2026年7—9月", D(2026, 10, 5), DueState.ON_TIME)


def test_a_reporting_cycle_row_sets_a_targets_cycle_and_due_day(ledger, people, report):
    ReportingCycle.objects.create(report=report, target=ledger["october"], months=3, due_day=10)
    ReportingCycle.objects.create(report=report, months=1, due_day=3)
    owed = states(report, D(2026, 12, 4))
    assert owed["A2"] == ("2026年7—9月", D(2026, 10, 10), DueState.MISSING)  # its October report is Q4's
    assert owed["A3"] == ("2026年11月", D(2026, 12, 3), DueState.MISSING)


def test_supervisors_get_a_summary_by_department_and_step(ledger, people):
    send()
    [summary] = mails_to("s@dc.example")
    assert summary.subject == "【督查汇总】2026-12-01 提醒、催办、督办 1 个单位、2 项目标"
    assert "发展和改革局 · 提醒（蓝色提醒单）：2 项" in summary.body
    assert "督办 0，催办 0，提醒 2" in summary.body


def test_none_sent_twice_the_same_day_and_step(ledger, people):
    assert "sent 2" in send() and len(mail.outbox) == 2
    assert "sent 0, already sent today 2" in send()
    assert len(mail.outbox) == 2
    log = ReminderLog.objects.get(kind=ReminderKind.DEPARTMENT)
    assert (log.recipient, log.sent_on, log.step, log.target_count) == (
        people["reporter_a"],
        D(2026, 12, 1),
        EscalationStep.REMIND,
        2,
    )


def test_the_next_day_reminds_again(ledger, people):
    send()
    send("--date", "2026-12-02")
    assert len(mail.outbox) == 4
    assert set(ReminderLog.objects.values_list("sent_on", flat=True)) == {D(2026, 12, 1), D(2026, 12, 2)}


def test_dry_run_sends_nothing(ledger, people):
    output = send("--dry-run")
    assert "a@fgw.example" in output and ledger["october"].name in output
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


def test_preview_shows_exactly_what_the_button_sends_and_to_whom(client, ledger, people, django_assert_num_queries):
    client.force_login(people["supervisor"])
    with django_assert_num_queries(13):
        page = client.get(reverse("supervision:reminders")).content.decode()
    assert "【提醒】发展和改革局：2 项目标的进度请于 2026-12-05 前报送" in page
    assert "reporter-a &lt;a@fgw.example&gt;" in page and "reporter-a2" in page  # named as unreachable
    assert 'class="badge step-remind"' in page and ledger["reported"].name not in page
    assert "今日已发送" not in page
    assert mail.outbox == []  # looking never sends
    response = client.post(reverse("supervision:send-reminders"), follow=True)
    assert "已发送 2 封；今日已发送过而跳过 0 封。" in response.content.decode()
    assert [m.subject for m in mails_to("a@fgw.example")] == [
        "【提醒】发展和改革局：2 项目标的进度请于 2026-12-05 前报送"
    ]
    again = client.post(reverse("supervision:send-reminders"), follow=True).content.decode()
    assert "已发送 0 封；今日已发送过而跳过 2 封。" in again and "今日已发送" in again
    assert len(mail.outbox) == 2


def test_the_preview_reads_the_same_queries_with_ten_times_the_targets(
    client, report, dept_b, ledger, people, django_assert_num_queries
):
    for number in range(60):
        builders.target(report, code=f"X{number:02d}", lead=dept_b if number % 2 else None)
    client.force_login(people["supervisor"])
    with django_assert_num_queries(13):
        page = client.get(reverse("supervision:reminders")).content.decode()
    assert "62 项目标" in page


def test_step_colours_come_from_one_definition(client, db):
    css = client.get(reverse("supervision:steps-css")).content.decode()
    assert ".badge.step-remind { background: #1f5fa8; }" in css
    assert ".badge.step-supervise { background: #b3261e; }" in css


def test_preview_and_sending_are_for_supervisors(client, ledger, people, official):
    for user in (people["reporter_a"], official):
        client.force_login(user)
        assert client.get(reverse("supervision:reminders")).status_code == 403
        assert client.post(reverse("supervision:send-reminders")).status_code == 403
    assert mail.outbox == []


def test_a_reporters_home_lists_what_is_due_beside_what_was_returned(client, ledger, people, today):
    move_to(today, D(2026, 12, 8))
    client.force_login(people["reporter_a"])
    page = client.get(reverse("target-list")).content.decode()
    todo = page[page.index('id="todo-heading"') : page.index("</section>", page.index('id="todo-heading"'))]
    assert "待办：2 项目标应报送进度" in todo
    assert 'class="badge step-urge">催办' in todo and "A2 </span>" not in todo
    assert "十月报过十一月未报" in todo and "2026年11月，应于 2026-12-05 前报送（逾期未报）" in todo
    assert ledger["reported"].name not in todo
    assert "十一月被退回的目标" in page[page.index("returned-entries") :]  # what was returned, below


def test_a_department_with_nothing_due_sees_no_todo(client, ledger, people):
    client.force_login(people["reporter_b"])
    assert 'id="todo-heading"' not in client.get(reverse("target-list")).content.decode()
