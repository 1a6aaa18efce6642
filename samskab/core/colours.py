"""Readable colours from a municipality's chosen ones (WCAG 2.1 contrast), without Django.

A municipality picks its primary and header colours in the admin. Text placed on those
colours, and links drawn in the primary colour on white, must keep a contrast of at least
4.5:1 (WCAG 2.1, 1.4.3) whatever was picked, so the readable colours are computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

WHITE = "#ffffff"
BLACK = "#000000"
# DKFDS's text colour: near-black, as on borger.dk.
DARK = "#1a1a1a"
# WCAG 2.1 AA for normal text.
MINIMUM_CONTRAST = 4.5


def _channels(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected #rrggbb, got {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(red: float, green: float, blue: float) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, round(c))) for c in (red, green, blue)))


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance, 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """White text where it is readable on the background, else dark text.

    White is preferred (it is what a municipality's coloured button usually shows). Where
    white falls below 4.5:1, DKFDS's near-black is used, or black for the few mid-greys where
    near-black falls short too: one of white and black always reaches 4.58:1.
    """
    for candidate in (WHITE, DARK):
        if contrast_ratio(candidate, background) >= MINIMUM_CONTRAST:
            return candidate
    return BLACK


def mix(colour: str, other: str, amount: float) -> str:
    """`amount` (0 to 1) of `other` mixed into `colour`, channel by channel."""
    mine, theirs = _channels(colour), _channels(other)
    return _hex(*(a + (b - a) * amount for a, b in zip(mine, theirs, strict=True)))


def readable_on(colour: str, background: str, minimum: float = MINIMUM_CONTRAST) -> str:
    """The colour itself if it reads on the background, else the nearest darker or lighter
    shade that does (towards black on a light background, towards white on a dark one)."""
    if contrast_ratio(colour, background) >= minimum:
        return colour.lower()
    towards = BLACK if relative_luminance(background) > 0.18 else WHITE
    for step in range(1, 21):
        shade = mix(colour, towards, step / 20)
        if contrast_ratio(shade, background) >= minimum:
            return shade
    return towards


@dataclass(frozen=True)
class Theme:
    """The custom properties /theme.css hands to samskab.css."""

    primary: str  # buttons' background
    on_primary: str  # text on primary
    primary_hover: str
    on_primary_hover: str
    link: str  # links on white
    header: str  # the header band's background
    on_header: str  # text, links and focus outlines on the header band


def theme_for(*, primary: str, header: str) -> Theme:
    primary = primary.lower()
    header = header.lower()
    # A darker shade reads as "pressed", as DKFDS's own buttons do on hover.
    hover = mix(primary, BLACK, 0.2)
    return Theme(
        primary=primary,
        on_primary=text_colour_on(primary),
        primary_hover=hover,
        on_primary_hover=text_colour_on(hover),
        link=readable_on(primary, WHITE),
        header=header,
        on_header=text_colour_on(header),
    )
