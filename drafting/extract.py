"""The draft of a ledger read from a government work report's own text (issue 20).

The rules follow how such reports are written (政府工作报告的结构), not any one report's sentences:

- The outline: parts numbered 一、二、三、 (a numbering that restarts at 一 inside a part is the
  part's areas), numbered sub-sections (一)(二) whose first sentence is their run-in title, run-in
  headings "——X。", and the unnumbered appendices: the practical tasks (为民兴办实事) and the
  glossary (名词解释). A paragraph broken by a page break (it stops mid-sentence) is joined again.
- Commitments come only from the forward-looking parts. A part whose title reviews (回顾, 过去,
  总结) gives baselines instead: the latest figure of each indicator, linked to the targets of the
  same indicator and unit that follow.
- Counts and measurements are written in Arabic numerals (GB/T 15835); a Chinese numeral counts
  only outside the uses that standard keeps for it: labels summing up a list (三支队伍, 四个系统),
  named strategies (三大战略), abbreviations defined on the spot (三个高于，即…), structure
  (六个方面的工作) and the article 一 (打造一个…). Ordinals (第三届, 二期), anything in quotation
  marks (“1366”, “十二五”), thresholds that size a noun (亿元以上项目), ages (60岁以上) and vague
  quantities (一批) are never targets.
"""

import dataclasses
import decimal
import difflib
import re

import cn2an

# --- Text --------------------------------------------------------------------------------------

# One character for one: positions in the normalised text are positions in the original.
_WIDE = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_WIDE.update({"\u3000": " ", "—": "—"})
NORMALISE = str.maketrans(_WIDE)

TERMINAL = "。！？!?:;；”』」）)"
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
PART_HEADING = re.compile(r"^([一二三四五六七八九十]+)、(.{1,48})$")
SUB_HEADING = re.compile(r"^\(([一二三四五六七八九十]+)\)")
RUN_IN = re.compile(r"^——([^。]{2,30})。")
TASK_ITEM = re.compile(r"^(?:(\d{1,3})[.、]|\((\d{1,3})\)|([一二三四五六七八九十]{1,3})[、.])\s*")
PAGE_NUMBER = re.compile(r"^[-—－\s第]*\d{1,3}[-—－\s页]*$")  # — 12 —, -12-, 第12页
TASKS_HEADING = re.compile(r"^.{0,20}(为民|惠民|民生).{0,6}实事.{0,10}$|^.{0,20}实事(项目|清单)?$")
GLOSSARY_HEADING = re.compile(r"^(附件\d{0,2}[:]?\s*)?(名词解释|名词注释|注释|附注)[:]?$")
REVIEW_PART = re.compile(r"回顾|过去|总结|成绩|成就|成效|工作情况")
FIVE_YEAR_PART = re.compile(r"五年|规划|十[一二三四五六七八九]五|今后")
MAIN_TARGETS = re.compile(r"主要预期目标|主要目标是|预期目标是")
QUOTED = re.compile(r"“[^”]{0,40}”|《[^》]{0,60}》|\"[^\"]{0,40}\"")
TITLE_LINE = re.compile(r"^.{0,30}政府工作报告$")
SESSION_LINE = re.compile(r"^[—-]*\s*(?:(\d{4})年(\d{1,2})月(\d{1,2})日)?在(.{4,80}会议)上$")
DATE_LINE = re.compile(r"^(\d{4}|20xx)年(\d{1,2})月(\d{1,2})日$")
SPEAKER_LINE = re.compile(r"^(?:.{0,20}(?:市长|县长|区长|省长|主席|旗长)\s+)?([\u4e00-\u9fff·]{2,5})$")
# Lines a page break never cuts: headings and the title page's (title, session).
STANDALONE_LINES = (PART_HEADING, GLOSSARY_HEADING, TASKS_HEADING, TITLE_LINE, SESSION_LINE)


@dataclasses.dataclass
class Paragraph:
    text: str  # normalised
    offsets: list  # original position of each character

    @property
    def start(self):
        return self.offsets[0]

    @property
    def end(self):
        return self.offsets[-1] + 1


def _is_heading(text):
    return bool(
        (PART_HEADING.match(text) and "。" not in text)
        or SUB_HEADING.match(text)
        or RUN_IN.match(text)
        or TASK_ITEM.match(text)
        or GLOSSARY_HEADING.match(text)
    )


def paragraphs(original: str) -> list[Paragraph]:
    """The report's paragraphs, a paragraph a page break cut in two joined again."""
    text = original.translate(NORMALISE)
    found = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.span()
        while start < end and text[start] in " \t\r":
            start += 1
        while end > start and text[end - 1] in " \t\r":
            end -= 1
        if start < end and not PAGE_NUMBER.match(text[start:end]):
            found.append(Paragraph(text[start:end], list(range(start, end))))
    joined = []
    for paragraph in found:
        if joined and _continues(joined[-1].text, paragraph.text):
            joined[-1] = Paragraph(joined[-1].text + paragraph.text, joined[-1].offsets + paragraph.offsets)
        else:
            joined.append(paragraph)
    return joined


