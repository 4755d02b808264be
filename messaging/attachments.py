"""Message attachments are recognised by their first bytes, never by their name, and kept within the size limit.
What the name claims does not matter: the stored type is what we found, and downloads carry it with nosniff."""

import codecs
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
TEXT_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class AttachmentKind:
    content_type: str
    extension: str
    label: str


PDF = AttachmentKind("application/pdf", ".pdf", "PDF")
PNG = AttachmentKind("image/png", ".png", "PNG")
JPEG = AttachmentKind("image/jpeg", ".jpg", "JPEG")
WEBP = AttachmentKind("image/webp", ".webp", "WebP")
GIF = AttachmentKind("image/gif", ".gif", "GIF")
TEXT = AttachmentKind("text/plain; charset=utf-8", ".txt", "text")
ZIP = AttachmentKind("application/zip", ".zip", "ZIP")
DOCX = AttachmentKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX")
XLSX = AttachmentKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX")

EXTENSIONS = {PDF: {".pdf"}, JPEG: {".jpg", ".jpeg"}, TEXT: {".txt", ".text", ".csv", ".md", ".log"}}


def max_attachment_bytes() -> int:
    return int(getattr(settings, "KAMAI_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES))


def _zip_kind(upload) -> AttachmentKind | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return ZIP


def _looks_like_text(head: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    text = text.removeprefix("\ufeff")
    if any(ord(char) < 32 and char not in "\t\n\r\f" for char in text) or "\x7f" in text:
        return False
    # Markup (HTML, SVG, XML) is text too, but a browser that guesses would run it: refuse anything starting "<".
    return not text.lstrip().startswith("<")


def sniff(upload) -> AttachmentKind | None:
    """The kind of file these bytes are, or None when it is not one we accept."""
    upload.seek(0)
    head = upload.read(TEXT_SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        kind = _zip_kind(upload)
        upload.seek(0)
        return kind
    if head and _looks_like_text(head):
        return TEXT
    return None


def check_attachment(upload) -> AttachmentKind:
    """Raise ValidationError unless the upload is an allowed kind of file within the size limit."""
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024, 1)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _("This kind of file cannot be sent. Attach a PDF, image (PNG, JPEG, WebP, GIF), text, ZIP, DOCX or XLSX."),
            code="kind",
        )
    return kind


def download_name(original: str, kind: AttachmentKind) -> str:
    """The sender's file name, made safe, with an extension that matches what the file really is."""
    name = get_valid_filename(PurePath(original or "attachment").name) or "attachment"
    name = name[:150]
    if PurePath(name).suffix.lower() not in EXTENSIONS.get(kind, {kind.extension}):
        name += kind.extension
    return name


def storage_name() -> str:
    """A random name under messages/; no extension, so even a misconfigured static server says octet-stream."""
    return f"messages/{secrets.token_hex(16)}"
