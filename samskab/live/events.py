"""Live events on the wire: channel names, event ids and server-sent-event frames.

Pure: no Django, so the brokers, the hub and the benchmark share one definition of the
wire format and it is tested in milliseconds.

An event id is "<epoch>-<seq>". The sequence counts up per channel; the epoch names the
broker's memory of that channel (a process start for `memory`, a Redis that was restarted
or forgot the channel for `redis`). A browser resuming from another epoch cannot be told
what it missed, so it is told to reload.
"""

import re
import secrets
import string
import time
from dataclasses import dataclass

CHANNEL_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}(?::[A-Za-z0-9_.-]{1,64}){1,4}$")
EVENT_TYPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
EPOCH_RE = re.compile(r"^[a-z0-9]{1,24}$")

HEARTBEAT_FRAME = b": keep-alive\n\n"
OPEN_FRAME = b": open\n\n"
RELOAD_EVENT = "reload"
# Published by a channel's owner when its listeners may no longer be allowed (a meeting
# unpublished): each stream ends after delivering it, and the browser's reconnection is
# authorised again (live.close_channel).
CLOSE_EVENT = "close"
_BASE36 = string.digits + string.ascii_lowercase


def channel_is_valid(name: str) -> bool:
    """`meeting:42`, `poll:7`, `comments:meeting:42`: a kind, then one to four parts."""
    return bool(CHANNEL_RE.match(name))


def channel_kind(name: str) -> str:
    return name.split(":", 1)[0]


def channel_key(name: str) -> str:
    """What follows the kind: `42` for `meeting:42`, `meeting:42` for `comments:meeting:42`."""
    return name.split(":", 1)[1]


def event_type_is_valid(event_type: str) -> bool:
    return bool(EVENT_TYPE_RE.match(event_type))


def new_epoch() -> str:
    """A short name that differs at every broker restart: milliseconds, then randomness."""
    millis = int(time.time() * 1000)
    digits = []
    while millis:
        millis, rest = divmod(millis, 36)
        digits.append(_BASE36[rest])
    return "".join(reversed(digits)) + "".join(secrets.choice(_BASE36) for _ in range(4))


def format_id(epoch: str, seq: int) -> str:
    return f"{epoch}-{seq}"


def parse_id(text: str | None) -> tuple[str, int] | None:
    """'lx3k9abcd-17' -> ('lx3k9abcd', 17); anything else -> None."""
    if not text:
        return None
    epoch, sep, seq = text.strip().rpartition("-")
    if not sep or not EPOCH_RE.match(epoch) or not seq.isdigit() or len(seq) > 18:
        return None
    return epoch, int(seq)


def format_frame(event_id: str, event_type: str, data_json: str) -> bytes:
    """One SSE event. `data_json` is compact JSON: it never contains a line break.

    The Redis broker builds the same bytes in Lua (brokers/redis.py); a test keeps them equal.
    """
    return f"id: {event_id}\nevent: {event_type}\ndata: {data_json}\n\n".encode()


def reload_frame(position: str) -> bytes:
    """Tell the page to fetch its state again; `position` becomes its Last-Event-ID.

    An empty id resets the browser's Last-Event-ID, so the next reconnection starts fresh.
    """
    return f"id: {position}\nevent: {RELOAD_EVENT}\ndata: {{}}\n\n".encode()


def retry_frame(milliseconds: int) -> bytes:
    return f"retry: {int(milliseconds)}\n\n".encode()


class Event:
    """One published event, shared by every connection it is sent to (never copied)."""

    __slots__ = ("epoch", "frame", "seq", "type")

    def __init__(self, epoch: str, seq: int, event_type: str, frame: bytes):
        self.epoch = epoch
        self.seq = seq
        self.type = event_type
        self.frame = frame

    @property
    def id(self) -> str:
        return format_id(self.epoch, self.seq)

    @classmethod
    def build(cls, epoch: str, seq: int, event_type: str, data_json: str) -> "Event":
        frame = format_frame(format_id(epoch, seq), event_type, data_json)
        return cls(epoch, seq, event_type, frame)

    @classmethod
    def from_frame(cls, frame: bytes) -> "Event":
        """Read back a frame made by format_frame (or by the Redis script)."""
        head, _sep, _rest = frame.partition(b"\n")
        if not head.startswith(b"id: "):
            raise ValueError("a live frame starts with its id")
        parsed = parse_id(head[4:].decode())
        if parsed is None:
            raise ValueError("a live frame's id is malformed")
        event_type = _field(frame, b"\nevent: ")
        return cls(parsed[0], parsed[1], event_type.decode(), frame)

    def data_json(self) -> str:
        return _field(self.frame, b"\ndata: ").decode()

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.type}>"


