"""The report fixtures tested as data: what load_report puts in the database is the report,
complete and exact — every target, the 20 practical tasks, the glossary — and loading is safe
to repeat."""

import datetime
import io
import json
import shutil
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction

from projects.loading import FIXTURE_FILES
from projects.models import PracticalTask, Project
from targets.loading import FIXTURES_DIR
from targets.models import Department, GlossaryTerm, ProgressEntry, Report, Section, Target

pytestmark = pytest.mark.django_db

REPORT = "chengguan"
KIND_COUNTS = {"main_indicator": 10, "five_year_goal": 31, "annual_task": 72, "practical_task_metric": 37}
TARGET_COUNT = sum(KIND_COUNTS.values())
SECTION_COUNT = 39
GLOSSARY_COUNT = 23
PROJECT_COUNT = 19
DEPARTMENT_COUNT = 35
MASKS_LEFT = 4  # 20xx the text alone cannot place (see targets.loading.YEAR_MASKS)


def load(year=2026, **options):
    out = io.StringIO()
    call_command("load_report", year=year, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def ledger(django_db_setup, django_db_blocker):
    """The report loaded once for the module, rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield Report.objects.get(code=REPORT)
        transaction.set_rollback(True)


@pytest.fixture
def report(ledger, db):
    return Report.objects.get(code=REPORT)


def target(code):
    return Target.objects.select_related("lead_department", "section").get(report__code=REPORT, code=code)


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Department, Report, Section, Target, GlossaryTerm, PracticalTask, Project)
    }


def a_reporter():
    return User.objects.create(username="data-test-reporter")


# ---- the report and its outline -------------------------------------------------------------------------


def test_report_has_its_metadata(report):
    assert report.title == "2026年兰州市城关区政府工作报告"
    assert report.speaker == "张国一"
    assert report.session == "兰州市城关区第十七届人民代表大会第一次会议"
    assert report.delivered_on == datetime.date(2025, 10, 11)
    assert (report.year, report.period_start, report.period_end) == (
        2026,
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
    )


def test_report_text_is_corrected_and_rejoined(report):
    text = report.text
    assert "臵" not in text
    assert "城中村村民安置房134万平方米" in text
    for rejoined in (
        "累计引进亿元以上项目70个、知名企业31家",
        "出台实施了《进一步加强城市建设管理的意见》",
        "打造市级标准化农村卫生所13家",
        "是省市的形象和“窗口”。只有立足城关的特殊地位",
        "机械化清扫率和洗扫率分别达到80%和60%以上",
        "机械化清扫率和洗扫率分别提高到 60%和45%以上。",
        "其中城中村改造村民安置房20万平方米",
        "扶持100家创业企业",
        "教师安居七大工程。",
    ):
        assert rejoined in text
    assert text.startswith("2026年兰州市城关区政府工作报告\n\n")
    assert text.endswith("打非治违:就是打击非法、违法生产;治理违规、违章作业。")


def test_masked_years_are_filled_where_the_text_places_them(report):
    text = report.text
    assert "20xx年10月11日" not in text and "2025年10月11日" in text
    assert "三、2026年的主要工作" in text
    assert "2026年城关区为民兴办实事" in text
    assert "六个翻番,即到2030年" in text
    assert "在2025年基础上翻一番" in text
    assert text.count("20xx") == MASKS_LEFT


def test_no_misplaced_character_in_any_text_field(report):
    rows = [
        *Report.objects.values_list("title", "text"),
        *Section.objects.values_list("title", "body"),
        *Target.objects.values_list("name", "source_text", "baseline_source"),
        *GlossaryTerm.objects.values_list("term", "definition"),
        *PracticalTask.objects.values_list("title"),
        *Project.objects.values_list("name", "source_text"),
        *Department.objects.values_list("name"),
    ]
    assert not [row for row in rows if any("臵" in value for value in row)]


def test_outline_has_parts_areas_and_sub_sections(report):
    sections = {s.code: s for s in report.sections.select_related("parent")}
    assert len(sections) == SECTION_COUNT
    assert [s.code for s in report.sections.filter(parent=None).order_by("order")] == ["1", "2", "3", "4", "5"]
    assert sections["1"].title == "一、过去五年工作回顾"
    assert [sections[f"1.{i}"].parent.code for i in range(1, 6)] == ["1"] * 5
    assert sections["2"].title == "二、未来五年的发展目标和战略任务"
    assert sections["3"].title == "三、2026年的主要工作"
    assert sections["3.1"].title == "一、以加快发展为根本,着力提高发展质量和水平"
    assert sections["3.6"].title == "六、以法制政府建设为目标,着力提升行政效能"
    assert [len([c for c in sections if c.startswith(f"3.{a}.")]) for a in range(1, 7)] == [3, 4, 4, 4, 4, 4]
    assert sections["3.1.1"].title == "加快北城区开发建设"
    assert sections["3.1.1"].parent.code == "3.1"
    assert sections["3.5.1"].title == "推进“数字城关”建设"
    assert sections["3.1.1"].body.startswith("(一)加快北城区开发建设。")
    assert sections["4"].title == "2026年城关区为民兴办实事"
    assert sections["5"].title == "名词解释"


def test_headings_and_bodies_in_order_reproduce_the_report(report):
    parts = []
    for section in report.sections.order_by("order"):
        inline = section.code.count(".") == 2
        heading = "" if inline else (section.title + (":" if section.code == "5" else ""))
        parts.append("\n\n".join(p for p in (heading, section.body) if p))
    assert report.text.endswith("\n\n".join(parts))
    assert report.text.index("一、过去五年工作回顾") == len(report.text) - len("\n\n".join(parts))


# ---- departments -----------------------------------------------------------------------------------------


def test_departments_cover_the_district_units(report):
    codes = set(Department.objects.values_list("code", flat=True))
    assert len(codes) == DEPARTMENT_COUNT
    required = {"fgw", "czj", "zjj", "cgj", "jyj", "wsj", "mzj", "rsj", "kjj", "wtj", "gaj", "swj", "nlj", "hbj"}
    assert required | {"sjj", "xfj", "sfj", "jdb", "jzkf", "bgs"} <= codes
    assert Department.objects.get(code="sjj").name == "食品药品监督管理局"


# ---- targets ---------------------------------------------------------------------------------------------


def test_counts_per_kind(report):
    counts = Counter(report.targets.values_list("kind", flat=True))
    assert dict(counts) == KIND_COUNTS
    assert report.targets.count() == TARGET_COUNT


def test_codes_follow_the_scheme_and_document_order(report):
    codes = list(report.targets.order_by("order").values_list("code", flat=True))
    assert codes[:2] == ["F01", "F02"] and codes[31:33] == ["M01", "M02"] and codes[-1] == "S19.1"
    assert [c for c in codes if c.startswith("M")] == [f"M{i:02}" for i in range(1, 11)]
    assert [c for c in codes if c.startswith("F")] == [f"F{i:02}" for i in range(1, 32)]
    assert sorted(c for c in codes if c.startswith("S")) == ["S03.1", "S04.1", "S19.1"]
    assert sorted(report.targets.values_list("order", flat=True)) == list(range(1, TARGET_COUNT + 1))


def test_every_target_has_a_lead_and_a_source_clause_from_the_text(report):
    for t in report.targets.select_related("lead_department"):
        assert t.lead_department_id, t.code
        assert t.source_text and t.source_text in report.text, t.code
        assert t.lead_department not in t.co_departments.all(), t.code


def test_annual_and_five_year_periods(report):
    annual = report.targets.exclude(kind="five_year_goal")
    assert set(annual.values_list("period_start", "deadline")) == {
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    }
    five_year = report.targets.filter(kind="five_year_goal")
    assert set(five_year.values_list("period_start", "deadline")) == {
        (datetime.date(2026, 1, 1), datetime.date(2030, 12, 31))
    }


def test_gdp_is_one_target_with_growth_and_level(report):
    gdp = target("M01")
    assert (gdp.name, gdp.unit, gdp.direction, gdp.measure) == ("地区生产总值", "亿元", "at_least", "cumulative")
    assert gdp.growth_rate_target == 15 and gdp.target_value == 500
    assert not report.targets.filter(kind="main_indicator", name__startswith="地区生产总值").exclude(code="M01")


def test_yearly_goals_of_the_five_year_plan_are_measured_each_year(report):
    yearly = set(report.targets.filter(measure="annual").values_list("code", flat=True))
    assert yearly == {"F10", "F11", "F15", "F17", "F19", "F20", "F21", "F22", "F23"}
    assert all("每年" in name for name in report.targets.filter(measure="annual").values_list("name", flat=True))


@pytest.mark.parametrize(
    ("code", "value", "growth", "unit", "measure"),
    [
        ("M02", "14.55", 17, "亿元", "cumulative"),
        ("M03", "335", 20, "亿元", "cumulative"),
        ("M04", "424", 15, "亿元", "cumulative"),
        ("M05", "19182", 15, "元", "level"),
        ("M06", "16330", 15, "元", "level"),
    ],
)
def test_main_indicators_with_growth_and_level(report, code, value, growth, unit, measure):
    t = target(code)
    assert (t.target_value, t.growth_rate_target, t.unit, t.measure, t.direction) == (
        Decimal(value),
        growth,
        unit,
        measure,
        "at_least",
    )


def test_incomes_start_from_part_one_baselines(report):
    urban, rural = target("M05"), target("M06")
    assert urban.baseline_value == 16680 and "16680" in urban.baseline_source
    assert rural.baseline_value == 14200 and "14200" in rural.baseline_source
    assert urban.baseline_value * Decimal("1.15") == urban.target_value


def test_unemployment_and_population_growth_are_ceilings(report):
    unemployment, population = target("M07"), target("M08")
    assert (unemployment.direction, unemployment.target_value, unemployment.unit) == ("at_most", 3.5, "%")
    assert (population.direction, population.target_value, population.unit) == ("at_most", Decimal("5.4"), "‰")
    assert unemployment.measure == population.measure == "level"


def test_energy_saving_is_qualitative_and_practical_tasks_count_twenty(report):
    energy, tasks = target("M09"), target("M10")
    assert energy.direction == "qualitative" and energy.target_value is None
    assert (tasks.direction, tasks.target_value, tasks.unit) == ("at_least", 20, "件")


@pytest.mark.parametrize(
    ("code", "name", "value", "unit", "direction", "baseline"),
    [
        ("F06", "城镇居民可支配收入翻一番", "33360", "元", "at_least", "16680"),
        ("F07", "农民人均纯收入翻一番", "28400", "元", "at_least", "14200"),
        ("F08", "地区生产总值突破1000亿元", "1000", "亿元", "at_least", None),
        ("F09", "人均国民生产总值", "1.2", "万美元", "at_least", None),
        ("F10", "每年拆迁(黄河以南旧城区、棚户区和城中村改造)", "100", "万平方米", "approximately", None),
        ("F16", "黄河以北开发整理建设用地累计", "50", "平方公里", "approximately", None),
        ("F18", "现代服务业占第三产业比重", "60", "%", "at_least", "48.7"),
        ("F24", "累计完成投资", "1800", "亿元", "at_least", None),
        ("F26", "人均文化娱乐消费支出占家庭支出的比例", "20", "%", "approximately", None),
        ("F27", "林草覆盖率", "35", "%", "at_least", "31.5"),
        ("F28", "机械化清扫率", "80", "%", "at_least", "50"),
        ("F29", "洗扫率", "60", "%", "at_least", "18"),
        ("F30", "建成保障性住房", "230", "万平方米", "at_least", None),
        ("F31", "为民兴办实事", "100", "件", "at_least", None),
    ],
)
def test_five_year_goals(report, code, name, value, unit, direction, baseline):
    t = target(code)
    assert t.kind == "five_year_goal" and t.section.code == "2"
    assert (t.name, t.target_value, t.unit, t.direction) == (name, Decimal(value), unit, direction)
    assert t.baseline_value == (Decimal(baseline) if baseline else None)


def test_six_doublings(report):
    doublings = report.targets.filter(kind="five_year_goal", growth_rate_target=100).order_by("order")
    assert [t.name for t in doublings] == [
        "地区生产总值翻一番",
        "全社会固定资产投资翻一番",
        "一般预算收入翻一番",
        "社会消费品零售总额翻一番",
        "城镇居民可支配收入翻一番",
        "农民人均纯收入翻一番",
    ]


# At least two per area of part 三 where the area has them (area 六 holds one quantified commitment).
@pytest.mark.parametrize(
    ("code", "section", "value", "value_max", "unit", "direction", "measure"),
    [
        ("A1.1.01", "3.1.1", "10", None, "平方公里", "at_least", "cumulative"),
        ("A1.1.02", "3.1.1", "1.05", None, "亿元", "at_least", "cumulative"),
        ("A1.2.03", "3.1.2", "1000", None, "亿元", "at_least", "cumulative"),
        ("A1.2.07", "3.1.2", "50", None, "%", "at_least", "level"),
        ("A1.3.01", "3.1.3", "10", None, "座", "at_least", "cumulative"),
        ("A2.1.14", "3.2.1", "60", None, "%", "at_least", "level"),
        ("A2.1.15", "3.2.1", "45", None, "%", "at_least", "level"),
        ("A2.3.07", "3.2.3", "1", None, "万个", "at_least", "cumulative"),
        ("A2.3.02", "3.2.3", "50", None, "万株", "at_least", "cumulative"),
        ("A2.4.02", "3.2.4", "8000", None, "亩", "at_least", "cumulative"),
        ("A3.1.06", "3.3.1", "1", "2", "个", "at_least", "cumulative"),
        ("A3.1.08", "3.3.1", "50", None, "名", "at_least", "cumulative"),
        ("A3.2.07", "3.3.2", "35", None, "名", "at_least", "cumulative"),
        ("A3.4.09", "3.3.4", "1.3", None, "亿元", "at_least", "cumulative"),
        ("A4.1.05", "3.4.1", "2.3", None, "万人", "at_least", "cumulative"),
        ("A4.2.03", "3.4.2", "60", None, "%", "at_least", "level"),
        ("A4.3.07", "3.4.3", "5000", None, "元", "at_least", "level"),
        ("A4.4.03", "3.4.4", "50", None, "家", "at_least", "cumulative"),
        ("A5.1.01", "3.5.1", "1300", None, "个", "at_least", "cumulative"),
        ("A5.2.02", "3.5.2", "5000", None, "户", "at_least", "cumulative"),
        ("A5.3.01", "3.5.3", "10", None, "个", "at_least", "cumulative"),
        ("A6.2.01", "3.6.2", "9", None, "处", "at_least", "cumulative"),
    ],
)
def test_part_three_commitments(report, code, section, value, value_max, unit, direction, measure):
    t = target(code)
    assert t.section.code == section
    assert (t.target_value, t.target_value_max, t.unit, t.direction, t.measure) == (
        Decimal(value),
        Decimal(value_max) if value_max else None,
        unit,
        direction,
        measure,
    )


def test_part_three_targets_per_area(report):
    per_area = Counter(
        t.section.code[:3]
        for t in report.targets.filter(kind__in=["annual_task", "practical_task_metric"]).select_related("section")
        if t.section.code.startswith("3.")
    )
    assert dict(per_area) == {"3.1": 14, "3.2": 29, "3.3": 30, "3.4": 26, "3.5": 6, "3.6": 1}


def test_part_three_baselines_come_from_part_one(report):
    assert (target("A2.1.14").baseline_value, target("A2.1.15").baseline_value) == (50, 18)
    assert target("A1.3.04").baseline_value == Decimal("48.7")
    assert target("A4.2.03").baseline_value == 50


def test_directions_follow_the_wording(report):
    for t in report.targets.exclude(direction="qualitative"):
        if "以内" in t.source_text or "控制在" in t.source_text:
            assert t.direction == "at_most", t.code
        elif "左右" in t.source_text:
            assert t.direction == "approximately", t.code
        else:
            assert t.direction == "at_least", t.code


def test_labels_are_not_targets(report):
    values = set(report.targets.exclude(target_value=None).values_list("target_value", flat=True))
    for label in (910, 915, 903, 12315, 9001, 1366, 133, 360, 123456, 5515):
        assert Decimal(label) not in values
    assert not report.targets.filter(source_text__contains="六五")


# ---- practical tasks -----------------------------------------------------------------------------------


def test_twenty_practical_tasks_each_measured(report):
    tasks = list(report.practical_tasks.order_by("no").prefetch_related("targets"))
    assert [t.no for t in tasks] == list(range(1, 21))
    assert tasks[0].title == "改造城市小街巷60条。"
    assert tasks[16].title.startswith("实施就业服务“百千万亿”计划,扶持100家创业企业,对1000户困境家庭")
    assert all(t.targets.exists() for t in tasks)
    assert sum(t.targets.count() for t in tasks) == KIND_COUNTS["practical_task_metric"]
    for task in tasks:
        assert task.title in report.text
        assert set(task.targets.values_list("kind", flat=True)) == {"practical_task_metric"}


def _metrics(no):
    task = PracticalTask.objects.get(report__code=REPORT, no=no)
    return [(t.code, t.target_value, t.unit) for t in task.targets.order_by("order")]


def test_task_two_has_three_metrics(report):
    assert _metrics(2) == [("A2.1.11", 30, "座"), ("A2.1.12", 10, "座"), ("A2.1.13", 10, "个")]


def test_task_four_counts_resettlement_housing_as_a_part(report):
    assert _metrics(4) == [("A4.2.05", 90, "万平方米"), ("A4.2.06", 1500, "套"), ("S04.1", 20, "万平方米")]
    assert target("S04.1").name.startswith("其中：城中村改造村民安置房")


def test_a_task_repeating_a_commitment_shares_its_target(report):
    assert _metrics(12) == [("A1.3.01", 10, "座"), ("A1.3.02", 50, "家")]
    assert _metrics(17) == [
        ("A4.1.01", 100, "家"),
        ("A4.1.02", 1000, "户"),
        ("A4.1.03", 1, "万人"),
        ("A4.1.04", 1, "亿元"),
    ]
    assert target("A1.3.01").section.code == "3.1.3"
    assert not report.targets.filter(source_text="新建肉菜市场10座").exclude(code="A1.3.01")


def test_tasks_without_numbers_are_tracked_qualitatively(report):
    for no, code in ((3, "S03.1"), (19, "S19.1")):
        (metric,) = PracticalTask.objects.get(report__code=REPORT, no=no).targets.all()
        assert (metric.code, metric.direction, metric.target_value) == (code, "qualitative", None)


# ---- glossary ------------------------------------------------------------------------------------------


def test_every_glossary_term_verbatim(report):
    terms = list(report.glossary.order_by("order"))
    assert len(terms) == GLOSSARY_COUNT
    assert [t.term for t in terms] == [
        "“5515”项目",
        "城市综合体",
        "教育最优化七大工程",
        "D级危房",
        "教育“两基”",
        "数字城关“133”系统",
        "社会管理“八百工程”",
        "一刻钟精品服务社区",
        "社区矫正",
        "“123456”工作思路",
        "北城区",
        "“一区两线三组团”",
        "片区、片医责任制",
        "5类特色专科专家工作室",
        "国民体质监测“六进”活动",
        "文明创建六大工程",
        "“360”就业服务品牌",
        "“八助”养老服务",
        "楼院长管理模式",
        "“两户”家庭",
        "“四无街道”创建工作",
        "“打四黑除四害”专项行动",
        "打非治违",
    ]
    glossary_section = report.sections.get(code="5").body
    assert glossary_section == "\n\n".join(f"{t.term}:{t.definition}" for t in terms).replace(
        "绝育户。\n\n“四无街道”", "绝育户。 “四无街道”"
    )


def test_glossary_spot_checks(report):
    definition = dict(report.glossary.values_list("term", "definition"))
    assert definition["“两户”家庭"] == "就是独生子女领证户和农村两女绝育户。"
    assert definition["“四无街道”创建工作"] == (
        "就是在全区开展“无进京非正常上访、无赴省集体上访、无赴市集体上访、无重大群体性事件”创建活动。"
    )
    assert definition["打非治违"] == "就是打击非法、违法生产;治理违规、违章作业。"
    assert definition["D级危房"] == "就是房屋危险性鉴定等级中,房屋整体出现险情,不能满足正常使用要求的危房。"
    assert definition["“一区两线三组团”"] == (
        "一区,就是盘旋路以西、西关十字以东的中央商务区;两线,就是以南北两山为主线的休闲旅游经济带;"
        "三组团,就是东部、雁滩和河北组团。"
    )
    assert definition["教育最优化七大工程"].endswith("教育深化、教师安居七大工程。")
    assert definition["社区矫正"].startswith("就是将符合条件的罪犯置于社区内")


# ---- projects ----------------------------------------------------------------------------------------


def test_major_projects_with_their_clusters(report):
    cluster = dict(report.projects.values_list("name", "cluster"))
    assert len(cluster) == PROJECT_COUNT
    assert {name for name, c in cluster.items() if c == "cbd"} == {"武都路商圈", "红楼时代广场", "鸿运·金茂"}
    assert {name for name, c in cluster.items() if c == "two_mountains"} == {
        "兰山山地生态公园二、三期",
        "伏龙坪整体改造",
        "青白石整体改造",
        "徐家湾旧城改造",
    }
    assert {name for name, c in cluster.items() if c == "east"} == {"创意国际商贸城", "东部永新二期"}
    assert {name for name, c in cluster.items() if c == "yantan"} == {"大连万达商业广场"}
    assert {name for name, c in cluster.items() if c == "north"} == {"庙滩子整体改造", "甘肃会展中心建筑群"}
    assert cluster["雁白黄河大桥"] == ""
    for project in report.projects.all():
        assert project.source_text in report.text and project.name[:3] in project.source_text
    park = report.projects.get(name="兰山山地生态公园二、三期")
    assert list(park.targets.values_list("code", flat=True)) == ["S03.1"]


# ---- loading ---------------------------------------------------------------------------------------------


def test_loading_twice_changes_nothing_and_keeps_progress(report):
    entry = ProgressEntry.objects.create(
        target=target("A2.1.03"), reported_on=datetime.date(2026, 3, 31), value=12, created_by=a_reporter()
    )
    before = snapshot()
    output = load()
    assert "created 0, updated 0," in output and "removed 0" in output
    assert snapshot() == before
    assert ProgressEntry.objects.filter(pk=entry.pk, value=12).exists()
    assert dict(Counter(report.targets.values_list("kind", flat=True))) == KIND_COUNTS


def test_raw_fixtures_load_with_loaddata(report):
    call_command("loaddata", *(str(FIXTURES_DIR / name) for name in FIXTURE_FILES), stdout=io.StringIO())
    raw = Report.objects.get(code=REPORT)
    assert raw.title == "20xx年兰州市城关区政府工作报告" and raw.year == 2026
    assert raw.targets.count() == TARGET_COUNT
    assert all(t.source_text in raw.text for t in raw.targets.all())


def test_year_shifts_every_date(report):
    load(year=2030)
    shifted = Report.objects.get(code=REPORT)
    assert shifted.title == "2030年兰州市城关区政府工作报告"
    assert (shifted.year, shifted.delivered_on) == (2030, datetime.date(2029, 10, 11))
    assert (shifted.period_start, shifted.period_end) == (datetime.date(2030, 1, 1), datetime.date(2030, 12, 31))
    assert (target("M01").period_start, target("M01").deadline) == (
        datetime.date(2030, 1, 1),
        datetime.date(2030, 12, 31),
    )
    assert (target("F24").period_start, target("F24").deadline) == (
        datetime.date(2030, 1, 1),
        datetime.date(2034, 12, 31),
    )
    assert "三、2030年的主要工作" in shifted.text and "在2029年基础上翻一番" in shifted.text
    assert target("F24").source_text == "到2034年,累计完成投资1800亿元以上"
    assert all(t.source_text in shifted.text for t in shifted.targets.all())
    assert shifted.targets.count() == TARGET_COUNT


def test_fixture_correction_updates_in_place_and_never_drops_progress(report, tmp_path):
    for name in FIXTURE_FILES:
        shutil.copy(FIXTURES_DIR / name, tmp_path / name)
    targets_file = tmp_path / "targets.json"
    objects = json.loads(targets_file.read_text(encoding="utf-8"))
    for obj in objects:
        if obj["fields"]["code"] == "A2.3.04":
            obj["fields"]["target_value"] = "120"
    objects = [o for o in objects if o["fields"]["code"] not in {"A3.3.03", "A5.3.01"}]
    targets_file.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")
    flowers, reported, unreported = target("A2.3.04"), target("A5.3.01"), target("A3.3.03")
    ProgressEntry.objects.create(
        target=reported, reported_on=datetime.date(2026, 6, 30), value=4, created_by=a_reporter()
    )

    output = load(fixtures=str(tmp_path))

    assert target("A2.3.04").pk == flowers.pk and target("A2.3.04").target_value == 120
    assert Target.objects.filter(pk=reported.pk).exists() and reported.entries.count() == 1
    assert not Target.objects.filter(pk=unreported.pk).exists()
    assert "kept" in output and "A5.3.01" in output
