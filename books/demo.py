"""Demo books for ayesha@demo.kamai.pk: exchange rates for the demo period, an imported Payoneer statement,
expenses with categories (one with a receipt), remittances with and without PRC numbers, a budget, a
recurring item and her tax status. Idempotent: every write is keyed, so running it again adds nothing."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from books import imports, services
from books.models import RecurringItem, StatementImport
from ledger.models import ExchangeRate

EMAIL = "ayesha@demo.kamai.pk"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"  # noqa: E501
CLIENTS = ["Brightline Labs", "Thames Digital Ltd", "Kraftwerk Studio GmbH"]


def _rates(start, end) -> int:
    created, day, step = 0, start, 0
    while day <= end:
        usd = Decimal("278.50") + Decimal(step % 9) * Decimal("0.35")
        for currency, rate in (("USD", usd), ("GBP", usd * Decimal("1.27")), ("EUR", usd * Decimal("1.08"))):
            _, made = ExchangeRate.objects.get_or_create(
                base_currency=currency, quote_currency="PKR", rate_date=day, source="sbp",
                defaults={"rate": rate.quantize(Decimal("0.0001"))},
            )  # fmt: skip
            created += made
        day += timedelta(days=7)
        step += 1
    return created


def seed() -> str:
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        return ""
    today = timezone.localdate()
    start = today - timedelta(days=400)
    rates = _rates(start, today)
    if not StatementImport.objects.filter(user=user).exists():
        lines = ["Date,Description,Amount,Currency,Status,Transaction ID"]
        for n in range(24):
            on = today - timedelta(days=15 * n + 3)
            lines.append(
                f'{on:%d %b %Y},Payment from {CLIENTS[n % 3]},"{900 + 75 * (n % 5):,}.00",USD,Completed,DEMO-{n}'
            )
            if n % 4 == 0:
                lines.append(f"{on:%d %b %Y},Withdrawal fee,-3.00,USD,Completed,DEMO-FEE-{n}")
        upload = SimpleUploadedFile("payoneer-demo.csv", "\n".join(lines).encode(), content_type="text/csv")
        imports.statement_import_create(user=user, source_format="payoneer", upload=upload)
    expenses = [
        (5, "4500", "PKR", "internet", "PTCL fibre"), (20, "19.99", "USD", "software", "Figma"),
        (35, "185000", "PKR", "equipment", "Laptop"), (40, "12000", "PKR", "coworking", "Daftarkhwan desk"),
        (50, "9800", "PKR", "electricity", "LESCO bill"), (65, "49.00", "USD", "training", "Course"),
        (80, "4500", "PKR", "internet", "PTCL fibre"), (95, "1500", "PKR", "fees", "Bank charges"),
    ]  # fmt: skip
    for n, (days, amount, currency, category, note) in enumerate(expenses):
        services.expense_record(
            user=user, occurred_on=today - timedelta(days=days), amount=Decimal(amount), currency=currency,
            category=category, note=note, place="cash" if currency == "PKR" else "payoneer",
            receipt=SimpleUploadedFile("receipt.png", PNG) if n == 2 else None, idempotency_key=f"demo-expense-{n}",
        )  # fmt: skip
    remittances = [
        (10, "1000.00", "279300.00", "700.00", "PRC-MZN-2291", "9186", "payoneer"),
        (40, "1500.00", "418950.00", "1050.00", "", "9186", "payoneer"),
        (70, "800.00", "221760.00", "2240.00", "PRC-MZN-2207", "9186", "direct"),  # deducted at 1%: a mismatch
        (100, "1200.00", "335160.00", "840.00", "PRC-MZN-2150", "9199", "payoneer"),
    ]
    for n, (days, amount, net, withheld, prc, code, source) in enumerate(remittances):
        services.remittance_record(
            user=user, received_on=today - timedelta(days=days), currency="USD", amount=Decimal(amount),
            pkr_net=Decimal(net), tax_withheld=Decimal(withheld), from_place=source, bank="Meezan Bank",
            client=CLIENTS[0] if source == "direct" else "", prc_number=prc, purpose_code=code,
            idempotency_key=f"demo-remit-{n}",
        )  # fmt: skip
    services.income_record(user=user, occurred_on=today - timedelta(days=30), amount=Decimal("150000"),
                           currency="PKR", client="Lahore Software House", tax_withheld=Decimal("6000"),
                           place="meezan", idempotency_key="demo-income-0")  # fmt: skip
    for category, amount in (
        ("internet", "5000"),
        ("software", "8000"),
        ("coworking", "12000"),
        ("electricity", "9000"),
    ):
        services.budget_set(user=user, category=category, monthly_pkr=Decimal(amount))
    if not RecurringItem.objects.filter(user=user).exists():
        services.recurring_add(user=user, kind="expense", label="Co-working desk", amount=Decimal("12000"),
                               currency="PKR", day_of_month=1, category="coworking")  # fmt: skip
        services.recurring_add(user=user, kind="income", label="Retainer: Thames Digital", amount=Decimal("600"),
                               currency="USD", day_of_month=15)  # fmt: skip
    return f"Books: demo books for {EMAIL} ({rates} new exchange rates)."
