"""Numeric targets and results found in the text of a report, each with its sentence.

Pure functions, no database: `extract(text, document_date)` returns `Candidate`s, and
`match_indicator()` proposes an existing indicator for one of them from plain rows.

Words used here:
- a **figure** is a number with its unit as the text writes it ("1.5万家", "六成", "超百人"),
  with the qualifier words around it (超/突破 → over, 以上 → at_least, 约/左右 → about ...);
- its **year** is the one the text says it belongs to: an explicit "2024年" or "到2025年", or
  今年/去年/明年/全年 read from the document's date; a year stays in force until the text
  names another (the clauses of a sentence, and the paragraphs after it, share it);
- its **kind** is `target` (a goal set for that year) or `result` (a value achieved): a year
  before the document's is a result, a later year a target; the document's own year is a
  target unless the sentence reports (上半年, 累计, 同比 ...). Without a date, the words of the
  sentence decide (目标, 力争, 预期, 到2025年 ...).

The text is read through a simplified-Chinese copy of the same length (traditional characters
and full-width digits folded one for one), so offsets into it are offsets into the input.
Every step looks at a bounded window or sweeps the text once: the time is linear in the length.
"""

import bisect
import datetime
import functools
import re
from collections import Counter
from dataclasses import asdict, astuple, dataclass
from decimal import Decimal

import cn2an
import opencc

from kpis.vocabulary import QUALIFIER_WORDS, Qualifier, qualifier_after, qualifier_before

TARGET = "target"
RESULT = "result"

# The qualifiers by their old names here (kpis.vocabulary.Qualifier owns them).
OVER, REACH, ABOUT = Qualifier.OVER, Qualifier.REACH, Qualifier.ABOUT
AT_LEAST, AT_MOST = Qualifier.AT_LEAST, Qualifier.AT_MOST

# A quote longer than this is cut to the part of its sentence around the figure.
QUOTE_LIMIT = 400
SUBJECT_LIMIT = 40
# The longest Chinese numeral read as a number (九千九百九十九万九千九百九十九 has 15).
CHINESE_NUMERAL_LIMIT = 20
SUBJECT_LIMIT = 40

_converter = opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=8192)
def _simplified_char(char):
    if "！" <= char <= "～":  # full-width ASCII (１, ％, ，) to its half-width twin
        return chr(ord(char) - 0xFEE0)
    converted = _converter.convert(char)
    return converted if len(converted) == 1 else char


def simplified(text):
    """The text in simplified characters, one character for one, so offsets carry over."""
    return text.translate({ord(char): _simplified_char(char) for char in set(text)})


@dataclass(frozen=True)
class Candidate:
    kind: str
    subject: str
    year: int | None
    value: str
    unit: str
    qualifier: str | None
    quote: str
    start: int
    end: int
    # Where the figure itself (qualifier, number, unit) stands in the text, for highlighting.
    figure_start: int
    figure_end: int
    # Optional keys (extend, never rename): the period a figure is of when the text names
    # one, whether it is counted from the year's start, whose figure it is when not the
    # document's own area, what it measures, the top of a range, the end year of a
    # multi-year target and the start year the text gives for it.
    period_end: datetime.date | None = None
    year_to_date: bool = False
    place: str | None = None
    measure: str = "level"
    value_max: str | None = None
    plan_year: int | None = None
    base: int | None = None

    def as_json(self):
        item = asdict(self)
        item["period_end"] = self.period_end.isoformat() if self.period_end else None
        return item

    @property
    def decimal_value(self):
        return Decimal(self.value)


# Units a measure is counted in; anything else after a number (年, 月, 层, 届, 期, 大, 强 ...)
# makes it a date, a rank, a floor or a name, not a figure. Longest first.
_BASE_UNITS = sorted(
    """个百分点 百分点 平方公里 平方米 立方米 公顷 公里 千米 千瓦时 千瓦 标准箱 人次 人年
    美元 元 人 家 个 只 项 所 座 台 套 辆 户 间 张 条 件 支 种 款 场 位 名 批 宗 处 栋 艘 架
    吨 亩 米 天 岁 倍 对 例 篇 部 % ‰ 成 次 标箱 架次 辆次 人次 斤 根 头 方 条 棵 株 块 册
    份 盏 床 笔 单 班次 场次 家次 户次 千克 公斤 克 升""".split(),
    key=len,
    reverse=True,
)
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_COUNT_UNITS = set(
    "家 个 项 所 座 台 套 辆 户 间 张 件 支 种 款 位 名 批 宗 处 栋 艘 架 人".split()
)
# What may not follow a unit: 5个月 is a duration, 建成为 a verb, 110万人年度任务 a year's task.
_NOT_AFTER_UNIT = {
    "个": "月|小时|工作日|季|方面",
    "方": "面|式|案|向|法|针|位|便|言|舱|阵",
    "条": "件|例|款|线|街|路|河",
    "头": "部|雁|羊",
    "单": "位|元|一|独|项|个|体|列",
    "份": "额",
    "块": "钱",
    "成": "[为立果功本员交绩效就长熟型品都]",
    "人年": "度",
}


def _unit_pattern(unit):
    following = _NOT_AFTER_UNIT.get(unit)
    return re.escape(unit) + (f"(?!{following})" if following else "")


