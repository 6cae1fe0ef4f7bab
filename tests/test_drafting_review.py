"""The review screen through its real URLs: upload, decide (accept, reject, split, merge), edit,
add from a selected clause, assign departments, publish into a 草稿 report in one transaction."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from drafting.models import Draft
from projects.models import PracticalTask
from targets import errors
from targets.choices import ReportState
from targets.models import GlossaryTerm, Government, Report, Section, Target

from . import builders

SEED = Path(__file__).parent / "data" / "seed_report.txt"

COUNTY = """2030年某县政府工作报告

一、2029年工作回顾

过去一年,新建幼儿园4所,森林覆盖率达到41%。

二、2030年主要工作

2030年主要预期目标是:地区生产总值增长6%以上,达到210亿元;森林覆盖率达到43%。

(一)办好教育。新建幼儿园5所,改造校舍2万平方米。

(二)改善交通。改造农村公路80公里。

2030年为民办实事项目

1.新建幼儿园5所。

2.实施城区亮化工程。

名词解释:

“两个中心”:就是县域医疗中心和养老中心。
"""


@pytest.fixture
def county(db):
    government = builders.government("county", "某县人民政府")
    education = builders.department("edu", "教育局", government_obj=government)
    transport = builders.department("jt", "交通运输局", government_obj=government)
    builders.department("fg", "发展和改革局", government_obj=government)
    return government, education, transport


def upload(client, government, content=None, name="county.txt", year=2030):
    content = COUNTY.encode() if content is None else content
    return client.post(
        reverse("drafting:upload"),
        {"file": SimpleUploadedFile(name, content), "government": government.pk, "year": year},
    )


def drafted(client, government):
    response = upload(client, government)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Draft.objects.get()


def row(draft, **match):
    draft.refresh_from_db()
    return next(t for t in draft.data["targets"] if all(t[k] == v for k, v in match.items()))


def test_supervisor_uploads_a_report_and_sees_its_figures_marked_beside_the_draft(client, supervisor, county):
    government, _education, _transport = county
    client.force_login(supervisor)
    draft = drafted(client, government)
    response = client.get(reverse("drafting:review", args=[draft.pk]))
    page = response.content.decode()
    target = row(draft, value="210")
    # the growth rate and the level it reaches, the first the one the table links to
    assert f'href="#row-{target["id"]}" id="fig-{target["id"]}">6%以上</a>' in page
    assert f'href="#row-{target["id"]}">210亿元</a>' in page
    schools = row(draft, value="5", section="2.1")
    assert page.count(f'href="#row-{schools["id"]}">5所</a>') == 1  # the task repeating it, marked too
    assert page.count(f'id="fig-{schools["id"]}"') == 1
    assert f'id="row-{target["id"]}"' in page
    assert "县域医疗中心和养老中心" in page and "实施城区亮化工程" in page
    assert not Report.objects.filter(government=government).exists()  # nothing reaches a report before publish


def test_the_review_page_reads_the_draft_in_a_fixed_number_of_queries(
    client, supervisor, county, django_assert_num_queries
):
    client.force_login(supervisor)
    small = drafted(client, county[0])
    large = Draft.objects.get(pk=upload(client, county[0], content=SEED.read_bytes()).url.rstrip("/").split("/")[-1])
    assert len(large.data["targets"]) > 10 * len(small.data["targets"])
    for draft in (small, large):
        client.get(reverse("drafting:review", args=[draft.pk]))
        # session, user, groups, the header's report, the draft, its departments, its government
        with django_assert_num_queries(7):
            response = client.get(reverse("drafting:review", args=[draft.pk]))
        assert response.status_code == 200


def test_a_reporter_cannot_draft_or_review(client, reporter_a, county):
    client.force_login(reporter_a)
    assert upload(client, county[0]).status_code == 403
    assert not Draft.objects.exists()


def test_accept_reject_split_and_merge(client, supervisor, county):
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    roads = row(draft, unit="公里")
    schools = row(draft, value="5", section="2.1")
    url = reverse("drafting:decide", args=[draft.pk, roads["id"]])
    assert client.post(url, {"action": "accepted"}).status_code == 302
    assert row(draft, id=roads["id"])["status"] == "accepted"
    client.post(url, {"action": "rejected"})
    assert row(draft, id=roads["id"])["status"] == "rejected"
    count = len(draft.data["targets"])
    client.post(reverse("drafting:decide", args=[draft.pk, schools["id"]]), {"action": "split"})
    draft.refresh_from_db()
    assert len(draft.data["targets"]) == count + 1
    twin = draft.data["targets"][[t["id"] for t in draft.data["targets"]].index(schools["id"]) + 1]
    assert twin["value"] == "5" and twin["clause"] == schools["clause"]
    task = next(task for task in draft.data["practical_tasks"] if task["no"] == 1)
    assert {m["target"] for m in task["metrics"]} == {schools["id"], twin["id"]}  # the task follows the split
    client.post(reverse("drafting:decide", args=[draft.pk, schools["id"]]), {"action": "merge"})
    draft.refresh_from_db()
    assert len(draft.data["targets"]) == count
    task = next(task for task in draft.data["practical_tasks"] if task["no"] == 1)
    assert [m["target"] for m in task["metrics"]] == [schools["id"]]


def test_merging_the_last_target_is_refused_and_nothing_changes(client, supervisor, county):
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    last = draft.data["targets"][-1]
    before = draft.data
    response = client.post(reverse("drafting:decide", args=[draft.pk, last["id"]]), {"action": "merge"}, follow=True)
    assert str(errors.DRAFT_NOTHING_TO_MERGE) in response.content.decode()
    draft.refresh_from_db()
    assert draft.data == before


def test_edit_a_drafted_target_and_assign_its_department(client, supervisor, county):
    _government, education, _transport = county
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    target = row(draft, unit="万平方米")
    url = reverse("drafting:edit", args=[draft.pk, target["id"]])
    assert client.get(url).status_code == 200
    values = {"name": "改造中小学校舍", "value": "2.5", "value_max": "", "unit": "万平方米", "comparator": "≥"}
    values |= {"growth_rate": "", "kind": "annual_task", "measure": "cumulative", "lead_department": education.pk}
    assert client.post(url, values).status_code == 302
    edited = row(draft, id=target["id"])
    assert (edited["name"], edited["value"], edited["direction"], edited["lead_department"]) == (
        "改造中小学校舍",
        "2.5",
        "at_least",
        education.pk,
    )


def test_editing_a_quantified_target_without_a_value_is_refused(client, supervisor, county):
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    target = row(draft, unit="万平方米")
    values = {"name": "改造校舍", "value": "", "unit": "万平方米", "comparator": "≥", "kind": "annual_task"}
    response = client.post(reverse("drafting:edit", args=[draft.pk, target["id"]]), values | {"measure": "cumulative"})
    assert response.status_code == 200 and str(errors.DRAFT_QUANTIFIED_NEEDS_VALUE) in response.content.decode()
    assert row(draft, id=target["id"])["value"] == "2"


def test_add_targets_from_a_selected_clause(client, supervisor, county):
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    url = reverse("drafting:add-clause", args=[draft.pk])
    client.post(url, {"clause": "新建幼儿园4所"})  # the review's figure: the reviewer decides it is a target
    added = row(draft, value="4")
    assert (added["unit"], added["section"], added["status"]) == ("所", "1", "pending")
    client.post(url, {"clause": "实施城区亮化工程"})
    assert row(draft, name="实施城区亮化工程", section="3")["direction"] == "qualitative"


def test_a_clause_not_in_the_text_is_refused(client, supervisor, county):
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    count = len(draft.data["targets"])
    response = client.post(reverse("drafting:add-clause", args=[draft.pk]), {"clause": "新建机场1座"}, follow=True)
    assert str(errors.DRAFT_CLAUSE_NOT_IN_TEXT) in response.content.decode()
    draft.refresh_from_db()
    assert len(draft.data["targets"]) == count


def test_suggested_departments_are_taken_only_when_the_reviewer_asks(client, supervisor, county):
    _government, education, transport = county
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    assert all(t["lead_department"] is None for t in draft.data["targets"])
    assert row(draft, unit="公里")["suggestion"]["department"] == "交通运输局"
    client.post(reverse("drafting:bulk", args=[draft.pk]), {"action": "accept_suggestions"})
    assert row(draft, unit="公里")["lead_department"] == transport.pk
    assert row(draft, value="5", section="2.1")["lead_department"] == education.pk


def _publish(client, draft, code="county-2030"):
    return client.post(reverse("drafting:publish", args=[draft.pk]), {"code": code, "year": 2030}, follow=True)


def test_publish_is_refused_while_targets_are_pending_or_lack_a_department_and_nothing_is_created(
    client, supervisor, county
):
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    page = _publish(client, draft).content.decode()
    assert str(errors.DRAFT_PENDING_LEFT % {"count": len(draft.data["targets"])}) in page
    client.post(reverse("drafting:bulk", args=[draft.pk]), {"action": "accept_pending"})
    page = _publish(client, draft).content.decode()
    assert "没有指定牵头单位" in page
    assert not Report.objects.exists() and not Section.objects.exists() and not Target.objects.exists()


def test_publish_creates_a_draft_report_with_sections_targets_tasks_and_glossary(client, supervisor, county):
    government, education, _transport = county
    client.force_login(supervisor)
    draft = drafted(client, county[0])
    client.post(reverse("drafting:bulk", args=[draft.pk]), {"action": "accept_suggestions"})
    for target in draft.data["targets"]:
        if row(draft, id=target["id"])["lead_department"] is None:
            values = {k: (row(draft, id=target["id"])[k] or "") for k in ("name", "value", "unit", "comparator")}
            values |= {"value_max": "", "growth_rate": row(draft, id=target["id"])["growth_rate"] or ""}
            values |= {"kind": target["kind"], "measure": target["measure"], "lead_department": education.pk}
            client.post(reverse("drafting:edit", args=[draft.pk, target["id"]]), values)
    rejected = row(draft, unit="公里")
    client.post(reverse("drafting:decide", args=[draft.pk, rejected["id"]]), {"action": "rejected"})
    client.post(reverse("drafting:bulk", args=[draft.pk]), {"action": "accept_pending"})
    response = _publish(client, draft)
    assert response.status_code == 200
    report = Report.objects.get(code="county-2030")
    assert (report.state, report.government, report.year) == (ReportState.DRAFT, government, 2030)
    assert report.title == "2030年某县政府工作报告" and report.text == draft.text
    assert [s.code for s in report.sections.order_by("order")] == ["1", "2", "2.1", "2.2", "3", "4"]
    assert report.sections.get(code="2.1").parent.code == "2"
    gdp = report.targets.get(target_value=210)
    assert (gdp.growth_rate_target, gdp.kind, gdp.direction, gdp.section.code) == (6, "main_indicator", "at_least", "2")
    forest = report.targets.get(target_value=43)
    assert forest.baseline_value == 41
    assert not report.targets.filter(unit="公里").exists()  # the rejected one
    tasks = {task.no: task for task in PracticalTask.objects.filter(report=report)}
    assert [t.target_value for t in tasks[1].targets.all()] == [5]
    assert tasks[2].targets.get().direction == "qualitative"
    assert list(GlossaryTerm.objects.filter(report=report).values_list("term", flat=True)) == ["“两个中心”"]
    draft.refresh_from_db()
    assert draft.report == report
    again = _publish(client, draft, code="county-2030b").content.decode()
    assert "已发布为报告" in again and not Report.objects.filter(code="county-2030b").exists()


@pytest.mark.django_db
def test_the_seed_uploaded_reviewed_and_published_works_in_the_living_report_glossary_and_tasks(client, supervisor):
    call_command("load_report", year=2026, stdout=io.StringIO())
    government = Government.objects.get(code="lanzhou-chengguan")
    office = government.departments.get(name="区政府办公室")
    client.force_login(supervisor)
    response = upload(client, government, content=SEED.read_bytes(), name="chengguan.txt", year=2027)
    draft = Draft.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    client.post(reverse("drafting:bulk", args=[draft.pk]), {"action": "accept_suggestions"})
    draft.refresh_from_db()
    for target in [t for t in draft.data["targets"] if t["lead_department"] is None]:
        values = {k: target[k] or "" for k in ("name", "value", "value_max", "unit", "comparator", "growth_rate")}
        values |= {"kind": target["kind"], "measure": target["measure"], "lead_department": office.pk}
        assert client.post(reverse("drafting:edit", args=[draft.pk, target["id"]]), values).status_code == 302
    client.post(reverse("drafting:bulk", args=[draft.pk]), {"action": "accept_pending"})
    assert _publish(client, draft, code="chengguan-2027").status_code == 200
    report = Report.objects.get(code="chengguan-2027")
    assert report.state == ReportState.DRAFT
    assert report.targets.count() == 150 and report.practical_tasks.count() == 20 and report.glossary.count() == 23
    living = client.get(reverse("living-report"), {"report": report.code})
    assert living.status_code == 200 and "城镇登记失业率控制在3.5%以内" in living.content.decode()
    glossary = client.get(reverse("glossary"), {"report": report.code})
    assert glossary.status_code == 200 and "一刻钟精品服务社区" in glossary.content.decode()
    tasks = client.get(reverse("practical-tasks"), {"report": report.code})
    assert tasks.status_code == 200 and "改造城市小街巷60条" in tasks.content.decode()


def test_the_report_import_page_offers_drafting_from_the_text(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:targets_report_import")).content.decode()
    assert reverse("drafting:upload") in page
    assert client.get(reverse("drafting:upload")).status_code == 200


def test_the_drafts_list_reads_in_a_fixed_number_of_queries(client, supervisor, county, django_assert_num_queries):
    client.force_login(supervisor)
    for count in (1, 10):
        while Draft.objects.count() < count:
            drafted_again = upload(client, county[0])
            assert drafted_again.status_code == 302
        # session, user, groups, the header's report, the drafts with their uploader and report, governments
        with django_assert_num_queries(6):
            response = client.get(reverse("drafting:upload"))
        assert response.content.decode().count("county.txt") == count
