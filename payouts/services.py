"""Every withdrawal write. Money moves only through ledger.services, with keys derived from the withdrawal
(`withdrawal:<id>:hold`, `withdrawal:<id>:paid`), so a double click, a retry or two staff members can never
pay twice; concurrent requests on one wallet are serialised by the ledger's lock on the wallet account, which
re-checks the available balance before each hold.

Platform-book recipe (MONEY.md), amount W taken from the wallet, Kamai fee F (payouts.fees):
  requested   hold W on freelancer:wallet toward platform:payouts (W stops being available)
  settled     hold posted: freelancer:wallet +W · platform:payouts −W
              then platform:payouts +W · platform:bank −(W−F) · platform:fees −F
  failed      hold voided: nothing moved, W is available again, no fee

Withdrawals in PKR from a foreign-currency wallet. Kamai sends the wallet currency (say USD) from its USD
bank account; the Pakistani bank converts it on arrival, at its own rate, into the freelancer's PKR account.
So the conversion happens outside Kamai's custody and is *not* posted through ledger.convert_currency: doing
so would claim a platform:bank:PKR account paid rupees out, and book an FX gain or loss to Kamai that is in
truth the freelancer's. The platform book therefore moves W in USD only. The withdrawal records the rate shown
when it was asked for (the latest ledger ExchangeRate), the PKR expected at that rate, and at settlement the PKR
the bank actually credited (`realized_pkr_minor`, from the bank's advice and the PRC); the difference versus the
shown rate is `Withdrawal.fx_difference_pkr`, shown to the freelancer and kept for their income and tax records.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from books.errors import BooksError
from books.services import remittance_from_withdrawal
from common.iban import bank_name_for, validate_pk_iban
from common.states import move
from contracts.action_keys import claim_action_key
from ledger import chart
from ledger.errors import InsufficientFunds, LedgerError
from ledger.models import Account, ExchangeRate
from ledger.money import MoneyError, convert, format_minor, from_minor, to_minor
from ledger.services import (
    Leg,
    freelancer_wallet_account,
    hold,
    platform_bank_account,
    platform_fees_account,
    platform_payouts_account,
    post_transaction,
    settle_hold,
    void_hold,
)
from payouts.errors import InvalidTransition, NotAllowed, PayoutError
from payouts.fees import minimum_withdrawal_minor, withdrawal_fee_minor
from payouts.models import (
    WITHDRAWAL_TRANSITIONS,
    BankAccount,
    BankAccountKind,
    Withdrawal,
    WithdrawalState,
)
from payouts.selectors import pkr_rate
from webhooks import services as webhooks

MAX_KEY_LENGTH = 100


# --- Bank accounts ---------------------------------------------------------------------------------------


@transaction.atomic
def bank_account_add(
    *, owner, title: str, iban: str, kind: str, currency: str = "PKR", bank_name: str = ""
) -> BankAccount:
    """Save a Pakistani bank account to withdraw to. The IBAN is validated (PK, 24 characters, mod-97)."""
    from django.core.exceptions import ValidationError

    try:
        iban = validate_pk_iban(iban)
    except ValidationError as error:
        raise PayoutError(" ".join(error.messages)) from None
    title = (title or "").strip()
    if not title:
        raise PayoutError(_("Enter the account title: the name the bank account is in."))
    if kind not in BankAccountKind.values:
        raise PayoutError(_("Choose a PKR or a foreign-currency account."))
    currency = "PKR" if kind == BankAccountKind.PKR else currency
    if kind == BankAccountKind.FCY and currency == "PKR":
        raise PayoutError(_("Choose the currency of the foreign-currency account."))
    bank_name = (bank_name or "").strip() or bank_name_for(iban)
    if not bank_name:
        raise PayoutError(_("Enter the bank's name."))
    if BankAccount.objects.filter(owner=owner, iban=iban, currency=currency, active=True).exists():
        raise PayoutError(_("This account is already saved."))
    return BankAccount.objects.create(
        owner=owner, title=title[:120], bank_name=bank_name[:120], iban=iban, kind=kind, currency=currency
    )


@transaction.atomic
def bank_account_remove(*, owner, bank_account: BankAccount) -> BankAccount:
    """Stop offering the account. Kept (inactive) because past withdrawals point to it."""
    if bank_account.owner_id != owner.pk:
        raise NotAllowed(_("This is not your bank account."))
    if bank_account.withdrawals.filter(state=WithdrawalState.REQUESTED).exists():
        raise PayoutError(_("A withdrawal to this account is on its way; remove the account once it is paid."))
    bank_account.active = False
    bank_account.save(update_fields=["active"])
    return bank_account


# --- Asking for a withdrawal -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """What a withdrawal would do, computed before anything is written and shown before submitting."""

    currency: str
    amount_minor: int
    fee_minor: int
    payout_currency: str
    rate: ExchangeRate | None
    expected_payout_minor: int

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)

    @property
    def fee(self):
        return from_minor(self.fee_minor, self.currency)

    @property
    def sent(self):
        return from_minor(self.amount_minor - self.fee_minor, self.currency)

    @property
    def expected_payout(self):
        return from_minor(self.expected_payout_minor, self.payout_currency)


def withdrawal_quote(*, freelancer, bank_account: BankAccount, currency: str, amount: Decimal) -> Quote:
    """Check a withdrawal against the rules (own active account, currencies that fit, minimum, fee, available
    balance, a rate for PKR) and say what the bank should receive. Writes nothing."""
    if bank_account.owner_id != freelancer.pk or not bank_account.active:
        raise NotAllowed(_("Choose one of your saved bank accounts."))
    try:
        amount_minor = to_minor(amount, currency)
    except MoneyError as error:
        raise PayoutError(str(error)) from None
    if amount_minor <= 0:
        raise PayoutError(_("The amount must be more than zero."))
    rate = None
    if bank_account.kind == BankAccountKind.FCY:
        if bank_account.currency != currency:
            raise PayoutError(
                _(
                    "Your %(account)s account takes %(account)s only; withdraw %(currency)s to a PKR account "
                    "or to an FCY account in %(currency)s."
                )
                % {"account": bank_account.currency, "currency": currency}
            )
        payout_currency = currency
    else:
        payout_currency = "PKR"
        if currency != "PKR":
            rate = pkr_rate(currency)
            if rate is None:
                raise PayoutError(
                    _(
                        "There is no %(currency)s to PKR rate yet, so a PKR withdrawal is not available today; "
                        "try later, or withdraw to an FCY account."
                    )
                    % {"currency": currency}
                )
    minimum = minimum_withdrawal_minor(currency)
    if amount_minor < minimum:
        raise PayoutError(
            _("The least you can withdraw is %(minimum)s.") % {"minimum": format_minor(minimum, currency)}
        )
    fee = withdrawal_fee_minor(currency)
    wallet = freelancer_wallet_account(freelancer=freelancer, currency=currency)
    if amount_minor > wallet.available_minor:
        raise PayoutError(
            _("You can withdraw at most %(available)s (your available %(currency)s balance).")
            % {"available": format_minor(max(wallet.available_minor, 0), currency), "currency": currency}
        )
    sent = from_minor(amount_minor - fee, currency)
    expected = to_minor(convert(sent, rate.rate, "PKR"), "PKR") if rate else amount_minor - fee
    return Quote(currency, amount_minor, fee, payout_currency, rate, expected)


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise PayoutError(_("This action needs a request key; reload the page and try again."))
    if len(key) > MAX_KEY_LENGTH:
        raise PayoutError(_("The request key is too long."))
    return key


def _claim(key: str, user, action: str, object_id: int, **request) -> None:
    # The key with this request's fingerprint: a different request under a used key is refused.
    claim_action_key(key, user=user, action=action, object_id=object_id, params=request, error=PayoutError)


def _replay(key: str, *, freelancer, bank_account: BankAccount, currency: str, amount: Decimal) -> Withdrawal | None:
    existing = Withdrawal.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    same = (
        existing.freelancer_id == freelancer.pk
        and existing.bank_account_id == bank_account.pk
        and existing.currency == currency
        and existing.amount == amount
    )
    if not same:
        raise PayoutError(_("This request key was already used for another withdrawal."))
    return existing


def withdrawal_request(
    *, freelancer, bank_account: BankAccount, currency: str, amount: Decimal, idempotency_key: str
) -> Withdrawal:
    """Ask for `amount` of the wallet in `currency` to be paid to the bank account: holds it on the wallet
    toward platform:payouts (available drops, held rises; nothing is posted yet). The same key again returns
    the first withdrawal and holds nothing more. Refused with nothing written below the minimum, above the
    available balance, or without a rate for a PKR payout."""
    key = _check_key(idempotency_key)
    existing = _replay(key, freelancer=freelancer, bank_account=bank_account, currency=currency, amount=amount)
    if existing is not None:
        return existing
    quote = withdrawal_quote(freelancer=freelancer, bank_account=bank_account, currency=currency, amount=amount)
    try:
        with transaction.atomic():
            _claim(key, freelancer, "withdrawal_request", bank_account.pk, currency=currency, amount=amount)
            withdrawal = Withdrawal.objects.create(
                freelancer=freelancer,
                bank_account=bank_account,
                currency=currency,
                amount_minor=quote.amount_minor,
                fee_minor=quote.fee_minor,
                payout_currency=quote.payout_currency,
                rate_shown=quote.rate.rate if quote.rate else None,
                exchange_rate=quote.rate,
                expected_payout_minor=quote.expected_payout_minor,
                idempotency_key=key,
            )
            withdrawal.hold = hold(
                debit_account=freelancer_wallet_account(freelancer=freelancer, currency=currency),
                credit_account=platform_payouts_account(currency=currency),
                amount=quote.amount,
                idempotency_key=f"withdrawal:{withdrawal.pk}:hold",
                kind=chart.TxnKind.WITHDRAWAL,
                memo=f"Withdrawal to {bank_account.bank_name} {bank_account.masked_iban}"[:255],
                reference=f"withdrawal:{withdrawal.pk}",
            )
            withdrawal.save(update_fields=["hold"])
    except InsufficientFunds:
        # Another withdrawal took the money between the quote and the lock.
        wallet = freelancer_wallet_account(freelancer=freelancer, currency=currency)
        raise PayoutError(
            _("You can withdraw at most %(available)s (your available %(currency)s balance).")
            % {"available": format_minor(max(wallet.available_minor, 0), currency), "currency": currency}
        ) from None
    except LedgerError as error:
        raise PayoutError(str(error)) from None
    except IntegrityError:
        existing = _replay(key, freelancer=freelancer, bank_account=bank_account, currency=currency, amount=amount)
        if existing is None:
            raise
        return existing
    return withdrawal


# --- Staff: settle or fail -------------------------------------------------------------------------------


def _require_staff(user) -> None:
    if not (user and user.is_authenticated and user.is_staff):
        raise NotAllowed(_("Only Kamai staff can settle or fail withdrawals."))


def _locked(withdrawal: Withdrawal) -> Withdrawal:
    """Lock the accounts a resolution may touch, in ascending id order like the ledger does (so a settlement
    and a milestone release paying the same wallet cannot deadlock), then the withdrawal row."""
    currency = withdrawal.currency
    accounts = [
        freelancer_wallet_account(freelancer=withdrawal.freelancer, currency=currency),
        platform_payouts_account(currency=currency),
        platform_bank_account(currency=currency),
        platform_fees_account(currency=currency),
    ]
    list(Account.objects.select_for_update().filter(pk__in=[a.pk for a in accounts]).order_by("pk"))
    return (
        Withdrawal.objects.select_for_update(of=("self",))
        .select_related("hold", "bank_account", "freelancer")
        .get(pk=withdrawal.pk)
    )


def _move(withdrawal: Withdrawal, to_state: str, key: str) -> bool:
    """True: go ahead. False: this exact staff action already happened (a double click), do nothing."""
    if withdrawal.state == to_state and withdrawal.resolution_key == key:
        return False
    if to_state not in WITHDRAWAL_TRANSITIONS[withdrawal.state]:
        raise _refuse(withdrawal.state, to_state)
    return True


def _refuse(current: str, to_state: str) -> InvalidTransition:
    return InvalidTransition(
        _("This withdrawal is already %(state)s.") % {"state": WithdrawalState(current).label.lower()}
    )


def _notify(withdrawal: Withdrawal, subject: str, body: str) -> None:
    email = withdrawal.freelancer.email
    transaction.on_commit(lambda: send_mail(f"[Kamai] {subject}", body, None, [email]))


def payout_tolerance_bp() -> int:
    """How far (basis points) the PKR a bank credits may stray from the expected payout without a reason."""
    return int(getattr(settings, "KAMAI_PAYOUT_TOLERANCE_BP", 200))


def _check_realized(row: Withdrawal, realized_minor: int | None, withheld_minor: int, reason: str) -> None:
    """Staff type what the bank credited; a figure far from what the rate shown promised (100 PKR for $100)
    is a typing mistake until staff say why it is not."""
    if realized_minor is None or row.payout_currency != "PKR" or not row.expected_payout_minor:
        return
    gross = realized_minor + withheld_minor
    off_bp = abs(gross - row.expected_payout_minor) * 10_000 // row.expected_payout_minor
    if off_bp > payout_tolerance_bp() and not reason:
        raise PayoutError(
            _(
                "%(realized)s is %(percent)s%% away from the %(expected)s expected at the rate shown (more than "
                "%(limit)s%%). Check the amount, or say why the bank credited that."
            )
            % {
                "realized": format_minor(gross, "PKR"),
                "percent": f"{Decimal(off_bp) / 100:.2f}",
                "expected": format_minor(row.expected_payout_minor, "PKR"),
                "limit": f"{Decimal(payout_tolerance_bp()) / 100:.2f}",
            }
        )


def withdrawal_settle(
    *,
    withdrawal: Withdrawal,
    staff,
    bank_reference: str,
    realized_pkr: Decimal | None,
    prc_number: str,
    idempotency_key: str,
    purpose_code: str = "",
    tax_withheld: Decimal | None = None,
    variance_reason: str = "",
) -> Withdrawal:
    """The bank paid it: post the hold (wallet → payouts), then pay out of Kamai's bank (payouts → bank, the
    fee to platform:fees), and record the bank reference, the PKR the bank credited and the PRC number.
    The PKR amount is required when the payout is in PKR, the PRC number when the wallet was foreign currency."""
    _require_staff(staff)
    key = _check_key(idempotency_key)
    bank_reference = (bank_reference or "").strip()
    prc_number = (prc_number or "").strip()
    purpose_code = (purpose_code or "").strip()
    if not bank_reference:
        raise PayoutError(_("Enter the bank's reference for the transfer."))
    if len(bank_reference) > 80 or len(prc_number) > 80 or len(purpose_code) > 8:
        raise PayoutError(_("The reference, PRC number or purpose code is too long."))
    realized_minor = None
    if realized_pkr is not None:
        try:
            realized_minor = to_minor(realized_pkr, "PKR")
        except MoneyError as error:
            raise PayoutError(str(error)) from None
        if realized_minor <= 0:
            raise PayoutError(_("The PKR amount credited must be more than zero."))
    withheld_minor = 0
    if tax_withheld:
        try:
            withheld_minor = to_minor(tax_withheld, "PKR")
        except MoneyError as error:
            raise PayoutError(str(error)) from None
        if withheld_minor < 0:
            raise PayoutError(_("The tax withheld cannot be negative."))
    with transaction.atomic():
        row = _locked(withdrawal)
        request = {
            "reference": bank_reference,
            "pkr": realized_minor,
            "tax": withheld_minor,
            "prc": prc_number,
            "purpose": purpose_code,
        }
        _claim(key, staff, "withdrawal_settle", row.pk, **request)
        if not _move(row, WithdrawalState.SETTLED, key):
            return row
        if row.payout_currency == "PKR" and realized_minor is None:
            raise PayoutError(_("Enter the PKR amount the bank credited to the freelancer."))
        if row.currency != "PKR" and not prc_number:
            raise PayoutError(_("Enter the PRC number: the bank issues one for every foreign remittance."))
        _check_realized(row, realized_minor, withheld_minor, (variance_reason or "").strip())
        currency = row.currency
        sent_minor = row.amount_minor - row.fee_minor
        try:
            settle_hold(row.hold)
            legs = [
                Leg(platform_payouts_account(currency=currency), from_minor(row.amount_minor, currency)),
                Leg(platform_bank_account(currency=currency), -from_minor(sent_minor, currency)),
            ]
            if row.fee_minor:
                legs.append(Leg(platform_fees_account(currency=currency), -from_minor(row.fee_minor, currency)))
            row.settlement = post_transaction(
                legs,
                idempotency_key=f"withdrawal:{row.pk}:paid",
                kind=chart.TxnKind.WITHDRAWAL_PAID,
                memo=f"Paid to {row.bank_account.bank_name}, ref {bank_reference}"[:255],
                reference=f"withdrawal:{row.pk}",
            )
        except LedgerError as error:
            raise PayoutError(str(error)) from None
        move(row, WithdrawalState.SETTLED, WITHDRAWAL_TRANSITIONS, _refuse)
        row.bank_reference = bank_reference
        row.prc_number = prc_number
        row.realized_pkr_minor = realized_minor
        row.tax_withheld_minor = withheld_minor
        row.variance_reason = (variance_reason or "").strip()[:300]
        if purpose_code:
            row.purpose_code = purpose_code
        row.resolution_key, row.resolved_by, row.resolved_at = key, staff, timezone.now()
        row.save()
        try:
            remittance_from_withdrawal(withdrawal=row)
        except BooksError as error:
            raise PayoutError(str(error)) from None
        webhooks.withdrawal_settled(row)
        received = (
            format_minor(realized_minor, "PKR") if realized_minor is not None else format_minor(sent_minor, currency)
        )
        _notify(
            row,
            _("Withdrawal paid"),
            _("Your withdrawal of %(amount)s has been paid: %(received)s to %(bank)s, bank reference %(ref)s.")
            % {
                "amount": format_minor(row.amount_minor, currency),
                "received": received,
                "bank": row.bank_account.bank_name,
                "ref": bank_reference,
            },
        )
        return row


def withdrawal_fail(*, withdrawal: Withdrawal, staff, reason: str, idempotency_key: str) -> Withdrawal:
    """The bank refused or returned it: void the hold, so the whole amount is available again; no fee."""
    _require_staff(staff)
    key = _check_key(idempotency_key)
    reason = (reason or "").strip()
    if not reason:
        raise PayoutError(_("Say why the withdrawal failed; the freelancer sees it."))
    with transaction.atomic():
        row = _locked(withdrawal)
        _claim(key, staff, "withdrawal_fail", row.pk, reason=reason)
        if not _move(row, WithdrawalState.FAILED, key):
            return row
        try:
            void_hold(row.hold)
        except LedgerError as error:
            raise PayoutError(str(error)) from None
        move(row, WithdrawalState.FAILED, WITHDRAWAL_TRANSITIONS, _refuse)
        row.failure_reason = reason[:500]
        row.resolution_key, row.resolved_by, row.resolved_at = key, staff, timezone.now()
        row.save()
        _notify(
            row,
            _("Withdrawal failed"),
            _("Your withdrawal of %(amount)s could not be paid (%(reason)s). The money is back in your wallet.")
            % {"amount": format_minor(row.amount_minor, row.currency), "reason": row.failure_reason},
        )
        return row
