"""Text stored once and read in every site language.

A timeline line ("“Logo” delivered for review.") is written when something happens, in whatever language
the person acting uses, and read later by the other side in theirs. So it is rendered once per language
at the moment it is written (amounts, dates and nested phrases included) and shown in the reader's.
"""

from collections.abc import Callable

from django.conf import settings
from django.utils import translation


def in_every_language(render: Callable[[], str] | str, max_length: int) -> tuple[str, dict[str, str]]:
    """The English text and {language: text} for the site's other languages. A plain string (user words,
    or a caller that has not moved to a callable) is stored as it is, in every language."""
    if isinstance(render, str):
        return render[:max_length], {}
    with translation.override("en"):
        english = str(render())[:max_length]
    others = {}
    for code, _name in settings.LANGUAGES:
        if code != "en":
            with translation.override(code):
                others[code] = str(render())[:max_length]
    return english, others


def in_reader_language(english: str, others: dict[str, str]) -> str:
    """The text in the active language, English when it was stored only in English."""
    language = (translation.get_language() or "en").split("-")[0]
    return (others or {}).get(language) or english