@functools.lru_cache(maxsize=8)
def _figure_pattern(words=frozenset()):
    """The grammar of a figure, knowing `words` (unit words of the units table, see
    `scales.unit_words`) besides the built-in units. Longest unit first."""
    units = sorted(set(_BASE_UNITS) | {simplified(word) for word in words}, key=len, reverse=True)
    return re.compile(
        r"(?=[\d万亿" + _CN_DIGITS + r"])"
        r"(?P<number>\d+(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|[" + _CN_DIGITS + r"]+)?"
        r" ?(?P<magnitude>万亿|亿|万)?"
        r"(?P<approx>余|多)?"
        r" ?(?P<unit>" + "|".join(map(_unit_pattern, units)) + r")?"
        r"(?P<suffix>"
        + "|".join(sorted((w for q in QUALIFIER_WORDS.values() for w in q.after), key=len)[::-1])
        + r")?"
    )


_FIGURE = _figure_pattern()

_PREFIX = re.compile(
    "(?:"
    + "|".join(sorted((w for q in QUALIFIER_WORDS.values() for w in q.before), key=len)[::-1])
    + r") ?\Z"  # 不少於 70%: a space may stand between
)
# The top of a range (4.5%—5%, 3—5家) or the second of a pair sharing a unit (0.1和1.2个百分点).
_RANGE_AFTER = re.compile(r" ?(?P<connector>[—\-~～至到和]) ?(?=\d)")

# Figures that say how much something changed keep their own (usually no) qualifier even in a
# list: "实现1721亿元、增长8.6%" grows by exactly 8.6%.
_CHANGE_WORDS = re.compile(
    r"[、\s]*(?:比上年|同比|较上年)?" r"(?:增长|下降|提高|增加|减少|上涨|回落|降低)"
)

_OWN_PREDICATE = re.compile("完成|实现|下达|达到")
_VERB_FIRST = re.compile(r"[、\s]*(?:(?:19|20)\d\d ?年|全年|今年|去年)?(?:实现|完成)")

_SENTENCE_END = "。！？!?\n"
_CLAUSE_END = _SENTENCE_END + "，,；;：:"
_ENDS_A_BARE_MAGNITUDE = re.compile("$|[" + re.escape(_CLAUSE_END) + "、]|大关|新?台阶|关口")
_SENTENCE_ENDS = re.compile("[" + re.escape(_SENTENCE_END) + "]")
_CLAUSE_ENDS = re.compile("[" + re.escape(_CLAUSE_END) + "]")
_YEAR = re.compile(
    r"(?<![\d.])(?P<digits>(?:19|20)\d\d|[〇零一二][〇零一二三四五六七八九]{3}) ?年(?!代)"
    r"|(?P<relative>今年|本年|明年|去年|全年|过去一年|刚刚过去的一年|上一年)"
    r"|(?P<five>过去五年|过去5年|五年来|5年来)"
    # 十四五时期, “十三五”末: the last year of the Nth five-year plan.
    r"|[“\"「]?十(?P<plan>[一二三四五六七八九])五[”\"」]?(?:规划)?(?:时期|期间|末)"
)
# A year followed by its month dates an event ("2019年8月《意见》发布"): it holds for its
# sentence only, and the year in force before comes back after it.
_DATED_EVENT = re.compile(r" ?\d{1,2} ?月(?!\d{1,2}日)")
# Headings: a short line without a full stop. Their words set the kind of what follows
# until the next heading (一、2025年工作回顾 → results; 主要目标 → targets).
HEADING_LIMIT = 80
_HEADING_RESULT = re.compile(r"回顾|总结|执行情况|评估|成效|成就|成绩单")
_HEADING_TARGET = re.compile(r"目标|计划|要求|政策取向|安排|展望|部署")
# Whose figure: a place named in the figure's clause, when not the document's own area.
OWN_PLACES = ("光明",)
_PLACE = re.compile(
    r"全国|我国|北京海淀|北京|上海|天津|重庆|香港|澳门|海淀区|"
    r"(?:广东|广西|湖南|湖北|江苏|浙江|福建|山东|安徽|江西|河南|河北|四川|海南)省?|"
    r"(?:深圳|广州|东莞|佛山|珠海|惠州|中山|江门|汕尾|泉州|厦门|杭州|苏州|南京|武汉|成都)市|"
    r"(?:福田|罗湖|南山|宝安|龙岗|盐田|龙华|坪山|光明|大鹏)(?:新)?区"
)
_NOT_WHOSE_AFTER = re.compile(r"第|首|城市|平均|百强|前列|领先|重点|同类|同期")
# What is measured: an increment (新增100家), a growth rate (增长8.6%), a share (比重57.8%)
# or its change (提高1.2个百分点); else a level.
LEVEL, INCREMENT, GROWTH, SHARE, SHARE_CHANGE = (
    "level",
    "increment",
    "growth",
    "share",
    "share_change",
)
_INCREMENT_WORDS = re.compile(r"新增|净增|新引进|新开工|新认定|增加(?!值)|新建")
_GROWTH_WORDS = re.compile(r"(?:增长|下降|增速|增幅|涨幅|提高|降低|减少|上涨|回落|加快)(?:了)?\Z")
_SHARE_WORDS = re.compile(r"比重|占比|率|占")
# Periods within a year: 上半年, 一季度, 前三季度, 1-6月, 1月至8月, 10月份.
_PERIOD = re.compile(
    r"(?P<half>上半年)|前(?P<quarters>[一二三])季度|(?P<quarter>[一二三四1-4])季度"
    r"|(?:1|一)月?份? ?[-—–~至到] ?(?P<months>\d{1,2}|[二三四五六七八九十]|十[一二])月份?"
    r"|(?<![\d\-—–~至到])(?P<month>\d{1,2}|[一二三四五六七八九十]|十[一二])月份?(?![\d]{1,2}日|\d)"
)
_CN_MONTH = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {
    "十一": 11,
    "十二": 12,
}
# Structure, not figures: the count of a list just named (…等7个重点领域), the whole a part
# is of (37个大类行业中有21个), a streak (连续10次), a class (百亿元级), an amount a policy
# grants (给予最高1000万元).
_ENUMERATED_BEFORE = re.compile(r"等\Z")
_WHOLE_AFTER = re.compile(r"[^，,。；;：:]{0,12}中(?:[，,]|有)")
_STREAK_BEFORE = re.compile(r"连续\Z")
_GRANT_BEFORE = re.compile(r"给予")
_CUMULATIVE = re.compile("累计")
# The start year a multi-year target is measured from: 在2025年基础上, 比2020年.
_BASE_YEAR = re.compile(r"(?:在|比|较|以|相比)((?:19|20)\d\d) ?年")
# Tables: a row's cells split by tabs or |; a cell that is a number; a unit in a label.
_CELL_SPLIT = re.compile(r"\t|\|")
_NUMBER_CELL = re.compile(r" *-?\d+(?:,\d{3})*(?:\.\d+)? *\Z")
_UNIT_IN_LABEL = re.compile(r"[(（]([^()（）]{1,8})[)）]")
_COLUMN_YEAR = re.compile(r"((?:19|20)\d\d) ?年")
_COLUMN_GROWTH = re.compile(r"增长|增速|增幅|±")


