"""管理后台: who gets in, what every page shows, constant query counts, bulk actions, users with their
department and groups, and a new year's report from a workbook."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pghistory.core import event_models

from projects.models import PracticalTask, Project
from targets import report_import, roles
from targets.choices import Direction, Kind, ReportState, Status
from targets.models import (
    Checkpoint,
    Department,
    GlossaryTerm,
    ProgressEntry,
    Report,
    Section,
    StaffProfile,
    Target,
)

from . import builders

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # grow() makes many users; hashing each password properly would only slow the suite down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def grow(report, size, *, people):
    """`size` targets with entries, checkpoints, links, tasks, projects, terms, sections and users."""
    for n in range(size):
        department = builders.department(f"d{report.pk}-{n}", f"单位{report.pk}-{n}")
        parent = builders.section(report, code=f"S{n}", title=f"第{n}部分")
        section = builders.section(report, code=f"S{n}.1", title=f"第{n}节", parent=parent)
        target = builders.target(report, code=f"T{n:03d}", lead=department, co=[department], section_obj=section)
        builders.entry(target, "2026-03-31", n + 1, user=people)
        Checkpoint.objects.create(target=target, due_on=datetime.date(2026, 6, 30), planned_value=5)
        task = PracticalTask.objects.create(report=report, no=n + 1, title=f"实事{n}")
        task.targets.add(target)
        project = Project.objects.create(report=report, code=f"P{n}", name=f"项目{n}")
        project.targets.add(target)
        GlossaryTerm.objects.create(report=report, term=f"名词{n}", definition="解释")
        builders.person(f"user-{report.pk}-{n}", roles.REPORTER, department)


CHANGELISTS = [
    "targets_report",
    "targets_section",
    "targets_department",
    "targets_glossaryterm",
    "targets_target",
    "targets_progressentry",
    "targets_checkpoint",
    "targets_staffprofile",
    "supervision_extensionrequest",
    "targets_reportingperiodlock",
    "targets_changeevent?model=targets.TargetEvent",
    "projects_practicaltask",
    "projects_project",
    "auth_user",
]


def queries(client, url):
    from django.db import connection

    client.get(url)  # warm the per-process caches (content types) that a running server keeps warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_each_changelist_renders_with_the_same_queries_at_ten_times_the_data(
    admin_client, admin_user, report, name, django_assert_num_queries
):
    name, _, query = name.partition("?")
    url = reverse(f"admin:{name}_changelist") + (f"?{query}" if query else "")
    grow(report, 1, people=admin_user)
    small = queries(admin_client, url)
    grow(builders.report(code="more", year=2025), 10, people=admin_user)

    with django_assert_num_queries(small):
        admin_client.get(url)
    assert small <= 20


def test_the_whole_change_history_list_needs_one_query_per_kind_of_related_row_at_most(
    admin_client, admin_user, report, django_assert_max_num_queries
):
    """Related rows are named per model, so the count depends on which kinds of rows the page shows,
    never on how many: at most one query for each model an event can point at."""
    url = reverse("admin:targets_changeevent_changelist")
    grow(report, 2, people=admin_user)
    grow(builders.report(code="more", year=2025), 20, people=admin_user)
    related = {
        field.related_model
        for model in event_models()
        for field in model.pgh_tracked_model._meta.concrete_fields
        if field.is_relation
    } | {model.pgh_tracked_model._meta.concrete_model for model in event_models()}
    base = 5  # session, user, report (header), the page's events and their count
    with django_assert_max_num_queries(base + len(related) + 2):
        assert admin_client.get(url).status_code == 200


def change_urls(report, admin_user):
    target = Target.objects.filter(report=report).order_by("code").first()
    return {
        "report": reverse("admin:targets_report_change", args=[report.pk]),
        "section": reverse("admin:targets_section_change", args=[target.section.parent_id]),
        "department": reverse("admin:targets_department_change", args=[target.lead_department_id]),
        "glossary": reverse("admin:targets_glossaryterm_change", args=[GlossaryTerm.objects.first().pk]),
        "target": reverse("admin:targets_target_change", args=[target.pk]),
        "entry": reverse("admin:targets_progressentry_change", args=[target.entries.first().pk]),
        "checkpoint": reverse("admin:targets_checkpoint_change", args=[target.checkpoints.first().pk]),
        "staff": reverse("admin:targets_staffprofile_change", args=[StaffProfile.objects.first().pk]),
        "task": reverse("admin:projects_practicaltask_change", args=[PracticalTask.objects.first().pk]),
        "project": reverse("admin:projects_project_change", args=[Project.objects.first().pk]),
        "user": reverse("admin:auth_user_change", args=[StaffProfile.objects.first().user_id]),
        "target history": reverse("admin:targets_target_history", args=[target.pk]),
        "report import": reverse("admin:targets_report_import"),
    }


@pytest.mark.parametrize(
    "form",
    [
        "report",
        "section",
        "department",
        "glossary",
        "target",
        "entry",
        "checkpoint",
        "staff",
        "task",
        "project",
        "user",
        "target history",
        "report import",
    ],
)
def test_each_change_form_renders_with_the_same_queries_at_ten_times_the_data(
    admin_client, admin_user, report, form, django_assert_num_queries
):
    grow(report, 1, people=admin_user)
    url = change_urls(report, admin_user)[form]
    small = queries(admin_client, url)
    grow(builders.report(code="more", year=2025), 10, people=admin_user)
    # More of everything that points at the same objects: entries, links, history.
    target = Target.objects.filter(report=report).first()
    for month in range(4, 11):
        builders.entry(target, datetime.date(2026, month, 28), month, user=admin_user)

    with django_assert_num_queries(small):
        admin_client.get(url)
    assert small <= 30


def test_the_target_list_shows_the_computed_gap_and_status(admin_client, admin_user, report, dept_a):
    target = builders.target(report, code="A1", lead=dept_a, target_value=10)
    builders.entry(target, "2026-11-20", 4, user=admin_user)
    standing = builders.standing(target)

    page = admin_client.get(reverse("admin:targets_target_changelist")).content.decode()

    assert standing.gap == Decimal(6)
    assert f'status-{standing.status}">{Status(standing.status).label}' in page
    assert '<td class="field-gap_display">6 座</td>' in page  # with its unit, as 我的目标 writes it


def test_the_target_list_filters_by_status(admin_client, admin_user, report, dept_a):
    done = builders.target(report, code="A1", lead=dept_a, target_value=1)
    builders.entry(done, "2026-11-20", 1, user=admin_user)
    builders.target(report, code="A2", lead=dept_a)

    page = admin_client.get(reverse("admin:targets_target_changelist") + "?status=done").content.decode()

    # The codes of the rows listed (not a bare "A2", which a random CSRF token may contain).
    assert re.findall(r'<th class="field-code"><a [^>]*>([^<]+)</a>', page) == ["A1"]


@pytest.mark.parametrize("who", ["reporter_a", "supervisor", "official", "outsider"])
def test_only_admins_reach_admin(client, db, request, who):  # db: the people are fetched lazily
    person = request.getfixturevalue(who)
    person.is_staff = True  # even made staff by mistake
    person.save()
    client.force_login(person)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert client.get(reverse("admin:targets_target_changelist")).status_code == 302


def test_an_admin_group_member_reaches_admin(client, db):
    person = builders.person("keeper", roles.ADMIN, is_staff=True)
    client.force_login(person)
    assert client.get(reverse("admin:index")).status_code == 200


def bulk(client, action, targets, **fields):
    url = reverse("admin:targets_target_changelist")
    data = {"action": action, "_selected_action": [t.pk for t in targets], "index": 0}
    page = client.post(url, data)
    assert page.status_code == 200 and "确认修改" in page.content.decode()
    return client.post(url, {**data, "apply": "1", **fields})


def test_bulk_assign_lead_department_through_its_form_page(admin_client, report, dept_a, dept_b):
    targets = [builders.target(report, code=f"A{n}", lead=dept_a) for n in range(3)]

    response = bulk(admin_client, "assign_lead_department", targets[:2], lead_department=dept_b.pk)

    assert response.status_code == 302
    assert [t.lead_department for t in Target.objects.order_by("code")] == [dept_b, dept_b, dept_a]


def test_bulk_set_deadline_refuses_a_deadline_before_the_start(admin_client, report, dept_a):
    targets = [builders.target(report, code=f"A{n}", lead=dept_a) for n in range(2)]

    # An adjustment (tests/test_admin_adjustments.py): the report's deadline stays beside it.
    bulk(admin_client, "set_deadline", targets, deadline="2026-09-30", reason="提前完成")
    assert {t.effective_deadline for t in Target.objects.all()} == {datetime.date(2026, 9, 30)}

    bulk(admin_client, "set_deadline", targets, deadline="2025-09-30", reason="提前完成")
    assert {t.effective_deadline for t in Target.objects.all()} == {datetime.date(2026, 9, 30)}


def test_a_user_department_and_groups_are_set_on_one_page(admin_client, dept_a):
    person = builders.person("newcomer")
    url = reverse("admin:auth_user_change", args=[person.pk])
    form = admin_client.get(url).content.decode()
    assert "所属单位" in form

    response = admin_client.post(
        url,
        {
            "username": "newcomer",
            "is_active": "on",
            "groups": [Group.objects.get(name=roles.REPORTER).pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "staff_profile-TOTAL_FORMS": "1",
            "staff_profile-INITIAL_FORMS": "0",
            "staff_profile-MIN_NUM_FORMS": "0",
            "staff_profile-MAX_NUM_FORMS": "1",
            "staff_profile-0-department": dept_a.pk,
            "staff_profile-0-user": person.pk,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.staff_profile.department == dept_a
    assert list(person.groups.values_list("name", flat=True)) == [roles.REPORTER]


def test_only_a_superuser_can_make_superusers(client, db):
    keeper = builders.person("keeper", roles.ADMIN, is_staff=True)
    client.force_login(keeper)
    form = client.get(reverse("admin:auth_user_change", args=[keeper.pk])).content.decode()
    assert 'name="is_superuser"' not in form


def test_sub_sections_are_added_under_a_section_in_its_report(admin_client, report):
    parent = builders.section(report, code="3", title="三、主要工作")
    url = reverse("admin:targets_section_change", args=[parent.pk])
    data = {
        "report": report.pk,
        "code": "3",
        "title": "三、主要工作",
        "order": 1,
        "body": "",
        "children-TOTAL_FORMS": "2",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "1000",
        "children-0-code": "3.1",
        "children-0-title": "（一）稳增长",
        "children-0-order": "2",
        "children-1-code": "3.1",  # the same code twice in one report
        "children-1-title": "（二）重复",
        "children-1-order": "3",
    }

    refused = admin_client.post(url, data)
    assert refused.status_code == 200 and not Section.objects.filter(code="3.1").exists()

    data["children-1-code"] = "3.2"
    assert admin_client.post(url, data).status_code == 302
    assert {(s.code, s.report_id, s.parent_id) for s in Section.objects.filter(parent=parent)} == {
        ("3.1", report.pk, parent.pk),
        ("3.2", report.pk, parent.pk),
    }


def test_progress_entries_cannot_be_added_changed_or_deleted_in_admin(admin_client, admin_user, target_a):
    entry = builders.entry(target_a, "2026-03-31", 1, user=admin_user)
    assert admin_client.get(reverse("admin:targets_progressentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:targets_progressentry_delete", args=[entry.pk])).status_code == 403
    page = admin_client.get(reverse("admin:targets_progressentry_change", args=[entry.pk])).content.decode()
    assert 'name="value"' not in page
    assert ProgressEntry.objects.filter(pk=entry.pk).exists()


def test_targets_are_linked_to_a_practical_task_inline(admin_client, report, target_a, target_b):
    task = PracticalTask.objects.create(report=report, no=1, title="新建中小学教学楼")
    url = reverse("admin:projects_practicaltask_change", args=[task.pk])
    through = "PracticalTask_targets"
    data = {
        "report": report.pk,
        "no": 1,
        "title": "新建中小学教学楼",
        f"{through}-TOTAL_FORMS": "2",
        f"{through}-INITIAL_FORMS": "0",
        f"{through}-MIN_NUM_FORMS": "0",
        f"{through}-MAX_NUM_FORMS": "1000",
        f"{through}-0-target": target_a.pk,
        f"{through}-1-target": target_b.pk,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(task.targets.all()) == {target_a, target_b}


# --- A new year's report ---------------------------------------------------------------------


def report_workbook(*, target_rows=None, extra=()):
    book = openpyxl.Workbook()
    sections = book.active
    sections.title = "章节"
    sections.append(["编号", "上级编号", "标题", "顺序", "正文"])
    sections.append(["3.1", "3", "（一）稳增长", 2, ""])  # a child before its parent
    sections.append(["3", "", "三、2027年的主要工作", 1, ""])
    targets = book.create_sheet("目标")
    targets.append(["编号", "章节", "名称", "类别", "方向", "单位", "目标值", "牵头单位", "配合单位", "报告原文"])
    for row in target_rows or [
        ["B1", "3.1", "新建学校", "年度工作任务", "不低于", "所", 3, "fgw", "教育局", "新建学校3所"],
        ["B2", "3.1", "营商环境", "年度工作任务", "定性", "", None, "发展和改革局", "", "持续优化营商环境"],
    ]:
        targets.append(row)
    glossary = book.create_sheet("名词解释")
    glossary.append(["名词", "解释"])
    glossary.append(["三区", "……"])
    for name, rows in extra:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_second_report_loads_beside_the_first_without_touching_it(tmp_path, report, target_a, reporter_a, dept_b):
    builders.entry(target_a, "2026-06-30", 3, user=reporter_a)
    before = list(Target.objects.values_list("pk", "code", "name", "deadline", "lead_department_id"))
    path = tmp_path / "2027.xlsx"
    path.write_bytes(report_workbook())

    call_command("import_report", str(path), code="next", year=2027, government="test-gov", stdout=io.StringIO())

    new = Report.objects.get(code="next")
    assert new.state == ReportState.DRAFT and Report.objects.current() == report  # the running year stays current
    assert (new.period_start, new.period_end) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert (
        list(Target.objects.filter(report=report).values_list("pk", "code", "name", "deadline", "lead_department_id"))
        == before
    )
    b1 = Target.objects.get(report=new, code="B1")
    assert (b1.section.code, b1.section.parent.code, b1.deadline) == ("3.1", "3", datetime.date(2027, 12, 31))
    assert list(b1.co_departments.all()) == [dept_b]
    assert Target.objects.get(report=new, code="B2").direction == Direction.QUALITATIVE
    assert GlossaryTerm.objects.filter(report=new).count() == 1
    assert ProgressEntry.objects.filter(target=target_a).count() == 1


def test_the_previous_report_stays_writable_beside_a_new_one_until_it_is_closed(
    report, target_a, reporter_a, supervisor
):
    from django.core.exceptions import PermissionDenied

    from targets import services

    builders.report(code="next", year=2027)

    assert roles.writable_targets(Target.objects.filter(pk=target_a.pk), reporter_a).exists()
    services.change_report_state(user=supervisor, report=report, state=ReportState.CLOSED)
    assert not roles.writable_targets(Target.objects.filter(pk=target_a.pk), reporter_a).exists()
    assert not roles.writable_targets(Target.objects.filter(pk=target_a.pk), supervisor).exists()
    with pytest.raises(PermissionDenied):
        services.record_progress(
            user=reporter_a, target=target_a, reported_on=datetime.date(2026, 6, 30), value=Decimal(1)
        )


def test_a_report_workbook_with_errors_creates_nothing_and_names_each_error(tmp_path, report, dept_a):
    rows = [
        ["B1", "9.9", "新建学校", "年度工作任务", "不低于", "所", 3, "fgw", "", "新建学校3所"],
        ["B2", "3.1", "某事", "随便", "不低于", "所", None, "无此单位", "", "原文"],
    ]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(report_workbook(target_rows=rows))

    plan = report_import.plan_report(path, code="next", year=2027, government=report.government)

    found = {(e.sheet, e.row, e.column) for e in plan.errors}
    assert ("目标", 2, "章节") in found
    assert ("目标", 3, "类别") in found
    # A department the government does not have yet is planned as a new one (listed in the preview), not an error.
    assert ("目标", 3, "牵头单位") not in found and [d.name for d in plan.departments] == ["无此单位"]
    assert not Report.objects.filter(code="next").exists()


def test_an_existing_report_code_plans_an_update_of_that_report(tmp_path, report, dept_a):
    path = tmp_path / "again.xlsx"
    path.write_bytes(report_workbook())
    plan = report_import.plan_report(path, code=report.code)
    assert plan.ok and plan.existing and plan.report.pk == report.pk
    assert not Report.objects.filter(pk=report.pk, sections__code="3.1").exists()  # planned, not written


def test_admin_imports_a_new_report_from_its_page(admin_client, report, dept_a, dept_b):
    url = reverse("admin:targets_report_import")
    assert "从工作簿导入" in admin_client.get(reverse("admin:targets_report_changelist")).content.decode()

    checked = admin_client.post(
        url,
        {
            "workbook": SimpleUploadedFile("2027.xlsx", report_workbook()),
            "code": "next",
            "year": 2027,
            "government": report.government.pk,
        },
    )
    assert "尚未写入任何数据" in checked.content.decode() and not Report.objects.filter(code="next").exists()

    created = admin_client.post(url, {"confirm": checked.context["token"]})
    new = Report.objects.get(code="next")
    assert created.status_code == 302 and created["Location"] == reverse("admin:targets_report_change", args=[new.pk])
    assert new.targets.count() == 2 and new.sections.count() == 2


def test_the_header_switches_to_an_earlier_report(client, official, report, dept_a):
    builders.target(report, code="OLD1", lead=dept_a)
    new = builders.report(code="next", year=2027)
    builders.target(new, code="NEW1", lead=dept_a, section_obj=builders.section(new, code="1"))
    client.force_login(official)

    default = client.get(reverse("target-list")).content.decode()
    earlier = client.get(reverse("target-list") + "?report=test").content.decode()

    assert 'name="report"' in default and "NEW1" in default and "OLD1" not in default
    assert "OLD1" in earlier and "NEW1" not in earlier
    assert '<option value="test" selected>' in earlier


def test_load_report_if_missing_leaves_an_edited_report_alone(db):
    out = io.StringIO()
    call_command("load_report", year=2026, stdout=out)
    department = Department.objects.order_by("code").first()
    department.name = "改过的名称"
    department.save()

    call_command("load_report", year=2026, if_missing=True, stdout=out)

    department.refresh_from_db()
    assert department.name == "改过的名称"
    assert "already loaded" in out.getvalue()


def test_kind_labels_and_codes_are_both_accepted(tmp_path, report, dept_a):
    rows = [["B1", "3.1", "主要指标", Kind.MAIN_INDICATOR.value, "左右", "%", 5, "fgw", "", "原文"]]
    path = tmp_path / "codes.xlsx"
    path.write_bytes(report_workbook(target_rows=rows))
    plan = report_import.plan_report(path, code="next", year=2027, government=report.government)
    assert plan.ok, plan.errors
    assert plan.targets[0][0].kind == Kind.MAIN_INDICATOR
