"""Issue 19: reports with a lifecycle (草稿 → 执行中 → 收官), several at once, each government with its own
departments, and report imports that update. Beside the district's own report (builders.report, of
the test government) the tests import a second, small report of another government, 东岗区, written
here: both active at once, scopes kept apart, year-end closing, an update import and the API for both."""

import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.models import ApiToken
from supervision import services as supervision_services
from supervision.models import ExtensionRequest
from targets import errors, roles, selectors, services
from targets.choices import ReportState, ReviewStatus
from targets.history import ChangeEvent
from targets.models import Department, ProgressEntry, Report, ReportStateChange, StaffProfile, Target

from . import builders
from .committed import _restore_migrated_contents, committed_db  # noqa: F401  (fixtures)

TODAY = datetime.date(2026, 11, 27)
EAST = "donggang-2026"
EAST_GOVERNMENT = "东岗区人民政府"
EAST_TEXT = "各位代表：现在，我代表东岗区人民政府向大会报告工作。\n新建社区食堂5个，改造老旧小区12个。"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def east_workbook(
    *, targets=None, title="2026年东岗区政府工作报告", glossary=(("社区食堂", "为老年人提供助餐服务的食堂。"),)
):
    """The second government's report: a title page, its full text, its departments with aliases, an
    outline, three targets (or `targets`) and a glossary."""
    book = openpyxl.Workbook()
    page = book.active
    page.title = "报告"
    page.append(["字段", "内容"])
    for row in (
        ["标题", title],
        ["人民政府", EAST_GOVERNMENT],
        ["年度", 2026],
        ["会议", "东岗区第三届人民代表大会第一次会议"],
        ["报告人", "李明"],
        ["报告日期", "2025-12-20"],
    ):
        page.append(row)
    text = book.create_sheet("全文")
    text.append(["正文"])
    for paragraph in EAST_TEXT.split("\n"):
        text.append([paragraph])
    units = book.create_sheet("责任单位")
    units.append(["名称", "别名", "代码"])
    units.append(["发展和改革局", "区发改局", "dg-fgw"])
    units.append(["民政局", "区民政局", "dg-mzj"])
    sections = book.create_sheet("章节")
    sections.append(["编号", "上级编号", "标题", "顺序", "正文"])
    sections.append(["3", "", "三、2026年的主要工作", 1, ""])
    sections.append(["3.1", "3", "（一）民生实事", 2, EAST_TEXT.split("\n")[1]])
    sheet = book.create_sheet("目标")
    sheet.append(["编号", "章节", "名称", "类别", "方向", "单位", "目标值", "牵头单位", "配合单位", "报告原文"])
    for row in targets or [
        ["E1", "3.1", "新建社区食堂", "实事指标", "不低于", "个", 5, "区民政局", "区发改局", "新建社区食堂5个"],
        ["E2", "3.1", "改造老旧小区", "年度工作任务", "不低于", "个", 12, "区发改局", "", "改造老旧小区12个"],
        ["E3", "3.1", "增加公共停车位", "年度工作任务", "不低于", "个", 800, "区财政局", "", "增加公共停车位800个"],
    ]:
        sheet.append(row)
    terms = book.create_sheet("名词解释")
    terms.append(["名词", "解释"])
    for row in glossary:
        terms.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_east(tmp_path, **kwargs):
    path = tmp_path / "east.xlsx"
    path.write_bytes(east_workbook(**kwargs))
    out = io.StringIO()
    call_command("import_report", str(path), code=EAST, stdout=out)
    return Report.objects.get(code=EAST), out.getvalue()


@pytest.fixture
def east(tmp_path, supervisor):
    """东岗区's report, imported (草稿) and published by a supervisor."""
    report, _output = import_east(tmp_path)
    services.change_report_state(user=supervisor, report=report, state=ReportState.ACTIVE)
    report.refresh_from_db()
    return report


@pytest.fixture
def east_reporter(east):
    return builders.person("reporter-east", roles.REPORTER, Department.objects.get(code="dg-mzj"))


def form_url(target):
    return reverse("record-progress", args=[target.report.code, target.code])


def post_progress(client, target, value="3"):
    return client.post(form_url(target), {"reported_on": "2026-11-20", "value": value, "note": "本月进度"})


# --- States ---------------------------------------------------------------------------------------------