def _cells(line, offset):
    """(start, end, text) of each cell of a table row, offsets into the whole text."""
    if "\t" not in line and line.count("|") < 2:
        return []
    cells, start = [], 0
    for part in [*_CELL_SPLIT.finditer(line), None]:
        end = part.start() if part else len(line)
        if line[start:end].strip():
            cells.append((offset + start, offset + end, line[start:end]))
        start = part.end() if part else end
    return cells


def _column(text):
    """(unit, year, growth) a header cell gives its column: 绝对数(亿元), 比上年增长%, 2024年."""
    norm = simplified(text)
    unit = _UNIT_IN_LABEL.search(text)
    unit = unit.group(1) if unit else ("%" if "%" in norm else None)
    year = _COLUMN_YEAR.search(norm)
    return unit, int(year.group(1)) if year else None, bool(_COLUMN_GROWTH.search(norm))


# A year named as a point of comparison or a start sets nothing: 比2020年, 2019年以来.
_YEAR_NOT_IN_FORCE_BEFORE = "比较与同自从"
_YEAR_NOT_IN_FORCE_AFTER = re.compile(r" ?(?:以来|起|相比|基础上|同期|\d{1,2}月\d{1,2}日)")
_TARGET_WORDS = re.compile(
    r"目标|力争|争取|预期|计划|确保|力求|努力|规划|提出|将|拟|到(?:19|20)\d\d年|到“十"
    r"|年底前|年前完成|之前完成"
)
_RESULT_WORDS = re.compile(
    r"已经|已|完成了|实现了|累计|同比|上半年|前三季度|一季度|\d{1,2}-\d{1,2}月|以来|截至|过去一年"
)
_DATE = re.compile(r"((?:19|20)\d\d)[-/.年] ?(\d{1,2})[-/.月] ?(\d{1,2})")
_LEADING_WORDS = re.compile(
    r"(?:[、\s]|其中|同时|并且|并|另外|此外|当前|目前|共|总计|合计|实现|完成|达到"
    r"|(?:到|至|在)?(?:(?:19|20)\d\d ?年(?:底|末|全年)?|今年|全年|去年|明年)(?:的)?)+"
)
_TRAILING_WORDS = re.compile(r"(?:[\s、（(]|的|为|是|将|要)+$")


def docx_text(file):
    """A .docx file's paragraphs and table rows, in their order, joined by newlines: the text
    its candidates' offsets refer to. A table's row is its cells joined by tabs."""
    import docx  # python-docx, only for this format
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(file)
    lines = []
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            lines.append(Paragraph(element, document).text)
        elif element.tag.endswith("}tbl"):
            for row in Table(element, document).rows:
                lines.append("\t".join(cell.text.replace("\n", " ") for cell in row.cells))
    return "\n".join(lines)


def docx_date(file):
    """The date a .docx file's core properties give (created, else modified), or None."""
    import docx

    properties = docx.Document(file).core_properties
    moment = properties.created or properties.modified
    return moment.date() if moment else None


def document_date(text):
    """The first full date of the text's first lines (a dateline), or None."""
    for match in _DATE.finditer(simplified(text[:1000])):
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            continue
    return None


def extract(text, date=None, unit_words=(), own_places=OWN_PLACES):
    """Every numeric target and result of the text, in the order they appear.

    `date` is the document's date (for 今年, 去年, 全年); without it, a dateline is looked for.
    `unit_words` are the words of the units table (`scales.unit_words`), recognised as
    units besides the built-in ones: 微克/立方米, 吨标准煤, 标箱. `own_places`: words naming
    the document's own area; a figure of any other place named beside it gets its `place`.
    """
    date = date or document_date(text)
    reader = _Reader(
        text,
        date.year if date else None,
        _figure_pattern(frozenset(unit_words)),
        tuple(simplified(place) for place in own_places),
    )
    return reader.candidates()


