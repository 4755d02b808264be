"""Withdrawal pages. Thin: check who is asking (someone else's withdrawal or bank account is a 404; staff
pages are a 403 for everyone else), parse the form, call one service, show its refusal as a message."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.confirm import confirmation_page, confirmed
from common.decorators import staff_required
from payouts import selectors, services
from payouts.errors import PayoutError
from payouts.fees import WITHDRAWAL_FEES
from payouts.forms import BankAccountForm, FailForm, SettleForm, WithdrawalForm
from payouts.models import BankAccount, Withdrawal


def _key(request, form) -> str:
    """The form's hidden key, or the API client's Idempotency-Key header."""
    return form.data.get("idempotency_key") or request.headers.get("Idempotency-Key", "")


@login_required
def withdrawal_list(request):
    return render(
        request,
        "payouts/withdrawal_list.html",
        {
            "wallets": selectors.wallet_lines(user=request.user),
            "withdrawals": selectors.withdrawals_for(user=request.user),
            "has_bank_account": selectors.bank_accounts_for(user=request.user).exists(),
        },
    )


@login_required
def withdrawal_new(request):
    wallets = selectors.wallet_lines(user=request.user)
    bank_accounts = list(selectors.bank_accounts_for(user=request.user))
    currencies = [w.currency for w in wallets]
    initial = {}
    if request.method == "GET" and request.GET.get("currency") in currencies:
        initial["currency"] = request.GET["currency"]
    form = WithdrawalForm(request.POST or None, user=request.user, currencies=currencies, initial=initial)
    quote = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                quote = services.withdrawal_quote(
                    freelancer=request.user,
                    bank_account=data["bank_account"],
                    currency=data["currency"],
                    amount=data["amount"],
                )
            else:
                withdrawal = services.withdrawal_request(
                    freelancer=request.user,
                    bank_account=data["bank_account"],
                    currency=data["currency"],
                    amount=data["amount"],
                    idempotency_key=_key(request, form),
                )
                messages.success(request, _("Withdrawal requested. The amount is held until the bank pays it."))
                return redirect("payouts:withdrawal_detail", pk=withdrawal.pk)
        except PayoutError as error:
            form.add_error(None, str(error))
    return render(
        request,
        "payouts/withdrawal_new.html",
        {"form": form, "wallets": wallets, "bank_accounts": bank_accounts, "quote": quote, "fees": WITHDRAWAL_FEES},
    )


@login_required
def withdrawal_detail(request, pk):
    try:
        withdrawal = selectors.withdrawal_for(user=request.user, pk=pk)
    except Withdrawal.DoesNotExist:
        raise Http404 from None
    return render(request, "payouts/withdrawal_detail.html", {"withdrawal": withdrawal})


@login_required
def bank_accounts(request):
    form = BankAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bank_account_add(
                owner=request.user,
                title=data["title"],
                iban=data["iban"],
                kind=data["kind"],
                currency=data["currency"],
                bank_name=data["bank_name"],
            )
        except PayoutError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Bank account saved."))
            return redirect("payouts:bank_accounts")
    return render(
        request,
        "payouts/bank_accounts.html",
        {"form": form, "accounts": selectors.bank_accounts_for(user=request.user)},
    )


@login_required
@require_POST
def bank_account_remove(request, pk):
    account = get_object_or_404(BankAccount, pk=pk, owner=request.user, active=True)
    if not confirmed(request):
        names = {"bank": account.bank_name, "iban": account.display_iban, "title": account.title}
        return confirmation_page(
            request,
            title=_("Remove the account at %(bank)s?") % names,
            effects=[
                _("%(title)s, %(bank)s, IBAN %(iban)s: no more withdrawals can be sent to it.") % names,
                _("Past withdrawals to it keep their records. To use it again you must add it again."),
            ],
            button=_("Remove the account"),
            back=reverse("payouts:bank_accounts"),
            irreversible=False,
        )
    try:
        services.bank_account_remove(owner=request.user, bank_account=account)
    except PayoutError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Bank account removed."))
    return redirect("payouts:bank_accounts")


@staff_required
def staff_withdrawals(request):
    return render(
        request,
        "payouts/staff_withdrawals.html",
        {
            "to_pay": selectors.withdrawals_to_pay(),
            "resolved": selectors.recently_resolved(),
            "tolerance": Decimal(services.payout_tolerance_bp()) / 100,
        },
    )


@staff_required
@require_POST
def withdrawal_settle(request, pk):
    withdrawal = get_object_or_404(Withdrawal, pk=pk)
    form = SettleForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items() if f in form.fields)
        messages.error(request, errors or _("Check the form."))
        return redirect("payouts:staff_withdrawals")
    data = form.cleaned_data
    try:
        services.withdrawal_settle(
            withdrawal=withdrawal,
            staff=request.user,
            bank_reference=data["bank_reference"],
            realized_pkr=data["realized_pkr"],
            tax_withheld=data["tax_withheld"],
            variance_reason=data["variance_reason"],
            prc_number=data["prc_number"],
            purpose_code=data["purpose_code"],
            idempotency_key=_key(request, form),
        )
    except PayoutError as error:
        messages.error(request, f"#{withdrawal.pk}: {error}")
    else:
        messages.success(request, _("Withdrawal #%(id)d settled and posted.") % {"id": withdrawal.pk})
    return redirect("payouts:staff_withdrawals")


@staff_required
@require_POST
def withdrawal_fail(request, pk):
    withdrawal = get_object_or_404(Withdrawal, pk=pk)
    form = FailForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.withdrawal_fail(
            withdrawal=withdrawal, staff=request.user, reason=reason, idempotency_key=_key(request, form)
        )
    except PayoutError as error:
        messages.error(request, f"#{withdrawal.pk}: {error}")
    else:
        messages.success(
            request, _("Withdrawal #%(id)d failed; the money is back in the wallet.") % {"id": withdrawal.pk}
        )
    return redirect("payouts:staff_withdrawals")
