"""A post's picture made to fit a network's limits on size, rather than left out.

Pure (Pillow, no Django). A picture with more pixels than the network takes is scaled down
to its pixel limit first. A picture over the limit in bytes is re-encoded as JPEG: first at
lower quality, then, if that is not enough, at smaller sizes (each step three quarters of
the last), never below a width the networks still show well. Transparency is laid on white.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# Below this width a share picture is no longer worth showing.
SMALLEST_WIDTH = 320
QUALITIES = (85, 75, 65)
STEP = 0.75
# Pillow refuses to open pictures over its own pixel limit (a decompression bomb); ours are
# a share card or a still from our own video, so this is only a guard.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Fitted:
    data: bytes
    content_type: str
    width: int
    height: int


def size_of(data: bytes) -> tuple[int, int] | None:
    """The picture's width and height, or None when it is no picture Pillow knows."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None


def fit(data: bytes, max_bytes: int, max_pixels: int | None = None) -> Fitted | None:
    """The picture within max_bytes and max_pixels (width x height): as it is when it fits,
    else re-encoded smaller. None when it is no picture or cannot be made small enough."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            pixels = opened.width * opened.height
            if pixels > MAX_PIXELS:
                return None
            content_type = Image.MIME.get(opened.format or "", "image/jpeg")
            too_many = max_pixels is not None and pixels > max_pixels
            if len(data) <= max_bytes and not too_many:
                return Fitted(data, content_type, opened.width, opened.height)
            image = _flatten(opened)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        scale = math.sqrt(max_pixels / (width * height))
        width, height = max(1, int(width * scale)), max(1, int(height * scale))
        while width * height > max_pixels and width > 1:  # a float's last digit
            width -= 1
    while True:
        scaled = image if (width, height) == image.size else image.resize((width, height))
        for quality in QUALITIES:
            out = io.BytesIO()
            scaled.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= max_bytes:
                return Fitted(out.getvalue(), "image/jpeg", width, height)
        if width * STEP < SMALLEST_WIDTH:
            return None
        width, height = int(width * STEP), max(1, int(height * STEP))


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (JPEG has none)."""
    image.load()
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
