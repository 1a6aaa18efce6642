"""The hub: in each serving process, one broker subscription per channel, fanned out to
that process's own connections.

Built for thousands of viewers per process. A connection is a small object and a list of
events waiting for it; the stream that writes them runs in the task Django already has
for the request (no task, timer or queue object of its own). Events are shared bytes,
never copied per viewer. Heartbeats and clean-up run from one timer per process.

A connection whose events pile up (the browser stopped reading) is dropped once
LIVE_CLIENT_QUEUE events wait for it; the browser reconnects with Last-Event-ID and gets
what it missed from the replay buffer.
"""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from prometheus_client import Gauge

from samskab.live import conf
from samskab.live.brokers import get_broker
from samskab.live.brokers.base import Broker, LiveUnavailable
from samskab.live.events import (
    CLOSE_EVENT,
    HEARTBEAT_FRAME,
    Event,
    format_id,
    parse_id,
    reload_frame,
    retry_frame,
)
from samskab.live.streaming import release_request_thread

logger = logging.getLogger(__name__)

Position = tuple[str, int]

HEARTBEAT = Event("", 0, "", HEARTBEAT_FRAME)


class ChannelState:
    __slots__ = ("active", "base", "connections", "last", "name", "ready")

    def __init__(self, name: str, now: float):
        self.name = name
        self.connections: set[Connection] = set()
        # The newest event delivered here, and where the channel stood when subscribed:
        # what this process knows, for catching up after a broker reconnection.
        self.last: Position | None = None
        self.base: Position | None = None
        self.active = now
        self.ready: asyncio.Task[None] | None = None


class Connection:
    __slots__ = ("closed", "floor", "pending", "state", "task", "waiter")

    def __init__(self, state: ChannelState):
        self.state = state
        self.pending: Event | list[Event] | None = None
        self.waiter: asyncio.Future[None] | None = None
        # After a resume: events up to here were replayed; their live copies are skipped.
        self.floor: Position | None = None
        self.closed = False
        self.task: asyncio.Task | None = None


def tune_gc() -> None:
    """Make the garbage collector fit a process that holds thousands of streams.

    Each open stream is ~140 objects the collector tracks (Django's request, the tasks
    and frames of its ASGI handler, uvicorn's protocol); every event wakes every stream,
    and the short-lived objects of the wake-ups get promoted until Python's full
    collection runs, scanning them all: seconds at 10,000 viewers, and every viewer's
    event waits. A larger first generation (LIVE_GC_THRESHOLD objects instead of 700)
    lets the wake-ups die young, so full collections become rare. 0 keeps Python's.
    """
    threshold = conf.gc_threshold()
    if threshold and gc.get_threshold()[0] < threshold:
        gc.set_threshold(threshold, 5, 10)
        logger.info("live: garbage collector thresholds set to %s", gc.get_threshold())


