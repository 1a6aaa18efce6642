"""The live app's settings, with their defaults, read when used (tests override them)."""

from django.conf import settings


def broker_url() -> str:
    return getattr(settings, "LIVE_BROKER_URL", "memory://")


def heartbeat_seconds() -> float:
    """An SSE comment on idle streams, so proxies do not close them (nginx: 60 s)."""
    return float(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 15))


def replay_size() -> int:
    """Events kept per channel for browsers that reconnect with Last-Event-ID."""
    return int(getattr(settings, "LIVE_REPLAY_SIZE", 200))


def replay_ttl_seconds() -> int:
    """A channel idle this long forgets its replay buffer; its viewers reload on resume."""
    return int(getattr(settings, "LIVE_REPLAY_TTL_SECONDS", 24 * 60 * 60))


def client_queue() -> int:
    """Events waiting for one connection before it is dropped as too slow."""
    return int(getattr(settings, "LIVE_CLIENT_QUEUE", 64))


def coalesce_seconds() -> float:
    return int(getattr(settings, "LIVE_COALESCE_MS", 250)) / 1000


def retry_milliseconds() -> int:
    """The browser's first reconnection delay, sent in the stream (live.js backs off)."""
    return int(getattr(settings, "LIVE_RETRY_MS", 2000))


def poll_milliseconds() -> int:
    """How often live.js polls where server-sent events do not get through."""
    return int(getattr(settings, "LIVE_POLL_MS", 5000))


def count_interval_seconds() -> float:
    """How often a process reports its viewer counts to the shared broker."""
    return min(5.0, heartbeat_seconds())


def max_event_bytes() -> int:
    return int(getattr(settings, "LIVE_MAX_EVENT_BYTES", 256 * 1024))


def gc_threshold() -> int:
    """The first garbage-collector generation's size in a serving process (hub.tune_gc)."""
    return int(getattr(settings, "LIVE_GC_THRESHOLD", 50_000))


def demo_enabled() -> bool:
    return bool(getattr(settings, "LIVE_DEMO", False))
