"""Writes for expense categories: the freelancer's category rules (added on the Categories page, or learned
when they change an entry's category) and the change of an expense's category itself.

Changing a category moves money in the personal book, so the ledger stays the one record of it:
    expense:<new>:<CUR> +E · expense:<old>:<CUR> −E   (kind books_recategorise, reference books:entry:<id>)
and the entry's category and its months' totals follow in the same database transaction. Removing the entry
later reverses these moves along with the original (books.services.entry_reverse).
"""

from copy import copy

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from books.categories import MAX_PATTERN, Rule, learned_pattern, normalise, ordered
from books.errors import BooksError
from books.models import CategoryRule, Entry, EntryKind, ExpenseCategory, Origin, RuleOrigin
from books.month_totals import entries_changed
from books.services import expense_account, fingerprint, ledger_key, recategorise_reference
from contracts.action_keys import claim_action_key
from ledger import chart
from ledger.errors import LedgerError
from ledger.models import Posting
from ledger.services import Leg, post_transaction

MAX_RULES = 500


def category_rules_load(*, user) -> tuple[Rule, ...]:
    """The freelancer's rules in the order the classifier tries them: one query, for a whole import."""
    return ordered(CategoryRule.objects.filter(user=user).values_list("pattern", "category"))


def category_rule_add(*, user, pattern: str, category: str, origin: str = RuleOrigin.USER) -> CategoryRule:
    """Add a rule: outflows whose description contains `pattern` are expenses of `category`. Moves no money
    and changes no entry already in the book; the next import uses it."""
    pattern = normalise(pattern)
    if not pattern:
        raise BooksError(_("Enter the words to look for in the description."))
    if len(pattern) > MAX_PATTERN:
        raise BooksError(_("Keep the words to %(max)s characters or fewer.") % {"max": MAX_PATTERN})
    if category not in ExpenseCategory.values:
        raise BooksError(_("Choose a category."))
    if CategoryRule.objects.filter(user=user, pattern=pattern).exists():
        raise BooksError(_("You already have a rule for '%(pattern)s'; delete it first.") % {"pattern": pattern})
    if CategoryRule.objects.filter(user=user).count() >= MAX_RULES:
        raise BooksError(_("You have %(max)s rules already; delete some first.") % {"max": MAX_RULES})
    try:
        with transaction.atomic():
            return CategoryRule.objects.create(user=user, pattern=pattern, category=category, origin=origin)
    except IntegrityError:
        raise BooksError(
            _("You already have a rule for '%(pattern)s'; delete it first.") % {"pattern": pattern}
        ) from None


def category_rule_delete(*, rule: CategoryRule) -> None:
    """Delete one of the freelancer's rules; entries already categorised keep their category."""
    rule.delete()


def category_rule_learn(*, user, description: str, category: str) -> CategoryRule | None:
    """Remember the category the freelancer chose for this description (books.categories.learned_pattern) for
    the next imports: a new learned rule, or the rule with that pattern pointed at the new category. None when
    the description has no words to learn from, or the freelancer has MAX_RULES rules already."""
    pattern = learned_pattern(description)
    if not pattern:
        return None
    rule = CategoryRule.objects.select_for_update().filter(user=user, pattern=pattern).first()
    if rule is None:
        if CategoryRule.objects.filter(user=user).count() >= MAX_RULES:
            return None
        try:
            with transaction.atomic():
                return CategoryRule.objects.create(
                    user=user, pattern=pattern, category=category, origin=RuleOrigin.LEARNED
                )
        except IntegrityError:  # learned at the same moment from another entry of the same payee
            rule = CategoryRule.objects.select_for_update().get(user=user, pattern=pattern)
    if rule.category != category:
        rule.category = category
        rule.save(update_fields=["category"])
    return rule


def recategorisable(entry: Entry) -> bool:
    """An expense the freelancer recorded or imported, not removed: one whose category is theirs to change.
    Expenses other apps posted (invoices, Kamai fees) are corrected where they came from."""
    return (
        entry.kind == EntryKind.EXPENSE
        and entry.origin == Origin.BOOKS
        and entry.transaction_id is not None
        and entry.reverses_id is None
        and entry.amount_minor > 0
    )


def entry_recategorise(
    *, user, entry: Entry, category: str, learn: bool, idempotency_key: str
) -> tuple[Entry, CategoryRule | None]:
    """Move an expense to another category: posts expense:<new> +E · expense:<old> −E, changes the entry's
    category and moves its month's totals, under a lock on the entry; with `learn`, also remembers the category
    for later imports of the same payee (category_rule_learn). Idempotent on the user's key: the same key and
    request again changes nothing and returns the entry; the same key with another category is refused."""
    if entry.user_id != user.pk:
        raise BooksError(_("No such entry."))
    if category not in ExpenseCategory.values:
        raise BooksError(_("Choose a category."))
    request = {"category": category, "learn": bool(learn)}
    try:
        with transaction.atomic():
            locked = Entry.objects.select_for_update().get(pk=entry.pk)
            if not claim_action_key(
                idempotency_key, user=user, action="entry_recategorise", object_id=locked.pk, params=request,
                error=BooksError,
            ):  # fmt: skip
                return locked, None
            _check_recategorisable(user, locked)
            old = locked.category
            if old == category:
                raise BooksError(
                    _("This expense is already in %(category)s; choose another category.")
                    % {"category": ExpenseCategory(category).label}
                )
            amount = locked.amount
            post_transaction(
                [
                    Leg(expense_account(user, category, locked.currency), amount),
                    Leg(expense_account(user, old, locked.currency), -amount),
                ],
                idempotency_key=ledger_key(user, "recategorise", fingerprint(locked.pk, category, idempotency_key)),
                kind=chart.TxnKind.BOOKS_RECATEGORISE,
                memo=f"{old} → {category}: {locked.description}"[:255],
                reference=recategorise_reference(locked.pk),
            )
            before = copy(locked)
            locked.category = category
            locked.save(update_fields=["category"])
            entries_changed([before], [locked])
            rule = category_rule_learn(user=user, description=locked.description, category=category) if learn else None
    except LedgerError as error:
        raise BooksError(str(error)) from None
    return locked, rule


def _check_recategorisable(user, entry: Entry) -> None:
    if not recategorisable(entry):
        raise BooksError(_("Only an expense you recorded or imported can move to another category here."))
    if entry.reversals.exists():
        raise BooksError(_("This entry has been removed."))
    # The entry's own transaction posted its amount to one of the freelancer's expense accounts.
    posted = Posting.objects.filter(
        transaction_id=entry.transaction_id,
        account__code__startswith=chart.personal_prefix(user.pk, chart.Role.EXPENSE),
        amount_minor=entry.amount_minor,
        currency=entry.currency,
    )
    if not posted.exists():
        raise BooksError(_("Only an expense you recorded or imported can move to another category here."))