def _continues(previous, text):
    """A page break stops a paragraph mid-sentence: it ends without terminal punctuation and is not
    a heading or title line (those are short), and what follows does not open a heading."""
    if previous[-1] in TERMINAL or _is_heading(text):
        return False
    if any(pattern.match(previous) for pattern in STANDALONE_LINES):
        return False
    return previous[-1] in ",、" or len(previous) >= 20


# --- Numbers, units, comparators ----------------------------------------------------------------

COUNTERS = [
    "微克/立方米",
    "万立方米",
    "立方米",
    "兆瓦",
    "个百分点",
    "百分点",
    "平方公里",
    "平方千米",
    "平方米",
    "千瓦时",
    "千瓦",
    "公里",
    "千米",
    "公顷",
    "公斤",
    "千克",
    "人次",
    "户次",
    "美元",
    "元",
    "米",
    "亩",
    "吨",
    "%",
    "‰",
    "个",
    "座",
    "所",
    "条",
    "处",
    "项",
    "件",
    "名",
    "人",
    "户",
    "家",
    "台",
    "套",
    "株",
    "盆",
    "组",
    "类",
    "支",
    "栋",
    "辆",
    "张",
    "床",
    "间",
    "场次",
    "批次",
    "场",
    "斤",
    "次",
    "部",
    "艘",
    "架",
    "棵",
    "只",
    "头",
    "宗",
    "片",
    "册",
    "本",
    "份",
]
UNIT = "|".join(re.escape(unit) for unit in sorted(COUNTERS, key=len, reverse=True))
PERSON_NOUN = re.compile(r"^.{0,4}?(居民|人员|群众|农民|职工|学生|老人|儿童|人口|妇女|青年|家庭)")
PERSON_UNITS = {"人", "名", "位"}
MONEY = {"元", "万元", "亿元", "美元", "万美元", "亿美元"}

FIGURE = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?|[{CN_DIGITS}]+?)"
    rf"(?:\s*(?:%|‰)?\s*(?P<range>[至到~～\-—])\s*(?P<num2>\d+(?:\.\d+)?|[{CN_DIGITS}]+?))?"
    rf"\s*(?P<more>多|余)?\s*(?P<scale>[万亿])?\s*(?P<more2>多|余)?\s*(?P<unit>{UNIT})"
)
BARE_TEN_THOUSAND = re.compile(rf"(?P<num>\d+(?:\.\d+)?)\s*(?P<scale>万)(?!{UNIT})")

AT_LEAST, AT_MOST, ABOUT, MORE, EQUAL = "≥", "≤", "≈", ">", "="
DIRECTION = {AT_LEAST: "at_least", MORE: "at_least", EQUAL: "at_least", AT_MOST: "at_most", ABOUT: "approximately"}
SUFFIX_COMPARATORS = (
    ("及以上", AT_LEAST),
    ("以上", AT_LEAST),
    ("以内", AT_MOST),
    ("以下", AT_MOST),
    ("左右", ABOUT),
    ("上下", ABOUT),
)
PREFIX_COMPARATORS = (
    ("不低于", AT_LEAST),
    ("不少于", AT_LEAST),
    ("至少", AT_LEAST),
    ("不超过", AT_MOST),
    ("不高于", AT_MOST),
    ("低于", AT_MOST),
    ("超过", MORE),
    ("突破", MORE),
    ("逾", MORE),
)
CLAUSE_END = set(",、;。:和及与)(”“ ") | {""}
GROWTH_BEFORE = re.compile(r"(增长|增速|增幅|年均增长)(达到|保持在|保持)?\s*$")
FROM_BEFORE = re.compile(r"(从|由)\s*$")
DOUBLING = re.compile(r"翻(一|两|二|三)番|(?<!个)翻番")
TWO_DIGIT_GROWTH = re.compile(r"两位数(以上)?(的)?增长")
COUNT_VERB_BEFORE = re.compile(
    r"(建|建成|建设|完成|打造|扶持|设立|培育|新增|创建|改造|实施|开展|引进|举办|组建|培训|达到|办好|办成)$"
)
SCOPE_BEFORE = re.compile(r"(全市|全县|全区|全省|全国|全州|全旗|辖区|全镇|全乡)(共有|共|现有|所有)?$")
LIST_LABEL_AFTER = re.compile(r"^.{0,6}?(即|就是|方面)|^大")


def _number(text):
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return text
    try:
        value = cn2an.cn2an(text, "strict")
    except (ValueError, KeyError, TypeError):
        return None
    return str(value)


