"""The tracker's words for its fixed concepts, once: what a qualifier, a value type, a
direction and a colour are called in the code, in Chinese and in English.

Pure (no models, no settings): the rules compare with these enums, the models' choices take
their values from them, and everything that reads or writes a qualifier (the extractor, the
spreadsheet import, the pages' filters, the bulletin) reads `QUALIFIER_WORDS`.

A **qualifier** is how a source states a figure: 超过400亿元 (over: must be passed), 达到
12家 (reach), 约60% (about), 100家以上 (at least: a floor, reached counts), 控制在5%以内
(at most: a ceiling, met at or below it).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Qualifier(StrEnum):
    OVER = "over"
    REACH = "reach"
    ABOUT = "about"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class ValueType(StrEnum):
    """How the figures of one year combine: a stock's and a rate's latest figure counts, a
    flow's periods add up."""

    STOCK = "stock"
    FLOW = "flow"
    RATE = "rate"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class Colour(StrEnum):
    """三色 (red, yellow, green): the codes the scorecard, the key tasks and the bulletin
    colour by. The values are CSS classes and open data: they never change."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    # Nothing due yet (a department's punctuality).
    NONE = "none"
    # Not judged by colour (a bulletin's cell of a status without one).
    GREY = "grey"


@dataclass(frozen=True)
class QualifierWords:
    """Every word of one qualifier.

    `label`: the choice as staff see it. `written`: how a page or file writes a figure with
    it, `%(figure)s` standing for the figure (None: the bare figure). `sheet`: the one
    Chinese word a spreadsheet offers. `before` and `after`: the Chinese words a text puts
    before or after the number to say it (the extractor and the import read them)."""

    label: str
    written: str | None
    sheet: str
    before: tuple = ()
    after: tuple = ()


QUALIFIER_WORDS = {
    Qualifier.OVER: QualifierWords(
        label=_("more than (超/突破)"),
        written=pgettext_lazy("a qualified figure", "more than %(figure)s"),
        sheet="超",
        before=("超过", "突破", "超出", "超", "逾", "破", "多于", "高于", "跨过", "跨越"),
    ),
    Qualifier.REACH: QualifierWords(
        label=_("reaches (达/增至)"),
        written=None,
        sheet="达",
        before=(
            *("达到", "达", "增至", "增加到", "增加至", "增长到", "增长至", "提高到", "提高至"),
            *("提升到", "提升至", "升至", "扩大到", "扩大至", "降至", "下降到", "缩小至"),
            *("实现", "完成"),
        ),
    ),
    Qualifier.ABOUT: QualifierWords(
        label=_("about (约)"),
        written=pgettext_lazy("a qualified figure", "about %(figure)s"),
        sheet="约",
        before=("大约", "约", "接近", "将近", "近"),
        after=("左右",),
    ),
    Qualifier.AT_LEAST: QualifierWords(
        label=_("at least (以上)"),
        written=pgettext_lazy("a qualified figure", "at least %(figure)s"),
        sheet="以上",
        before=("不低于", "不少于", "至少", "迈上", "迈过", "站上"),
        after=("及以上", "以上"),
    ),
    Qualifier.AT_MOST: QualifierWords(
        label=_("at most (以内/不超过)"),
        written=pgettext_lazy("a qualified figure", "at most %(figure)s"),
        sheet="以内",
        before=("控制在", "不超过", "不高于", "低于"),
        after=("以内", "以下"),
    ),
}


def qualifier_before(word):
    """The qualifier a Chinese word before a number says, or None."""
    return _BEFORE.get(word)


def qualifier_after(word):
    """The qualifier a Chinese word after a number says, or None."""
    return _AFTER.get(word)


def read_qualifier(text):
    """A qualifier as a person writes it in a sheet: its code (at_least), its sheet word
    (以上) or any word of a source (突破, 不超过, 控制在…以内). The text itself,
    lower-cased, when it says none (the import then refuses it)."""
    text = text.strip()
    if text.lower().replace(" ", "_") in Qualifier._value2member_map_:
        return Qualifier(text.lower().replace(" ", "_"))
    for part in (text, *text.replace("…", " ").replace("...", " ").split()):
        found = _SHEET.get(part) or _BEFORE.get(part) or _AFTER.get(part)
        if found:
            return found
    return text.lower()


def judged_direction(qualifier, direction):
    """The direction a target is judged in: a ceiling (at most) is judged as a ceiling,
    lower being better, and a floor (at least) as a floor, whatever the indicator's own
    direction says."""
    if qualifier == Qualifier.AT_MOST:
        return Direction.DECREASE
    if qualifier == Qualifier.AT_LEAST:
        return Direction.INCREASE
    return direction


_BEFORE = {word: code for code, words in QUALIFIER_WORDS.items() for word in words.before}
_AFTER = {word: code for code, words in QUALIFIER_WORDS.items() for word in words.after}
_SHEET = {words.sheet: code for code, words in QUALIFIER_WORDS.items()}


class Stage(StrEnum):
    """A figure's release stage, where its indicator is published in stages, in the order
    they come: 初步核算 (preliminary), 初步核实 (verified), 最终核实 (final). A later stage
    revises the earlier one; none comes back to an earlier stage."""

    PRELIMINARY = "preliminary"
    VERIFIED = "verified"
    FINAL = "final"


STAGE_WORDS = {
    Stage.PRELIMINARY: _("preliminary (初步核算)"),
    Stage.VERIFIED: _("verified (初步核实)"),
    Stage.FINAL: _("final (最终核实)"),
}


def stage_order(stage):
    """The place of `stage` among the stages (0 first); -1 for no stage."""
    return list(Stage).index(Stage(stage)) if stage else -1


class Flag(StrEnum):
    """What a figure says of itself: estimated (预计, as in a work report, confirmed later),
    provisional, or a series break (口径调整: a changed definition, explained in its note)."""

    ESTIMATED = "estimated"
    PROVISIONAL = "provisional"
    SERIES_BREAK = "series_break"


FLAG_WORDS = {
    Flag.ESTIMATED: _("estimated (预计)"),
    Flag.PROVISIONAL: _("provisional (初步)"),
    Flag.SERIES_BREAK: _("series break (口径调整)"),
}
