"""Uploads are checked by what they contain, not by their names, and by size.

Pictures people add (to a comment, a project, any target with attachments) are re-encoded
from their decoded pixels by `reencode_image`, which drops EXIF (GPS position, camera
serial), XMP and ICC comments and anything hidden after the image data; documents are
checked to be readable PDF files by `check_pdf`. The limits are the caller's.
"""

import io
import secrets
from dataclasses import dataclass

import pypdfium2 as pdfium
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# What every form and error message promises (security review I6: GIF was accepted too).
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
LOGO_MAX_BYTES = 2 * 1024 * 1024
# Pictures are shrunk to this many pixels on their longest side: plenty for a page.
IMAGE_MAX_SIDE = 1600
# A decompression bomb is a small file that becomes a huge picture; refuse it early.
MAX_PIXELS = 40_000_000


def check_size(upload: File, max_bytes: int) -> None:
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


def reencode_image(
    upload: UploadedFile, *, max_bytes: int, max_side: int = IMAGE_MAX_SIDE
) -> ContentFile:
    """Check a picture by content and size, shrink it to `max_side` and re-encode it without
    metadata under a random name; raises ValidationError with a clear message."""
    found = validate_image(upload, max_bytes=max_bytes)
    upload.seek(0)
    image: Image.Image  # the opened file, then the transposed and converted copies
    with Image.open(upload) as image:
        image.load()
        image = ImageOps.exif_transpose(image)  # keep the picture upright once EXIF is gone
        image.thumbnail((max_side, max_side))
        out = io.BytesIO()
        if found == "JPEG" or (found != "PNG" and image.mode not in ("RGBA", "LA", "P")):
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            extension = "jpg"
        else:
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            image.save(out, "PNG", optimize=True)
            extension = "png"
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(8)}.{extension}")


def check_pdf(upload: UploadedFile, *, max_bytes: int) -> ContentFile:
    """A readable, unprotected PDF within the size limit, to be stored under a random name."""
    check_size(upload, max_bytes)
    upload.seek(0)
    data = upload.read()
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Documents must be PDF files."), code="not_pdf")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise ValidationError(
            _("The PDF file is damaged or protected and cannot be read."), code="unreadable"
        ) from None
    document.close()
    return ContentFile(data, name=f"{secrets.token_hex(8)}.pdf")


@dataclass(frozen=True)
class AttachLimits:
    """How many pictures and documents one target may carry, and how large each may be:
    one parameter per target kind, given where the kind registers (core.targets)."""

    images: int = 10
    image_bytes: int = 8 * 1024 * 1024
    documents: int = 5
    document_bytes: int = 10 * 1024 * 1024
