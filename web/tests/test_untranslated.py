"""No English reaches an Urdu page by being left out of the catalogue: every word a template shows (text,
`title`, `placeholder`, `alt`, `aria-label`) sits inside a translate tag, and every message or domain error
the Python code shows a person goes through gettext. Codes and names that are the same in every language
(PKR, IBAN, Kamai) are listed below; anything else fails with its file and line, so a new untranslated
string is caught where it is written, not on a phone in Lahore."""

import ast
import re

from web.tests.sources import ROOT, project_files

# Written the same way in Urdu: currency and bank codes, programme and product names.
# A ledger book is typed by its code ("platform"), whatever the language.
SAME_IN_EVERY_LANGUAGE = {"Kamai", "PKR", "USD", "FCY", "IBAN", "SWIFT", "PDF", "PSEB", "NTN", "English", "platform"}
TAG = re.compile(r"{%.*?%}|{{.*?}}", re.S)
IGNORED_BLOCKS = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}|<(script|style)\b.*?</\1>"
    r"|{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}",
    re.S | re.I,
)
SHOWN_ATTRIBUTES = re.compile(r"\b(title|placeholder|alt|aria-label)=\"([^\"]*)\"")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
# Exceptions a person never sees: programming errors, and the ledger's holds (settled by code only).
INTERNAL_ERRORS = {
    "ValueError", "TypeError", "KeyError", "LookupError", "RuntimeError", "AssertionError", "AttributeError",
    "NotImplementedError", "ImproperlyConfigured", "HoldError",
}  # fmt: skip


def english_words(text: str) -> list[str]:
    return [word for word in WORD.findall(text) if word not in SAME_IN_EVERY_LANGUAGE]


def untranslated_in_template(source: str) -> list[tuple[int, str]]:
    """(line, text) of every shown piece of English outside a translate tag."""
    found = []
    blanked = IGNORED_BLOCKS.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    blanked = TAG.sub(lambda m: " " * len(m.group(0)), blanked)  # keep offsets, so line numbers stay true
    for match in SHOWN_ATTRIBUTES.finditer(blanked):
        if english_words(match.group(2)):
            found.append((blanked.count("\n", 0, match.start()) + 1, match.group(2).strip()))
    for match in re.finditer(r">([^<>]+)<", blanked):
        if english_words(match.group(1)):
            found.append((blanked.count("\n", 0, match.start()) + 1, match.group(1).strip()))
    return found


def test_every_shown_word_in_a_template_is_translated():
    problems = []
    for relative in project_files("*/templates/**/*.html"):
        for line, text in untranslated_in_template((ROOT / relative).read_text()):
            problems.append(f"{relative}:{line}: {text[:60]!r}")
    assert problems == [], "\n".join(problems)


def _words_in_literal(node) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(english_words(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_words_in_literal(part) for part in node.values if isinstance(part, ast.Constant))
    return False


def untranslated_in_python(source: str) -> list[tuple[int, str]]:
    """(line, call) of every message or user-facing error built from an English literal instead of gettext."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        shown = []
        if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "messages":
            shown = node.args[1:2]  # messages.error(request, text)
        elif (name.endswith("Error") or name in {"NotAllowed", "InvalidTransition"}) and name not in INTERNAL_ERRORS:
            shown = node.args[:1]
        if any(_words_in_literal(arg) for arg in shown):
            found.append((node.lineno, name))
    return found


def test_every_message_and_domain_error_goes_through_gettext():
    problems = []
    for relative in project_files("*/**/*.py"):
        for line, name in untranslated_in_python((ROOT / relative).read_text()):
            problems.append(f"{relative}:{line}: {name}(...) with an English literal")
    assert problems == [], "\n".join(problems)


def test_the_checks_catch_what_they_are_for():
    template = '{% load i18n %}<p title="Close">{% translate "Fine" %}</p>\n<button>Pay now</button> {{ amount }} PKR'
    assert untranslated_in_template(template) == [(1, "Close"), (2, "Pay now")]
    assert untranslated_in_template("<p>{% blocktranslate %}Fine {{ x }}{% endblocktranslate %} · PKR</p>") == []
    python = 'messages.error(request, "Saved.")\nraise BooksError(f"Row {n} is bad")\nraise BooksError(_("Ok"))'
    assert untranslated_in_python(python) == [(1, "error"), (2, "BooksError")]
    assert untranslated_in_python('raise ValueError(f"bad {x}")\nraise PayoutError(f"#{n}: {error}")') == []
