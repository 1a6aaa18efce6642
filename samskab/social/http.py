"""One way to call the networks' APIs (httpx), and their errors in one shape.

Every network answers a rate limit, an expired token and a refused post differently; the
clients turn each answer into a NetworkError whose `kind` says what the caller does next:
wait and retry (TEMPORARY, with the network's own Retry-After where it gave one), refresh
the token and retry once (AUTH), give up with the network's reason (PERMANENT), or know the
post is already there (DUPLICATE).
"""

from __future__ import annotations

import email.utils
import time
from datetime import UTC, datetime
from enum import StrEnum

import httpx
from django.conf import settings

TIMEOUT_S = 20.0
USER_AGENT = "Samskab (+https://github.com/samskab)"

DEFAULTS = {
    "x_api": "https://api.x.com",
    "x_authorize": "https://x.com/i/oauth2/authorize",
    "facebook_graph": "https://graph.facebook.com/v21.0",
    "facebook_dialog": "https://www.facebook.com/v21.0/dialog/oauth",
    "linkedin_api": "https://api.linkedin.com",
    "linkedin_oauth": "https://www.linkedin.com/oauth/v2",
    "google_authorize": "https://accounts.google.com/o/oauth2/v2/auth",
    "google_token": "https://oauth2.googleapis.com/token",
    "youtube_api": "https://www.googleapis.com/youtube/v3",
    "bluesky": "https://bsky.social",
}


def endpoint(name: str) -> str:
    """A network's API address (settings.SOCIAL_ENDPOINTS replaces it, for the tests' fakes)."""
    overrides = getattr(settings, "SOCIAL_ENDPOINTS", None) or {}
    return overrides.get(name) or DEFAULTS[name]


class ErrorKind(StrEnum):
    TEMPORARY = "temporary"
    AUTH = "auth"
    PERMANENT = "permanent"
    DUPLICATE = "duplicate"


class NetworkError(Exception):
    def __init__(
        self,
        reason: str,
        *,
        kind: ErrorKind = ErrorKind.TEMPORARY,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason[:480]
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


def client(token: str = "") -> httpx.Client:
    headers = {"User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(timeout=TIMEOUT_S, headers=headers, follow_redirects=False)


def retry_after(response: httpx.Response, *, now: float | None = None) -> float | None:
    """Seconds to wait, from Retry-After (seconds or a date) or the networks' reset headers:
    x-rate-limit-reset (X, epoch seconds), ratelimit-reset (Bluesky, epoch seconds) and
    X-RateLimit-Reset (Mastodon, an ISO 8601 time)."""
    now = time.time() if now is None else now
    value = response.headers.get("retry-after")
    if value:
        if value.strip().isdigit():
            return float(value)
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is not None:
            return max(0.0, parsed.timestamp() - now)
    for name in ("x-rate-limit-reset", "ratelimit-reset"):
        value = response.headers.get(name, "")
        if value.strip().isdigit():
            return max(0.0, float(value) - now)
    value = response.headers.get("x-ratelimit-reset", "")
    if value:
        try:
            reset = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if reset.tzinfo is None:
            reset = reset.replace(tzinfo=UTC)
        return max(0.0, reset.timestamp() - now)
    return None


def send(http: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response:
    """The request; a network that cannot be reached is a TEMPORARY error, as are 5xx and 429
    answers. Other answers are returned for the network's client to judge."""
    try:
        response = http.request(method, url, **kwargs)
    except httpx.TimeoutException as error:
        raise NetworkError(f"No answer in time ({error.__class__.__name__}).") from error
    except httpx.TransportError as error:
        raise NetworkError(f"The network could not be reached: {error}") from error
    if response.status_code == 429:
        raise NetworkError(
            "Rate limit: the network asks us to wait.",
            status=429,
            retry_after=retry_after(response),
        )
    if response.status_code >= 500:
        raise NetworkError(
            f"The network has a problem (HTTP {response.status_code}).",
            status=response.status_code,
            retry_after=retry_after(response),
        )
    return response


def json_of(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
