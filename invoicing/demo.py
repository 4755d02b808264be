"""Demo invoicing for `seed_demo`: Ayesha's direct clients and invoices in every state (draft, sent,
viewed, partially paid, paid, overdue with a late fee, void), a credit note and a recurring template.
Idempotent: if her demo clients exist, nothing is added."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from invoicing import services
from invoicing.calculations import LineInput, TaxInput
from invoicing.models import Client, Invoice

FREELANCER = "ayesha@demo.kamai.pk"
CLIENTS = [
    # name, company, email, country, currency, terms
    ("Emily Carter", "Northwind Studio", "emily@northwind.example", "US", "USD", 15),
    ("Oliver Hughes", "Hughes & Co", "oliver@hughes.example", "GB", "GBP", 30),
    ("Omar Al Falasi", "Falcon Trading LLC", "omar@falcon.example", "AE", "USD", 7),
    ("Sana Malik", "Chai Collective", "sana@chai.example", "PK", "PKR", 0),
]


def _line(description, quantity, price):
    return LineInput(description, Decimal(quantity), Decimal(price))


def seed() -> str:
    user = User.objects.filter(email=FREELANCER).first()
    if user is None:
        return "Invoicing demo skipped: no demo freelancer."
    if Client.objects.filter(freelancer=user, email=CLIENTS[0][2]).exists():
        return "Invoicing demo already present."
    today = timezone.localdate()
    services.settings_update(
        freelancer=user,
        number_prefix="AS-{year}-",
        remind_every_days_after=7,
        business_name="Ayesha Siddiqui Web Studio",
        business_address="Office 4, 2nd floor, Arfa Software Technology Park\nFerozepur Road, Lahore 54000",
        show_ntn=True,
    )
    payoneer = services.payment_method_add(
        freelancer=user, kind="payoneer", label="Payoneer USD", details="ayesha@demo.kamai.pk"
    )
    bank = services.payment_method_add(
        freelancer=user,
        kind="bank",
        label="Meezan Bank PKR",
        iban="PK36SCBL0000001123456702",
        details="Account title: Ayesha Siddiqui",
    )
    clients = [
        services.client_save(
            freelancer=user,
            name=name,
            company=company,
            email=email,
            country=country,
            default_currency=currency,
            payment_terms_days=terms,
        )
        for name, company, email, country, currency, terms in CLIENTS
    ]
    emily, oliver, omar, sana = clients

    def invoice(client, lines, *, days_ago=0, terms=15, issue=True, method=payoneer, **kwargs):
        issued = today - timedelta(days=days_ago)
        draft = services.invoice_save_draft(
            freelancer=user,
            client=client,
            currency=client.default_currency,
            issue_date=issued,
            due_date=issued + timedelta(days=terms),
            terms_days=terms,
            lines=lines,
            payment_method=method,
            **kwargs,
        )
        return services.invoice_issue(invoice=draft, freelancer=user) if issue else draft

    def pay(inv, amount, key, days_ago=0, **kwargs):
        services.payment_record(
            invoice=inv,
            freelancer=user,
            amount=Decimal(amount),
            currency=inv.currency,
            received_on=today - timedelta(days=days_ago),
            method=inv.payment_method.kind if inv.payment_method else "bank",
            idempotency_key=f"demo-{key}",
            **kwargs,
        )

    invoice(emily, [_line("Dashboard redesign, phase 2", "1", "1200.00")], issue=False)  # draft
    invoice(omar, [_line("API integration", "12", "35.00")], days_ago=2, terms=15)  # sent
    viewed = invoice(emily, [_line("Bug fixing (hours)", "6.5", "35.00")], days_ago=4)
    services.invoice_record_view(invoice=viewed)
    partly = invoice(
        oliver,
        [_line("Bookkeeping automation", "1", "900.00"), _line("Training session", "2", "75.00")],
        taxes=[TaxInput("VAT", Decimal("20"))],
        days_ago=10,
        terms=30,
    )
    pay(partly, "500.00", "partly")
    paid = invoice(emily, [_line("Landing page", "1", "650.00")], days_ago=40, discount_percent=Decimal("5"))
    pay(paid, "617.50", "paid", days_ago=25, realized_pkr=Decimal("171900.00"))
    overdue = invoice(
        omar,
        [_line("Mobile app maintenance, March", "1", "800.00")],
        days_ago=50,
        terms=7,
        late_fee=services.LateFeeRule(kind="percent", percent=Decimal("2"), period_days=30, cap=Decimal("80")),
    )
    services._remind_invoice(overdue.pk, today)  # the daily job: overdue, late fees for the missed periods
    void = invoice(sana, [_line("Logo sketches", "1", "25000.00")], days_ago=20, terms=0, method=bank)
    services.invoice_void(invoice=void, freelancer=user)
    credited = invoice(sana, [_line("Website copy in Urdu and English", "1", "60000.00")], days_ago=6, method=bank)
    services.credit_note_issue(
        invoice=credited,
        freelancer=user,
        amount=Decimal("10000.00"),
        reason="Two pages dropped from the scope",
        idempotency_key="demo-credit",
    )
    services.recurring_save(
        freelancer=user,
        client=emily,
        title="Monthly maintenance retainer",
        currency="USD",
        frequency="monthly",
        start_date=today.replace(day=1),
        lines=[_line("Maintenance retainer", "1", "400.00")],
        payment_method=payoneer,
    )
    services.recurring_run(today=today)
    count = Invoice.objects.filter(freelancer=user).count()
    return f"Invoicing demo: {len(clients)} clients and {count} invoices/credit notes for {FREELANCER}."
