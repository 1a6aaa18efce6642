"""Which channels exist and who may listen to them: each app declares its channel kinds.

    live.register_channel("meeting", authorize=meeting_is_viewable)  # (user, viewer, key)
    live.register_channel("demo", public=True, events={"message": {"html": str}})

A channel is named `<kind>:<key>` (`meeting:42`, `comments:meeting:42`); `authorize` gets
the user (possibly anonymous), the browser's Viewer and the key (`42`). A channel whose kind
nobody registered does not exist (404). `authorize` may be a plain function (it runs in a
thread and may use the ORM) or a coroutine function.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import sync_to_async

from samskab.live.events import (
    CLOSE_EVENT,
    Shape,
    channel_is_valid,
    channel_key,
    channel_kind,
    event_type_is_valid,
)


@dataclass(frozen=True)
class ChannelKind:
    name: str
    authorize: Callable | None  # None: anyone may listen
    provisional: bool = False  # registered by this app until the owning app registers it

    @property
    def public(self) -> bool:
        return self.authorize is None


_kinds: dict[str, ChannelKind] = {}


def register_channel(
    kind: str,
    *,
    authorize: Callable | None = None,
    public: bool = False,
    replace: bool = False,
    provisional: bool = False,
    events: dict[str, Shape] | None = None,
) -> ChannelKind:
    """Declare a channel kind. A second registration of a kind is an error (two apps
    claiming one name) unless `replace=True`, or the first was `provisional` (the live
    app's own `moderation` kind, which the moderation app may take over).

    `events` declares each event type the kind carries and its data's shape
    (live.events.shape_errors); publishing anything else is an error. `close` is always
    allowed."""
    if (authorize is None) == (not public):
        raise ValueError("register_channel() needs either authorize=... or public=True")
    if not channel_is_valid(f"{kind}:x"):
        raise ValueError(f"{kind!r} is not a channel kind: lower-case letters, digits, - and _")
    existing = _kinds.get(kind)
    if existing is not None and not (replace or existing.provisional):
        raise ValueError(f"the channel kind {kind!r} is registered already")
    _kinds[kind] = ChannelKind(kind, authorize, provisional)
    if events:
        declare_events(kind, events)
    return _kinds[kind]


_events: dict[str, dict[str, Shape]] = {}


def declare_events(kind: str, events: dict[str, Shape]) -> None:
    """Declare events a kind carries, also from an app that publishes on another app's kind
    (polls announce a poll on `meeting:<id>`). Declaring one event twice is an error."""
    declared = _events.setdefault(kind, {})
    for event_type, shape in events.items():
        if event_type == CLOSE_EVENT or not event_type_is_valid(event_type):
            raise ValueError(f"{event_type!r} cannot be declared as an event of {kind!r}")
        if event_type in declared and declared[event_type] != shape:
            raise ValueError(
                f"the {kind!r} channel kind's {event_type!r} event is declared already"
            )
        declared[event_type] = shape


def events_of(kind: str) -> dict[str, Shape] | None:
    """The declared events of a kind, or None when it declares none (then nothing is checked)."""
    return _events.get(kind)


def unregister_channel(kind: str) -> None:
    _kinds.pop(kind, None)
    _events.pop(kind, None)


def kind_of(channel: str) -> ChannelKind | None:
    """The registered kind of a well-formed channel name, or None."""
    if not channel_is_valid(channel):
        return None
    return _kinds.get(channel_kind(channel))


def may_listen(kind: ChannelKind, user, viewer, channel: str) -> bool:
    if kind.authorize is None:
        return True
    if inspect.iscoroutinefunction(kind.authorize):
        raise TypeError(f"the {kind.name!r} channel's authorize is async; use amay_listen()")
    return bool(kind.authorize(user, viewer, channel_key(channel)))


async def amay_listen(kind: ChannelKind, request, channel: str) -> bool:
    """From an async view. Public channels cost nothing: no session, no database."""
    if kind.authorize is None:
        return True
    user = await request.auser()
    viewer = getattr(request, "viewer", None)
    key = channel_key(channel)
    if inspect.iscoroutinefunction(kind.authorize):
        return bool(await kind.authorize(user, viewer, key))
    return bool(await sync_to_async(kind.authorize)(user, viewer, key))
