"""Receipt uploads are checked by what the bytes are, not by the name or the browser's claim, and by size."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# magic bytes -> (content type, extension)
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
]


def max_receipt_bytes() -> int:
    return getattr(settings, "KAMAI_MAX_RECEIPT_BYTES", 5 * 1024 * 1024)


def check_receipt(upload) -> tuple[str, str]:
    """(content type, extension) of a PDF, JPEG, PNG or WebP receipt; ValidationError for anything else."""
    limit = max_receipt_bytes()
    if upload.size == 0:
        raise ValidationError(_("The receipt file is empty."))
    if upload.size > limit:
        raise ValidationError(
            _("The receipt is %(size)s KB; the limit is %(limit)s KB.")
            % {"size": upload.size // 1024, "limit": limit // 1024}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    raise ValidationError(_("A receipt must be a PDF, JPEG, PNG or WebP file."))