class _Reader:
    def __init__(self, text, document_year, figure_pattern=_FIGURE, own_places=OWN_PLACES):
        self.figure_pattern = figure_pattern
        self.text = text
        self.norm = simplified(text)
        self.document_year = document_year
        self.sentence_ends = [match.end() for match in _SENTENCE_ENDS.finditer(self.norm)]
        self.clause_ends = [match.end() for match in _CLAUSE_ENDS.finditer(self.norm)]
        self.own_places = own_places
        self.sections = self._sections()
        self.section_positions = [position for position, _ in self.sections]
        self.years = self._years_in_force()
        self.year_positions = [position for position, _ in self.years]
        self.target_sentences = self._sentences_with(_TARGET_WORDS)
        self.result_sentences = self._sentences_with(_RESULT_WORDS)
        self.cumulative_sentences = self._sentences_with(_CUMULATIVE)
        self.base_years = {}  # sentence → the first start year it names (在2025年基础上)
        for match in _BASE_YEAR.finditer(self.norm):
            self.base_years.setdefault(self._sentence(match.start()), int(match.group(1)))
        self.periods = [
            (match.start(), match)
            for match in _PERIOD.finditer(self.norm)
            if self._names_period(match)
        ]
        self.period_positions = [position for position, _ in self.periods]
        self.places = [
            (match.start(), match.group())
            for match in _PLACE.finditer(self.norm)
            if not any(own in match.group() for own in self.own_places)
            # 高于全国, 居全省第一: a comparison or a rank, not whose figure
            and not (match.start() and self.norm[match.start() - 1] in "于比较居列超过与和、")
            and not _NOT_WHOSE_AFTER.match(self.norm, match.end())
        ]
        self.place_positions = [position for position, _ in self.places]

    def _sections(self):
        """(position, kind or None) of every heading: a short line without a full stop."""
        sections, start = [], 0
        for line in self.norm.split("\n"):
            stripped = line.strip()
            if stripped and len(stripped) <= HEADING_LIMIT and "。" not in stripped:
                results = bool(_HEADING_RESULT.search(stripped))
                targets = bool(_HEADING_TARGET.search(stripped))
                if results or targets:
                    sections.append(
                        (
                            start,
                            RESULT
                            if results and not targets
                            else (TARGET if targets and not results else None),
                        )
                    )
            start += len(line) + 1
        return sections

    def _section_kind(self, position):
        index = bisect.bisect_right(self.section_positions, position)
        return self.sections[index - 1][1] if index else None

    def _names_period(self, match):
        start = match.start()
        return not (start and self.norm[start - 1] in "比较同")  # 比1—9月份: a comparison

    def _sentence(self, position):
        return bisect.bisect_right(self.sentence_ends, position)

    def _sentence_bounds(self, position):
        index = self._sentence(position)
        start = self.sentence_ends[index - 1] if index else 0
        end = self.sentence_ends[index] if index < len(self.sentence_ends) else len(self.text)
        return start, end

    def _clause_start(self, position):
        index = bisect.bisect_right(self.clause_ends, position)
        return self.clause_ends[index - 1] if index else 0

    def _clause_end(self, position):
        index = bisect.bisect_right(self.clause_ends, position)
        return self.clause_ends[index] - 1 if index < len(self.clause_ends) else len(self.text)

    def _sentences_with(self, pattern):
        return {self._sentence(match.start()) for match in pattern.finditer(self.norm)}

    def _years_in_force(self):
        """(position, year) of every mention that sets the year from there on; a year in a
        title (《…2035年远景目标纲要》) sets none, a dated event (2019年8月) and the start of
        a span (从“十三五”末的103万亿元增长到…) only up to their sentence's end or the 到."""
        years, current = [], None
        self.plan_ends = set()
        for match in _YEAR.finditer(self.norm):
            start, end = match.span()
            spans = start and self.norm[start - 1] == "从" and match["plan"]
            if start and self.norm[start - 1] in _YEAR_NOT_IN_FORCE_BEFORE and not spans:
                continue
            if _YEAR_NOT_IN_FORCE_AFTER.match(self.norm, end) or self._in_title(start):
                continue
            year = self._year_of(match, current)
            if year is None:
                continue
            years.append((start, year))
            if match["plan"] or (start and self.norm[start - 1] in "到至"):
                self.plan_ends.add(start)  # 到2030年, 十五五时期: a multi-year target's end
            until = None
            if spans:
                sentence_end = self._sentence_bounds(start)[1]
                window = range(end, min(sentence_end, end + SUBJECT_LIMIT))
                to = next((i for i in window if self.norm[i] in "到至"), None)
                until = sentence_end if to is None else max(end, to - 2)  # 增长到: the verb
            elif match["digits"] and _DATED_EVENT.match(self.norm, end):
                until = self._sentence_bounds(start)[1]
            if until is None:
                current = year
            else:  # the year in force before (None: the document's) comes back
                years.append((until, current))
        years.sort(key=lambda item: item[0])
        return years

    def _in_title(self, position):
        window = max(0, position - 60)
        return self.norm.rfind("《", window, position) > self.norm.rfind("》", window, position)

    def _year_of(self, match, current):
        if match["digits"]:
            digits = match["digits"]
            return int(digits) if digits.isdigit() else int(cn2an.cn2an(digits, "normal"))
        if match["plan"]:  # the Nth five-year plan runs from 1966 + 5 × (N − 3), five years
            return 1966 + 5 * (10 + _CN_MONTH[match["plan"]] - 3) + 4
        if match["five"]:
            return self.document_year - 1 if self.document_year else None
        relative, document_year = match["relative"], self.document_year
        if relative == "全年":
            return current or document_year
        if document_year is None:
            return None
        if relative in ("今年", "本年"):
            return document_year
        if relative == "明年":
            return document_year + 1
        return document_year - 1

    def _year(self, position):
        """The year named for a position: before it, else later in its sentence; or None."""
        index = bisect.bisect_right(self.year_positions, position)
        if index:
            return self.years[index - 1][1]
        if index < len(self.years) and self._sentence(self.years[index][0]) == self._sentence(
            position
        ):
            return self.years[index][1]
        return None

    def _kind(self, year, sentence, position):
        section = self._section_kind(position)
        if year is not None and self.document_year is not None:
            if year != self.document_year:
                return RESULT if year < self.document_year else TARGET
            if section:
                return section
            reports = sentence in self.result_sentences and sentence not in self.target_sentences
            return RESULT if reports else TARGET
        if section:
            return section
        return TARGET if sentence in self.target_sentences else RESULT

    def candidates(self):
        found, previous = [], None
        self.last_end = 0
        for match in self.figure_pattern.finditer(self.norm):
            if match.start() < self.last_end:  # the top of the range just read
                continue
            figure = self._figure(match)
            if figure is None:
                continue
            if previous and self._continues_list(previous, figure):
                if figure["qualifier"] is None and not figure["is_change"]:
                    figure["qualifier"] = previous["prefix_qualifier"]
                if figure["subject_is_change"]:
                    figure["subject"] = previous["subject"] + figure["subject"]
            found.append(self._candidate(figure))
            previous = figure
            self.last_end = figure["end"]
        tables = self._table_candidates()
        if tables:
            found = sorted(found + tables, key=lambda candidate: candidate.figure_start)
        return found

    def _continues_list(self, previous, figure):
        between = self.norm[previous["end"] : figure["start"]]
        if _OWN_PREDICATE.search(between):  # 超143万人、超额完成国家下达的110万人年度任务
            return False
        listed = "、" in between or between.strip()[:1] in ("和", "及", "与")  # 增至751家和56家
        return listed and not any(char in _CLAUSE_END for char in between)

    def _figure(self, match):
        norm = self.norm
        number, magnitude, unit = match["number"], match["magnitude"], match["unit"]
        start, end = match.span()
        if start == end or not (number or magnitude) or self._is_structure(match):
            return None
        value_max, shared = None, None
        following = _RANGE_AFTER.match(norm, end)
        if following and number and number[0].isdigit():
            second = self.figure_pattern.match(norm, following.end())
            if second and second["number"] and (second["unit"] or second["magnitude"]):
                same = (second["magnitude"], second["unit"]) == (magnitude, unit)
                if not (unit or magnitude):  # 3—5家, 0.1和1.2个百分点: the unit comes after
                    shared = second
                if (same or shared) and following["connector"] != "和":
                    value_max = second["number"].replace(",", "")
        if shared is not None:
            magnitude, unit = shared["magnitude"], shared["unit"]
        prefix = _PREFIX.search(norm, max(self._clause_start(start), start - 6), start)
        prefix_qualifier = qualifier_before(prefix.group().strip()) if prefix else None
        if prefix_qualifier is None and _VERB_FIRST.match(norm, self._segment_start(start), start):
            prefix_qualifier = REACH  # 实现地区生产总值5901亿元
        value = self._value(match, prefix_qualifier)
        if value is None:
            return None
        if shared is None and self._is_not_a_measure(match, unit, end):
            return None
        if value_max is not None and following["connector"] != "和":
            end = self._range_end(following, shared)
        suffix = match["suffix"] if unit or magnitude else None
        if shared is not None:
            suffix = shared["suffix"]
        unit_source = shared if shared is not None else match
        qualifier = (
            qualifier_after(suffix) or (OVER if match["approx"] else None) or prefix_qualifier
        )
        if value_max is not None and qualifier is None:
            qualifier = AT_LEAST  # 2至3所: the floor of a range, reached counts
        figure_start = prefix.start() if prefix else start
        subject = self._subject(figure_start, end, bool(prefix))
        return {
            "start": figure_start,
            "end": end,
            "value": value,
            "unit": self._unit_as_written(unit_source, unit),
            "qualifier": qualifier,
            "prefix_qualifier": prefix_qualifier,
            "subject": subject,
            "is_change": bool(_CHANGE_WORDS.match(norm, self._segment_start(figure_start))),
            "subject_is_change": bool(_CHANGE_WORDS.fullmatch(simplified(subject))),
            "value_max": value_max,
            "unit_words": (magnitude or "") + (unit or ""),
        }

    def _range_end(self, following, shared):
        second = self.figure_pattern.match(self.norm, following.end())
        return second.end() if second else following.end()

    def _is_structure(self, match):
        """The count of a list just named, the whole a part is of, a streak, a class, an
        amount a policy grants: words of the text's structure, not figures."""
        norm, start, end = self.norm, match.start(), match.end()
        clause_start = self._clause_start(start)
        if _ENUMERATED_BEFORE.search(norm, max(clause_start, start - 1), start):
            # 量子科技、…、未来网络等7个重点领域: the count of the items just named; but
            # 高巨创新、好盈科技等74家企业 names examples of more
            items = norm.count("、", max(clause_start, start - SUBJECT_LIMIT * 4), start) + 1
            number = match["number"] or ""
            return number.isdigit() and int(number) <= items
        if _STREAK_BEFORE.search(norm, max(clause_start, start - 2), start):
            return True
        if _GRANT_BEFORE.search(norm, max(clause_start, start - SUBJECT_LIMIT), start):
            return True
        if match["unit"] or match["magnitude"]:
            if norm[end : end + 1] == "级":  # 百亿元级
                return True
            if _WHOLE_AFTER.match(norm, end):  # 37个大类行业中有21个
                return True
        number = match["number"] or ""
        # 千万吨炼化: a round Chinese numeral naming a class, no qualifier before it
        return (
            number in ("十", "百", "千")
            and _is_word(norm[end : end + 1] or " ")
            and not (_PREFIX.search(norm, max(clause_start, start - 6), start))
        )

    def _value(self, match, prefix_qualifier):
        number, unit = match["number"], match["unit"]
        if number is None:
            # 近万亿元, 超万人: a bare 万/亿 after a qualifier counts one of it.
            return "1" if prefix_qualifier else None
        if number[0].isdigit():
            value = number.replace(",", "")
        else:
            value = self._chinese_value(number, match, prefix_qualifier)
            if value is None:
                return None
        if unit == "成":
            value = str(Decimal(value) * 10)
        return value

    def _chinese_value(self, number, match, prefix_qualifier):
        if len(number) > CHINESE_NUMERAL_LIMIT:
            return None  # no numeral is that long, and cn2an's time grows with its square
        # 一批, 两手抓, 三大, 四套做法: a small Chinese numeral before a measure word is a
        # figure of speech, unless it counts tenths (六成) or carries 万/亿 (一万人).
        if len(number) == 1 and not match["magnitude"] and match["unit"] != "成":
            if number not in "十百千" or not prefix_qualifier:
                return None
        start = match.start()
        if start and self.norm[start - 1] in "数几上成第":  # 数十家, 成百上千, 第二
            return None
        if number in ("百", "千"):
            number = "一" + number
        try:
            return str(cn2an.cn2an(number, "normal"))
        except (ValueError, KeyError, IndexError):  # not a numeral cn2an reads: 十四五, 十十六
            return None

    def _is_not_a_measure(self, match, unit, end):
        norm, start = self.norm, match.start()
        if not unit:
            # A bare 万/亿 is a unit only at the end of a clause or before 大关/台阶:
            # 常住人口120万, 再破千亿大关, but not 千亿级.
            if not match["magnitude"] or not _ENDS_A_BARE_MAGNITUDE.match(norm, end):
                return True
        before = norm[start - 1] if start else ""
        if before and (before in "第前" or (before.isascii() and before.isalnum())):
            return True  # 第7名, 前10位, PM2.5
        if before and before in "+-—~/:." and match["number"] and match["number"][0].isdigit():
            return True  # 1+2+3+4, 2021-2025, 3:2
        after = norm[end : end + 1]
        if not unit and after and after.isascii() and (after.isalnum() or after in "+-"):
            return True  # 5G, 1+2
        # 10亿元以上企业: a threshold that names a class of things, not a figure; but
        # 形成10家以上营收百亿元级企业 counts things (10家, at least).
        if unit in _COUNT_UNITS and not match["magnitude"]:
            return False
        return bool(match["suffix"] in ("以上", "以下", "及以上") and after and _is_word(after))

    def _unit_as_written(self, match, unit):
        if unit == "成":
            return "%"
        pieces = [match.span("magnitude")] + ([match.span("unit")] if unit else [])
        return "".join(self.text[start:end] for start, end in pieces if start >= 0)

    def _segment_start(self, position):
        """Where the words about a figure begin: its clause, or after the figure before it."""
        return max(self._clause_start(position), self.last_end)

    def _subject(self, figure_start, figure_end, has_qualifier):
        start = self._segment_start(figure_start)
        if start == self.last_end:  # after another figure of the clause: its own list item
            start = self.norm.rfind("、", start, figure_start) + 1 or start
        start = max(start, figure_start - SUBJECT_LIMIT)
        before = _clean(self.text, self.norm, start, figure_start)
        if has_qualifier:
            return before
        # 9个“大院大所”项目: the thing counted follows the figure.
        end = min(self._clause_end(figure_end), figure_end + SUBJECT_LIMIT)
        next_list_item = self.norm.find("、", figure_end, end)
        end = next_list_item if next_list_item >= 0 else end
        following = _FIGURE_START.search(self.norm, figure_end, end)
        end = following.start() if following else end
        after = _clean(self.text, self.norm, figure_end, end)
        if after and len(before) <= 2:  # 引进2个全国重点实验室: the verb says little
            return after
        return " ".join(part for part in (before, after) if part)

    def _candidate(self, figure):
        position = figure["start"]
        start, end = self._sentence_bounds(position)
        while start < end and self.text[start].isspace():
            start += 1
        if end - start > QUOTE_LIMIT:
            start = max(start, position - QUOTE_LIMIT // 2)
            end = min(end, start + QUOTE_LIMIT)
        year = self._year(position)
        sentence = self._sentence(position)
        kind = self._kind(year, sentence, position)
        # A figure no year is named for is stated as of the document's date.
        year = self.document_year if year is None else year
        period_end, year_to_date = self._period(position, year)
        return Candidate(
            kind=kind,
            subject=figure["subject"],
            year=year,
            value=figure["value"],
            unit=figure["unit"],
            qualifier=figure["qualifier"],
            quote=self.text[start:end],
            start=start,
            end=end,
            figure_start=figure["start"],
            figure_end=figure["end"],
            period_end=period_end,
            year_to_date=year_to_date,
            place=self._place(position),
            measure=self._measure(position, figure),
            value_max=figure["value_max"],
            plan_year=year if kind == TARGET and self._is_plan_end(position) else None,
            base=self._base(position) if kind == TARGET else None,
        )

    def _same_sentence_before(self, positions, position):
        """The index of the last of `positions` before `position` in its sentence, or None."""
        index = bisect.bisect_right(positions, position) - 1
        if index < 0 or self._sentence(positions[index]) != self._sentence(position):
            return None
        return index

    def _period(self, position, year):
        """(period_end, year_to_date) of the period the figure's sentence names before it."""
        index = self._same_sentence_before(self.period_positions, position)
        if index is None or year is None:
            return None, False
        match = self.periods[index][1]
        cumulative = self._sentence(position) in self.cumulative_sentences
        if match["half"]:
            month, to_date = 6, True
        elif match["quarters"]:
            month, to_date = 3 * _CN_MONTH[match["quarters"]], True
        elif match["quarter"]:
            quarter = match["quarter"]
            quarter = int(quarter) if quarter.isdigit() else _CN_MONTH[quarter]
            month, to_date = 3 * quarter, quarter == 1 or cumulative
        else:
            months = match["months"] or match["month"]
            month = int(months) if months.isdigit() else _CN_MONTH.get(months)
            to_date = bool(match["months"]) or month == 1 or cumulative
        if not month or month > 12:
            return None, False
        if month == 12:
            return datetime.date(year, 12, 31), to_date
        return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1), to_date

    def _place(self, position):
        """The place named in the figure's clause before it, or at its sentence's start."""
        index = self._same_sentence_before(self.place_positions, position)
        if index is None:
            return None
        mention = self.place_positions[index]
        sentence_start = self._sentence_bounds(position)[0]
        at_start = False
        if mention - sentence_start <= SUBJECT_LIMIT // 2:
            leading = _LEADING_WORDS.match(self.norm, sentence_start, mention)
            at_start = mention - (leading.end() if leading else sentence_start) <= 1
        in_clause = mention >= self._clause_start(position)
        return self.places[index][1] if at_start or in_clause else None

    def _measure(self, position, figure):
        unit = simplified(figure["unit_words"])
        if unit in ("个百分点", "百分点"):
            return SHARE_CHANGE
        lead = self.norm[self._segment_start(position) : position]
        if unit in ("%", "‰", "成", "倍") and _GROWTH_WORDS.search(lead):
            return GROWTH
        if unit in ("%", "‰", "成") and _SHARE_WORDS.search(lead + figure["subject"]):
            return SHARE
        clause_start = max(self._clause_start(position), position - SUBJECT_LIMIT)
        if _INCREMENT_WORDS.search(self.norm, clause_start, position):
            return INCREMENT
        return LEVEL

    def _is_plan_end(self, position):
        index = bisect.bisect_right(self.year_positions, position) - 1
        return index >= 0 and self.years[index][0] in self.plan_ends

    def _base(self, position):
        return self.base_years.get(self._sentence(position))

    def _table_candidates(self):
        """The cells of tables (a .docx's rows, or text rows of cells split by tabs or |):
        a number in a cell is a figure of its row's subject, its column's unit and year."""
        found, header, offset = [], None, 0
        for line in self.text.split("\n"):
            cells = _cells(line, offset)
            if len(cells) < 2:
                header = None
            elif header is None or not any(_NUMBER_CELL.match(c[2]) for c in cells[1:]):
                header = [_column(text) for _, _, text in cells]
            else:
                found.extend(self._row_figures(cells, header, offset, line))
            offset += len(line) + 1
        return found

    def _row_figures(self, cells, header, offset, line):
        subject = cells[0][2].strip()
        row_unit = _UNIT_IN_LABEL.search(subject)
        for (start, end, text), (unit, year, growth) in zip(cells[1:], header[1:], strict=False):
            if not _NUMBER_CELL.match(text) or not (unit or row_unit):
                continue
            year = year or self._year(start) or self.document_year
            sentence = self._sentence(start)
            yield Candidate(
                kind=self._kind(year, sentence, start),
                subject=subject,
                year=year,
                value=text.strip().replace(",", ""),
                unit=unit or row_unit.group(1),
                qualifier=None,
                quote=line,
                start=offset,
                end=offset + len(line),
                figure_start=start,
                figure_end=end,
                place=self._place(start),
                measure=GROWTH if growth else (SHARE if "比重" in subject else LEVEL),
            )


