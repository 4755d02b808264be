"""Private uploads (message attachments, deliveries, dispute evidence, receipts) are streamed by views that have
already checked who is asking; this is how each of them answers. The bytes come through the storage API
(`FieldFile.open`), so the same code streams from MEDIA_ROOT or from the private S3 bucket (docs/DECISIONS.md 27)."""

from django.http import FileResponse, Http404


def private_file_response(file, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """Stream a stored file with headers that stop the browser from guessing its type or running it.
    A missing file is a 404. Inline files (receipts shown in the page's viewer) skip the CSP sandbox, which
    would stop the browser's own PDF viewer."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'" if inline else "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
