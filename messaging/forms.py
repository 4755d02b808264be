from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.attachments import check_attachment, max_attachment_bytes
from messaging.models import MAX_BODY_LENGTH


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachment = forms.FileField(label=_("Attach a file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _(
            "PDF, PNG, JPEG, WebP, GIF, text, ZIP, DOCX or XLSX, up to %(limit)s MB."
        ) % {"limit": round(max_attachment_bytes() / 1024 / 1024, 1)}

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            check_attachment(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("body") or "").strip() and not cleaned.get("attachment"):
            raise forms.ValidationError(_("Write a message or attach a file."))
        return cleaned
