"""Staff pages: the queue and confirming a bank pay-in."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.decorators import staff_required
from contracts import selectors, services
from contracts.forms import (
    ConfirmPayInForm,
)
from contracts.models import PayIn
from contracts.views._common import _run


@staff_required
def staff_queue(request):
    return render(
        request,
        "contracts/staff_queue.html",
        {"payins": selectors.pending_payins(), "disputes": selectors.open_disputes(), "form": ConfirmPayInForm()},
    )


@staff_required
@require_POST
def payin_confirm(request, pk):
    payin = get_object_or_404(PayIn, pk=pk)
    form = ConfirmPayInForm(request.POST, currency=payin.currency)
    if not form.is_valid():
        messages.error(request, "; ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("contracts:staff_queue")
    data = form.cleaned_data
    _run(
        request,
        lambda: services.payin_confirm(
            payin=payin, staff=request.user, bank_reference=data["bank_reference"], received=data["received"]
        ),
        _("Transfer confirmed and posted."),
    )
    return redirect("contracts:staff_queue")
