"""Clock times for offsets into a recording, as operators type them (pure: no Django)."""

from __future__ import annotations

import re

TIMECODE_RE = re.compile(r"^(?:(?:(\d{1,2}):)?(\d{1,3}):)?(\d{1,6})(?:[.,](\d{1,3}))?$")


def parse_offset_ms(text: str) -> int | None:
    """'1:02:03.5' -> 3723500; '12:30' -> 750000; '95' -> 95000; None when malformed."""
    match = TIMECODE_RE.match(text.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if (hours or minutes) and int(seconds) >= 60:
        return None
    if hours and int(minutes) >= 60:
        return None
    millis = int((fraction or "0").ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds)) * 1000 + millis


def format_offset_ms(offset_ms: int) -> str:
    """3723500 -> '1:02:03.500' (what the timeline editor's fields show)."""
    seconds, millis = divmod(max(0, offset_ms), 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{millis:03d}"
