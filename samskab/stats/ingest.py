"""Taking in the player's heartbeats and events cheaply, and refusing what is not genuine.

A page with the player carries a *ticket*: the meeting and a random page-load id, signed
with the site's key and valid for a day. Every beacon presents it with a sequence number
that must grow. So a beacon that was not issued by our page (forged), one sent twice
(replayed), a flood from one page load, an unknown kind, or a position beyond the recording
is dropped, and only counted as dropped (`Dropped`, per day and reason).

Accepted events wait in this process's memory and are written in one insert of
`STATS_FLUSH_EVENTS` (or after `STATS_FLUSH_SECONDS`): a heartbeat costs no query of its
own. Nothing that names a person is stored: no account, no address, no cookie, only
pseudonyms that change every day (`day_pseudonym`).
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

TICKET_SALT = "samskab.stats.ticket"
TICKET_MAX_AGE_S = 24 * 3600
# What a browser may send; the rest (feedback, votes, ...) only the server records.
PLAYER_KINDS = frozenset({"hb", "play", "jump", "share", "embed", "clip"})
NETWORKS = frozenset({"facebook", "x", "linkedin", "bluesky", "email", "mastodon", "copy"})
# At most this many beacons a minute from one page load (a heartbeat every 15 s is 4).
PER_MINUTE = 20
# A heartbeat reports at most this many seconds watched since the previous one.
MAX_WATCHED_S = 60
# Positions may run this far past what the server knows of the recording's length.
POSITION_SLACK_S = 120
MAX_POSITION_S = 48 * 3600
MEETING_FACTS_TTL_S = 30
STATE_TTL_S = 3 * 3600

# "overload": more beacons waiting in one process than it can check (stats/fastbeacon.py).
DROP_REASONS = (
    "malformed",
    "forged",
    "replayed",
    "flood",
    "kind",
    "position",
    "off",
    "overload",
)


@dataclass(frozen=True)
class MeetingFacts:
    status: str
    duration_s: int | None
    recording_started_at: datetime | None
    starts_at: datetime | None


# --- the ticket ------------------------------------------------------------------------


def ticket_issue(meeting_id: int) -> str:
    nonce = secrets.token_urlsafe(9)
    return signing.TimestampSigner(salt=TICKET_SALT).sign(f"{meeting_id}.{nonce}")


# Tickets whose signature was checked, with the moment they expire: a page load sends the
# same ticket with every beacon (240 an hour), and checking its HMAC again each time was a
# fifth of the CPU of taking a beacon in. Only good tickets are kept, by their exact text.
_tickets: dict[str, tuple[int, str, float]] = {}
TICKETS_KEPT = 20_000


def ticket_read(value: object) -> tuple[int, str] | None:
    if not isinstance(value, str) or len(value) > 200:
        return None
    known = _tickets.get(value)
    if known is not None and time.time() - known[2] <= TICKET_MAX_AGE_S:
        return known[0], known[1]
    signer = signing.TimestampSigner(salt=TICKET_SALT)
    try:
        raw = signer.unsign(value, max_age=TICKET_MAX_AGE_S)
    except signing.BadSignature:
        return None
    meeting, _sep, nonce = raw.partition(".")
    if not meeting.isdigit() or not nonce:
        return None
    signed_at = signing.b62_decode(value.rsplit(signer.sep, 2)[1])
    if len(_tickets) >= TICKETS_KEPT:
        _tickets.clear()
    _tickets[value] = (int(meeting), nonce, signed_at)
    return int(meeting), nonce


# --- pseudonyms ------------------------------------------------------------------------


_day_keys: dict[date, bytes] = {}


def day_pseudonym(value: str, day: date) -> str:
    """A keyed hash of `value` that changes every day: countable within the day, never
    linkable to the viewer token (or its at-rest hash in other tables) or across days."""
    key = _day_keys.get(day)
    if key is None:
        key = hashlib.sha256(f"{settings.SECRET_KEY}:stats:{day.isoformat()}".encode()).digest()
        if len(_day_keys) > 4:
            _day_keys.clear()
        _day_keys[day] = key
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:16]


def device_class(user_agent: str) -> str:
    ua = user_agent.lower()
    if "ipad" in ua or "tablet" in ua or ("android" in ua and "mobile" not in ua):
        return "tablet"
    if "mobi" in ua or "iphone" in ua:
        return "mobile"
    return "desktop"


# --- what a meeting allows -------------------------------------------------------------

_facts: dict[int, tuple[float, MeetingFacts | None]] = {}
_facts_lock = threading.Lock()


def meeting_facts(meeting_id: int) -> MeetingFacts | None:
    now = time.monotonic()
    with _facts_lock:
        cached = _facts.get(meeting_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    from samskab.webcasts.models import Meeting

    row = (
        Meeting.objects.filter(pk=meeting_id, is_published=True)
        .values_list("status", "duration_ms", "recording_started_at", "starts_at")
        .first()
    )
    facts = None
    if row is not None:
        status, duration_ms, started, starts_at = row
        facts = MeetingFacts(
            status, duration_ms // 1000 if duration_ms else None, started, starts_at
        )
    with _facts_lock:
        if len(_facts) > 10_000:
            _facts.clear()
        _facts[meeting_id] = (now + MEETING_FACTS_TTL_S, facts)
    return facts


def position_allowed(facts: MeetingFacts, position_s: int, now: datetime) -> bool:
    if position_s < 0 or position_s > MAX_POSITION_S:
        return False
    if facts.status == "live":
        began = facts.recording_started_at or facts.starts_at
        if began is None:
            return True
        # A live stream's position cannot be later than the time since it began.
        return position_s <= (now - began).total_seconds() + POSITION_SLACK_S
    if facts.duration_s is not None:
        return position_s <= facts.duration_s + POSITION_SLACK_S
    return True


# --- the buffer ------------------------------------------------------------------------


class Buffer:
    """Events and drop counts waiting to be written, per process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list = []
        self.dropped: Counter[tuple[date, str]] = Counter()
        self.since = time.monotonic()

    def add(self, event) -> None:
        with self.lock:
            self.events.append(event)
            due = self._due()
        if due:
            self.flush()

    def drop(self, day: date, reason: str, count: int = 1) -> None:
        with self.lock:
            self.dropped[(day, reason)] += count
            due = self._due()
        if due:
            self.flush()

    def extend(self, events: list, dropped: Counter[tuple[date, str]]) -> None:
        """A batch's events and drops at once (the ASGI beacon path, stats/fastbeacon.py)."""
        with self.lock:
            self.events.extend(events)
            self.dropped.update(dropped)
            due = self._due()
        if due:
            self.flush()

    def flush_if_due(self) -> None:
        with self.lock:
            due = self._due()
        if due:
            self.flush()

    def _due(self) -> bool:
        waiting = len(self.events) + len(self.dropped)
        return waiting >= settings.STATS_FLUSH_EVENTS or (
            waiting and time.monotonic() - self.since >= settings.STATS_FLUSH_SECONDS
        )

    def flush(self) -> int:
        from django.db import transaction
        from django.db.models import F

        from samskab.stats.models import Dropped

        with self.lock:
            events, self.events = self.events, []
            dropped, self.dropped = self.dropped, Counter()
            self.since = time.monotonic()
        if not events and not dropped:
            return 0
        try:
            with transaction.atomic():
                if events:
                    _insert_events(events)
                for (day, reason), count in dropped.items():
                    updated = Dropped.objects.filter(day=day, reason=reason).update(
                        count=F("count") + count
                    )
                    if not updated:
                        Dropped.objects.create(day=day, reason=reason, count=count)
        except Exception:  # statistics never break a page: log and lose them
            logger.exception("Could not write %s statistics events", len(events))
            return 0
        return len(events)