def _clean_number(text):
    """A number as a plain decimal string: no trailing zeros, no exponent."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclasses.dataclass
class Figure:
    start: int  # in the paragraph's normalised text
    end: int  # after the unit and any comparator that follows it
    value: str
    value_max: str | None
    unit: str
    comparator: str
    chinese: bool
    threshold: bool = False  # 亿元以上项目: the size of a noun, not a commitment


def _masked(text):
    """The text with quoted stretches (“1366”, 《…》) blanked out, positions kept."""
    return QUOTED.sub(lambda match: " " * len(match.group()), text)


def figures(text: str) -> list[Figure]:
    """Every quantity in one sentence or clause with its unit and comparator, in order."""
    text = text.translate(NORMALISE)
    masked = _masked(text)
    found = []
    taken = set()
    for match in FIGURE.finditer(masked):
        start, unit_end = match.span()
        number, number2 = match.group("num"), match.group("num2")
        chinese = not number[0].isdigit()
        before = masked[max(0, start - 4) : start]
        if start and (masked[start - 1] in "第#.·/" or masked[start - 1].isascii() and masked[start - 1].isalnum()):
            continue
        if SCOPE_BEFORE.search(masked[:start]):
            continue  # 全市12个乡镇: the extent of what is there, not a commitment
        if chinese and not _chinese_count_counts(masked, start, unit_end):
            continue
        value = _number(number)
        value_max = _number(number2) if number2 else None
        if value is None or (number2 and value_max is None):
            continue
        unit = (match.group("scale") or "") + match.group("unit")
        comparator = MORE if (match.group("more") or match.group("more2")) else EQUAL
        end = unit_end
        after = masked[unit_end:]
        threshold = False
        for word, meaning in SUFFIX_COMPARATORS:
            if after.startswith(word):
                end = unit_end + len(word)
                following = masked[end : end + 1]
                if meaning in (AT_LEAST, AT_MOST) and following not in CLAUSE_END and following != "的":
                    threshold = True  # 亿元以上项目, 三级以上医院
                elif following == "的" and meaning in (AT_LEAST, AT_MOST):
                    threshold = True
                comparator = meaning
                break
        else:
            for word, meaning in PREFIX_COMPARATORS:
                if before.endswith(word):
                    comparator = meaning
                    break
        if value_max is not None and comparator == EQUAL:
            comparator = AT_LEAST
        found.append(
            Figure(start, end, _clean_number(value), value_max and _clean_number(value_max), unit, comparator, chinese)
        )
        found[-1].threshold = threshold
        taken.update(range(start, end))
    for match in BARE_TEN_THOUSAND.finditer(masked):
        if match.start() in taken or not PERSON_NOUN.match(masked[match.end() :]):
            continue
        if match.start() and masked[match.start() - 1] in "第#.":
            continue
        found.append(Figure(match.start(), match.end(), _clean_number(match.group("num")), None, "万人", EQUAL, False))
    found.sort(key=lambda figure: figure.start)
    return found


def _chinese_count_counts(masked, start, end):
    """GB/T 15835: counts are written in Arabic numerals; a Chinese numeral before a counter is a
    label unless it stands on its own as a count of work."""
    numeral = masked[start:end]
    if re.match(r"^一[^\d十百千万亿]", numeral):
        return False  # the article: 打造一个…, 一批
    clause_start = max(masked.rfind(mark, 0, start) for mark in ",;。:")
    if "、" in masked[clause_start + 1 : start]:
        return False  # A、B和C三支队伍: the number sums up the list
    before = masked[clause_start + 1 : start].strip()
    if not COUNT_VERB_BEFORE.search(before) and not VERBS.match(LEADING_NOISE.sub("", before)):
        return False  # 科技三项经费: a fixed term, not a count of work
    return not LIST_LABEL_AFTER.match(masked[end:])


# --- Names --------------------------------------------------------------------------------------

LEADING_NOISE = re.compile(r"^(力争|力求|确保|努力|争取到|全年|同时|并|其中|到20..年|到\d{4}年|在20..年基础上)+")
TRAILING_VERBS = re.compile(
    r"(分别|均|都|已)?(达到了?|提高到|提升到|提高了?|提升|增加到|增长到|增长了?|增加|扩大到|降低到|降低|下降|"
    r"控制在|保持在|保持|稳定在|超过|突破|不低于|不少于|不超过|至少|为|到|达|至|每年|年均|每人)+$"
)
VERBS = re.compile(
    r"^(新建、?改建|新建、?翻建|新建、?改扩建|新改建|改建和?续建|改建续建|新建|改建|扩建|翻建|续建|建成|建设|完成|实施|"
    r"打造|扶持|发放|引进|新增|培育|救助|设立|投入|创建|开展|整治|整理|改造|栽植|摆放|取缔|治理|设置|设臵|配租|"
    r"选聘|招录|招聘|开工|落地|凝炼储备|凝炼|储备|签约|新签约|争取|免费发放|提供|办理|解决|安置|安臵|新开工建设|"
    r"新开工|开发整理|开发|拆迁|种植|植树|造林|培训|组织|举办|推广|引导|帮扶|资助|补贴|慰问|惠及|覆盖)"
)
CONNECTORS = "、,和及与并;。:"


def _tidy(name):
    name = name.strip(CONNECTORS + " ")
    name = LEADING_NOISE.sub("", name)
    name = TRAILING_VERBS.sub("", name).strip(CONNECTORS + " ")
    return LEADING_NOISE.sub("", name).strip(CONNECTORS + " ")


def similarity(a, b):
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a and b else 0.0


# --- The draft ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Section:
    code: str
    title: str
    level: int
    parent: str | None
    start: int
    end: int = 0
    role: str = ""  # review, forward, tasks, glossary, front
    kind: str = ""  # five_year_goal / annual_task for a forward part
    run_in: list = dataclasses.field(default_factory=list)
    paragraphs: list = dataclasses.field(default_factory=list)


def outline(paras: list[Paragraph]) -> tuple[list[Section], list[tuple[Paragraph, Section | None, str]]]:
    """The report's sections, and each paragraph with the deepest section it belongs to and what
    heading it is (part, area, sub, appendix, or "" for body text)."""
    sections, placed = [], []
    part = area = sub = None
    top_next = area_next = 1
    for paragraph in paras:
        text = paragraph.text
        appendix = part is not None and part.role in ("tasks", "glossary")  # numbered lines there are items
        heading = PART_HEADING.match(text) if "。" not in text and not appendix else None
        numeral = int(_number(heading.group(1))) if heading else None
        opened = ""
        if heading and part is not None and numeral == area_next and (area is not None or numeral == 1):
            area = Section(
                f"{part.code}.{numeral}", text, 2, part.code, paragraph.start, role=part.role, kind=part.kind
            )
            area_next, sub, opened = numeral + 1, None, "area"
        elif heading and numeral == top_next:
            part = _part(text, str(top_next), paragraph.start)
            top_next, area_next, area, sub, opened = top_next + 1, 1, None, None, "part"
        elif (
            part is not None
            and len(text) <= 30
            and not SUB_HEADING.match(text)
            and not text.endswith("。")
            and (GLOSSARY_HEADING.match(text) or TASKS_HEADING.match(text))
        ):
            part = _part(text.rstrip(":"), str(top_next), paragraph.start)
            part.role = "glossary" if GLOSSARY_HEADING.match(text) else "tasks"
            top_next, area_next, area, sub, opened = top_next + 1, 1, None, None, "appendix"
        elif part is not None and not appendix and (match := SUB_HEADING.match(text)):
            parent = area or part
            title = text[match.end() :].split("。")[0]
            code = f"{parent.code}.{_number(match.group(1))}"
            sub = Section(
                code, title, parent.level + 1, parent.code, paragraph.start, role=parent.role, kind=parent.kind
            )
            opened = "sub"
        if opened:
            if sections:
                sections[-1].end = paragraph.start
            section = sub if opened == "sub" else area if opened == "area" else part
            taken = {other.code for other in sections}
            if section.code in taken:  # a numbering that restarts where the report has no heading between
                section.code = next(f"{section.code}-{n}" for n in range(2, 100) if f"{section.code}-{n}" not in taken)
            sections.append(section)
        current = sub or area or part
        if current is not None:
            if match := RUN_IN.match(text):
                current.run_in.append({"title": match.group(1), "start": paragraph.start})
            current.paragraphs.append(paragraph)
        placed.append((paragraph, current, opened))
    if sections:
        sections[-1].end = paras[-1].end
    return sections, placed


def _part(title, code, start):
    role = "review" if REVIEW_PART.search(title) else "forward"
    kind = "five_year_goal" if FIVE_YEAR_PART.search(title) else "annual_task"
    return Section(code, title, 1, None, start, role=role, kind=kind)


SENTENCE = re.compile(r"[^。!?;]+[。!?;]?")
SEGMENT = re.compile(r"[^,:]+[,:]?")


def _segments(paragraph: Paragraph):
    """(sentence start, [(segment start, segment text)]) for each sentence of the paragraph."""
    for sentence in SENTENCE.finditer(paragraph.text):
        yield sentence.start(), [(sentence.start() + m.start(), m.group()) for m in SEGMENT.finditer(sentence.group())]


@dataclasses.dataclass
class Item:
    """A drafted quantity: a target, or in a review part a baseline."""

    name: str
    value: str | None
    value_max: str | None
    unit: str
    comparator: str
    growth_rate: str | None
    kind: str
    measure: str
    section: str
    start: int
    end: int
    clause: str
    clause_start: int
    baseline: str | None = None
    baseline_clause: str = ""
    growth_basis: str = ""  # over_period for 翻一番
    marks: list = dataclasses.field(default_factory=list)  # (start, end) of each figure it is read from
    stretch: str | None = None  # 力争7%: the growth rate strived for beyond the target
    opening: str = ""  # the segment the figure stands in, as written

    def __post_init__(self):
        self.marks = self.marks or [(self.start, self.end)]

    @property
    def direction(self):
        return "qualitative" if self.comparator == "" else DIRECTION[self.comparator]

    def key(self):
        """What the evaluation compares: the value (or, with none, the growth rate), the unit and
        the ledger's direction."""
        return (self.value if self.value is not None else self.growth_rate, self.unit, self.direction)