def test_an_imported_report_starts_as_draft_with_its_government_departments_title_page_and_text(db, tmp_path):
    report, output = import_east(tmp_path)
    assert report.state == ReportState.DRAFT
    assert report.government.name == EAST_GOVERNMENT
    assert (report.session, report.speaker, report.delivered_on) == (
        "东岗区第三届人民代表大会第一次会议",
        "李明",
        datetime.date(2025, 12, 20),
    )
    assert report.text == EAST_TEXT
    # 区财政局 was named by a target only: a new department of 东岗区, listed among the changes.
    assert sorted(report.government.departments.values_list("name", flat=True)) == [
        "区财政局",
        "发展和改革局",
        "民政局",
    ]
    assert Department.objects.get(code="dg-fgw").aliases == ["区发改局"]
    assert Target.objects.get(report=report, code="E1").lead_department.code == "dg-mzj"
    assert "责任单位 区财政局：新增" in output


def test_a_draft_is_seen_by_supervisors_and_admins_only_and_takes_no_progress(
    client, tmp_path, supervisor, official, admin_user
):
    report, _output = import_east(tmp_path)
    target = Target.objects.get(report=report, code="E1")
    reporter = builders.person("reporter-east", roles.REPORTER, target.lead_department)
    for user, sees in ((supervisor, True), (admin_user, True), (official, False), (reporter, False)):
        assert roles.visible_reports(Report.objects.filter(pk=report.pk), user).exists() is sees
    client.force_login(reporter)
    assert client.get(reverse("target-detail", args=[EAST, "E1"])).status_code == 404
    client.force_login(supervisor)
    assert client.get(reverse("target-detail", args=[EAST, "E1"])).status_code == 200
    refused = post_progress(client, target)
    assert refused.status_code == 403
    assert not ProgressEntry.objects.exists()


def test_importing_next_years_report_leaves_the_running_year_writable(
    client, tmp_path, report, target_a, reporter_a, supervisor
):
    path = tmp_path / "2027.xlsx"
    path.write_bytes(east_workbook(title="2027年测试区政府工作报告"))
    call_command("import_report", str(path), code="test-2027", year=2027, government="test-gov", stdout=io.StringIO())
    next_year = Report.objects.get(code="test-2027")
    assert (next_year.state, next_year.government) == (ReportState.DRAFT, report.government)
    report.refresh_from_db()
    assert report.state == ReportState.ACTIVE

    client.force_login(reporter_a)
    assert post_progress(client, target_a).status_code == 302
    assert ProgressEntry.objects.filter(target=target_a).count() == 1
    # The reporter's pages still show 2026: the draft is not theirs to see.
    assert client.get(reverse("target-list")).context["current_report"] == report


def test_publishing_closing_and_reopening_are_recorded_with_who_when_and_why(client, report, target_a, supervisor):
    draft = builders.report(code="draft", year=2027, state=ReportState.DRAFT)
    client.force_login(supervisor)
    url = reverse("report-state", args=[draft.code])
    assert client.post(url, {"state": ReportState.ACTIVE}).status_code == 302
    draft.refresh_from_db()
    report.refresh_from_db()
    assert (draft.state, report.state) == (ReportState.ACTIVE, ReportState.ACTIVE)  # publishing changes no other

    close = reverse("report-state", args=[report.code])
    assert client.post(close, {"state": ReportState.CLOSED}).status_code == 302
    refused = client.post(close, {"state": ReportState.ACTIVE, "reason": "  "})
    assert refused.status_code == 200 and str(errors.REOPEN_NEEDS_REASON) in refused.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.CLOSED
    assert client.post(close, {"state": ReportState.ACTIVE, "reason": "补录12月数据"}).status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.ACTIVE
    moves = list(
        ReportStateChange.objects.filter(report=report).values_list("from_state", "to_state", "changed_by", "reason")
    )
    assert moves == [
        (ReportState.ACTIVE, ReportState.CLOSED, supervisor.pk, ""),
        (ReportState.CLOSED, ReportState.ACTIVE, supervisor.pk, "补录12月数据"),
    ]
    page = client.get(close).content.decode()
    assert "补录12月数据" in page and "supervisor" in page


def test_only_supervisors_and_admins_change_a_state(client, report, reporter_a, official):
    for user in (reporter_a, official):
        client.force_login(user)
        assert client.get(reverse("report-state", args=[report.code])).status_code == 200
        assert client.post(reverse("report-state", args=[report.code]), {"state": "closed"}).status_code == 403
    report.refresh_from_db()
    assert report.state == ReportState.ACTIVE