def _field(frame: bytes, marker: bytes) -> bytes:
    start = frame.find(marker)
    if start < 0:
        raise ValueError(f"a live frame lacks {marker!r}")
    start += len(marker)
    return frame[start : frame.index(b"\n", start)]


@dataclass(frozen=True)
class Resume:
    """What a browser resuming after `last_id` gets: the events it missed, or a reload.

    `position` is the channel's newest id (empty when the broker knows nothing of it).
    """

    events: list[Event]
    reload: bool
    position: str


def plan_resume(last_id: str | None, epoch: str | None, seq: int, buffered: list[Event]) -> Resume:
    """Decide from the channel's position (epoch, seq) and its replay buffer (oldest first).

    No last id: nothing to replay. Another epoch, an unreadable id, an id from the future or
    a gap older than the buffer: reload. Otherwise the buffered events after the last id.
    """
    position = format_id(epoch, seq) if epoch else ""
    if not last_id:
        return Resume([], False, position)
    parsed = parse_id(last_id)
    if parsed is None or epoch is None or parsed[0] != epoch or parsed[1] > seq:
        return Resume([], True, position)
    after = parsed[1]
    missed = [event for event in buffered if event.seq > after]
    if after < seq and (not missed or missed[0].seq != after + 1):
        return Resume([], True, position)
    return Resume(missed, False, position)


# --- event shapes ----------------------------------------------------------------------
#
# Each channel kind declares the events it carries and the shape of their data, so the
# browser code and the services agree on one written contract, checked at every publication:
#
#     {"tally": {"poll": int, "status": str, "questions": [{"id": int, "options": [dict]}]},
#      "removed": {"id": int, "reason?": str}}
#
# A shape maps each key to a spec: a JSON type (str, int, float, bool, list, dict), None for
# null, a nested shape (a dict), a one-element list [spec] for a list of spec, or a tuple of
# specs for "any of". A key ending in "?" may be absent. Other keys are refused: an event
# carries what its declaration says and nothing more.

Spec = object
Shape = dict[str, Spec]


def shape_errors(shape: Shape, data: object, path: str = "data") -> list[str]:
    """What is wrong with `data` (decoded JSON) against `shape`; empty when it conforms."""
    if not isinstance(data, dict):
        return [f"{path} is {_json_type(data)}, not an object"]
    errors: list[str] = []
    declared = {key.rstrip("?") for key in shape}
    for key, spec in shape.items():
        name = key.rstrip("?")
        if name not in data:
            if not key.endswith("?"):
                errors.append(f"{path}.{name} is missing")
            continue
        errors.extend(_spec_errors(spec, data[name], f"{path}.{name}"))
    errors.extend(f"{path}.{key} is not declared" for key in data if key not in declared)
    return errors


def _spec_errors(spec: Spec, value: object, path: str) -> list[str]:
    if isinstance(spec, tuple):
        if any(not _spec_errors(option, value, path) for option in spec):
            return []
        return [f"{path} is {_json_type(value)}, not any of {_spec_name(spec)}"]
    if spec is None:
        return [] if value is None else [f"{path} is {_json_type(value)}, not null"]
    if isinstance(spec, dict):
        return shape_errors(spec, value, path)
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [f"{path} is {_json_type(value)}, not a list"]
        (item_spec,) = spec
        return [
            e for i, item in enumerate(value) for e in _spec_errors(item_spec, item, f"{path}[{i}]")
        ]
    if spec is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif spec is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, spec)  # type: ignore[arg-type]
    return [] if ok else [f"{path} is {_json_type(value)}, not {_spec_name(spec)}"]


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "object"}.get(
        type(value), type(value).__name__
    )


def _spec_name(spec: Spec) -> str:
    if isinstance(spec, tuple):
        return " | ".join(_spec_name(option) for option in spec)
    if spec is None:
        return "null"
    if isinstance(spec, dict):
        return "object"
    if isinstance(spec, list):
        return "list"
    return getattr(spec, "__name__", str(spec))
