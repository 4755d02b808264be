"""The ledger's domain errors: one hierarchy, messages fit to show to a person.

Every error is raised before anything is written, or inside the database transaction that it rolls
back, so a caught LedgerError always means "nothing happened".
"""


class LedgerError(Exception):
    """Base of every ledger refusal."""


class UnknownAccount(LedgerError):
    pass


class InvalidPostings(LedgerError):
    """The postings are malformed: too few legs, a zero amount, an amount that is not a Decimal."""


class UnbalancedTransaction(LedgerError):
    """Postings in one currency do not sum to zero."""


class CurrencyMismatch(LedgerError):
    """A posting's currency is not its account's, or currencies are mixed without going through FX."""


class BookMismatch(LedgerError):
    """Postings of one transaction touch accounts in different books."""


class InsufficientFunds(LedgerError):
    """The transaction would drive an account that may not go negative below zero."""


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for a transaction with different content."""


class ImmutableRecord(LedgerError):
    """Posted transactions and postings are never changed or deleted; post a reversal instead."""


class HoldError(LedgerError):
    """A hold cannot be settled or voided in its current state, or the amount is wrong."""


class ExchangeRateError(LedgerError):
    """No usable exchange rate, or a bad one."""
