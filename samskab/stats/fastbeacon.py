"""The players' beacon answered in front of Django (samskab/asgi.py), checked in batches.

Ten thousand viewers send a heartbeat every 15 s; each answer is the same empty 204 whatever
the beacon was (views_beacon.py: a player never looks at it). So this ASGI middleware takes
`POST /statistik/b/` itself: it reads the small body, answers 204 at once, and puts the
beacon in a queue. One thread per process takes the queue in batches and gives them to
`ingest.accept_many`, which makes every check the Django view makes through
`ingest.accept` (the signed ticket, the kind, the position against the recording, the
growing sequence number and the rate per page load, in the same shared cache) and counts
what it drops by reason. The batch reads and writes the page loads' sequence states in one
round trip each, and accepted events go to the database in one insert per
`STATS_FLUSH_EVENTS`, from that thread: no request waits for the cache or the database, and
the event loop never does.

Bounded: beyond `QUEUE_MAX` waiting beacons (the database has stalled) a beacon is dropped
and counted as "overload". Statistics switched off: every beacon is dropped as "off", as the
view does. The queue is drained when the process exits (atexit), so a restart loses nothing
it had answered, if the process exits normally (`samskab serve` with one worker does on
SIGTERM; uvicorn's worker processes under --workers die by the signal).

Any other request, and the beacon under a mounted prefix (root_path), goes to Django, where
`stats.middleware.BeaconMiddleware` answers it through the view (the test client, WSGI).
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from collections import Counter, deque
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.db import close_old_connections
from django.http.cookie import parse_cookie
from django.urls import reverse

from samskab.core.viewer import SALT, viewer_key
from samskab.stats import ingest

logger = logging.getLogger(__name__)

MAX_BODY = 1024  # as views_beacon.MAX_BODY: a beacon is about 150 bytes
QUEUE_MAX = 50_000
BATCH_MAX = 2_000
# What the Django view answers, less the headers of middleware it never passes through.
RESPONSE_START = {
    "type": "http.response.start",
    "status": 204,
    "headers": [(b"cache-control", b"no-store")],
}
RESPONSE_BODY = {"type": "http.response.body", "body": b""}


class BeaconFastPath:
    """Wraps an ASGI application; see the module's docstring."""

    def __init__(self, app, *, queue_max: int = QUEUE_MAX, start_thread: bool = True):
        self.app = app
        self.path: str | None = None
        self.queue: deque[tuple[bytes | None, str, str, float]] = deque()
        self.queue_max = queue_max
        self.overloaded = 0
        self.wake = threading.Event()
        self.working = threading.Lock()
        self.start_thread = start_thread
        self.thread: threading.Thread | None = None
        self.stopping = False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            return await self.app(scope, receive, send)
        if self.path is None:
            self.path = reverse("stats:beacon")
        if scope["path"] != self.path:
            return await self.app(scope, receive, send)
        cookie = user_agent = ""
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = value.decode("latin-1")
            elif name == b"user-agent":
                user_agent = value.decode("latin-1")[:300]
        body = await _read_body(receive)
        if len(self.queue) >= self.queue_max:
            self.overloaded += 1
        else:
            self.queue.append((body, cookie, user_agent, time.time()))
            if self.thread is None and self.start_thread:
                self.start()
            if len(self.queue) >= BATCH_MAX:
                self.wake.set()
        await send(RESPONSE_START)
        await send(RESPONSE_BODY)
        return None

    # --- the thread that checks and stores ----------------------------------------------

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="stats-beacons", daemon=True)
        self.thread.start()
        atexit.register(self.stop)

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=10)
        self.drain()
        ingest.flush()

    def _run(self) -> None:
        while not self.stopping:
            # A batch every tenth of a second under load; the buffer's time limit when idle.
            self.wake.wait(0.1)
            self.wake.clear()
            try:
                close_old_connections()
                self.drain()
                ingest.buffer.flush_if_due()
            except Exception:  # statistics never break anything; the next batch tries again
                logger.exception("Statistics beacons could not be taken in")

    def drain(self) -> int:
        """Check and store every beacon waiting now; returns how many."""
        done = 0
        with self.working:
            while self.queue or self.overloaded:
                batch = []
                while self.queue and len(batch) < BATCH_MAX:
                    batch.append(self.queue.popleft())
                overloaded, self.overloaded = self.overloaded, 0
                self._take(batch, overloaded)
                done += len(batch)
        return done

    def _take(self, batch: list[tuple[bytes | None, str, str, float]], overloaded: int) -> None:
        from django.utils import timezone

        from samskab.stats.models import stats_settings

        if overloaded:
            ingest.buffer.drop(timezone.localdate(), "overload", overloaded)
        if not batch:
            return
        if not stats_settings().enabled:
            dropped: Counter = Counter()
            for *_rest, at in batch:
                dropped[(timezone.localdate(_moment(at)), "off")] += 1
            ingest.buffer.extend([], dropped)
            return
        signer = signing.get_cookie_signer(salt=settings.VIEWER_COOKIE_NAME + SALT)
        beacons = []
        for body, cookie, user_agent, at in batch:
            beacons.append(
                ingest.Beacon(
                    data=_json(body),
                    viewer_key=_viewer_key(signer, cookie),
                    user_agent=user_agent,
                    at=_moment(at),
                )
            )
        ingest.accept_many(beacons)


def _moment(at: float) -> datetime:
    return datetime.fromtimestamp(at, tz=UTC)


def _json(body: bytes | None) -> object:
    """The beacon's JSON, or None (malformed: too long, not UTF-8, not JSON)."""
    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _viewer_key(signer: signing.Signer, cookie: str) -> str | None:
    """As the view's read_token: the signed viewer cookie's token, hashed, or None."""
    if not cookie:
        return None
    signed = parse_cookie(cookie).get(settings.VIEWER_COOKIE_NAME)
    if not signed:
        return None
    try:
        token = signer.unsign(signed, max_age=settings.VIEWER_COOKIE_AGE)
    except signing.BadSignature:
        return None
    return viewer_key(token)


async def _read_body(receive) -> bytes | None:
    """The body, or None when it is longer than a beacon can be (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
