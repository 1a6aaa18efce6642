"""Publishing live events: from services (sync, usually on commit) and from async code.

    live.publish_on_commit(f"poll:{poll.pk}", "tally", {"yes": 12, "no": 3})
    live.publish("demo:board", "message", {"html": "<p>Hello</p>", "target": "#board"})
    await live.apublish("meeting:42", "speaker", {"name": "..."})
    live.publish_coalesced(f"poll:{poll.pk}", "tally", str(poll.pk), tally)

Data is JSON (Django's encoder: dates, decimals, lazy translations). Channel names are
`<kind>:<key>` with a registered kind; a typo fails here, in the service, not silently.
"""

import json
import logging
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from samskab.live import conf
from samskab.live.brokers import get_broker
from samskab.live.brokers.base import LiveUnavailable
from samskab.live.channels import events_of, kind_of
from samskab.live.coalesce import Coalescer
from samskab.live.events import CLOSE_EVENT, event_type_is_valid, shape_errors

logger = logging.getLogger(__name__)


def encode(channel: str, event: str, data: Any) -> str:
    """Check a publication and return its data as one line of JSON."""
    kind = kind_of(channel)
    if kind is None:
        raise ValueError(f"{channel!r} is not a live channel of a registered kind")
    if not event_type_is_valid(event):
        raise ValueError(f"{event!r} is not an event type: a letter, then letters, digits, . _ -")
    data_json = json.dumps(
        {} if data is None else data,
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if len(data_json) > conf.max_event_bytes():
        raise ValueError(f"a live event's data is limited to {conf.max_event_bytes()} bytes")
    declared = events_of(kind.name)
    if declared is not None and event != CLOSE_EVENT:
        _check_shape(kind.name, declared, event, data_json)
    return data_json


def _check_shape(kind: str, declared: dict, event: str, data_json: str) -> None:
    """The data as the browser will read it (after JSON) against the kind's declaration."""
    if event not in declared:
        raise ValueError(f"the {kind!r} channel kind declares no {event!r} event")
    errors = shape_errors(declared[event], json.loads(data_json))
    if errors:
        raise ValueError(f"{kind}/{event} does not match its declared shape: " + "; ".join(errors))


def publish(channel: str, event: str, data: Any = None) -> str:
    """Publish now and return the event's id. Raises LiveUnavailable if the broker is down.

    Blocks for a round trip to Redis with the redis broker: in async code use apublish().
    """
    return get_broker().publish(channel, event, encode(channel, event, data)).id


async def apublish(channel: str, event: str, data: Any = None) -> str:
    return (await get_broker().apublish(channel, event, encode(channel, event, data))).id


def publish_on_commit(channel: str, event: str, data: Any = None, *, using: str | None = None):
    """Publish once the current transaction commits (at once outside a transaction).

    The data is encoded now, as the service sees it. A broker outage is logged, never
    raised into the request that committed: the write stands and pages show it on reload.
    """
    data_json = encode(channel, event, data)
    transaction.on_commit(lambda: _publish_logged(channel, event, data_json), using=using)


def close_channel_on_commit(channel: str) -> None:
    """End every open stream of the channel once the transaction commits: for when who may
    listen has changed (a meeting unpublished). Browsers reconnect and are checked again."""
    publish_on_commit(channel, CLOSE_EVENT)


def _publish_logged(channel: str, event: str, data_json: str) -> None:
    try:
        get_broker().publish(channel, event, data_json)
    except LiveUnavailable:
        logger.warning("live: could not publish %s on %s", event, channel, exc_info=True)


_coalescer: Coalescer | None = None


def coalescer() -> Coalescer:
    global _coalescer
    if _coalescer is None:
        _coalescer = Coalescer(_publish_logged, conf.coalesce_seconds())
    return _coalescer


def publish_coalesced(channel: str, event: str, key: str, data: Any = None) -> None:
    """Publish the newest `data` for `key` within the next LIVE_COALESCE_MS (250 ms)."""
    coalescer().put(channel, event, str(key), encode(channel, event, data))


def viewer_count(channel: str) -> int:
    """Open connections on a channel: exact for memory, within seconds across processes."""
    return get_broker().viewer_count(channel)


async def aviewer_count(channel: str) -> int:
    return await get_broker().aviewer_count(channel)