LEVEL_NAME = re.compile(r"率$|比重|比例|人均|标准$|限额|覆盖|收入|人数|浓度|密度|指数|强度")


def _measure(name, unit, yearly):
    if yearly:
        return "annual"
    if unit in ("%", "‰") or LEVEL_NAME.search(name):
        return "level"
    return "cumulative"


class Reader:
    """Reads one report's text into its draft."""

    def __init__(self, original: str):
        self.original = original
        self.paras = paragraphs(original)
        self.sections, self.placed = outline(self.paras)
        self.targets: list[Item] = []
        self.baselines: list[Item] = []
        self.tasks = []
        self.glossary = []

    def text_at(self, paragraph, start, end):
        """The original text of a stretch of a paragraph's normalised text."""
        return "".join(self.original[offset] for offset in paragraph.offsets[start:end])

    def read(self):
        for paragraph, section, opened in self.placed:
            if section is not None and section.role in ("review", "forward") and opened in ("", "sub"):
                if _lists_tasks(section) and TASK_ITEM.match(paragraph.text):
                    continue  # an item of the practical tasks listed in the body: read with the tasks
                found = self.read_paragraph(paragraph, section)
                (self.baselines if section.role == "review" else self.targets).extend(found)
        self._read_tasks()
        self._read_glossary()
        self._units_and_baselines()
        self._drop_repeats()
        return self

    def read_paragraph(self, paragraph, section, kind=None):
        """The quantities of one paragraph (or a stretch of one), sentence by sentence."""
        main = section.role == "forward" and bool(MAIN_TARGETS.search(paragraph.text))
        kind = kind or ("main_indicator" if main else section.kind)
        found = []
        for sentence in SENTENCE.finditer(paragraph.text):
            found.extend(self._read_sentence(paragraph, section, sentence, kind, main))
        return found

    def _read_sentence(self, paragraph, section, sentence, kind, main):
        yearly, subject, verb = False, "", ""
        items = []
        for segment in SEGMENT.finditer(sentence.group()):
            seg_start = sentence.start() + segment.start()
            seg = segment.group()
            if re.search(r"到20..年|到\d{4}年|累计", seg):
                yearly = False
            if "每年" in seg and not re.search(r"(提高到|增加到|达到|每人|人均)每年|每年每人", seg):
                yearly = True
            found, subject, verb = self._segment_items(paragraph, section, seg_start, seg, kind, yearly, subject, verb)
            clause = self.text_at(paragraph, seg_start, seg_start + len(seg.rstrip(",:;。")))
            for item in found:
                item.clause, item.clause_start, item.opening = clause, paragraph.offsets[seg_start], seg.strip()
            if items and len(items[-1].name) <= 2 and items[-1].unit in MONEY and seg.strip(",:;。 "):
                items[-1].name += f"（{_tidy(seg)}）"  # 投入500万元，建成10个社区少年宫: money named by its use
            items.extend(found)
        items = _pair_growth_with_level(_fold_stretch_goals(items, self.original), self.original)
        if main and not items:
            text = sentence.group().strip("。;, ")
            if text and ACTION.search(text) and len(text) <= 40:
                start = sentence.start()
                clause = self.text_at(paragraph, start, start + len(text))
                items.append(
                    Item(
                        _tidy(text),
                        None,
                        None,
                        "",
                        "",
                        None,
                        kind,
                        "level",
                        section.code,
                        paragraph.offsets[start],
                        paragraph.offsets[start + len(text) - 1] + 1,
                        clause,
                        paragraph.offsets[start],
                    )
                )
        return items

    def _segment_items(self, paragraph, section, seg_start, seg, kind, yearly, subject, verb):
        """The quantities of one comma-separated segment, and the subject and verb it leaves for
        the segments after it (a name left out is the one before: 增长15%以上，达到500亿元)."""
        masked = _masked(seg)
        figs = figures(seg)

        def item(name, fig, value, value_max, growth, comparator, unit, start, end):
            return Item(
                name=name,
                value=value,
                value_max=value_max,
                unit=unit,
                comparator=comparator,
                growth_rate=growth,
                kind=kind,
                measure=_measure(name, unit, yearly),
                section=section.code,
                start=paragraph.offsets[seg_start + start],
                end=paragraph.offsets[seg_start + end - 1] + 1,
                clause="",
                clause_start=0,
            )

        # 翻一番, 两位数增长: growth with no figure of its own, for each indicator named before it.
        phrase = DOUBLING.search(masked) or TWO_DIGIT_GROWTH.search(masked)
        if phrase and not figs:
            if phrase.re is DOUBLING:
                times = {"一": 1, "两": 2, "二": 2, "三": 3}.get(phrase.group(1) or "一", 1)
                rate, basis = str(2**times * 100 - 100), "over_period"
            else:
                rate, basis = "10", "year_on_year"
            head = re.sub(r"在.{0,8}基础上$", "", _tidy(seg[: phrase.start()]))
            head = re.sub(r"(均|都)?(保持|实现)?$", "", head)
            names = [name for name in (_tidy(part) for part in re.split(r"[、和及与]", head)) if name] or [subject]
            found = []
            for name in names:
                growth = item(name, None, None, None, rate, AT_LEAST, "", phrase.start(), phrase.end())
                growth.measure, growth.growth_basis = "level", basis
                found.append(growth)
            return found, subject, verb

        # 从50%提高到60%: the figures before the verb are where the indicators start.
        starts = []
        change = re.search(r"(从|由)(.*?)(提高到|增加到|提升到|降低到|下降到|扩大到|减少到|增长到|上升到)", masked)
        if change:
            starts = [fig for fig in figs if change.start(2) <= fig.start < change.end(2)]
            figs = [fig for fig in figs if fig not in starts]
        figs = [fig for fig in figs if not fig.threshold]
        names = _respective_names(seg, masked, figs)
        found = []
        cursor = 0
        for index, fig in enumerate(figs):
            next_start = figs[index + 1].start if index + 1 < len(figs) else len(seg)
            before = seg[cursor : fig.start]
            if starts and cursor < starts[-1].end <= fig.start:
                before = seg[cursor : change.start()]
            tail = re.match(r"[^、,;。和及与]*", seg[fig.end : next_start]).group()
            growth = fig.unit == "%" and GROWTH_BEFORE.search(masked[: fig.start]) is not None
            if (
                index
                and found
                and found[-1].growth_rate is not None
                and fig.unit == "%"
                and "分别" in masked[: fig.start]
            ):
                growth = True  # A、B分别增长6%和8%: each a growth rate
            if names:
                name = names[index]
            elif tail.startswith("的") and len(tail) > 1:
                name = tail[1:] + seg[fig.end + len(tail) : next_start].strip(CONNECTORS + " ")  # 90%的行政村…
            elif tail.strip() and not re.match(r"^(的|大关|$)", tail.strip()):
                name = _tidy(before) + tail.strip()  # 扶持100家创业企业: the figure before its noun
            else:
                name = _tidy(before)
            cursor = fig.end + (len(tail) if tail.strip() and not names else 0)
            if index == 0 and (match := VERBS.match(LEADING_NOISE.sub("", seg.strip(CONNECTORS + " ")))):
                verb = match.group()
            if name and verb and index and not names and not growth and not VERBS.match(name):
                name = verb + name  # 新建改建公厕30座、垃圾中转站10座: the verb carries over
            elif not name or (growth and not _tidy(before)):
                name = subject
            new = item(
                name,
                fig,
                None if growth else fig.value,
                None if growth else fig.value_max,
                fig.value if growth else None,
                fig.comparator,
                fig.unit,
                fig.start,
                fig.end,
            )
            if len(starts) == len(figs) and starts:
                new.baseline = starts[index].value
            found.append(new)
        if figs:
            head = _tidy(seg[: figs[0].start] if not change else seg[: change.start()])
            subject = names[0] if names else (head or subject)
        elif seg.strip(",:;。 "):
            subject = _tidy(seg) or subject
        return found, subject, verb

    # The practical tasks (为民兴办实事) and the targets they repeat.
    def _read_tasks(self):
        for section in self.sections:
            if section.role != "tasks" and not _lists_tasks(section):
                continue
            reading = Section(
                section.code, section.title, 1, None, section.start, role="forward", kind="practical_task_metric"
            )
            for paragraph in section.paragraphs:
                match = TASK_ITEM.match(paragraph.text)
                if not match:
                    continue
                body = Paragraph(paragraph.text[match.end() :], paragraph.offsets[match.end() :])
                title = self.original[body.start : body.end]
                no = int(_number(next(group for group in match.groups() if group)))
                if any(task["no"] == no for task in self.tasks):
                    no = max(task["no"] for task in self.tasks) + 1  # a number repeated: the next one
                task = {"no": no, "title": title, "start": body.start, "metrics": []}
                for metric in self.read_paragraph(body, reading, kind="practical_task_metric"):
                    linked = None if metric.opening.startswith("其中") else self._repeated_target(metric)
                    if linked is None:
                        self.targets.append(metric)
                    else:
                        linked.marks.append((metric.start, metric.end))  # the task's own figure, marked too
                    linked = linked or metric
                    linked.kind = "practical_task_metric"
                    task["metrics"].append(linked)
                if not task["metrics"]:
                    text = title.rstrip("。")
                    qualitative = Item(
                        text,
                        None,
                        None,
                        "",
                        "",
                        None,
                        "practical_task_metric",
                        "cumulative",
                        section.code,
                        body.start,
                        body.end,
                        text,
                        body.start,
                    )
                    self.targets.append(qualitative)
                    task["metrics"].append(qualitative)
                self.tasks.append(task)

    def _repeated_target(self, metric):
        """The commitment elsewhere in the text that a task's metric repeats: the same value in a
        compatible unit, the name most alike; each taken by one task only."""
        best, best_score = None, 0.3
        taken = {id(item) for task in self.tasks for item in task["metrics"]}
        for target in self.targets:
            if id(target) in taken or target.value != metric.value or target.section == metric.section:
                continue
            if target.unit != metric.unit and not {target.unit, metric.unit} <= PERSON_UNITS:
                continue
            score = max(similarity(metric.name, target.name), similarity(metric.clause, target.clause))
            if score > best_score:
                best, best_score = target, score
        return best

    # The glossary: “X”：就是… entries, one to a paragraph or several after full stops.
    def _read_glossary(self):
        entry = re.compile(r"(?:^|(?<=。))\s*(?:\d{1,2}[.、]|\(\d{1,2}\)|[①-⑳])?\s*([^。,:;]{1,40}?):")
        for section in self.sections:
            if section.role != "glossary":
                continue
            for paragraph in section.paragraphs:
                if GLOSSARY_HEADING.match(paragraph.text):
                    continue
                text = paragraph.text
                starts = [m for m in entry.finditer(text) if m.start() == 0 or _defines(text, m)]
                for index, match in enumerate(starts):
                    end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
                    self.glossary.append(
                        {
                            "term": self.text_at(paragraph, match.start(1), match.end(1)).strip(),
                            "definition": self.text_at(paragraph, match.end(), end).strip(),
                            "start": paragraph.offsets[match.start(1)],
                        }
                    )

    def _units_and_baselines(self):
        """An indicator doubled (翻一番) takes the unit the report gives it elsewhere; a level takes
        as baseline the latest figure of the same indicator and unit in the review before it, and a
        doubling from a known baseline its value."""
        known = [item for item in self.targets + self.baselines if item.value is not None and len(item.name) >= 2]
        for target in self.targets:
            if target.unit or target.comparator == "":
                continue
            named = [item for item in known if item.unit != "%" and _same_indicator(item.name, target.name)]
            target.unit = named[0].unit if named else "%"
        for target in self.targets:
            if target.baseline is not None or target.measure != "level" or target.comparator == "":
                continue
            earlier = [
                base
                for base in self.baselines
                if base.unit == target.unit and base.start < target.start and _same_indicator(base.name, target.name)
            ]
            if not earlier:
                continue
            target.baseline, target.baseline_clause = earlier[-1].value, earlier[-1].clause
            if target.value is None and target.growth_basis == "over_period":
                grown = decimal.Decimal(target.baseline) * (1 + decimal.Decimal(target.growth_rate) / 100)
                target.value = _clean_number(format(grown, "f"))

    def _drop_repeats(self):
        """A part that restates a commitment it made already (the same indicator, value and unit)
        holds it once."""
        kept = []
        for target in self.targets:
            if (
                target.kind != "practical_task_metric"
                and len(target.name) >= 4
                and any(
                    other.section == target.section
                    and other.key() == target.key()
                    and other.growth_rate == target.growth_rate
                    and similarity(other.name, target.name) >= 0.8
                    for other in kept
                )
            ):
                continue
            kept.append(target)
        self.targets = kept


