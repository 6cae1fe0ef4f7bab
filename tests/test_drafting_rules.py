"""Each rule of drafting.extract, on sentences written for the test (a small report of an invented
county), never on the seed's own sentences."""

from pathlib import Path

import pytest

from drafting.extract import draft, figures


def report(*, review="", five_year="", annual="", main="", tasks="", glossary=""):
    """A work report of the usual shape around the given paragraphs."""
    parts = ["2030年某县政府工作报告", "在某县第五届人民代表大会第二次会议上", "李某某", "各位代表:"]
    parts += ["一、2029年工作回顾", review or "过去一年,各项工作稳步推进。"]
    parts += ["二、今后五年的奋斗目标", five_year or "今后五年,我们将坚持高质量发展。"]
    parts += ["三、2030年重点工作", main or "2030年主要预期目标是:地区生产总值增长6%左右。"]
    parts += ["一、推动经济发展", annual or "(一)扩大有效投资。全年实施重点项目50个。"]
    if tasks:
        parts += ["2030年为民办实事项目", tasks]
    if glossary:
        parts += ["名词解释:", glossary]
    return "\n\n".join(parts)


def targets_of(text, **kwargs):
    return draft(text, **kwargs)["targets"]


def one(text, section="3"):
    found = [t for t in targets_of(text) if t["section"] == section]
    assert len(found) == 1, [(t["name"], t["value"], t["unit"]) for t in found]
    return found[0]


def figure(sentence):
    found = figures(sentence)
    assert len(found) == 1, found
    return found[0]


# --- The outline --------------------------------------------------------------------------------


def test_outline_has_parts_areas_restarting_at_one_and_run_in_sub_sections():
    text = report(annual="(一)扩大有效投资。全年实施重点项目50个。\n\n(二)培育新兴产业。新增规上企业20家。")
    sections = {s["code"]: s for s in draft(text)["sections"]}
    assert sections["1"]["title"] == "一、2029年工作回顾" and sections["1"]["role"] == "review"
    assert sections["2"]["role"] == "forward" and sections["2"]["kind"] == "five_year_goal"
    assert sections["3"]["kind"] == "annual_task"
    assert sections["3.1"]["title"] == "一、推动经济发展" and sections["3.1"]["parent"] == "3"
    assert sections["3.1.1"]["title"] == "扩大有效投资" and sections["3.1.2"]["title"] == "培育新兴产业"
    assert sections["3.1.2"]["parent"] == "3.1"


def test_run_in_headings_and_the_main_targets_paragraph_are_noted_in_the_outline():
    text = report(five_year="——建设创新之城。到2034年,研发投入强度达到3%以上。")
    sections = {s["code"]: s for s in draft(text)["sections"]}
    assert [h["title"] for h in sections["2"]["run_in_headings"]] == ["建设创新之城"]
    assert sections["3"]["main_targets"] is True


def test_a_paragraph_cut_by_a_page_break_is_joined_again():
    text = report(annual="(一)扩大有效投资。全年实施重点项目50个,完成固定资产投资12\n\n0亿元以上。")
    target = next(t for t in targets_of(text) if t["unit"] == "亿元")
    assert target["value"] == "120" and target["comparator"] == "≥"
    assert target["clause"] == "完成固定资产投资120亿元以上"


def test_the_appendices_are_parts_of_their_own():
    text = report(tasks="1.新建乡镇卫生院3所。", glossary="“两个中心”:就是县域医疗中心和养老中心。")
    roles = {s["title"]: s["role"] for s in draft(text)["sections"]}
    assert roles["2030年为民办实事项目"] == "tasks" and roles["名词解释"] == "glossary"


# --- Forward-looking parts only; review figures become baselines ---------------------------------


def test_review_figures_are_baselines_not_targets():
    text = report(
        review="过去一年,森林覆盖率由40%提高到42.5%,新建学校6所。",
        five_year="到2034年,森林覆盖率达到45%以上。",
    )
    data = draft(text)
    assert [(t["name"], t["value"]) for t in data["targets"] if t["section"] in ("1", "2")] == [("森林覆盖率", "45")]
    target = data["targets"][0]
    assert target["baseline"] == "42.5"
    baseline = next(b for b in data["baselines"] if b["value"] == "42.5")
    assert baseline["targets"] == [target["id"]]
    assert "6" in {b["value"] for b in data["baselines"]}


def test_from_to_in_a_commitment_gives_its_own_baseline():
    target = one(report(main="2030年主要预期目标是:城乡居民医保住院报销比例从55%提高到65%。"))
    assert (target["value"], target["unit"], target["baseline"]) == ("65", "%", "55")


