"""Thin views: parse input, call one service or selector, render. A freelancer's pages show only their own
clients and invoices (anyone else's are 404s); the client link needs no login and shows one invoice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.confirm import confirmation_page, confirmed
from invoicing import selectors, services
from invoicing.errors import InvoicingError
from invoicing.forms import (
    ClientForm,
    CreditNoteForm,
    InvoiceForm,
    PaymentForm,
    PaymentMethodForm,
    RecurringForm,
    SettingsForm,
    new_key,
)
from invoicing.models import InvoiceState, PaymentMethod
from invoicing.pdf import invoice_pdf, pdf_filename
from ledger.money import format_money

# --- Clients ---------------------------------------------------------------------------------------------


@login_required
def client_list(request):
    return render(request, "invoicing/client_list.html", {"clients": selectors.client_list(freelancer=request.user)})


def _client_form_save(request, form, client=None):
    data = form.cleaned_data
    return services.client_save(
        freelancer=request.user,
        client=client,
        name=data["name"],
        company=data["company"],
        email=data["email"],
        address=data["address"],
        country=data["country"],
        default_currency=data["default_currency"],
        payment_terms_days=data["payment_terms_days"],
    )


@login_required
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = _client_form_save(request, form)
        except InvoicingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Client added."))
            return redirect("invoicing:invoice_client_detail", pk=client.pk)
    return render(request, "invoicing/client_form.html", {"form": form, "client": None})


@login_required
def client_detail(request, pk):
    client = selectors.client_get(freelancer=request.user, pk=pk)
    invoices = selectors.invoice_list(freelancer=request.user, client=client)
    return render(request, "invoicing/client_detail.html", {"client": client, "invoices": invoices})


@login_required
def client_edit(request, pk):
    client = selectors.client_get(freelancer=request.user, pk=pk)
    initial = {f: getattr(client, f) for f in ClientForm.base_fields}
    form = ClientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _client_form_save(request, form, client)
        except InvoicingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Client saved."))
            return redirect("invoicing:invoice_client_detail", pk=client.pk)
    return render(request, "invoicing/client_form.html", {"form": form, "client": client})


# --- Invoices --------------------------------------------------------------------------------------------


@login_required
def invoice_list(request):
    state = request.GET.get("state", "")
    if state not in InvoiceState.values:
        state = ""
    invoices = selectors.invoice_list(freelancer=request.user, state=state)[:200]
    return render(
        request, "invoicing/invoice_list.html", {"invoices": invoices, "state": state, "states": InvoiceState.choices}
    )


def _invoice_initial(request, client=None) -> dict:
    prefs = selectors.settings_for(freelancer=request.user)
    today = timezone.localdate()
    initial = {"issue_date": today, "terms": str(prefs.default_terms_days), "key": new_key(), "currency": "USD"}
    if initial["terms"] not in ("0", "7", "15", "30"):
        initial.update(terms="custom", due_date=today + timezone.timedelta(days=prefs.default_terms_days))
    if prefs.late_fee_percent:
        initial.update(late_fee_kind="percent", late_fee_value=prefs.late_fee_percent)
        initial["late_fee_period_days"] = prefs.late_fee_period_days
    if client is not None:
        initial.update(client=client, currency=client.default_currency)
        if str(client.payment_terms_days) in ("0", "7", "15", "30"):
            initial["terms"] = str(client.payment_terms_days)
    return initial


def _invoice_form_save(request, form, invoice=None):
    data = form.cleaned_data
    return services.invoice_save(
        issue="issue" in request.POST,
        freelancer=request.user,
        invoice=invoice,
        client=data["client"],
        currency=data["currency"],
        issue_date=data["issue_date"],
        due_date=data["due_date"],
        lines=data["lines"],
        taxes=data["taxes"],
        discount_percent=data["discount_percent"],
        discount_fixed=data["discount_fixed"],
        notes=data["notes"],
        payment_method=data["payment_method"],
        urdu_labels=data["urdu_labels"],
        reminders_enabled=data["reminders_enabled"],
        remind_every_days_after=data["remind_every_days_after"],
        late_fee=data["late_fee"],
        idempotency_key=(data.get("key") or None) if invoice is None else None,
    )


@login_required
def invoice_create(request):
    client = None
    if request.GET.get("client", "").isdigit():
        client = selectors.client_get(freelancer=request.user, pk=int(request.GET["client"]))
    if not selectors.client_list(freelancer=request.user).exists():
        messages.info(request, _("Add a client first."))
        return redirect("invoicing:invoice_client_create")
    form = InvoiceForm(request.POST or None, freelancer=request.user, initial=_invoice_initial(request, client))
    if request.method == "POST" and form.is_valid():
        try:
            invoice = _invoice_form_save(request, form)  # saving and sending succeed together or not at all
        except InvoicingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Invoice sent.") if invoice.number else _("Draft saved."))
            return redirect("invoicing:invoice_detail", pk=invoice.pk)
    return render(request, "invoicing/invoice_form.html", {"form": form, "invoice": None})


@login_required
def invoice_edit(request, pk):
    invoice = selectors.invoice_get(freelancer=request.user, pk=pk)
    if invoice.state != InvoiceState.DRAFT:
        messages.error(request, _("A sent invoice cannot be edited; issue a credit note to correct it."))
        return redirect("invoicing:invoice_detail", pk=pk)
    initial = {
        "client": invoice.client,
        "currency": invoice.currency,
        "issue_date": invoice.issue_date,
        "terms": "custom",
        "due_date": invoice.due_date,
        "discount": f"{invoice.discount_percent.normalize()}%"
        if invoice.discount_percent
        else (invoice.money(invoice.discount_fixed_minor) if invoice.discount_fixed_minor else ""),
        "notes": invoice.notes,
        "payment_method": invoice.payment_method,
        "urdu_labels": invoice.urdu_labels,
        "reminders_enabled": invoice.reminders_enabled,
        "remind_every_days_after": invoice.remind_every_days_after,
        "late_fee_kind": invoice.late_fee_kind,
        "late_fee_value": invoice.late_fee_percent.normalize()
        if invoice.late_fee_kind == "percent"
        else (invoice.money(invoice.late_fee_fixed_minor) if invoice.late_fee_kind == "fixed" else ""),
        "late_fee_period_days": invoice.late_fee_period_days,
        "late_fee_cap": "" if invoice.late_fee_cap_minor is None else invoice.money(invoice.late_fee_cap_minor),
    }
    for i, line in enumerate(invoice.lines.filter(kind="item"), start=1):
        initial.update(
            {
                f"l{i}_description": line.description,
                f"l{i}_quantity": line.quantity.normalize(),
                f"l{i}_price": line.unit_price,
            }
        )
    for i, tax in enumerate(invoice.taxes.all(), start=1):
        initial.update({f"t{i}_name": tax.name, f"t{i}_rate": tax.rate_percent.normalize()})
    form = InvoiceForm(request.POST or None, freelancer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invoice = _invoice_form_save(request, form, invoice)
        except InvoicingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Invoice sent.") if invoice.number else _("Draft saved."))
            return redirect("invoicing:invoice_detail", pk=invoice.pk)
    return render(request, "invoicing/invoice_form.html", {"form": form, "invoice": invoice})


@login_required
def invoice_detail(request, pk):
    invoice = selectors.invoice_get(freelancer=request.user, pk=pk)
    context = {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "taxes": invoice.taxes.all(),
        "payments": invoice.payments.all(),
        "events": invoice.events.all(),
        "credit_notes": invoice.credit_notes.all(),
        "link": services.invoice_link_url(invoice) if invoice.link_nonce else "",
        "open": invoice.state in ("sent", "viewed", "partially_paid", "overdue") and not invoice.is_credit_note,
    }
    return render(request, "invoicing/invoice_detail.html", context)


@login_required
@require_POST
def invoice_issue(request, pk):
    invoice = selectors.invoice_get(freelancer=request.user, pk=pk)
    try:
        invoice = services.invoice_issue(invoice=invoice, freelancer=request.user)
    except InvoicingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Invoice %(number)s sent to %(email)s.") % {"number": invoice.number, "email": invoice.client.email},
        )
    return redirect("invoicing:invoice_detail", pk=pk)


@login_required
@require_POST
def invoice_void(request, pk):
    invoice = selectors.invoice_get(freelancer=request.user, pk=pk)
    if not confirmed(request):
        names = {
            "number": invoice.number or _("draft"),
            "client": invoice.client.name,
            "amount": format_money(invoice.total, invoice.currency, get_language() or "en"),
        }
        return confirmation_page(
            request,
            title=_("Void invoice %(number)s?") % names,
            effects=[
                _("%(client)s will no longer owe %(amount)s on it; its public link will say it was cancelled.") % names,
                _("The %(amount)s is taken out of what your books expect to receive.") % names,
            ]
            if invoice.number
            else [_("The draft for %(client)s (%(amount)s) is cancelled; it was never sent.") % names],
            button=_("Void the invoice"),
            back=reverse("invoicing:invoice_detail", args=[invoice.pk]),
        )
    try:
        services.invoice_void(invoice=invoice, freelancer=request.user)
    except InvoicingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invoice voided."))
    return redirect("invoicing:invoice_detail", pk=pk)


@login_required
@require_POST
def invoice_reminders(request, pk):
    invoice = selectors.invoice_get(freelancer=request.user, pk=pk)
    enabled = request.POST.get("enabled") == "1"
    services.invoice_set_reminders(invoice=invoice, freelancer=request.user, enabled=enabled)
    messages.success(request, _("Reminders switched on.") if enabled else _("Reminders switched off."))
    return redirect("invoicing:invoice_detail", pk=pk)


@login_required
def invoice_pdf_download(request, pk):
    invoice = selectors.invoice_get(freelancer=request.user, pk=pk)
    return _pdf_response(invoice)


def _pdf_response(invoice):
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
    return response


@login_required
def payment_create(request, pk):
    invoice = selectors.invoice_get(freelancer=request.user, pk=pk)
    initial = {
        "currency": invoice.currency,
        "amount": invoice.amount_due if invoice.amount_due_minor > 0 else "",
        "received_on": timezone.localdate(),
        "key": new_key(),
        "method": invoice.payment_method.kind if invoice.payment_method else "bank",
    }
    form = PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_record(
                invoice=invoice,
                freelancer=request.user,
                amount=data["amount"],
                currency=data["currency"],
                received_on=data["received_on"],
                method=data["method"],
                reference=data["reference"],
                realized_pkr=data["realized_pkr"],
                idempotency_key=data["key"],
            )
        except InvoicingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("invoicing:invoice_detail", pk=pk)
    return render(request, "invoicing/payment_form.html", {"form": form, "invoice": invoice})


@login_required
def credit_note_create(request, pk):
    invoice = selectors.invoice_get(freelancer=request.user, pk=pk)
    form = CreditNoteForm(request.POST or None, currency=invoice.currency, initial={"key": new_key()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.credit_note_issue(
                invoice=invoice,
                freelancer=request.user,
                amount=data["amount"],
                reason=data["reason"],
                idempotency_key=data["key"],
            )
        except InvoicingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
            return redirect("invoicing:invoice_detail", pk=pk)
    return render(request, "invoicing/credit_note_form.html", {"form": form, "invoice": invoice})


# --- Client link (no login) ------------------------------------------------------------------------------


def _public_invoice(token):
    invoice = services.invoice_from_token(token)
    if invoice is None:
        raise Http404
    return invoice


def public_invoice(request, token):
    invoice = _public_invoice(token)
    if not (request.user.is_authenticated and request.user.pk == invoice.freelancer_id):
        invoice = services.invoice_record_view(invoice=invoice)
    context = {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "taxes": invoice.taxes.all(),
        "token": token,
    }
    response = render(request, "invoicing/public_invoice.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def public_invoice_pdf(request, token):
    return _pdf_response(_public_invoice(token))


# --- Overview, exports, settings -------------------------------------------------------------------------


@login_required
def overview(request):
    data = selectors.overview(freelancer=request.user, today=timezone.localdate())
    return render(request, "invoicing/overview.html", {"o": data})


@login_required
def export_csv(request, what):
    if what == "invoices":
        body = selectors.invoices_csv(freelancer=request.user)
    elif what == "payments":
        body = selectors.payments_csv(freelancer=request.user)
    else:
        raise Http404
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kamai-{what}.csv"'
    return response


@login_required
def settings_edit(request):
    if request.method == "POST":
        prefs = services.settings_get(freelancer=request.user)
    else:
        prefs = selectors.settings_for(freelancer=request.user)
    form = SettingsForm(request.POST or None, instance=prefs)
    method_form = (
        PaymentMethodForm(request.POST or None, prefix="m")
        if "add_method" in request.POST
        else PaymentMethodForm(prefix="m")
    )
    if request.method == "POST" and "add_method" in request.POST:
        form = SettingsForm(instance=prefs)
        if method_form.is_valid():
            try:
                services.payment_method_add(freelancer=request.user, **method_form.cleaned_data)
            except InvoicingError as error:
                method_form.add_error(None, str(error))
            else:
                messages.success(request, _("Payment method saved."))
                return redirect("invoicing:invoice_settings")
    elif request.method == "POST" and form.is_valid():
        try:
            services.settings_update(
                freelancer=request.user, **{f: form.cleaned_data[f] for f in SettingsForm.Meta.fields}
            )
        except InvoicingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Settings saved."))
            return redirect("invoicing:invoice_settings")
    methods = PaymentMethod.objects.filter(freelancer=request.user)
    return render(request, "invoicing/settings.html", {"form": form, "method_form": method_form, "methods": methods})


# --- Recurring -------------------------------------------------------------------------------------------


@login_required
def recurring_list(request):
    return render(
        request, "invoicing/recurring_list.html", {"templates": selectors.recurring_list(freelancer=request.user)}
    )


@login_required
def recurring_create(request):
    if not selectors.client_list(freelancer=request.user).exists():
        messages.info(request, _("Add a client first."))
        return redirect("invoicing:invoice_client_create")
    form = RecurringForm(
        request.POST or None, freelancer=request.user, initial={"start_date": timezone.localdate(), "currency": "USD"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.recurring_save(
                freelancer=request.user,
                client=data["client"],
                title=data["title"],
                currency=data["currency"],
                frequency=data["frequency"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                max_count=data["max_count"],
                terms_days=data["terms_days"],
                lines=data["lines"],
                taxes=data["taxes"],
                notes=data["notes"],
                payment_method=data["payment_method"],
            )
        except InvoicingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Recurring invoice saved; the first one goes out on its start date."))
            return redirect("invoicing:invoice_recurring_list")
    return render(request, "invoicing/recurring_form.html", {"form": form})


@login_required
@require_POST
def recurring_stop(request, pk):
    template = selectors.recurring_get(freelancer=request.user, pk=pk)
    services.recurring_stop(template=template, freelancer=request.user)
    messages.success(request, _("Recurring invoice stopped."))
    return redirect("invoicing:invoice_recurring_list")