def test_a_state_not_open_from_the_current_one_is_refused_and_an_open_one_accepted(supervisor, report):
    with pytest.raises(services.ValidationError):
        services.change_report_state(user=supervisor, report=report, state=ReportState.DRAFT)
    with pytest.raises(services.ValidationError):
        services.change_report_state(user=supervisor, report=report, state="archived")
    services.change_report_state(user=supervisor, report=report, state=ReportState.CLOSED)
    assert Report.objects.get(pk=report.pk).state == ReportState.CLOSED


def test_year_end_closing_waits_for_review_then_freezes_the_figures(client, report, target_a, reporter_a, supervisor):
    waiting = builders.entry(target_a, "2026-11-20", 9, user=reporter_a, status=ReviewStatus.SUBMITTED)
    with pytest.raises(services.ValidationError) as refused:
        services.change_report_state(user=supervisor, report=report, state=ReportState.CLOSED)
    assert refused.value.messages == [errors.CLOSE_NEEDS_REVIEW % {"count": 1}]
    ProgressEntry.objects.filter(pk=waiting.pk).update(review_status=ReviewStatus.APPROVED)
    services.change_report_state(user=supervisor, report=report, state=ReportState.CLOSED)
    final = builders.standing(target_a).percent_complete

    client.force_login(reporter_a)
    response = post_progress(client, target_a, value="10")
    assert response.status_code == 403
    expected = errors.REPORT_NOT_ACTIVE % {"report": report.title, "state": ReportState.CLOSED.label}
    assert expected in response.content.decode()
    assert builders.standing(target_a).percent_complete == final
    assert ProgressEntry.objects.filter(target=target_a).count() == 1


# --- Two governments, both active -----------------------------------------------------------------------


def test_two_reports_are_active_at_once_and_each_reporter_writes_only_their_own(
    client, report, target_a, reporter_a, east, east_reporter
):
    east_target = Target.objects.get(report=east, code="E1")
    client.force_login(east_reporter)
    assert post_progress(client, east_target).status_code == 302
    assert client.get(form_url(target_a)).status_code == 404
    client.force_login(reporter_a)
    assert post_progress(client, target_a).status_code == 302
    assert client.get(form_url(east_target)).status_code == 404
    assert ProgressEntry.objects.filter(target=east_target).count() == 1
    assert ProgressEntry.objects.filter(target=target_a).count() == 1


def test_a_reporter_lands_on_their_governments_report_and_sees_only_it(client, report, target_a, east, east_reporter):
    client.force_login(east_reporter)
    response = client.get(reverse("target-list"))
    assert response.context["current_report"] == east
    assert [r.code for r in response.context["available_reports"]] == [EAST]
    assert EAST_GOVERNMENT in response.content.decode() and "执行中" in response.content.decode()
    # Another government's report named by ?report= is not theirs: the page shows their own.
    assert client.get(reverse("target-list"), {"report": report.code}).context["current_report"] == east
    # Filters list the report's government's departments only.
    departments = response.context["filter"].form.fields["department"].queryset
    assert set(departments.values_list("government__name", flat=True)) == {EAST_GOVERNMENT}


def test_the_report_chosen_last_is_shown_again_without_report_in_the_address(client, report, target_a, official, east):
    client.force_login(official)
    assert client.get(reverse("dashboard"), {"report": EAST}).context["current_report"] == east
    assert client.get(reverse("dashboard")).context["current_report"] == east
    assert client.get(reverse("dashboard"), {"report": report.code}).context["current_report"] == report
    assert client.get(reverse("target-list")).context["current_report"] == report


def test_supervisors_given_one_government_see_only_its_reports_and_those_given_none_see_all(
    client, report, target_a, supervisor, east
):
    district = builders.person("district-supervisor", roles.SUPERVISOR)
    StaffProfile.objects.create(user=district).governments.set([east.government])
    assert list(roles.visible_reports(Report.objects.all(), district)) == [east]
    assert not roles.visible_targets(Target.objects.filter(pk=target_a.pk), district).exists()
    assert not roles.writable_targets(Target.objects.filter(pk=target_a.pk), district).exists()
    assert roles.writable_targets(Target.objects.filter(report=east), district).count() == 3
    client.force_login(district)
    assert client.get(reverse("target-detail", args=[report.code, target_a.code])).status_code == 404
    city = builders.person("city-supervisor", roles.SUPERVISOR)
    StaffProfile.objects.create(user=city).governments.set([east.government, report.government])
    assert set(roles.visible_reports(Report.objects.all(), city)) == {report, east}
    assert set(roles.visible_reports(Report.objects.all(), supervisor)) == {report, east}