ACTION = re.compile(r"达到|实现|完成|确保|控制|保持|稳定|符合|同步")


def _fold_stretch_goals(items, original):
    """增长6%以上、力争7%: the rate strived for belongs to the growth target before it."""
    kept = []
    for item in items:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and previous.growth_rate is not None
            and item.unit == "%"
            and item.growth_rate is None
            and re.search(r"(力争|争取|努力)", original[previous.end : item.start])
            and item.start - previous.end <= 8
        ):
            previous.stretch = item.value
            previous.marks = sorted(previous.marks + item.marks)
            continue
        kept.append(item)
    return kept


def _pair_growth_with_level(items, original):
    """增长15%以上，达到500亿元: a growth rate and the level it reaches are one target."""
    paired = []
    for item in items:
        previous = paired[-1] if paired else None
        if previous is not None and previous.clause_start != item.clause_start:
            growth, level = (previous, item) if previous.value is None else (item, previous)
            if (
                growth.value is None
                and growth.growth_rate is not None
                and growth.unit == "%"
                and level.value is not None
                and level.growth_rate is None
                and growth.growth_basis == ""
                and re.match(r"^(达到|总量达到|规模达到|增长|同比增长|比上年增长)", item.opening)
            ):
                level.growth_rate = growth.growth_rate
                level.marks = sorted(level.marks + growth.marks)
                if level.comparator == EQUAL:
                    level.comparator = growth.comparator  # 增长15%以上，达到500亿元: at least both
                level.name = level.name or growth.name
                level.clause = re.sub(
                    r"\s*\n\s*", "", original[previous.clause_start : item.clause_start + len(item.clause)]
                )
                level.clause_start = previous.clause_start
                paired[-1] = level
                continue
        paired.append(item)
    return paired


