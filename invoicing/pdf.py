"""The invoice PDF, made with WeasyPrint from one light template: system fonts, no images."""

from django.template.loader import render_to_string

from invoicing.models import Invoice

# English labels, with the Urdu beside them when the invoice asks for it (the PDF is otherwise English).
LABELS = {
    "invoice": ("Invoice", "انوائس"),
    "credit_note": ("Credit note", "کریڈٹ نوٹ"),
    "number": ("Number", "نمبر"),
    "issued": ("Issue date", "تاریخ اجرا"),
    "due": ("Due date", "آخری تاریخ"),
    "bill_to": ("Bill to", "بنام"),
    "from": ("From", "منجانب"),
    "description": ("Description", "تفصیل"),
    "quantity": ("Qty", "مقدار"),
    "unit_price": ("Unit price", "فی یونٹ"),
    "amount": ("Amount", "رقم"),
    "subtotal": ("Subtotal", "ذیلی میزان"),
    "discount": ("Discount", "رعایت"),
    "total": ("Total", "کل"),
    "paid": ("Paid", "ادا شدہ"),
    "credited": ("Credited", "کریڈٹ"),
    "balance": ("Balance due", "واجب الادا"),
    "pkr_equivalent": ("In PKR at the reference rate frozen at issue", "اجرا کے دن کے ریفرنس ریٹ پر روپے میں"),
    "pay_to": ("Payment instructions", "ادائیگی کی ہدایات"),
    "notes": ("Notes", "نوٹس"),
    "credit_for": ("Credit for invoice", "برائے انوائس"),
}


def labels_for(invoice: Invoice) -> dict[str, str]:
    if invoice.urdu_labels:
        return {key: f"{en} · {ur}" for key, (en, ur) in LABELS.items()}
    return {key: en for key, (en, _ur) in LABELS.items()}


def invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "invoicing/pdf.html",
        {
            "invoice": invoice,
            "label": labels_for(invoice),
            "lines": list(invoice.lines.all()),
            "taxes": list(invoice.taxes.all()),
        },
    )
    return HTML(string=html).write_pdf()


def pdf_filename(invoice: Invoice) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in (invoice.number or f"draft-{invoice.pk}"))
    return f"{safe}.pdf"