# --- Values, units, comparators ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("新建公园12个", "12", "个"),
        ("新建公园十二个", "12", "个"),
        ("新建公园１２个", "12", "个"),
        ("造林3.5万亩", "3.5", "万亩"),
        ("完成投资1.8亿元", "1.8", "亿元"),
        ("新增就业一万二千人", "12000", "人"),
        ("发放补贴2 万元", "2", "万元"),
        ("惠及6万农村居民", "6", "万人"),
    ],
)
def test_value_and_unit(sentence, value, unit):
    found = figure(sentence)
    assert (found.value, found.unit) == (value, unit)


@pytest.mark.parametrize(
    ("sentence", "comparator"),
    [
        ("粮食产量稳定在40万吨以上", "≥"),
        ("城镇调查失业率控制在5.5%以内", "≤"),
        ("居民收入增长7%左右", "≈"),
        ("投入资金300多万元", ">"),
        ("帮扶困难群众2000余人", ">"),
        ("游客人数超过500万人次", ">"),
        ("工业总产值突破100亿元", ">"),
        ("新建公厕20座", "="),
    ],
)
def test_comparator(sentence, comparator):
    assert figure(sentence).comparator == comparator


def test_a_range_has_its_upper_bound():
    found = figure("建设3至5个产业园区")
    assert (found.value, found.value_max, found.unit, found.comparator) == ("3", "5", "个", "≥")


def test_a_growth_rate_and_the_level_it_reaches_are_one_target():
    target = one(report(main="2030年主要预期目标是:地区生产总值增长6.5%以上,达到320亿元。"))
    assert (target["value"], target["unit"], target["growth_rate"], target["comparator"]) == ("320", "亿元", "6.5", "≥")
    assert target["name"] == "地区生产总值" and target["kind"] == "main_indicator"


def test_a_growth_rate_alone_is_a_target_of_growth():
    target = one(report(main="2030年主要预期目标是:规模以上工业增加值增长8%。"))
    assert (target["value"], target["growth_rate"], target["unit"]) == (None, "8", "%")


def test_doubling_names_each_indicator_and_takes_its_unit_from_elsewhere():
    text = report(
        review="一般公共预算收入达到12亿元,农村居民人均可支配收入达到15000元。",
        five_year="到2034年,一般公共预算收入、农村居民人均可支配收入在2029年基础上翻一番。",
    )
    found = {t["name"]: t for t in targets_of(text) if t["section"] == "2"}
    assert found["一般公共预算收入"]["unit"] == "亿元" and found["一般公共预算收入"]["growth_rate"] == "100"
    assert found["农村居民人均可支配收入"]["value"] == "30000"  # twice the baseline of the review


def test_respectively_gives_each_figure_its_name_and_the_shared_comparator():
    text = report(annual="(一)改善环境。城市污水处理率和垃圾无害化处理率分别达到95%和98%以上。")
    found = [(t["name"], t["value"], t["comparator"]) for t in targets_of(text) if t["section"] == "3.1.1"]
    assert found == [("城市污水处理率", "95", "≥"), ("垃圾无害化处理率", "98", "≥")]


def test_a_compound_clause_is_split_with_the_verb_carried_over():
    text = report(annual="(一)完善设施。新建改建农贸市场4个、停车场6处、充电桩200个。")
    found = [(t["name"], t["value"], t["unit"]) for t in targets_of(text) if t["section"] == "3.1.1"]
    assert found == [("新建改建农贸市场", "4", "个"), ("新建改建停车场", "6", "处"), ("新建改建充电桩", "200", "个")]


def test_the_figure_before_its_noun_is_named_by_the_noun():
    text = report(annual="(一)发展教育。新建3所幼儿园和2所初级中学。")
    assert [t["name"] for t in targets_of(text) if t["section"] == "3.1.1"] == ["新建幼儿园", "新建初级中学"]


# --- Kinds ------------------------------------------------------------------------------------


def test_kinds_five_year_annual_main_and_yearly_goals():
    text = report(five_year="力争每年新增城镇就业3000人,到2034年,城镇化率达到60%。")
    by_value = {t["value"]: t for t in targets_of(text)}
    assert by_value["3000"]["kind"] == "five_year_goal" and by_value["3000"]["measure"] == "annual"
    assert by_value["60"]["kind"] == "five_year_goal" and by_value["60"]["measure"] == "level"
    assert by_value["50"]["kind"] == "annual_task" and by_value["50"]["measure"] == "cumulative"
    assert next(t for t in targets_of(text) if t["growth_rate"] == "6")["kind"] == "main_indicator"


def test_a_main_target_without_a_figure_is_qualitative():
    text = report(main="2030年主要预期目标是:地区生产总值增长6%左右;单位生产总值能耗完成省下达任务。")
    qualitative = [t for t in targets_of(text) if t["direction"] == "qualitative"]
    assert [t["name"] for t in qualitative] == ["单位生产总值能耗完成省下达任务"]