_FIGURE_START = re.compile(r"\d")


def _is_word(char):
    return "\u4e00" <= char <= "\u9fff" or char in '“"《'


def _clean(text, norm, start, end):
    """The words between two offsets, without the connectives and years at their ends."""
    leading = _LEADING_WORDS.match(norm, start, end)
    if leading:
        start = leading.end()
    trailing = _TRAILING_WORDS.search(norm, start, end)
    if trailing:
        end = trailing.start()
    return text[start:end].strip()


@dataclass(frozen=True)
class Score:
    """How a list of candidates compares with the figures a person found in the same text.

    A candidate counts when its kind, year, value, unit and qualifier are all those of an
    expected figure (units compared in simplified characters, values as numbers).
    """

    expected: int
    found: int
    matched: int

    @property
    def recall(self):
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self):
        return self.matched / self.found if self.found else 1.0

    def __add__(self, other):
        return Score(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


def figure_key(kind, year, value, unit, qualifier):
    return (kind, year, Decimal(value).normalize(), simplified(unit), qualifier)


def score(candidates, expected):
    """Compare candidates with expected figures, each a (kind, year, value, unit, qualifier)."""
    wanted = Counter(figure_key(*figure) for figure in expected)
    got = Counter(figure_key(c.kind, c.year, c.value, c.unit, c.qualifier) for c in candidates)
    return Score(sum(wanted.values()), sum(got.values()), sum((wanted & got).values()))


@dataclass(frozen=True)
class IndicatorRow:
    """What matching needs to know of an existing indicator."""

    code: str
    name: str
    unit: str
    theme: str = ""


# A proposed match needs at least this share of the indicator's name in the candidate's words.
MATCH_THRESHOLD = 0.5


def _pairs(text):
    text = simplified(text)
    return {text[i : i + 2] for i in range(len(text) - 1) if _is_word(text[i])}


def _share(name_pairs, pairs):
    return len(name_pairs & pairs) / len(name_pairs) if name_pairs else 0.0


class IndicatorMatcher:
    """Proposes, for each candidate, the existing indicator it most likely states.

    Units must agree, and the subject must share words with the name; then the pairs of
    characters of the indicator's name are looked for in the candidate's subject (counting
    fully) and in its paragraph (counting half), and those
    of its theme in the paragraph (a quarter), so that "估值" in a paragraph about 脑科学 goes
    to the brain-science valuation, not the synthetic-biology one.
    """

    def __init__(self, indicators):
        self.indicators = [
            (row.code, simplified(row.unit), _pairs(row.name), _pairs(row.theme))
            for row in indicators
        ]
        self.measures = {row.code: indicator_measure(row.name) for row in indicators}
        self.context_pairs = functools.lru_cache(maxsize=64)(_pairs)

    def match(self, candidate, context=None):
        """The code of the best indicator, or None; `context` is the figure's paragraph.

        Another place's figure gets none; an increment or a growth rate never goes to an
        indicator of a level (`level_match` says which one it would have been)."""
        if getattr(candidate, "place", None):
            return None
        code = self._best(candidate, context)
        if code and getattr(candidate, "measure", LEVEL) in (INCREMENT, GROWTH):
            if self.measures[code] == LEVEL:
                return None
        return code

    def level_match(self, candidate, context=None):
        """The level indicator an increment or growth rate of this place states the change
        of (新增100家 → the total's indicator), or None."""
        if getattr(candidate, "place", None) or candidate.measure not in (INCREMENT, GROWTH):
            return None
        code = self._best(candidate, context)
        return code if code and self.measures[code] == LEVEL else None

    def _best(self, candidate, context):
        unit = simplified(candidate.unit)
        subject = _pairs(candidate.subject)
        around = self.context_pairs(context if context is not None else candidate.quote)
        best_code, best_points = None, MATCH_THRESHOLD
        for code, indicator_unit, name, theme in self.indicators:
            in_subject = _share(name, subject)
            if indicator_unit != unit or not in_subject:
                continue
            points = in_subject + _share(name, around) / 2 + _share(theme, around) / 4
            if points > best_points:
                best_code, best_points = code, points
        return best_code


@functools.lru_cache(maxsize=4)
def _line_index(text):
    """Where the text's lines break, found once, and the lines cut so far by number: one
    string per line, so that the matcher's cache of a line's pairs hashes it once."""
    return [match.start() for match in re.finditer("\n", text)], {}


_GROWTH_NAME = re.compile(r"增速|增长|增幅|涨幅|增长率")
_INCREMENT_NAME = re.compile(r"新增|净增|新引进|年度新")


def indicator_measure(name):
    """What an indicator's name says it measures: a growth rate, an increment, else a level."""
    name = simplified(name)
    if _GROWTH_NAME.search(name):
        return GROWTH
    if _INCREMENT_NAME.search(name):
        return INCREMENT
    return LEVEL


def paragraph(text, candidate):
    """The line of the text that holds a candidate's figure (in logarithmic time: a text of
    one long line and many figures is not read once per figure)."""
    breaks, lines = _line_index(text)
    number = bisect.bisect_left(breaks, candidate.figure_start)
    if number not in lines:
        start = breaks[number - 1] + 1 if number else 0
        end = breaks[number] if number < len(breaks) else len(text)
        lines[number] = text[start:end]
    return lines[number]