def test_an_import_matches_departments_by_alias_within_its_own_government_only(tmp_path, report, dept_a):
    # The test government's 发展和改革局 (fgw) is not 东岗区's: 东岗区 gets its own.
    east_report, _output = import_east(tmp_path)
    assert Target.objects.get(report=east_report, code="E2").lead_department.code == "dg-fgw"
    assert Department.objects.get(code="fgw").government == report.government
    assert Department.objects.filter(name="发展和改革局").count() == 2


# --- The API for both -----------------------------------------------------------------------------------


def api_post(client, user, code, report_code=None, value=2):
    url = reverse("api-record-progress", args=[code]) + (f"?report={report_code}" if report_code else "")
    return client.post(
        url,
        data=json.dumps({"reported_on": "2026-11-20", "value": value}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {ApiToken.objects.issue(user=user)[1]}",
    )


def test_the_api_looks_a_code_up_in_the_users_default_report_or_the_one_named(
    client, report, target_a, reporter_a, east, east_reporter
):
    assert api_post(client, east_reporter, "E1").status_code == 201
    assert api_post(client, reporter_a, target_a.code).status_code == 201
    assert api_post(client, east_reporter, "E1", report_code=EAST).status_code == 201
    missing = api_post(client, east_reporter, target_a.code)
    assert missing.status_code == 404
    assert missing.json() == {
        "error": errors.NOT_IN_REPORT % {"report": east.title, "code": EAST, "target": target_a.code},
        "report": EAST,
    }
    unknown = api_post(client, east_reporter, "E1", report_code=report.code)
    assert unknown.status_code == 404
    assert unknown.json()["error"] == errors.UNKNOWN_REPORT % {"code": report.code}
    ledger = client.get(
        reverse("api-ledger"), HTTP_AUTHORIZATION=f"Token {ApiToken.objects.issue(user=east_reporter)[1]}"
    ).json()
    assert ledger["report"]["code"] == EAST and ledger["report"]["government"] == EAST_GOVERNMENT
    assert ledger["report"]["state"] == ReportState.ACTIVE
    assert {t["code"] for t in ledger["targets"]} == {"E1"}


def test_the_api_says_why_a_closed_report_refuses_progress(client, report, target_a, reporter_a, supervisor):
    services.change_report_state(user=supervisor, report=report, state=ReportState.CLOSED)
    response = api_post(client, reporter_a, target_a.code)
    assert response.status_code == 403
    assert response.json()["error"] == errors.REPORT_NOT_ACTIVE % {
        "report": report.title,
        "state": ReportState.CLOSED.label,
    }


# --- Update imports ---------------------------------------------------------------------------------------


def test_an_update_import_previews_then_changes_adds_retires_and_deletes_in_one_go(tmp_path, east, east_reporter):
    e1, e3 = (Target.objects.get(report=east, code=code) for code in ("E1", "E3"))
    builders.entry(e1, "2026-10-31", 2, user=east_reporter)
    rows = [
        # E1 left out (has progress: retired), E2 changed, E3 left out (no progress: deleted), E4 new.
        ["E2", "3.1", "改造老旧小区", "年度工作任务", "不低于", "个", 15, "区发改局", "", "改造老旧小区15个"],
        ["E4", "3.1", "新建口袋公园", "年度工作任务", "不低于", "个", 6, "区民政局", "", "新建口袋公园6个"],
    ]
    path = tmp_path / "east-fixed.xlsx"
    path.write_bytes(east_workbook(targets=rows, glossary=(("社区食堂", "助餐食堂。"),)))
    preview = io.StringIO()
    call_command("import_report", str(path), code=EAST, dry_run=True, stdout=preview)
    text = preview.getvalue()
    assert "目标 E1：停用（已有填报，保留历史）" in text and "目标 E3：删除" in text
    assert "目标 E2：修改（目标值、报告原文、顺序）" in text and "目标 E4：新增" in text
    assert "名词解释 社区食堂：修改（解释）" in text
    assert Target.objects.filter(report=east).count() == 3  # the preview wrote nothing

    call_command("import_report", str(path), code=EAST, stdout=io.StringIO())
    e1.refresh_from_db()
    assert e1.retired_at is not None and e1.entries.count() == 1
    assert not Target.objects.filter(pk=e3.pk).exists()
    assert Target.objects.get(report=east, code="E2").target_value == 15
    assert Target.objects.filter(report=east, code="E4").exists()
    assert Report.objects.get(pk=east.pk).state == ReportState.ACTIVE  # an update keeps the state
    # Retired: off the report's pages, closed to reporting, kept in the change history.
    assert not roles.writable_targets(Target.objects.filter(pk=e1.pk), east_reporter).exists()
    assert "E1" not in {t.code for t in selectors.target_ledger(user=east_reporter, report=east)}
    assert selectors.target_ledger(user=east_reporter, report=east, retired=True).filter(pk=e1.pk).exists()
    retired = ChangeEvent.objects.filter(pgh_obj_model="targets.Target", pgh_obj_id=str(e1.pk), pgh_label="update")
    assert retired.exists()
    assert retired.last().pgh_context["command"] == "import_report"


def test_an_update_import_retires_a_target_with_only_an_extension_request_and_keeps_the_request(
    tmp_path, east, east_reporter
):
    e1, e3 = (Target.objects.get(report=east, code=code) for code in ("E1", "E3"))
    asked = supervision_services.request_extension(
        user=east_reporter, target=e1, reason="资金下达延迟", requested_deadline=datetime.date(2027, 6, 30)
    )
    assert not e1.entries.exists()
    rows = [["E2", "3.1", "改造老旧小区", "年度工作任务", "不低于", "个", 12, "区发改局", "", "改造老旧小区12个"]]
    path = tmp_path / "east-without-e1.xlsx"
    path.write_bytes(east_workbook(targets=rows))
    preview = io.StringIO()
    call_command("import_report", str(path), code=EAST, dry_run=True, stdout=preview)
    assert "目标 E1：停用" in preview.getvalue() and "目标 E3：删除" in preview.getvalue()

    call_command("import_report", str(path), code=EAST, stdout=io.StringIO())
    e1.refresh_from_db()
    assert e1.retired_at is not None
    assert ExtensionRequest.objects.get(pk=asked.pk).target == e1
    assert not Target.objects.filter(pk=e3.pk).exists()  # nothing asked, nothing reported: deleted


def test_an_update_import_of_the_same_workbook_changes_nothing(tmp_path, east):
    path = tmp_path / "east.xlsx"
    path.write_bytes(east_workbook())
    out = io.StringIO()
    before = list(Target.objects.filter(report=east).order_by("code").values())
    call_command("import_report", str(path), code=EAST, stdout=out)
    assert "：新增" not in out.getvalue() and "：修改" not in out.getvalue()
    assert list(Target.objects.filter(report=east).order_by("code").values()) == before


def test_an_update_cannot_move_a_report_to_another_government(tmp_path, east, report):
    path = tmp_path / "east.xlsx"
    path.write_bytes(east_workbook())
    with pytest.raises(Exception, match="有错误"):
        call_command(
            "import_report", str(path), code=EAST, government="test-gov", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert Report.objects.get(pk=east.pk).government.name == EAST_GOVERNMENT


def test_the_admin_import_page_previews_an_update_and_applies_it_on_confirmation(client, admin_user, east):
    client.force_login(admin_user)
    url = reverse("admin:targets_report_import")
    rows = [["E2", "3.1", "改造老旧小区", "年度工作任务", "不低于", "个", 20, "区发改局", "", "改造老旧小区20个"]]
    upload = io.BytesIO(east_workbook(targets=rows))
    upload.name = "east.xlsx"
    text = io.BytesIO("更正后的全文。".encode())
    text.name = "east.txt"
    preview = client.post(url, {"workbook": upload, "full_text": text, "code": EAST})
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert plan.ok and plan.existing
    assert {(c.key, str(c.action)) for c in plan.changes_of("目标")} >= {("E2", "修改"), ("E3", "删除")}
    assert Target.objects.get(report=east, code="E2").target_value == 12  # nothing written yet
    done = client.post(url, {"confirm": preview.context["token"]})
    assert done.status_code == 302
    east.refresh_from_db()
    assert east.text == "更正后的全文。"
    assert Target.objects.get(report=east, code="E2").target_value == 20
    assert not Target.objects.filter(report=east, code="E1").exists()


def test_a_confirmation_without_a_pending_upload_writes_nothing(client, admin_user, east):
    client.force_login(admin_user)
    response = client.post(reverse("admin:targets_report_import"), {"confirm": "not-a-token"})
    assert response.status_code == 302
    assert Target.objects.filter(report=east).count() == 3


def test_the_template_workbook_imports_as_a_report_with_every_kind_of_target(client, admin_user, tmp_path):
    from targets.choices import Kind

    client.force_login(admin_user)
    response = client.get(reverse("admin:targets_report_import_template"))
    assert response.status_code == 200
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(path)
    assert {"报告", "全文", "责任单位", "章节", "目标", "名词解释", "说明"} <= set(book.sheetnames)
    explained = {row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True) if row[0] == "目标"}
    assert explained == {cell.value for cell in book["目标"][1]}
    call_command("import_report", str(path), code="template", stdout=io.StringIO())
    imported = Report.objects.get(code="template")
    assert set(imported.targets.values_list("kind", flat=True)) == set(Kind.values)
    assert imported.government.name == "某区人民政府" and imported.text.startswith("各位代表")


# --- Query counts with two governments loaded -------------------------------------------------------------


@pytest.mark.parametrize("page_name", ["dashboard", "target-list", "living-report"])
def test_main_pages_read_the_same_queries_with_a_second_government_loaded(
    client, tmp_path, report, target_a, target_b, official, supervisor, page_name, django_assert_num_queries
):
    client.force_login(official)
    client.get(reverse(page_name))  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(page_name)).context["current_report"] == report
    one_count = len(one.captured_queries)
    east_report, _output = import_east(tmp_path)
    services.change_report_state(user=supervisor, report=east_report, state=ReportState.ACTIVE)
    with django_assert_num_queries(one_count):
        assert client.get(reverse(page_name), {"report": report.code}).context["current_report"] == report
    with django_assert_num_queries(one_count):
        assert client.get(reverse(page_name), {"report": EAST}).context["current_report"] == east_report