class Hub:
    def __init__(self, broker: Broker, loop: asyncio.AbstractEventLoop):
        self.broker = broker
        self.loop = loop
        self.channels: dict[str, ChannelState] = {}
        self.queue_limit = max(2, conf.client_queue())
        self.heartbeat = conf.heartbeat_seconds()
        self.retry = retry_frame(conf.retry_milliseconds())
        self._dropping: dict[Connection, int] = {}
        self._gone: list[str] = []
        self._ticks = 0
        tune_gc()
        self.subscriber = broker.subscriber(self)
        self._ticker = loop.create_task(self._tick(), name="samskab-live-hub")

    # Viewers -------------------------------------------------------------------------

    async def events(self, channel: str, last_id: str | None) -> AsyncIterator[bytes]:
        """The body of one SSE response: what was missed, then live events until the end."""
        release_request_thread()
        conn = self._connect(channel)
        try:
            try:
                first = await self._start(conn, last_id)
            except (LiveUnavailable, TimeoutError) as error:
                # The browser comes back after the retry delay; by then the broker may be.
                logger.warning("live: cannot start a stream on %s: %s", channel, error)
                yield self.retry
                return
            yield first
            loop = self.loop
            while True:
                pending = conn.pending
                if pending is None:
                    if conn.closed:
                        return
                    waiter = conn.waiter = loop.create_future()
                    await waiter
                    continue
                conn.pending = None
                # One event (the usual case) waits as itself, several as a list.
                events = [pending] if isinstance(pending, Event) else pending
                if conn.floor is not None:
                    events = self._after_floor(conn, events)
                    if not events:
                        continue
                if len(events) == 1:
                    yield events[0].frame
                    if events[0].type == CLOSE_EVENT:
                        return
                else:
                    yield b"".join([event.frame for event in events])
                    if any(event.type == CLOSE_EVENT for event in events):
                        return
        finally:
            self._disconnect(conn)

    def _connect(self, channel: str) -> Connection:
        state = self.channels.get(channel)
        if state is None or _failed(state.ready):
            state = self.channels[channel] = ChannelState(channel, self.loop.time())
            state.ready = self.loop.create_task(self._open_channel(state))
        conn = Connection(state)
        conn.task = asyncio.current_task()
        state.connections.add(conn)
        return conn

    async def _open_channel(self, state: ChannelState) -> None:
        await self.subscriber.subscribe(state.name)
        resume = await self.broker.aresume(state.name, None)
        state.base = parse_id(resume.position)

    async def _start(self, conn: Connection, last_id: str | None) -> bytes:
        # Shielded: this viewer leaving must not cancel the subscription others wait for.
        if conn.state.ready is not None:
            await asyncio.shield(conn.state.ready)
        if not last_id:
            # A new viewer: every event after what this process has seen reaches it live,
            # so the position is known here, without asking the broker.
            position = self.position(conn.state.name)
            if position is None:
                return self.retry
            # The retry block also carries the id: it sets the browser's Last-Event-ID
            # without an event, so a reconnection before the next event resumes from here.
            return self.retry[:-1] + f"id: {format_id(*position)}\n\n".encode()
        resume = await self.broker.aresume(conn.state.name, last_id)
        parts = [self.retry]
        if resume.reload:
            parts.append(reload_frame(resume.position))
            conn.floor = parse_id(resume.position)
        elif resume.events:
            parts.extend(event.frame for event in resume.events)
            last = resume.events[-1]
            conn.floor = (last.epoch, last.seq)
        elif resume.position:
            parts = [self.retry[:-1], f"id: {resume.position}\n\n".encode()]
            conn.floor = parse_id(resume.position)
        return b"".join(parts)

    def _after_floor(self, conn: Connection, pending: list[Event]) -> list[Event]:
        epoch, seq = conn.floor or ("", 0)
        kept = [event for event in pending if event.epoch != epoch or event.seq > seq]
        if any(event.epoch for event in kept):
            conn.floor = None  # past the replayed part: everything after is new
        return kept

    def _disconnect(self, conn: Connection) -> None:
        state = conn.state
        state.connections.discard(conn)
        self._dropping.pop(conn, None)
        conn.closed = True
        conn.pending = None
        conn.task = None
        if not state.connections and self.channels.get(state.name) is state:
            del self.channels[state.name]
            self._gone.append(state.name)
            if state.ready is not None and not state.ready.done():
                state.ready.cancel()
            self.subscriber.unsubscribe(state.name)

    # Events --------------------------------------------------------------------------

    def deliver(self, channel: str, event: Event) -> None:
        """An event from the broker, on the hub's loop, in publishing order."""
        state = self.channels.get(channel)
        if state is None:
            return
        last = state.last
        if last is not None and last[0] == event.epoch and event.seq <= last[1]:
            return  # seen already (a catch-up overlapping live delivery)
        state.last = (event.epoch, event.seq)
        state.active = self.loop.time()
        self._fan_out(state, event)

    def _fan_out(self, state: ChannelState, event: Event) -> None:
        # The hot loop at 10,000 viewers: no allocation for a viewer that keeps up (the
        # shared event is its pending item), a list only for one that has fallen behind.
        limit = self.queue_limit
        too_slow = None
        for conn in state.connections:
            pending = conn.pending
            if pending is None:
                conn.pending = event
                waiter = conn.waiter
                if waiter is not None:
                    conn.waiter = None
                    if not waiter.done():
                        waiter.set_result(None)
            elif isinstance(pending, Event):
                conn.pending = [pending, event]
            elif len(pending) < limit:
                pending.append(event)
            else:
                if too_slow is None:
                    too_slow = []
                too_slow.append(conn)
        if too_slow:
            for conn in too_slow:
                self._drop(conn)

    def _drop(self, conn: Connection) -> None:
        """Stop feeding a viewer that does not keep up; its stream ends and it reconnects."""
        conn.state.connections.discard(conn)
        conn.closed = True
        conn.pending = None
        waiter = conn.waiter
        if waiter is not None:
            conn.waiter = None
            if not waiter.done():
                waiter.set_result(None)
        # A stream blocked in writing to a socket nobody reads never comes back to look;
        # the next tick cancels it.
        self._dropping[conn] = self._ticks
        logger.info("live: dropped a connection on %s that fell behind", conn.state.name)

    def position(self, channel: str) -> Position | None:
        state = self.channels.get(channel)
        if state is None:
            return None
        return state.last or state.base

    def catch_up(self, channel: str, epoch: str | None, seq: int, events: list[Event]) -> None:
        """After a broker reconnection: deliver what was published while it was down."""
        state = self.channels.get(channel)
        if state is None or epoch is None:
            return
        known = state.last or state.base
        if known is not None and known[0] == epoch:
            missed = [event for event in events if event.seq > known[1]]
            # A gap, or a history that ends before what was delivered here (a failover
            # dropped the old primary's last writes, and its numbers will be used again).
            if (missed and missed[0].seq != known[1] + 1) or seq < known[1]:
                self._reload(state, epoch, seq)
                return
        else:
            # Another epoch: Redis restarted (or forgot the channel). Everything in its new
            # buffer was published since it came back; deliver it all if it is all there.
            missed = events
            if (missed and missed[0].seq != 1) or (not missed and seq):
                self._reload(state, epoch, seq)
                return
        for event in missed:
            self.deliver(channel, event)

    def _reload(self, state: ChannelState, epoch: str, seq: int) -> None:
        logger.warning("live: %s missed events it cannot replay; viewers reload", state.name)
        state.last = (epoch, seq)
        self._fan_out(state, Event("", 0, "reload", reload_frame(format_id(epoch, seq))))

    # Counting and housekeeping -----------------------------------------------------------

    def local_count(self, channel: str) -> int:
        state = self.channels.get(channel)
        return len(state.connections) if state is not None else 0

    def local_counts(self) -> dict[str, int]:
        return {name: len(state.connections) for name, state in self.channels.items()}

    async def _tick(self) -> None:
        interval = max(0.05, min(5.0, self.heartbeat / 2))
        while True:
            await asyncio.sleep(interval)
            self._ticks += 1
            try:
                self._heartbeat()
                self._cancel_stuck()
                self.subscriber.check()
                gone, self._gone = self._gone, []
                await self.subscriber.report(self.local_counts(), gone)
            except Exception:  # the next tick tries again; a broker outage is logged there
                logger.warning("live: housekeeping failed", exc_info=True)

    def _heartbeat(self) -> None:
        now = self.loop.time()
        for state in list(self.channels.values()):
            if now - state.active >= self.heartbeat:
                state.active = now
                self._fan_out(state, HEARTBEAT)

    def _cancel_stuck(self) -> None:
        for conn, dropped_at in list(self._dropping.items()):
            if self._ticks - dropped_at >= 1:
                del self._dropping[conn]
                if conn.task is not None and not conn.task.done():
                    conn.task.cancel()

    async def close(self) -> None:
        self._ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._ticker
        await self.subscriber.close()


