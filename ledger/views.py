"""Wallet pages for every user (their own accounts only) and the staff trial balance. Read-only: money
moves through ledger.services, called by the apps that own the business events."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from common import fragments
from common.spreadsheets import safe_csv_writer
from ledger import selectors
from ledger.chart import TxnKind
from ledger.models import Account
from ledger.money import from_minor
from ledger.references import links_for

STATEMENT_PAGE_SIZE = 50


@login_required
def wallet(request):
    return fragments.render_with_part(
        request,
        "ledger/wallet.html",
        "ledger/_wallet_content.html",
        lambda: {"lines": selectors.user_balances(user=request.user)},
        per_user=True,
    )


def _own_account(request, account_id: int) -> Account:
    try:
        return selectors.user_account(user=request.user, account_id=account_id)
    except Account.DoesNotExist:
        raise Http404 from None


def _statement_rows(account: Account, opening: int, postings):
    for posting in postings:
        yield {
            "posting": posting,
            "transaction": posting.transaction,
            "amount": from_minor(account.sign * posting.amount_minor, account.currency),
            "running": from_minor(account.sign * (opening + posting.running_minor), account.currency),
        }


@login_required
def statement(request, account_id: int):
    """Latest postings first; ?before= and ?after= carry a signed cursor (?after=start is the oldest page). The
    ownership check runs whenever the page is built; a kept page is its own user's (an account's owner never
    changes), so it is served without a query."""

    def context():
        account = _own_account(request, account_id)
        page = selectors.account_statement_page(
            account=account, after=request.GET.get("after"), before=request.GET.get("before"), size=STATEMENT_PAGE_SIZE
        )
        rows = list(_statement_rows(account, 0, page.postings))
        links = links_for(row["transaction"].reference for row in rows)
        for row in rows:
            row["link"] = links.get(row["transaction"].reference)
            row["kind"] = TxnKind(row["transaction"].kind).label if row["transaction"].kind in TxnKind.values else ""
        return {"account": account, "page": page, "rows": rows}

    return fragments.render_with_part(
        request, "ledger/statement.html", "ledger/_statement_content.html", context, per_user=True,
    )  # fmt: skip


@login_required
def statement_csv(request, account_id: int):
    account = _own_account(request, account_id)
    opening, postings = selectors.account_statement(account=account)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"kamai-{account.code.replace(':', '-')}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = safe_csv_writer(response)
    writer.writerow(
        [_("Date"), _("Transaction"), _("Kind"), _("Memo"), _("Reference"), _("Amount"), _("Balance"), _("Currency")]
    )
    for row in _statement_rows(account, opening, postings.iterator(chunk_size=2000)):
        transaction = row["transaction"]
        writer.writerow(
            [
                timezone.localtime(row["posting"].posted_at).isoformat(timespec="seconds"),
                transaction.pk,
                transaction.kind,
                transaction.memo,
                transaction.reference,
                str(row["amount"]),
                str(row["running"]),
                account.currency,
            ]
        )
    return response


@login_required
def trial_balance(request):
    if not request.user.is_staff:
        raise PermissionDenied
    book = request.GET.get("book") or None
    return render(request, "ledger/trial_balance.html", {"groups": selectors.trial_balance(book=book), "book": book})
