"""Reconciling imported bank credits with the withdrawals that sent them (issue 12, item 5).

Proposals (a read, nothing stored): a PKR credit in an imported bank statement (a transfer in, or income) is
proposed as the same money as
  (a) a Payoneer or Wise withdrawal imported as a transfer out in a foreign currency, when the credit is 0-10
      days after it and within FX_TOLERANCE of the foreign amount at the reference rate of the withdrawal's day;
  (b) a settled Kamai withdrawal (its Remittance, from_place "kamai"), when the credit is within FX_TOLERANCE of
      the realized PKR net and dated from KAMAI_DAYS_BEFORE days before to WINDOW_DAYS after the settlement.
A pair the freelancer rejected is not proposed again; a credit, withdrawal or Kamai remittance already
confirmed is not proposed at all.

Confirming (a), in one database transaction (personal book, MONEY.md):
  a credit booked as income   reversed (its entry negated by the projection), then a transfer:
                              cash:transit:PKR −P · cash:<bank>:PKR +P
  conversion                  cash:transit:PKR +P · fx:PKR −P · fx:<CUR> +U · cash:transit:<CUR> −U
which clears the transit accounts the import left open, and a Remittance (U, P net, from Payoneer/Wise) that the
remittances and PRC pages list. Confirming (b) reverses the bank credit: that PKR is already in the books as the
Kamai remittance's cash:bank:PKR leg, so counting it again would be income twice.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.models import BankMatch, Entry, EntryKind, MatchKind, MatchStatus, PkrBasis, Remittance
from books.month_totals import entry_insert
from books.projection import KAMAI_PLACE
from books.rates import RateBook
from books.services import cash, fingerprint, ledger_key
from ledger import chart
from ledger.errors import LedgerError
from ledger.models import personal_book
from ledger.money import from_minor
from ledger.services import Leg, fx_clearing_account, post_transaction, reverse_transaction

FX_TOLERANCE = Decimal("0.03")
WINDOW_DAYS = 10
KAMAI_DAYS_BEFORE = 3
PROVIDER_PLACES = ("payoneer", "wise")
TRANSIT = "transit"
MAX_CANDIDATES = 500


@dataclass(frozen=True)
class Proposal:
    kind: str
    bank_entry: Entry
    expected_pkr_minor: int
    withdrawal_entry: Entry | None = None
    kamai_remittance: Remittance | None = None

    @property
    def credited_minor(self) -> int:
        return abs(self.bank_entry.amount_minor)

    @property
    def credited(self) -> Decimal:
        return from_minor(self.credited_minor, "PKR")

    @property
    def expected(self) -> Decimal:
        return from_minor(self.expected_pkr_minor, "PKR")

    @property
    def other_id(self) -> int:
        return self.withdrawal_entry.pk if self.withdrawal_entry else self.kamai_remittance.pk


def _within(credited_minor: int, expected_minor: int) -> bool:
    return expected_minor > 0 and abs(credited_minor - expected_minor) <= expected_minor * FX_TOLERANCE


def _open(entries):
    """Entries neither reversed nor reversing anything."""
    return entries.filter(reverses__isnull=True).exclude(reversals__isnull=False)


def _bank_credits(user):
    confirmed = BankMatch.objects.filter(user=user, status=MatchStatus.CONFIRMED).values("bank_entry_id")
    return (
        _open(Entry.objects.filter(user=user, statement_import__isnull=False, currency="PKR"))
        .filter(Q(kind=EntryKind.TRANSFER, amount_minor__lt=0) | Q(kind=EntryKind.INCOME, amount_minor__gt=0))
        .exclude(pk__in=confirmed)
    )


def _provider_withdrawals(user):
    confirmed = BankMatch.objects.filter(user=user, status=MatchStatus.CONFIRMED, withdrawal_entry__isnull=False)
    return (
        _open(Entry.objects.filter(user=user, statement_import__isnull=False, kind=EntryKind.TRANSFER))
        .filter(amount_minor__gt=0, place__in=PROVIDER_PLACES)
        .exclude(currency="PKR")
        .exclude(pk__in=confirmed.values("withdrawal_entry_id"))
    )


def _kamai_remittances(user):
    confirmed = BankMatch.objects.filter(user=user, status=MatchStatus.CONFIRMED, kamai_remittance__isnull=False)
    return Remittance.objects.filter(user=user, from_place=KAMAI_PLACE, withdrawal__isnull=False).exclude(
        pk__in=confirmed.values("kamai_remittance_id")
    )


def _expected_pkr_minor(withdrawal: Entry, rates: RateBook) -> int | None:
    value, rate = rates.pkr_minor(withdrawal.amount, withdrawal.currency, withdrawal.occurred_on)
    if rate is None and withdrawal.pkr_basis == PkrBasis.REALIZED:
        return withdrawal.pkr_minor
    return value


def _pairs(user, withdrawals, remittances, credits) -> list[Proposal]:
    rejected = set(
        BankMatch.objects.filter(user=user, status=MatchStatus.REJECTED).values_list(
            "bank_entry_id", "withdrawal_entry_id", "kamai_remittance_id"
        )
    )
    rates = RateBook({w.currency for w in withdrawals})
    proposals = []
    for withdrawal in withdrawals:
        expected = _expected_pkr_minor(withdrawal, rates)
        if expected is None:
            continue
        last = withdrawal.occurred_on + timedelta(days=WINDOW_DAYS)
        for credit in credits:
            if (credit.pk, withdrawal.pk, None) in rejected:
                continue
            if withdrawal.occurred_on <= credit.occurred_on <= last and _within(abs(credit.amount_minor), expected):
                proposals.append(Proposal(MatchKind.PROVIDER, credit, expected, withdrawal_entry=withdrawal))
    for remittance in remittances:
        first = remittance.received_on - timedelta(days=KAMAI_DAYS_BEFORE)
        last = remittance.received_on + timedelta(days=WINDOW_DAYS)
        for credit in credits:
            if (credit.pk, None, remittance.pk) in rejected:
                continue
            if first <= credit.occurred_on <= last and _within(abs(credit.amount_minor), remittance.pkr_net_minor):
                proposals.append(
                    Proposal(MatchKind.KAMAI, credit, remittance.pkr_net_minor, kamai_remittance=remittance)
                )
    proposals.sort(key=lambda p: (p.bank_entry.occurred_on, abs(p.credited_minor - p.expected_pkr_minor)))
    return proposals


def match_proposals(*, user) -> list[Proposal]:
    """Every pair of a withdrawal and a bank credit that look like the same money, closest first."""
    withdrawals = list(_provider_withdrawals(user).order_by("-occurred_on", "-id")[:MAX_CANDIDATES])
    remittances = list(_kamai_remittances(user).order_by("-received_on", "-id")[:MAX_CANDIDATES])
    days = [w.occurred_on for w in withdrawals] + [r.received_on for r in remittances]
    if not days:
        return []
    credits = list(
        _bank_credits(user).filter(
            occurred_on__gte=min(days) - timedelta(days=KAMAI_DAYS_BEFORE),
            occurred_on__lte=max(days) + timedelta(days=WINDOW_DAYS),
        )
    )
    return _pairs(user, withdrawals, remittances, credits)


def _locked_proposal(*, user, bank_entry: Entry, withdrawal_entry: Entry | None, kamai_remittance) -> Proposal:
    """Lock the rows in id order (entries, then the remittance) and check the pair is still proposed."""
    ids = sorted(e.pk for e in (bank_entry, withdrawal_entry) if e is not None)
    locked = {e.pk: e for e in Entry.objects.select_for_update().filter(pk__in=ids, user=user).order_by("pk")}
    remittance = None
    if kamai_remittance is not None:
        remittance = Remittance.objects.select_for_update().filter(pk=kamai_remittance.pk, user=user).first()
    if bank_entry.pk not in locked or (withdrawal_entry is not None and withdrawal_entry.pk not in locked):
        raise BooksError(_("This match is no longer proposed."))
    bank = _bank_credits(user).filter(pk=bank_entry.pk)
    if withdrawal_entry is not None:
        withdrawals = list(_provider_withdrawals(user).filter(pk=withdrawal_entry.pk))
        remittances = []
    else:
        withdrawals = []
        remittances = list(_kamai_remittances(user).filter(pk=getattr(remittance, "pk", None)))
    found = _pairs(user, withdrawals, remittances, list(bank))
    if not found:
        raise BooksError(_("This match is no longer proposed: it was confirmed, rejected or changed."))
    return found[0]


def bank_match_confirm(*, user, bank_entry: Entry, withdrawal_entry: Entry | None = None, kamai_remittance=None):
    """Confirm that a bank credit is the money a withdrawal sent: the transfer and conversion (a) or the
    reversal of the double-counted credit (b), and the match, in one database transaction."""
    try:
        with transaction.atomic():
            proposal = _locked_proposal(
                user=user, bank_entry=bank_entry, withdrawal_entry=withdrawal_entry, kamai_remittance=kamai_remittance
            )
            bank = proposal.bank_entry
            if proposal.kind == MatchKind.KAMAI:
                _reverse_credit(user, bank, _("Same money as Kamai withdrawal #%(id)s")
                                % {"id": proposal.kamai_remittance.withdrawal_id})  # fmt: skip
                return BankMatch.objects.create(
                    user=user, kind=MatchKind.KAMAI, status=MatchStatus.CONFIRMED, bank_entry=bank,
                    kamai_remittance=proposal.kamai_remittance,
                )  # fmt: skip
            remittance = _convert(user, bank, proposal.withdrawal_entry)
            return BankMatch.objects.create(
                user=user, kind=MatchKind.PROVIDER, status=MatchStatus.CONFIRMED, bank_entry=bank,
                withdrawal_entry=proposal.withdrawal_entry, remittance=remittance,
            )  # fmt: skip
    except IntegrityError:
        raise BooksError(_("This match has already been confirmed.")) from None
    except LedgerError as error:
        raise BooksError(str(error)) from None


def _reverse_credit(user, bank: Entry, memo: str) -> None:
    reverse_transaction(
        original=bank.transaction,
        idempotency_key=ledger_key(user, "match-reverse", fingerprint(bank.pk)),
        memo=memo[:255],
    )


def _convert(user, bank: Entry, withdrawal: Entry) -> Remittance:
    currency = withdrawal.currency
    sent = withdrawal.amount
    credited_minor = abs(bank.amount_minor)
    credited = from_minor(credited_minor, "PKR")
    transit_pkr = cash(user, TRANSIT, "PKR")
    if bank.kind == EntryKind.INCOME:
        _reverse_credit(user, bank, _("Not income: the transfer from %(place)s") % {"place": withdrawal.place})
        transfer = post_transaction(
            [Leg(transit_pkr, -credited), Leg(cash(user, bank.place, "PKR"), credited)],
            idempotency_key=ledger_key(user, "match-transfer", fingerprint(bank.pk)),
            kind=chart.TxnKind.BOOKS_TRANSFER,
            memo=bank.description[:255],
            reference=f"books:entry:{bank.pk}",
        )
        entry_insert(
            user=user, kind=EntryKind.TRANSFER, occurred_on=bank.occurred_on, amount_minor=-credited_minor,
            currency="PKR", pkr_minor=-credited_minor, pkr_basis=PkrBasis.PKR, source=bank.source, place=bank.place,
            description=bank.description, fingerprint=f"match:{bank.pk}:transfer", transaction=transfer,
        )  # fmt: skip
    book = personal_book(user.pk)
    conversion = post_transaction(
        [
            Leg(transit_pkr, credited),
            Leg(fx_clearing_account(currency="PKR", book=book), -credited),
            Leg(fx_clearing_account(currency=currency, book=book), sent),
            Leg(cash(user, TRANSIT, currency), -sent),
        ],
        idempotency_key=ledger_key(user, "match", fingerprint(bank.pk, withdrawal.pk)),
        kind=chart.TxnKind.BOOKS_RECONCILE,
        memo=f"{currency} → PKR {withdrawal.place} → {bank.place}"[:255],
        reference=f"books:entry:{withdrawal.pk}",
    )
    return Remittance.objects.create(
        user=user, received_on=bank.occurred_on, currency=currency, amount_minor=withdrawal.amount_minor,
        pkr_net_minor=credited_minor, from_place=withdrawal.place, bank=bank.place[:80], transaction=conversion,
    )  # fmt: skip


def bank_match_reject(*, user, bank_entry: Entry, withdrawal_entry: Entry | None = None, kamai_remittance=None):
    """Record that this credit is not that withdrawal's money, so the pair is not proposed again. Moves nothing."""
    if bank_entry.user_id != user.pk or (withdrawal_entry is None) == (kamai_remittance is None):
        raise BooksError(_("This match is no longer proposed."))
    for other in (withdrawal_entry, kamai_remittance):
        if other is not None and other.user_id != user.pk:
            raise BooksError(_("This match is no longer proposed."))
    kind = MatchKind.PROVIDER if withdrawal_entry is not None else MatchKind.KAMAI
    try:
        with transaction.atomic():
            match, _created = BankMatch.objects.get_or_create(
                user=user, bank_entry=bank_entry, withdrawal_entry=withdrawal_entry,
                kamai_remittance=kamai_remittance, defaults={"kind": kind, "status": MatchStatus.REJECTED},
            )  # fmt: skip
    except IntegrityError:
        raise BooksError(_("This match has already been decided.")) from None
    if match.status == MatchStatus.CONFIRMED:
        raise BooksError(_("This match has already been confirmed."))
    return match
