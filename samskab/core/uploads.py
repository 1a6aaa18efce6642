"""Uploads are checked by what they contain, not by their names, and by size."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
LOGO_MAX_BYTES = 2 * 1024 * 1024
# A decompression bomb is a small file that becomes a huge picture; refuse it early.
MAX_PIXELS = 40_000_000


def check_size(upload: UploadedFile, max_bytes: int) -> None:
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )


def image_format(upload: UploadedFile, allowed: dict[str, str] = IMAGE_FORMATS) -> str:
    """Open the file as an image and return its real format, or refuse it."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The picture has too many pixels."), code="too_big")
            image.verify()
            found = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            _("The file is not a picture we can read. Use PNG, JPEG or WebP."), code="not_image"
        ) from None
    finally:
        upload.seek(position)
    if found not in allowed:
        raise ValidationError(
            _("Pictures in the %(format)s format are not accepted. Use PNG, JPEG or WebP.")
            % {"format": found or "?"},
            code="format",
        )
    return found


def validate_image(upload: UploadedFile, *, max_bytes: int) -> str:
    check_size(upload, max_bytes)
    return image_format(upload)


def validate_logo(value) -> None:
    """Model validator for the site logo.

    Runs on the stored file too when a form is saved unchanged; only a new upload
    (an uncommitted FieldFile) is read.
    """
    if getattr(value, "_committed", True):
        return
    check_size(value, LOGO_MAX_BYTES)
    image_format(value.file)
