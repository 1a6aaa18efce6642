"""Pictures in comments: checked by content, shrunk to 1600 px, re-encoded without metadata.

Re-encoding from the decoded pixels drops EXIF (GPS position, camera serial), XMP and
ICC comments, and anything hidden after the image data.
"""

import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps

from samskab.comments.models import IMAGE_MAX_BYTES, IMAGE_MAX_SIDE
from samskab.core.uploads import validate_image


def clean_image(upload: UploadedFile) -> ContentFile:
    """Validate and re-encode an upload; raises ValidationError with a clear message."""
    found = validate_image(upload, max_bytes=IMAGE_MAX_BYTES)
    upload.seek(0)
    with Image.open(upload) as image:
        image.load()
        image = ImageOps.exif_transpose(image)  # keep the picture upright once EXIF is gone
        image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
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
