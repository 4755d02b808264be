"""Which expense category an outflow belongs to: the built-in rules every freelancer has, and their own.

A rule is a pattern (a piece of the payee, narration or description, compared case-insensitively with runs of
spaces collapsed) and an expense category. Precedence, decided here only:

1. the freelancer's own rules (typed on the Categories page, or learned when they changed an entry's category):
   the longest pattern found in the description wins; equal lengths go to the alphabetically first pattern;
2. the built-ins below, as they always were: fee words first (FEES), then the payee words in list order;
3. otherwise "other".

Rules choose only the category of an outflow: income and transfers are recognised as before. A rule for "fees"
(like a built-in fee word) keeps an outflow an expense even when it reads like a transfer ("withdrawal fee").
Pure functions: statements.parse receives the rules already loaded, once per import.
"""

import re
from collections.abc import Iterable

from books.models import EntryKind, ExpenseCategory
from ledger.money import MINOR_UNITS

MAX_PATTERN = 100
LEARNED_WORDS = 3

TRANSFER_WORDS = ("withdraw", "transfer to", "sent money", "to bank", "payout", "converted", "balance cashback")
FEE_WORDS = ("fee", "charge", "connects", "membership", "commission")
CATEGORY_WORDS = [
    (ExpenseCategory.ELECTRICITY, ("k-electric", "kelectric", "lesco", "iesco", "mepco", "fesco", "gepco", "pesco",
                                   "hesco", "sepco", "qesco")),
    (ExpenseCategory.INTERNET, ("ptcl", "nayatel", "stormfiber", "storm fiber", "wateen", "jazz", "zong", "telenor",
                                "ufone", "cybernet", "transworld", "fiberlink")),
    (ExpenseCategory.SOFTWARE, ("figma", "github", "adobe", "jetbrains", "notion", "google workspace", "openai",
                                "canva", "microsoft 365", "chatgpt", "grammarly")),
    (ExpenseCategory.COWORKING, ("daftarkhwan", "colabs", "regus")),
    (ExpenseCategory.TRAINING, ("udemy", "coursera", "educative")),
]  # fmt: skip
# Shown on the Categories page: the fee words above cover "upwork fee", "payoneer fee", "service fee" and the rest.
BUILT_IN_RULES: list[tuple[str, str]] = [(word, ExpenseCategory.FEES) for word in FEE_WORDS] + [
    (word, category) for category, words in CATEGORY_WORDS for word in words
]

_SPACES = re.compile(r"\s+")
# Where a statement names the payee after a phrase ("Card transaction of 15.00 GBP issued by Figma").
_PAYEE_AFTER = (" issued by ", " paid to ", "payment to ", " to merchant ")
# Words banks put before the payee, on every line alike.
_GENERIC = {"pos", "atm", "ibft", "card", "debit", "purchase", "online", "txn", "trx", "ref", "no", "id", ""}
_TRAILING = {"of", "to", "for", "by", "from", "at", "the", "and", "-", ":", "/", "ref", "no", "id"}

Rule = tuple[str, str]  # (normalised pattern, category)


def normalise(text: str) -> str:
    """Lower case, runs of spaces as one, no spaces at the ends: how patterns and descriptions are compared."""
    return _SPACES.sub(" ", (text or "").lower()).strip()


def ordered(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """A freelancer's rules in the order they are tried: longest pattern first, then alphabetical."""
    return tuple(sorted(((normalise(p), c) for p, c in rules if normalise(p)), key=lambda r: (-len(r[0]), r[0])))


def user_category(text: str, rules: tuple[Rule, ...]) -> str | None:
    """The category of the freelancer's first matching rule; `text` normalised, `rules` as `ordered` gives."""
    return next((category for pattern, category in rules if pattern in text), None)


def built_in_category(text: str) -> str:
    if any(word in text for word in FEE_WORDS):
        return ExpenseCategory.FEES
    for category, words in CATEGORY_WORDS:
        if any(word in text for word in words):
            return category
    return ExpenseCategory.OTHER


def classify_outflow(description: str, rules: tuple[Rule, ...] = ()) -> tuple[str, str]:
    """(entry kind, category) of money going out with this description, given the freelancer's rules (as
    `ordered` returns them): a transfer to one of their own accounts, or an expense in a category."""
    text = normalise(description)
    own = user_category(text, rules)
    is_fee = own == ExpenseCategory.FEES or any(word in text for word in FEE_WORDS)
    if not is_fee and any(word in text for word in TRANSFER_WORDS):
        return EntryKind.TRANSFER, ""
    return EntryKind.EXPENSE, own or built_in_category(text)


def learned_pattern(description: str) -> str:
    """The pattern learned from an entry whose category the freelancer changed: the payee's first words.

    The description normalised; when it names the payee after "issued by" or "paid to", only what follows;
    then up to three words of the first run of words without a digit (reference, account and bill numbers,
    amounts and dates differ on every statement line), leaving out words banks put before every payee ("POS",
    "IBFT", "card") at its start, and currency codes and linking words ("of", "to", "ref") at its end. The
    words stay as they were written, so the pattern is a piece of every later description of the same payee:
    "K-ELECTRIC BILL 0400012345" gives "k-electric bill", "Card transaction of 15.00 GBP issued by Figma" gives
    "figma". "" when nothing is left.
    """
    text = normalise(description)
    for phrase in _PAYEE_AFTER:
        if phrase in text:
            text = text.split(phrase, 1)[1].strip()
    runs: list[list[str]] = [[]]
    for word in text.split(" "):
        if any(ch.isdigit() for ch in word):
            runs.append([])
        elif runs[-1] or word.strip(":-/,.#*") not in _GENERIC:
            runs[-1].append(word)
    words = next((run for run in runs if run), [])[:LEARNED_WORDS]
    while words and (words[-1].strip(":-/,.#") in _TRAILING | {""} or words[-1].upper() in MINOR_UNITS):
        words.pop()
    return " ".join(words)[:MAX_PATTERN].strip()
