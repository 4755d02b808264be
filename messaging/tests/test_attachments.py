import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from messaging import services
from messaging.attachments import DOCX, GIF, JPEG, PDF, PNG, TEXT, WEBP, XLSX, ZIP, download_name, sniff
from messaging.errors import MessagingError
from messaging.models import Message

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 80)).save(buffer, fmt)
    return buffer.getvalue()


def zip_bytes(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n1 0 obj\n", PDF),
        (image_bytes("PNG"), PNG),
        (image_bytes("JPEG"), JPEG),
        (image_bytes("WEBP"), WEBP),
        (image_bytes("GIF"), GIF),
        ("Meeting notes: سلام\nline two\n".encode(), TEXT),
        (zip_bytes("a.txt"), ZIP),
        (zip_bytes("[Content_Types].xml", "word/document.xml"), DOCX),
        (zip_bytes("[Content_Types].xml", "xl/workbook.xml"), XLSX),
        (ELF, None),
        (HTML, None),
        (b"  \n<svg onload=alert(1)>", None),
        (b"MZ\x90\x00\x03\x00\x00\x00", None),
        (b"PK\x03\x04 not really a zip", None),
        (b"\x00\x01\x02binary", None),
    ],
)
def test_sniff_by_content(content, kind):
    assert sniff(io.BytesIO(content)) == kind


def _post(client, deal, name, content, body=""):
    conversation = deal.conversation()
    client.force_login(deal.freelancer)
    return client.post(
        reverse("messaging:conversation_detail", args=[conversation.pk]),
        {"body": body, "attachment": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(("name", "content"), [("invoice.pdf", ELF), ("invoice.pdf", HTML), ("photo.png", HTML)])
def test_disguised_files_are_refused_with_a_clear_error(client, deal, settings, name, content):
    response = _post(client, deal, name, content, body="see attached")
    assert response.status_code == 200
    assert "This kind of file cannot be sent." in response.content.decode()
    assert not Message.objects.exists()
    assert not (settings.MEDIA_ROOT / "messages").exists() or not any((settings.MEDIA_ROOT / "messages").iterdir())


def test_oversized_file_is_refused(client, deal, settings):
    settings.KAMAI_MAX_ATTACHMENT_BYTES = 1024 * 1024
    response = _post(client, deal, "big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 300_000))
    assert response.status_code == 200
    assert "The file is 1.3 MB; the limit is 1.0 MB." in response.content.decode()
    assert response.context["form"].errors["attachment"]
    assert not Message.objects.exists()


def test_default_limit_is_ten_megabytes(settings, deal):
    del settings.KAMAI_MAX_ATTACHMENT_BYTES  # not set in settings.py; the getattr default applies
    big = SimpleUploadedFile("big.txt", b"a" * (10 * 1024 * 1024 + 1))
    with pytest.raises(MessagingError, match="limit is 10.0 MB"):
        services.message_send(conversation=deal.conversation(), sender=deal.client, body="", attachment=big)
    assert not Message.objects.exists()


def test_file_without_text_is_a_message(client, deal):
    response = _post(client, deal, "screenshot.png", image_bytes("PNG"))
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.body, message.attachment_type, message.attachment_name) == ("", "image/png", "screenshot.png")


def test_name_gets_the_extension_of_what_the_file_really_is(client, deal):
    response = _post(client, deal, "report.pdf", b"plain words, not a PDF\n", body="notes")
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.attachment_type.startswith("text/plain")
    assert message.attachment_name == "report.pdf.txt"


def test_service_checks_attachments_too(deal):
    with pytest.raises(MessagingError):
        services.message_send(
            conversation=deal.conversation(),
            sender=deal.client,
            body="hi",
            attachment=SimpleUploadedFile("x.pdf", ELF),
        )
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("original", "kind", "expected"),
    [
        ("../../etc/passwd", TEXT, "passwd.txt"),
        ("Scan 1.JPEG", JPEG, "Scan_1.JPEG"),
        ("", PDF, "attachment.pdf"),
        ("sheet.xlsx", XLSX, "sheet.xlsx"),
    ],
)
def test_download_name(original, kind, expected):
    assert download_name(original, kind) == expected
