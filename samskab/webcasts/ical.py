"""iCalendar (RFC 5545) written by hand (pure: no Django).

Small enough not to need a library: CRLF line ends, lines folded at 75 octets without
splitting a UTF-8 character, TEXT values escaped, every time in UTC ("Z"), so no VTIMEZONE
is needed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
MAX_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    starts_at: datetime
    ends_at: datetime | None
    summary: str
    stamp: datetime  # when this information last changed (DTSTAMP)
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    # Other control characters are not allowed in a content line at all.
    value = "".join(c for c in value if c in "\n\t" or (ord(c) >= 0x20 and c != "\x7f"))
    return value.replace("\n", "\\n")


def utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes have no place in a calendar")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, continuations starting a space."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space of a continuation counts
        current += char
        size += width
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def calendar(
    events: Iterable[Event], *, name: str, product: str = "-//Samskab//Meetings//DA"
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(event.uid)}",
            f"DTSTAMP:{utc(event.stamp)}",
            f"DTSTART:{utc(event.starts_at)}",
        ]
        if event.ends_at is not None and event.ends_at > event.starts_at:
            lines.append(f"DTEND:{utc(event.ends_at)}")
        lines.append(f"SUMMARY:{escape_text(event.summary)}")
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            # A URI value is not TEXT: no escaping, but it must hold no control characters.
            lines.append(f"URL:{''.join(c for c in event.url if ord(c) > 0x20)}")
        lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
