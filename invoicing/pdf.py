"""The invoice PDF, made with WeasyPrint from one light template: system fonts, no images."""

from django.template.loader import render_to_string

from invoicing.models import Invoice
from invoicing.selectors import settings_for

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
    "ntn": ("NTN", "این ٹی این"),
}


def labels_for(invoice: Invoice) -> dict[str, str]:
    if invoice.urdu_labels:
        return {key: f"{en} · {ur}" for key, (en, ur) in LABELS.items()}
    return {key: en for key, (en, _ur) in LABELS.items()}


def sender(invoice: Invoice) -> dict:
    """Who the invoice is from, as the freelancer set it in the invoice settings."""

    prefs = settings_for(freelancer=invoice.freelancer)
    profile = getattr(invoice.freelancer, "freelancer_profile", None)
    return {
        "name": prefs.business_name or invoice.freelancer.name,
        "person": invoice.freelancer.name if prefs.business_name else "",
        "address": prefs.business_address,
        "ntn": profile.ntn if prefs.show_ntn and profile is not None else "",
        "email": invoice.freelancer.email,
    }


def invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML

    return HTML(string=invoice_pdf_html(invoice)).write_pdf()


def invoice_pdf_html(invoice: Invoice) -> str:
    """The HTML the PDF is printed from."""
    return render_to_string(
        "invoicing/pdf.html",
        {
            "invoice": invoice,
            "sender": sender(invoice),
            "label": labels_for(invoice),
            "lines": list(invoice.lines.all()),
            "taxes": list(invoice.taxes.all()),
        },
    )


def pdf_filename(invoice: Invoice) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in (invoice.number or f"draft-{invoice.pk}"))
    return f"{safe}.pdf"
