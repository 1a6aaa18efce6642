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
characters (POST /2/media/metadata). LinkedIn: fewer than 36,152,320 pixels (Images API,
"Image specifications"; it documents no size in bytes, so we keep pictures under 8 MB).
A bigger picture is made smaller (pictures.py).

Mastodon's limits are each server's own: the figures above are a server's defaults, and
what the account's server says in its instance information (GET /api/v2/instance:
configuration.statuses max_characters and characters_reserved_per_url,
configuration.media_attachments image_size_limit, image_matrix_limit and, from Mastodon
4.4, description_limit) is read when the account is connected and used instead (`of`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

LINK_RE = re.compile(r"https?://\S+")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Limits:
    length: int
    link_length: int | None  # a link counts as this many, or in full when None
    picture_bytes: int
    alt_length: int
    weighted: bool = False
    picture_pixels: int | None = None  # width x height at most; None when none is documented


LIMITS = {
    "mastodon": Limits(500, 23, 16 * 1024 * 1024, 1500, picture_pixels=33_177_600),
    "bluesky": Limits(300, None, 2_000_000, 2000),
    "x": Limits(280, 23, 5 * 1024 * 1024, 1000, weighted=True),
    "facebook": Limits(63206, None, 10_000_000, 1000),
    "linkedin": Limits(3000, None, 8 * 1024 * 1024, 4086, picture_pixels=36_152_319),
}

# What a Mastodon server's configuration may say, where it is, and which limit it sets.
SERVER_KEYS = {
    ("statuses", "max_characters"): "length",
    ("statuses", "characters_reserved_per_url"): "link_length",
    ("media_attachments", "image_size_limit"): "picture_bytes",
    ("media_attachments", "image_matrix_limit"): "picture_pixels",
    ("media_attachments", "description_limit"): "alt_length",
}


def server_limits(configuration: Any) -> dict[str, dict[str, int]]:
    """The limits a Mastodon server's instance configuration states, as positive whole
    numbers, and nothing else from it (it is stored on the account)."""
    found: dict[str, dict[str, int]] = {}
    if not isinstance(configuration, Mapping):
        return found
    for (section, key), _name in SERVER_KEYS.items():
        part = configuration.get(section)
        value = part.get(key) if isinstance(part, Mapping) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            found.setdefault(section, {})[key] = value
    return found


def of(network: str, server: Mapping[str, Any] | None = None) -> Limits:
    """The network's limits; on Mastodon, with what the account's server states in place of
    the defaults (`server_limits`)."""
    limits = LIMITS[network]
    if network != "mastodon" or not server:
        return limits
    stated = server_limits(server)
    changes: dict[str, Any] = {
        name: stated[section][key]
        for (section, key), name in SERVER_KEYS.items()
        if key in stated.get(section, {})
    }
    return replace(limits, **changes)


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


def length(text: str, network: str, server: Mapping[str, Any] | None = None) -> int:
    """How long the network (on Mastodon: the account's server) counts the text."""
    limits = of(network, server)
    total = 0
    position = 0
    for match in LINK_RE.finditer(text):
        total += _plain_length(text[position : match.start()], limits.weighted)
        link = match.group()
        total += limits.link_length if limits.link_length else _plain_length(link, False)
        position = match.end()
    return total + _plain_length(text[position:], limits.weighted)


def fits(text: str, network: str, server: Mapping[str, Any] | None = None) -> bool:
    return length(text, network, server) <= of(network, server).length


def fit(text: str, network: str, server: Mapping[str, Any] | None = None) -> str:
    """The text cut to the network's length, keeping every link whole: the words before the
    last link are shortened first (with an ellipsis), then those after it."""
    if fits(text, network, server):
        return text
    text = text.strip()
    links = LINK_RE.findall(text)
    tail = ""
    if links:
        last = links[-1]
        head, _, after = text.rpartition(last)
        tail = last + after
        if not fits(tail.strip(), network, server):
            tail = last
        text = head.rstrip()
    limit = of(network, server).length
    joiner = "\n\n" if tail else ""
    room = limit - (length(tail, network, server) if tail else 0) - len(joiner)
    words = text.split(" ")
    while words and length(" ".join(words) + ELLIPSIS, network, server) > room:
        words.pop()
    head = (" ".join(words).rstrip(" ,.;:") + ELLIPSIS) if words else ""
    return (head + joiner + tail).strip() if head else tail.strip()


def fit_alt(alt: str, network: str, server: Mapping[str, Any] | None = None) -> str:
    limit = of(network, server).alt_length
    return alt if len(alt) <= limit else alt[: limit - 1].rstrip() + ELLIPSIS