# An event's columns and what a column is when the event does not say (the model's defaults).
EVENT_DEFAULTS = {
    "meeting_id": None,
    "process": "",
    "position_s": None,
    "watched_s": 0,
    "live": None,
    "device": "",
    "detail": "",
    "viewer": "",
    "session": "",
}
EVENT_FIELDS = ("at", "day", "minute", "kind", *EVENT_DEFAULTS)


def _insert_events(events: list[dict]) -> None:
    """One prepared INSERT run for every event (executemany), not the ORM's bulk_create:
    building a model instance and preparing each of its 13 fields took half the CPU of
    taking a beacon in (docs/benchmarks.md), and that CPU is taken from the event loop of
    the same process (the GIL), which serves the live streams."""
    from django.db import connection

    from samskab.stats.models import Event

    ops = connection.ops
    quote = ops.quote_name
    columns = ", ".join(quote(Event._meta.get_field(name).column) for name in EVENT_FIELDS)
    placeholders = ", ".join(["%s"] * len(EVENT_FIELDS))
    table = quote(Event._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  # our names
    defaults = EVENT_DEFAULTS
    rows = [
        (
            ops.adapt_datetimefield_value(event["at"]),
            ops.adapt_datefield_value(event["day"]),
            event["minute"],
            event["kind"],
            *(event.get(name, default) for name, default in defaults.items()),
        )
        for event in events
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


buffer = Buffer()
atexit.register(lambda: buffer.flush())


def flush() -> int:
    return buffer.flush()


def drop(reason: str, now: datetime | None = None) -> str:
    buffer.drop(timezone.localdate(now or timezone.now()), reason)
    return reason


# --- taking in -------------------------------------------------------------------------


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e9:
        return int(value)
    return None


def _origin_host(value: object) -> str | None:
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not value or len(value) > 300:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname[:100]


def _sequence_step(
    state: tuple[int, int, int] | None, seq: int, minute: int
) -> tuple[str | None, tuple[int, int, int] | None]:
    """Why a beacon with this sequence number is dropped (or None), and the page load's new
    state (None when it is unchanged)."""
    last, state_minute, count = state if state else (0, minute, 0)
    if seq <= last:
        return "replayed", None
    if state_minute == minute and count >= PER_MINUTE:
        return "flood", None
    count = count + 1 if state_minute == minute else 1
    return None, (seq, minute, count)


def _sequence_ok(nonce: str, seq: int, minute: int) -> str | None:
    """None if this beacon is new and within the rate; else why it is dropped."""
    key = f"stats:seq:{nonce}"
    refused, state = _sequence_step(cache.get(key), seq, minute)
    if state is not None:
        cache.set(key, state, STATE_TTL_S)
    return refused


def _prepare(
    data: object, *, viewer_key: str | None, user_agent: str, now: datetime
) -> str | tuple[str, int, dict]:
    """Every check but the sequence number's: the reason the beacon is dropped, or its page
    load's nonce, its sequence number and the event to store."""
    if not isinstance(data, dict):
        return "malformed"
    ticket = ticket_read(data.get("t"))
    if ticket is None:
        return "forged"
    meeting_id, nonce = ticket
    kind = data.get("k")
    if kind not in PLAYER_KINDS:
        return "kind"
    seq = _int(data.get("s"))
    if seq is None or seq < 1:
        return "malformed"
    facts = meeting_facts(meeting_id)
    if facts is None:
        return "forged"
    position = _int(data.get("p"))
    if position is not None and not position_allowed(facts, position, now):
        return "position"
    if kind == "hb" and position is None:
        return "malformed"
    detail = ""
    watched = 0
    if kind == "hb":
        watched = _int(data.get("w")) or 0
        if not 0 <= watched <= MAX_WATCHED_S:
            return "malformed"
    elif kind == "share":
        if data.get("d") not in NETWORKS:
            return "malformed"
        detail = str(data["d"])
    elif kind == "embed":
        host = _origin_host(data.get("d"))
        if host is None:
            return "malformed"
        detail = host
    elif kind in ("jump", "clip"):
        number = _int(data.get("d"))
        if number is None or number < 0:
            return "malformed"
        detail = str(number)
    minute = int(now.timestamp() // 60)
    day = timezone.localdate(now)
    session = day_pseudonym(f"page:{nonce}", day)
    live = data.get("l")
    return (
        nonce,
        seq,
        {
            "at": now,
            "day": day,
            "minute": minute,
            "kind": kind,
            "meeting_id": meeting_id,
            "position_s": position,
            "watched_s": watched,
            "live": bool(live) if isinstance(live, bool | int) else None,
            "device": device_class(user_agent),
            "detail": detail,
            "viewer": day_pseudonym(viewer_key, day) if viewer_key else session,
            "session": session,
        },
    )


def accept(
    data: object,
    *,
    viewer_key: str | None,
    user_agent: str = "",
    now: datetime | None = None,
) -> str | None:
    """Take one beacon from a player. Returns None if stored, else the reason it was dropped.

    `viewer_key` is the hashed viewer token if the browser has one (core.viewer); it is
    turned into the day's pseudonym here and not kept.
    """
    now = now or timezone.now()
    prepared = _prepare(data, viewer_key=viewer_key, user_agent=user_agent, now=now)
    if isinstance(prepared, str):
        return drop(prepared, now)
    nonce, seq, event = prepared
    refused = _sequence_ok(nonce, seq, event["minute"])
    if refused:
        return drop(refused, now)
    buffer.add(event)
    return None


@dataclass(frozen=True)
class Beacon:
    """One beacon as the ASGI path took it: the parsed body (or None when it was not JSON),
    the hashed viewer token, the browser string and when it came."""

    data: object
    viewer_key: str | None
    user_agent: str
    at: datetime


def accept_many(beacons: list[Beacon]) -> list[str | None]:
    """`accept` for a batch, in the order they came, with the same checks; the page loads'
    sequence states are read in one round trip to the cache and written in one."""
    outcomes: list[str | None] = []
    prepared: list[tuple[int, str, int, dict]] = []
    for index, beacon in enumerate(beacons):
        if beacon.data is None:
            outcomes.append("malformed")
            continue
        found = _prepare(
            beacon.data, viewer_key=beacon.viewer_key, user_agent=beacon.user_agent, now=beacon.at
        )
        if isinstance(found, str):
            outcomes.append(found)
            continue
        outcomes.append(None)
        prepared.append((index, *found))
    states = cache.get_many({f"stats:seq:{nonce}" for _i, nonce, _s, _e in prepared})
    changed: dict[str, tuple[int, int, int]] = {}
    events = []
    for index, nonce, seq, event in prepared:
        key = f"stats:seq:{nonce}"
        refused, state = _sequence_step(states.get(key), seq, event["minute"])
        if refused:
            outcomes[index] = refused
            continue
        states[key] = changed[key] = state
        events.append(event)
    if changed:
        cache.set_many(changed, STATE_TTL_S)
    dropped: Counter[tuple[date, str]] = Counter()
    for beacon, outcome in zip(beacons, outcomes, strict=True):
        if outcome is not None:
            dropped[(timezone.localdate(beacon.at), outcome)] += 1
    buffer.extend(events, dropped)
    return outcomes


def record(
    kind: str, *, meeting_id: int | None = None, process: str = "", now: datetime | None = None
) -> None:
    """An event the server saw (a vote, an answer, feedback, a comment, a visit)."""
    now = now or timezone.now()
    buffer.add(
        {
            "at": now,
            "day": timezone.localdate(now),
            "minute": int(now.timestamp() // 60),
            "kind": kind,
            "meeting_id": meeting_id,
            "process": process,
        }
    )
