"""The `memory` broker: one process (`samskab serve` with one worker), no Redis.

Events published in this process reach this process's viewers. A Django shell, a task
worker or a second server process has its own memory and reaches nobody: they need the
`redis` broker (docs/live.md).
"""

import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from samskab.live import conf
from samskab.live.brokers.base import Broker, Subscriber
from samskab.live.events import Event, Resume, new_epoch, plan_resume

if TYPE_CHECKING:
    from samskab.live.hub import Hub

PRUNE_EVERY = 1024


class _Channel:
    __slots__ = ("buffer", "seq", "touched")

    def __init__(self, size: int):
        self.seq = 0
        self.buffer: deque[Event] = deque(maxlen=size)
        self.touched = time.monotonic()


class MemorySubscriber(Subscriber):
    def __init__(self, broker: "MemoryBroker", hub: "Hub"):
        self.broker = broker
        self.hub = hub

    async def close(self) -> None:
        self.broker.detach(self.hub)


class MemoryBroker(Broker):
    def __init__(self) -> None:
        # One epoch per process start: ids from an earlier run of the server mean "reload".
        self.epoch = new_epoch()
        self._lock = threading.Lock()
        self._channels: dict[str, _Channel] = {}
        self._hub: Hub | None = None
        self._published = 0

    def publish(self, channel: str, event_type: str, data_json: str) -> Event:
        # Under the lock: ids in publishing order, and hand-over to the event loop in that
        # same order (call_soon_threadsafe is first in, first out), from any thread.
        with self._lock:
            state = self._channels.get(channel)
            if state is None:
                state = self._channels[channel] = _Channel(conf.replay_size())
            state.seq += 1
            event = Event.build(self.epoch, state.seq, event_type, data_json)
            state.buffer.append(event)
            state.touched = time.monotonic()
            hub = self._hub
            if hub is not None:
                try:
                    hub.loop.call_soon_threadsafe(hub.deliver, channel, event)
                except RuntimeError:  # the hub's loop has closed
                    self._hub = None
            self._published += 1
            if self._published % PRUNE_EVERY == 0:
                self._prune()
        return event

    async def apublish(self, channel: str, event_type: str, data_json: str) -> Event:
        return self.publish(channel, event_type, data_json)

    def resume(self, channel: str, last_id: str | None) -> Resume:
        with self._lock:
            state = self._channels.get(channel)
            if state is None:
                return plan_resume(last_id, None, 0, [])
            return plan_resume(last_id, self.epoch, state.seq, list(state.buffer))

    async def aresume(self, channel: str, last_id: str | None) -> Resume:
        return self.resume(channel, last_id)

    def viewer_count(self, channel: str) -> int:
        hub = self._hub
        return hub.local_count(channel) if hub is not None else 0

    async def aviewer_count(self, channel: str) -> int:
        return self.viewer_count(channel)

    def subscriber(self, hub: "Hub") -> Subscriber:
        with self._lock:
            self._hub = hub
        return MemorySubscriber(self, hub)

    def detach(self, hub: "Hub") -> None:
        with self._lock:
            if self._hub is hub:
                self._hub = None

    def _prune(self) -> None:
        # Idle channels forget their events but keep their counter, so that an old id is
        # never mistaken for a new one.
        horizon = time.monotonic() - conf.replay_ttl_seconds()
        for state in self._channels.values():
            if state.touched < horizon and state.buffer:
                state.buffer.clear()
