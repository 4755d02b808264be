"""Uploaded images are checked by content and size, re-encoded (dropping EXIF and anything hidden)
and thumbnailed, so what we store and serve is always a clean JPEG or PNG we wrote ourselves."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def _inspect(upload, unreadable: str) -> tuple[str, int, int]:
    """(format, width, height) of an upload within the byte limit, without decoding its pixels; `unreadable`
    is the message when it is not an image Pillow can read."""
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
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(unreadable) from None
    finally:
        upload.seek(0)
    return image_format, width, height


def check_image(upload) -> None:
    """Raise ValidationError unless the upload really is a JPEG/PNG/WebP/GIF within the limits."""
    image_format, width, height = _inspect(
        upload, _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF.")
    )
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


# --- Profile photos and invoice logos ---------------------------------------------------------------------
# Only the three formats every browser shows; GIF and anything else is refused by name. Stored as WebP,
# which every current browser shows (caniuse.com/webp) and which Pillow writes without extra packages.
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
# Square crops, shown at half these sizes so they stay sharp on 2x phone screens: 48 px in lists, 160 px on the
# profile. A 96 px WebP is 1-3 KB and a 320 px one 5-15 KB.
PHOTO_SIDES = {"photo": 320, "photo_small": 96}
LOGO_BOX = (600, 200)  # printed at most 60 mm × 20 mm: 600 px is 250 dpi at that width


def check_photo(upload) -> None:
    """Raise ValidationError unless the upload is a real JPEG, PNG or WebP within the byte and pixel limits."""
    image_format, width, height = _inspect(upload, _("This file is not a JPEG, PNG or WebP image."))
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Upload a JPEG, PNG or WebP image.") % {"format": image_format}
        )
    if width * height > settings.KAMAI_MAX_IMAGE_PIXELS:
        raise ValidationError(
            _("The image is %(width)s × %(height)s pixels; the limit is %(limit)s million pixels.")
            % {"width": width, "height": height, "limit": settings.KAMAI_MAX_IMAGE_PIXELS // 1_000_000}
        )


def _open_upright(upload, largest_side: int) -> Image.Image:
    upload.seek(0)
    image = Image.open(upload)
    # A JPEG can decode straight at a fraction of its size, which makes a 40-megapixel photo cheap.
    image.draft("RGB", (largest_side * 2, largest_side * 2))
    image.load()
    # Turn the pixels the way the camera's EXIF says, then drop EXIF (and every other chunk) by re-encoding.
    return ImageOps.exif_transpose(image)


def _webp(image: Image.Image, *, quality: int, alpha: bool = False) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGBA" if alpha else "RGB").save(buffer, "WEBP", quality=quality, method=6)
    return buffer.getvalue()


def photo_files(upload, stem: str) -> dict[str, ContentFile]:
    """Square WebP crops of a checked upload, one per PHOTO_SIDES entry, without EXIF or other metadata."""
    image = _open_upright(upload, max(PHOTO_SIDES.values()))
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent corners become white rather than black.
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = background
    files = {}
    for field, side in PHOTO_SIDES.items():
        square = ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS)
        files[field] = ContentFile(_webp(square, quality=78), name=f"{stem}-{side}.webp")
    return files


def logo_file(upload, stem: str) -> ContentFile:
    """The checked logo fitted inside LOGO_BOX, transparency kept, as a WebP without metadata."""
    image = _open_upright(upload, max(LOGO_BOX))
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    return ContentFile(_webp(image, quality=90, alpha=alpha), name=f"{stem}.webp")