def _failed(task: asyncio.Task | None) -> bool:
    return task is not None and task.done() and (task.cancelled() or task.exception() is not None)


_hub: Hub | None = None
_closing: set[asyncio.Task] = set()


def get_hub() -> Hub:
    """This process's hub, on the running event loop (uvicorn's)."""
    global _hub
    loop = asyncio.get_running_loop()
    broker = get_broker()
    hub = _hub
    if hub is None or hub.loop is not loop or hub.broker is not broker:
        if hub is not None and hub.loop is loop:
            task = loop.create_task(hub.close())
            _closing.add(task)
            task.add_done_callback(_closing.discard)
        hub = _hub = Hub(broker, loop)
    return hub


def current_hub() -> Hub | None:
    return _hub


def open_connections() -> int:
    """Streams open in this process (read from the metrics thread: copy, retry once)."""
    hub = _hub
    if hub is None:
        return 0
    for _attempt in range(3):
        try:
            return sum(len(state.connections) for state in list(hub.channels.values()))
        except RuntimeError:  # the loop changed the dict meanwhile
            continue
    return 0


# Prometheus (/metrics, samskab.core.metrics): live viewers held by this process.
LIVE_CONNECTIONS = Gauge(
    "samskab_live_connections", "Server-sent event streams open in this process."
)
LIVE_CONNECTIONS.set_function(open_connections)


def forget_hub() -> None:
    global _hub
    _hub = None
