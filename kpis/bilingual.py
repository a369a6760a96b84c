"""The bilingual fields: each text in Chinese, most in English too."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language


def in_language(chinese, english):
    """Pick the Chinese or the English text of a bilingual field for the active language."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.startswith("en") and english:
        return english
    return chinese


def in_both_languages(words):
    """A generated text that is stored once and read on pages of either language (a
    revision's reason): `words()` said in Chinese, then in English, "来自… / From …"."""
    said = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            said.append(str(words()))
    return " / ".join(said)