def _respective_names(seg, masked, figs):
    """机械化清扫率和洗扫率分别达到80%和60%以上: the names before 分别, one for each figure; a
    comparator written once after the last figure holds for each."""
    at = masked.find("分别")
    if at < 0 or not figs or figs[0].start < at:
        return None
    names = [name for name in (_tidy(part) for part in re.split(r"[、和及与]", seg[:at])) if name]
    if len(names) != len(figs):
        return None
    for fig in figs:
        if fig.comparator == EQUAL:
            fig.comparator = figs[-1].comparator
    return names


def _lists_tasks(section):
    """A forward section of the body that lists the practical tasks: (七)办好十件民生实事。1.… 2.…"""
    return section.role == "forward" and "实事" in section.title and section.level > 1


def _defines(text, match):
    return text[match.end() :].lstrip().startswith(("就是", "是指", "指", "即"))


def _same_indicator(a, b):
    if not a or not b:
        return False
    return (min(len(a), len(b)) >= 4 and (a in b or b in a)) or similarity(a, b) >= 0.75


# --- The draft as data ----------------------------------------------------------------------------


def _meta(paras):
    meta = {"title": "", "session": "", "speaker": "", "delivered_on": ""}
    for index, paragraph in enumerate(paras[:12]):
        text = paragraph.text.strip()
        if not meta["title"] and TITLE_LINE.match(text):
            meta["title"] = text
        elif match := SESSION_LINE.match(text):
            meta["session"] = match.group(4)
            if match.group(1):
                meta["delivered_on"] = f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"
            following = paras[index + 1].text.strip() if index + 1 < len(paras) else ""
            if speaker := SPEAKER_LINE.match(following):
                meta["speaker"] = speaker.group(1)
        elif (match := DATE_LINE.match(text)) and match.group(1).isdigit():
            meta["delivered_on"] = f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"
    return meta


