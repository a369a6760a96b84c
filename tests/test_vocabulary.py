"""One vocabulary: every qualifier, status and colour has its words in Chinese and in
English, and everything that reads or writes a qualifier reads the one table."""

import pytest
from django.utils import translation

from kpis import periods, progress
from kpis.extraction import extract
from kpis.models import Indicator
from kpis.models import Qualifier as QualifierChoice
from kpis.resources import QUALIFIER_WORDS as SHEET_WORDS
from kpis.templatetags.kpis_tags import STATUS_TEXT, TIMELINESS_TEXT, qualified
from kpis.vocabulary import QUALIFIER_WORDS, Colour, Qualifier, read_qualifier
from tasks.rules import Status as TaskStatus
from tasks.templatetags.tasks_tags import RAG_TEXT
from tasks.templatetags.tasks_tags import STATUS_TEXT as TASK_STATUS_TEXT


def in_both(text):
    """`text` (lazy) in English and in Chinese."""
    with translation.override("en"):
        english = str(text)
    with translation.override("zh-hans"):
        chinese = str(text)
    return english, chinese


def has_words_in_both(text):
    english, chinese = in_both(text)
    return bool(english.strip()) and chinese != english and not chinese.isascii()


@pytest.mark.parametrize("qualifier", list(Qualifier))
def test_every_qualifier_has_its_words_in_both_languages(qualifier):
    words = QUALIFIER_WORDS[qualifier]
    assert has_words_in_both(words.label)
    assert words.sheet and (words.before or words.after)
    if qualifier != Qualifier.REACH:  # a figure to reach is written bare: "12家"
        assert has_words_in_both(words.written)


@pytest.mark.parametrize("qualifier", list(Qualifier))
def test_a_qualifier_written_in_chinese_is_read_back_as_itself(qualifier):
    _english, chinese = in_both(QUALIFIER_WORDS[qualifier].written or "达到%(figure)s")
    sentence = "2026年，" + chinese % {"figure": "12家"} + "。"
    assert [candidate.qualifier for candidate in extract(sentence)] == [qualifier]
    assert read_qualifier(QUALIFIER_WORDS[qualifier].sheet) == qualifier


def test_the_models_and_the_sheet_offer_every_qualifier():
    assert list(QualifierChoice.values) == list(Qualifier)
    assert list(SHEET_WORDS) == list(Qualifier)


@pytest.mark.parametrize("status", list(progress.Status))
def test_every_status_has_its_words_in_both_languages(status):
    assert has_words_in_both(STATUS_TEXT[status][0])


@pytest.mark.parametrize("status", list(TaskStatus))
def test_every_key_task_status_has_its_words_in_both_languages(status):
    assert has_words_in_both(TASK_STATUS_TEXT[status][0])


@pytest.mark.parametrize("colour", [Colour.GREEN, Colour.YELLOW, Colour.RED, Colour.NONE])
def test_every_colour_has_its_words_in_both_languages(colour):
    assert has_words_in_both(TIMELINESS_TEXT[colour][0])
    if colour != Colour.NONE:
        assert has_words_in_both(RAG_TEXT[colour])


def test_the_status_groups_name_known_statuses_only():
    groups = [
        progress.NEEDS_EXPLANATION,
        progress.SUMMARY_COUNTED,
        progress.WITHOUT_DATA,
        progress.OPEN_YEAR_STATUSES,
        progress.CLOSED_YEAR_STATUSES,
        progress.STATUS_COLOURS,
    ]
    assert all(set(group) <= set(progress.Status) for group in groups)
    assert set(progress.STATUS_COLOURS.values()) <= set(Colour)


def test_the_old_names_still_read_the_rules():
    from kpis.forms import last_quarter_end
    from kpis.models import EXPLANATION_STATUSES
    from reports import bulletins
    from tasks.rules import Rag, quarter_end

    assert EXPLANATION_STATUSES == set(bulletins.LAGGING) == set(progress.NEEDS_EXPLANATION)
    assert (Rag, quarter_end, last_quarter_end) == (
        Colour,
        periods.quarter_end,
        periods.last_quarter_end,
    )


def test_a_floor_and_a_ceiling_are_written_out_in_both_languages(db):
    enterprises = Indicator(unit=Indicator.Unit.ENTERPRISES, decimals=0)
    percent = Indicator(unit=Indicator.Unit.PERCENT, decimals=0)
    with translation.override("zh-hans"):
        chinese = [qualified(100, "at_least", enterprises), qualified(5, "at_most", percent)]
    with translation.override("en"):
        english = [qualified(100, "at_least", enterprises), qualified(5, "at_most", percent)]
    assert chinese == ["100家以上", "5%以内"]
    assert english == ["at least 100 enterprises", "at most 5%"]