# --- What is not a target --------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "启动产业园二期建设",
        "办好第三届农民丰收节",
        "实施“十四五”规划和“1355”工程",
        "实施创新驱动、乡村振兴、开放带动三大战略",
        "强化应急、救援和保障三支队伍建设",
        "招引亿元以上项目落地",
        "为70岁以上老人发放高龄补贴",
        "建成一批特色小镇",
        "我们将重点抓好五个方面的工作",
        "打造一个区域物流中心",
    ],
)
def test_not_a_target(sentence):
    text = report(annual=f"(一)抓好重点。{sentence}。")
    assert [t for t in targets_of(text) if t["section"] == "3.1.1"] == []


def test_a_threshold_sizes_its_noun_while_the_count_is_the_target():
    text = report(annual="(一)抓好项目。新开工5000万元以上项目15个。")
    assert [(t["value"], t["unit"]) for t in targets_of(text) if t["section"] == "3.1.1"] == [("15", "个")]


# --- Practical tasks and the glossary ----------------------------------------------------------


def test_practical_tasks_link_the_commitments_they_repeat_and_keep_their_own():
    text = report(
        annual="(一)办好民生实事。新建乡镇卫生院3所,改造老旧小区12个。",
        tasks="1.新建乡镇卫生院3所。\n\n2.改造老旧小区12个,其中加装电梯40部。\n\n3.实施城区亮化工程。",
    )
    data = draft(text)
    by_id = {t["id"]: t for t in data["targets"]}
    tasks = {task["no"]: [by_id[m["target"]] for m in task["metrics"]] for task in data["practical_tasks"]}
    assert [(t["section"], t["value"], t["kind"]) for t in tasks[1]] == [("3.1.1", "3", "practical_task_metric")]
    assert [(t["section"], t["value"]) for t in tasks[2]] == [("3.1.1", "12"), ("4", "40")]
    assert [t["direction"] for t in tasks[3]] == ["qualitative"] and tasks[3][0]["section"] == "4"
    assert len(data["targets"]) == 5  # 3 所 and 12 个 once each, the 40 部 and the qualitative task added


def test_glossary_terms_one_per_paragraph_several_on_a_line_and_joined_across_a_page_break():
    glossary = (
        "“三个一批”:就是签约一批、开工一批、投产一批。\n\n"
        "河长制:就是由各级党政主要负责人担任河长的制度。 “两个中心”:就是县域医疗中\n\n心和养老中心。"
    )
    entries = draft(report(glossary=glossary))["glossary"]
    assert [(e["term"], e["definition"]) for e in entries] == [
        ("“三个一批”", "就是签约一批、开工一批、投产一批。"),
        ("河长制", "就是由各级党政主要负责人担任河长的制度。"),
        ("“两个中心”", "就是县域医疗中心和养老中心。"),
    ]


# --- Departments are suggested, never assumed ---------------------------------------------------


def test_a_lead_department_is_suggested_from_the_keyword_table_and_none_without_a_keyword():
    text = report(annual="(一)发展教育。新建3所幼儿园,改造农村公路80公里。")
    keywords = [("幼儿园", "教育局")]
    found = {t["unit"]: t for t in targets_of(text, keywords=keywords)}
    assert found["所"]["suggestion"] == {"keyword": "幼儿园", "department": "教育局", "found_in": "name"}
    assert found["所"]["lead_department"] is None
    assert found["公里"]["suggestion"] is None


# --- A report of another shape ------------------------------------------------------------------

OTHER = Path(__file__).parent / "data" / "other_report.txt"