def suggest_department(target, keywords):
    """The first keyword of the table (longest first) found in the target's name, then its clause,
    then its section's title: a suggestion the reviewer confirms, never an assignment."""
    for field in ("name", "clause", "section_title"):
        text = target.get(field) or ""
        for keyword, department in keywords:
            if keyword and keyword in text:
                return {"keyword": keyword, "department": department, "found_in": field}
    return None


def draft(original: str, keywords=()) -> dict:
    """The whole draft of a report's text as JSON-ready data. `keywords`: (keyword, department
    name) pairs, longest keyword first, for suggested lead departments."""
    reader = Reader(original).read()
    titles = {section.code: section.title for section in reader.sections}
    ids = {id(target): number for number, target in enumerate(reader.targets, start=1)}
    targets = []
    for target in reader.targets:
        row = {
            "id": ids[id(target)],
            "name": target.name,
            "value": target.value,
            "value_max": target.value_max,
            "unit": target.unit,
            "comparator": target.comparator,
            "direction": target.direction,
            "growth_rate": target.growth_rate,
            "growth_basis": target.growth_basis or "year_on_year",
            "stretch": target.stretch,
            "kind": target.kind,
            "measure": target.measure,
            "section": target.section,
            "section_title": titles.get(target.section, ""),
            "start": target.start,
            "end": target.end,
            "marks": [list(mark) for mark in target.marks],
            "clause": target.clause,
            "baseline": target.baseline,
            "baseline_clause": target.baseline_clause,
            "status": "pending",
            "lead_department": None,
        }
        row["suggestion"] = suggest_department(row, keywords)
        targets.append(row)
    baselines = []
    for base in reader.baselines:
        linked = [t["id"] for t in targets if t["baseline"] == base.value and t["baseline_clause"] == base.clause]
        baselines.append(
            {
                "name": base.name,
                "value": base.value,
                "unit": base.unit,
                "comparator": base.comparator,
                "section": base.section,
                "start": base.start,
                "end": base.end,
                "clause": base.clause,
                "targets": linked,
            }
        )
    return {
        "meta": _meta(reader.paras),
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "level": section.level,
                "parent": section.parent,
                "role": section.role,
                "kind": section.kind if section.role == "forward" else "",
                "start": section.start,
                "end": section.end,
                "run_in_headings": section.run_in,
                "main_targets": any(MAIN_TARGETS.search(p.text) for p in section.paragraphs),
            }
            for section in reader.sections
        ],
        "targets": targets,
        "practical_tasks": [
            {
                "no": task["no"],
                "title": task["title"],
                "start": task["start"],
                "metrics": [
                    {"target": ids[id(m)], "value": m.value, "unit": m.unit, "comparator": m.comparator}
                    for m in task["metrics"]
                ],
            }
            for task in reader.tasks
        ],
        "glossary": reader.glossary,
        "baselines": baselines,
    }
