"""Each network's limits on a post, and fitting a text into them.

Pure: no Django, so the rules are tested without a database.

- Mastodon: 500 characters; every link counts as 23 (the server's default configuration).
- Bluesky: 300 graphemes; a link counts in full (we shorten none).
- X: 280, weighted: every link counts as 23 (t.co), and characters outside the Latin
  ranges count twice (the twitter-text configuration v3, simplified: æ, ø and å count once).
- Facebook: 63,206 characters; LinkedIn: 3,000 characters.
Pictures: the size each accepts and the longest alt text. Bluesky: an image of up to
2,000,000 bytes (lexicons/app/bsky/embed/images.json, maxSize; formerly 1 MB). Facebook: a
photo under 10 MB (Graph API Photo reference, "Creating"). X: alt text up to 1,000
characters (POST /2/media/metadata). A bigger picture is made smaller (pictures.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LINK_RE = re.compile(r"https?://\S+")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Limits:
    length: int
    link_length: int | None  # a link counts as this many, or in full when None
    picture_bytes: int
    alt_length: int
    weighted: bool = False


LIMITS = {
    "mastodon": Limits(500, 23, 16 * 1024 * 1024, 1500),
    "bluesky": Limits(300, None, 2_000_000, 2000),
    "x": Limits(280, 23, 5 * 1024 * 1024, 1000, weighted=True),
    "facebook": Limits(63206, None, 10_000_000, 1000),
    "linkedin": Limits(3000, None, 8 * 1024 * 1024, 4086),
}


def _char_weight(character: str, weighted: bool) -> int:
    if not weighted:
        return 1
    code = ord(character)
    # twitter-text v3 counts these ranges as 1 and everything else (CJK, emoji) as 2.
    light = (
        code <= 0x10FF
        or 0x2000 <= code <= 0x200D
        or 0x2010 <= code <= 0x201F
        or 0x2032 <= code <= 0x2037
    )
    return 1 if light else 2


def _plain_length(text: str, weighted: bool) -> int:
    # Graphemes, roughly: combining marks add nothing to the one before.
    return sum(
        _char_weight(character, weighted)
        for character in text
        if not unicodedata.combining(character)
    )


def length(text: str, network: str) -> int:
    """How long the network counts the text."""
    limits = LIMITS[network]
    total = 0
    position = 0
    for match in LINK_RE.finditer(text):
        total += _plain_length(text[position : match.start()], limits.weighted)
        link = match.group()
        total += limits.link_length if limits.link_length else _plain_length(link, False)
        position = match.end()
    return total + _plain_length(text[position:], limits.weighted)


def fits(text: str, network: str) -> bool:
    return length(text, network) <= LIMITS[network].length


def fit(text: str, network: str) -> str:
    """The text cut to the network's length, keeping every link whole: the words before the
    last link are shortened first (with an ellipsis), then those after it."""
    if fits(text, network):
        return text
    text = text.strip()
    links = LINK_RE.findall(text)
    tail = ""
    if links:
        last = links[-1]
        head, _, after = text.rpartition(last)
        tail = last + after
        if not fits(tail.strip(), network):
            tail = last
        text = head.rstrip()
    limit = LIMITS[network].length
    joiner = "\n\n" if tail else ""
    room = limit - (length(tail, network) if tail else 0) - len(joiner)
    words = text.split(" ")
    while words and length(" ".join(words) + ELLIPSIS, network) > room:
        words.pop()
    head = (" ".join(words).rstrip(" ,.;:") + ELLIPSIS) if words else ""
    return (head + joiner + tail).strip() if head else tail.strip()


def fit_alt(alt: str, network: str) -> str:
    limit = LIMITS[network].alt_length
    return alt if len(alt) <= limit else alt[: limit - 1].rstrip() + ELLIPSIS