def test_a_report_of_another_shape_is_drafted_by_the_same_rules():
    """A city's report written for the test: full-width punctuation, the date in the session line, a
    page number between paragraphs, (一) areas in the review, one annual part and a part on the
    government itself, tasks numbered 一、 and a numbered glossary, both as 附件."""
    data = draft(OTHER.read_text(encoding="utf-8"))
    assert data["meta"] == {
        "title": "政府工作报告",
        "session": "某市第十届人民代表大会第三次会议",
        "speaker": "王某某",
        "delivered_on": "2031-01-08",
    }
    assert [(s["code"], s["role"]) for s in data["sections"]] == [
        ("1", "review"),
        ("1.1", "review"),
        ("1.2", "review"),
        ("2", "forward"),
        ("2.1", "forward"),
        ("2.2", "forward"),
        ("2.3", "forward"),
        ("2.4", "forward"),
        ("3", "forward"),
        ("4", "tasks"),
        ("5", "glossary"),
    ]
    drafted = [(t["section"], t["value"], t["growth_rate"], t["unit"], t["comparator"]) for t in data["targets"]]
    assert drafted == [
        ("2", None, "6", "%", "≈"),
        ("2", None, "5", "%", "="),
        ("2", "2", None, "万人", "≥"),
        ("2", "5.5", None, "%", "≤"),
        ("2", None, None, "", ""),
        ("2", None, None, "", ""),
        ("2.1", "200", None, "个", "="),
        ("2.1", "500", None, "亿元", "≥"),
        ("2.1", "80", None, "个", "="),
        ("2.1", None, "10", "%", "="),
        ("2.1", "560", "7", "亿元", "="),
        ("2.2", "50", None, "家", "="),
        ("2.2", "60", None, "家", "="),
        ("2.2", None, "8", "%", "≥"),
        ("2.2", "1200", None, "个", "="),
        ("2.3", "10", None, "所", "="),
        ("2.3", "15", None, "所", "="),
        ("2.3", "1.2", None, "万个", "="),
        ("2.3", "3000", None, "套", "="),
        ("2.3", "640", None, "元", "="),
        ("2.4", "35", None, "微克/立方米", "≤"),
        ("2.4", "85", None, "%", "≥"),
        ("2.4", "2.5", None, "万亩", "="),
        ("2.4", "46.5", None, "%", "="),
        ("3", "98", None, "%", "≥"),
        ("3", "50", None, "%", "="),
        ("4", "60", None, "个", "="),
        ("4", "2.4", None, "万户", "="),
        ("4", None, None, "", ""),
    ]
    by_id = {t["id"]: t for t in data["targets"]}
    assert by_id[4]["baseline"] == "5.2"  # 城镇调查失业率: the review's figure
    assert by_id[20]["measure"] == "level"  # 每人每年640元 is a standard, not a yearly goal
    tasks = {task["no"]: [by_id[m["target"]]["section"] for m in task["metrics"]] for task in data["practical_tasks"]}
    assert tasks == {1: ["2.3", "2.3"], 2: ["2.3"], 3: ["4", "4"], 4: ["4"]}
    assert [entry["term"] for entry in data["glossary"]] == ["“放管服”", "高新技术企业"]


def test_a_numbering_that_restarts_without_a_heading_between_gets_codes_of_its_own():
    text = report(annual="(一)扩大投资。实施项目50个。\n\n(一)培育产业。新增企业20家。")
    codes = [s["code"] for s in draft(text)["sections"]]
    assert codes.count("3.1.1") == 1 and "3.1.1-2" in codes


def test_a_task_number_repeated_takes_the_next_number():
    text = report(tasks="1.新建乡镇卫生院3所。\n\n1.改造老旧小区12个。")
    assert [task["no"] for task in draft(text)["practical_tasks"]] == [1, 2]


def test_growth_rates_listed_after_respectively_are_each_a_growth_rate():
    text = report(main="2030年主要预期目标是:城乡居民人均可支配收入分别增长6%和7%。")
    found = [(t["value"], t["growth_rate"], t["unit"]) for t in targets_of(text) if t["section"] == "3"]
    assert found == [(None, "6", "%"), (None, "7", "%")]


def test_the_extent_of_what_is_there_is_not_a_target():
    text = report(annual="(一)推进均衡。实现全县18个乡镇卫生院全覆盖,新建村卫生室20个。")
    assert [(t["value"], t["unit"]) for t in targets_of(text) if t["section"] == "3.1.1"] == [("20", "个")]


def test_a_rate_strived_for_belongs_to_the_growth_target_before_it():
    target = one(report(main="2030年主要预期目标是:地区生产总值增长6%以上、力争7%。"))
    assert (target["growth_rate"], target["stretch"], target["comparator"]) == ("6", "7", "≥")


def test_practical_tasks_listed_in_a_sub_section_of_the_body_are_tasks():
    text = report(
        annual="(一)扩大投资。新建乡镇卫生院3所。\n\n(二)办好十件民生实事。\n\n1.新建乡镇卫生院3所。\n\n2.改造农村公路80公里。"
    )
    data = draft(text)
    by_id = {t["id"]: t for t in data["targets"]}
    tasks = {task["no"]: [by_id[m["target"]] for m in task["metrics"]] for task in data["practical_tasks"]}
    assert [(t["section"], t["value"]) for t in tasks[1]] == [("3.1.1", "3")]
    assert [(t["section"], t["value"], t["unit"]) for t in tasks[2]] == [("3.1.2", "80", "公里")]
    assert [(t["value"], t["unit"]) for t in data["targets"] if t["section"] == "3.1.2"] == [
        ("10", "件"),
        ("80", "公里"),
    ]