# --- The data migration -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("committed_db")
def test_migration_0014_gives_the_seed_government_to_what_was_loaded_and_changes_no_figure():
    from django.db.migrations.executor import MigrationExecutor

    before_0014 = [("targets", "0013_report_state")]
    executor = MigrationExecutor(connection)
    executor.migrate(before_0014)
    old = executor.loader.project_state(before_0014).apps
    user = old.get_model("auth", "User").objects.create(username="reporter-old")
    report = old.get_model("targets", "Report").objects.create(
        code="chengguan",
        title="2026年兰州市城关区政府工作报告",
        year=2026,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        state=ReportState.ACTIVE,
    )
    department = old.get_model("targets", "Department").objects.create(code="fgw", name="发展和改革局")
    section = old.get_model("targets", "Section").objects.create(report=report, code="3", title="三")
    target = old.get_model("targets", "Target").objects.create(
        report=report,
        code="A1",
        section=section,
        name="新建学校",
        unit="所",
        kind="annual_task",
        direction="at_least",
        target_value=10,
        period_start=datetime.date(2026, 1, 1),
        deadline=datetime.date(2026, 12, 31),
        lead_department=department,
        source_text="新建学校10所",
    )
    old.get_model("targets", "ProgressEntry").objects.create(
        target=target, reported_on=datetime.date(2026, 6, 30), value=4, created_by=user, review_status="approved"
    )

    builders.refresh_latest(target_ids=[target.pk])

    def rows(table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    targets_before, entries_before = rows("targets_target"), rows("targets_progressentry")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = Report.objects.get(code="chengguan")
    assert (migrated.government.code, migrated.government.name) == ("lanzhou-chengguan", "兰州市城关区人民政府")
    assert Department.objects.get(code="fgw").government == migrated.government
    assert list(migrated.state_changes.values_list("to_state", flat=True)) == [ReportState.ACTIVE]
    # Every target as it was, with a new and empty retired_at; every entry exactly as it was.
    targets_after = rows("targets_target")
    assert [row.pop("retired_at") for row in targets_after] == [None]
    # Added since, empty: an admin's adjustment (0018).
    adjustment = [
        (row.pop("adjustment_reason"), row.pop("adjusted_on"), row.pop("adjusted_by_id")) for row in targets_after
    ]
    assert adjustment == [("", None, None)]
    assert targets_after == targets_before
    assert rows("targets_progressentry") == entries_before
    assert builders.standing(Target.objects.get(code="A1")).percent_complete == 40
