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

    def as_json(self):
        return asdict(self)

    @property
    def decimal_value(self):
        return Decimal(self.value)


# Units a measure is counted in; anything else after a number (年, 月, 层, 届, 期, 大, 强 ...)
# makes it a date, a rank, a floor or a name, not a figure. Longest first.
_BASE_UNITS = sorted(
    """个百分点 百分点 平方公里 平方米 立方米 公顷 公里 千米 千瓦时 千瓦 标准箱 人次 人年
    美元 元 人 家 个 只 项 所 座 台 套 辆 户 间 张 条 件 支 种 款 场 位 名 批 宗 处 栋 艘 架
    吨 亩 米 天 岁 倍 对 例 篇 部 % ‰ 成 次""".split(),
    key=len,
    reverse=True,
)
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
# What may not follow a unit: 5个月 is a duration, 建成为 a verb, 110万人年度任务 a year's task.
_NOT_AFTER_UNIT = {
    "个": "月|小时|工作日|季",
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
    + r")\Z"
)

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
    r"|(?P<relative>今年|本年|明年|去年|全年|过去一年|刚刚过去的一年)"
)
# A year named as a point of comparison or a start sets nothing: 比2020年, 2019年以来.
_YEAR_NOT_IN_FORCE_BEFORE = "比较与同自从"
_YEAR_NOT_IN_FORCE_AFTER = re.compile(r" ?(?:以来|起|相比|基础上|同期|\d{1,2}月\d{1,2}日)")
_TARGET_WORDS = re.compile(
    r"目标|力争|争取|预期|计划|确保|力求|努力|规划|提出|将|到(?:19|20)\d\d年|到“十"
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
    """A .docx file's paragraphs joined by newlines: the text its candidates' offsets refer to."""
    import docx  # python-docx, only for this format

    return "\n".join(paragraph.text for paragraph in docx.Document(file).paragraphs)


def document_date(text):
    """The first full date of the text's first lines (a dateline), or None."""
    for match in _DATE.finditer(simplified(text[:1000])):
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            continue
    return None


def extract(text, date=None, unit_words=()):
    """Every numeric target and result of the text, in the order they appear.

    `date` is the document's date (for 今年, 去年, 全年); without it, a dateline is looked for.
    `unit_words` are the words of the units table (`scales.unit_words`), recognised as
    units besides the built-in ones: 微克/立方米, 吨标准煤, 标箱.
    """
    date = date or document_date(text)
    reader = _Reader(text, date.year if date else None, _figure_pattern(frozenset(unit_words)))
    return reader.candidates()


class _Reader:
    def __init__(self, text, document_year, figure_pattern=_FIGURE):
        self.figure_pattern = figure_pattern
        self.text = text
        self.norm = simplified(text)
        self.document_year = document_year
        self.sentence_ends = [match.end() for match in _SENTENCE_ENDS.finditer(self.norm)]
        self.clause_ends = [match.end() for match in _CLAUSE_ENDS.finditer(self.norm)]
        self.years = self._years_in_force()
        self.year_positions = [position for position, _ in self.years]
        self.target_sentences = self._sentences_with(_TARGET_WORDS)
        self.result_sentences = self._sentences_with(_RESULT_WORDS)

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
        """(position, year) of every mention that sets the year from there on."""
        years, current = [], None
        for match in _YEAR.finditer(self.norm):
            start, end = match.span()
            if start and self.norm[start - 1] in _YEAR_NOT_IN_FORCE_BEFORE:
                continue
            if _YEAR_NOT_IN_FORCE_AFTER.match(self.norm, end):
                continue
            year = self._year_of(match, current)
            if year is not None:
                years.append((start, year))
                current = year
        return years

    def _year_of(self, match, current):
        if match["digits"]:
            digits = match["digits"]
            return int(digits) if digits.isdigit() else int(cn2an.cn2an(digits, "normal"))
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

    def _kind(self, year, sentence):
        if year is not None and self.document_year is not None:
            if year != self.document_year:
                return RESULT if year < self.document_year else TARGET
            reports = sentence in self.result_sentences and sentence not in self.target_sentences
            return RESULT if reports else TARGET
        return TARGET if sentence in self.target_sentences else RESULT

    def candidates(self):
        found, previous = [], None
        self.last_end = 0
        for match in self.figure_pattern.finditer(self.norm):
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
        return found

    def _continues_list(self, previous, figure):
        between = self.norm[previous["end"] : figure["start"]]
        if _OWN_PREDICATE.search(between):  # 超143万人、超额完成国家下达的110万人年度任务
            return False
        return "、" in between and not any(char in _CLAUSE_END for char in between)

    def _figure(self, match):
        norm = self.norm
        number, magnitude, unit = match["number"], match["magnitude"], match["unit"]
        start, end = match.span()
        if start == end or not (number or magnitude):
            return None
        prefix = _PREFIX.search(norm, max(self._clause_start(start), start - 5), start)
        prefix_qualifier = qualifier_before(prefix.group()) if prefix else None
        if prefix_qualifier is None and _VERB_FIRST.match(norm, self._segment_start(start), start):
            prefix_qualifier = REACH  # 实现地区生产总值5901亿元
        value = self._value(match, prefix_qualifier)
        if value is None or self._is_not_a_measure(match, unit, end):
            return None
        suffix = match["suffix"] if unit or magnitude else None
        qualifier = (
            qualifier_after(suffix) or (OVER if match["approx"] else None) or prefix_qualifier
        )
        figure_start = prefix.start() if prefix else start
        subject = self._subject(figure_start, end, bool(prefix))
        return {
            "start": figure_start,
            "end": end,
            "value": value,
            "unit": self._unit_as_written(match, unit),
            "qualifier": qualifier,
            "prefix_qualifier": prefix_qualifier,
            "subject": subject,
            "is_change": bool(_CHANGE_WORDS.match(norm, self._segment_start(figure_start))),
            "subject_is_change": bool(_CHANGE_WORDS.fullmatch(simplified(subject))),
        }

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
        if after and after.isascii() and (after.isalnum() or after in "+-"):
            return True  # 5G, 1+2
        # 10亿元以上企业: a threshold that names a class of things, not a figure.
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
        kind = self._kind(year, self._sentence(position))
        return Candidate(
            kind=kind,
            subject=figure["subject"],
            # A figure no year is named for is stated as of the document's date.
            year=self.document_year if year is None else year,
            value=figure["value"],
            unit=figure["unit"],
            qualifier=figure["qualifier"],
            quote=self.text[start:end],
            start=start,
            end=end,
            figure_start=figure["start"],
            figure_end=figure["end"],
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
        self.context_pairs = functools.lru_cache(maxsize=64)(_pairs)

    def match(self, candidate, context=None):
        """The code of the best indicator, or None; `context` is the figure's paragraph."""
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
