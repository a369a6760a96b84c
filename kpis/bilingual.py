"""The bilingual fields: each text in Chinese, most in English too."""

from django.conf import settings
from django.utils.translation import get_language


def in_language(chinese, english):
    """Pick the Chinese or the English text of a bilingual field for the active language."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.startswith("en") and english:
        return english
    return chinese
