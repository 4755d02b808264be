"""Uploaded images are checked by content and size, re-encoded (dropping EXIF and anything hidden)
and thumbnailed, so what we store and serve is always a clean JPEG or PNG we wrote ourselves."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def check_image(upload) -> None:
    """Raise ValidationError unless the upload really is a JPEG/PNG/WebP/GIF within the limits."""
    if upload.size > settings.KAMAI_MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": round(settings.KAMAI_MAX_IMAGE_BYTES / 1024 / 1024, 1),
            }
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.")) from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."))
    if width * height > settings.KAMAI_MAX_IMAGE_PIXELS:
        raise ValidationError(_("The image is too large in pixels."))


def _encode(image: Image.Image, max_side: int) -> tuple[bytes, str]:
    image = ImageOps.exif_transpose(image)
    image.thumbnail((max_side, max_side))
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    buffer = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(buffer, "PNG", optimize=True)
        return buffer.getvalue(), "png"
    image.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue(), "jpg"


def reencode(upload, stem: str) -> tuple[ContentFile, ContentFile]:
    """Return (image, thumbnail) as fresh files; call check_image first."""
    upload.seek(0)
    with Image.open(upload) as image:
        image.load()
        full, ext = _encode(image.copy(), settings.KAMAI_IMAGE_MAX_SIDE)
        thumb, thumb_ext = _encode(image.copy(), settings.KAMAI_THUMBNAIL_SIDE)
    return ContentFile(full, name=f"{stem}.{ext}"), ContentFile(thumb, name=f"{stem}-thumb.{thumb_ext}")
