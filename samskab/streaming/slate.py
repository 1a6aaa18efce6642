"""The still picture the public sees while a meeting sits in closed session.

Drawn with Pillow (no Django): the words "closed session" large, a line below, and the
municipality's name, on the municipality's primary colour.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = (1280, 720)


def _colour(hex_colour: str) -> tuple[int, int, int]:
    text = hex_colour.lstrip("#")
    if len(text) != 6:
        return (0, 73, 147)
    try:
        return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
    except ValueError:
        return (0, 73, 147)


def slate_render(
    target: Path, *, heading: str, note: str, municipality: str, colour: str = "#004993"
) -> Path:
    """Write the slate as PNG to `target` (white text on the colour, dimmed so it reads)."""
    red, green, blue = _colour(colour)
    # Dark enough for white text whatever the municipality's colour is.
    background = (red * 2 // 5, green * 2 // 5, blue * 2 // 5)
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    centre = SIZE[0] // 2
    draw.text(
        (centre, 300), heading, font=ImageFont.load_default(size=110), fill="white", anchor="mm"
    )
    draw.text((centre, 420), note, font=ImageFont.load_default(size=40), fill="white", anchor="mm")
    draw.text(
        (centre, 640),
        municipality,
        font=ImageFont.load_default(size=36),
        fill=(220, 220, 220),
        anchor="mm",
    )
    image.save(target, "PNG")
    return target
