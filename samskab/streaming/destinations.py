"""Where YouTube and Facebook take a stream, and the full address ffmpeg publishes to.

Pure: no Django, so the rules are tested without a database.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# The ingest addresses YouTube Studio and Facebook's Live Producer show for a stream key.
YOUTUBE_URL = "rtmp://a.rtmp.youtube.com/live2"
FACEBOOK_URL = "rtmps://live-api-s.facebook.com:443/rtmp"
DEFAULT_URLS = {"youtube": YOUTUBE_URL, "facebook": FACEBOOK_URL}


class BadDestination(ValueError):
    """The address cannot be published to; the message says why in a sentence."""


def server_url(kind: str, url: str) -> str:
    """The server address to use: the one given, or the platform's usual one."""
    url = url.strip()
    if not url:
        if kind not in DEFAULT_URLS:
            raise BadDestination("Give the server address (rtmp:// or rtmps://).")
        return DEFAULT_URLS[kind]
    parts = urlsplit(url)
    if parts.scheme not in ("rtmp", "rtmps") or not parts.hostname:
        raise BadDestination("The server address must start with rtmp:// or rtmps://.")
    if kind == "facebook" and parts.scheme != "rtmps":
        raise BadDestination("Facebook Live takes streams only over RTMPS (rtmps://).")
    if any(character.isspace() for character in url):
        raise BadDestination("The server address cannot contain spaces.")
    return url


def publish_url(kind: str, url: str, key: str) -> str:
    """The address ffmpeg publishes to: server address and stream key."""
    base = server_url(kind, url).rstrip("/")
    if not key:
        if kind in DEFAULT_URLS:
            raise BadDestination("Give the stream key that the platform shows.")
        return base
    if any(character.isspace() or character in "?#" for character in key):
        raise BadDestination("A stream key cannot contain spaces, ? or #.")
    return f"{base}/{key}"
