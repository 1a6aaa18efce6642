"""The `redis` broker: many processes on many hosts share events through Redis.

    LIVE_BROKER_URL=redis://127.0.0.1:6379/2            (rediss:// for TLS)
    LIVE_BROKER_URL=redis://127.0.0.1:6379/2?prefix=x:  (keys and pub/sub channels start x:)
    LIVE_BROKER_URL=redis+sentinel://10.0.0.5:26379,10.0.0.6:26379/samskab/2?prefix=x:
                                           (the primary that Redis Sentinel names: redisurl)

Publishing is one Lua script, atomic in Redis: it numbers the event (HINCRBY in the
channel's hash), appends it to the channel's capped replay list, and PUBLISHes it. The
channel's epoch lives in the same hash; a Redis that restarted without its data (or a
channel idle past LIVE_REPLAY_TTL_SECONDS) starts a new epoch, and browsers resuming from
the old one reload.

Each serving process holds one pub/sub connection (RedisSubscriber) with one SUBSCRIBE per
channel that has local viewers. When that connection breaks it reconnects, subscribes
again, and reads from the replay lists what was published while it was away, so nothing
published after Redis came back is lost.
"""

import asyncio
import contextlib
import logging
import os
import socket
import ssl
import time
import weakref
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import redis
import redis.asyncio
from django.core.exceptions import ImproperlyConfigured
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from samskab import redisurl
from samskab.live import conf
from samskab.live.brokers.base import Broker, LiveUnavailable, Subscriber
from samskab.live.events import Event, Resume, new_epoch, parse_id, plan_resume

if TYPE_CHECKING:
    from samskab.live.hub import Hub, Position

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "samskab:live:"

# KEYS: meta hash, replay list. ARGV: epoch to start if none, type, data, replay size,
# pub/sub channel, ttl. The frame is built exactly as events.format_frame builds it.
PUBLISH_LUA = r"""
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
  redis.call('DEL', KEYS[2])
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local frame = 'id: ' .. epoch .. '-' .. seq .. '\nevent: ' .. ARGV[2]
  .. '\ndata: ' .. ARGV[3] .. '\n\n'
redis.call('RPUSH', KEYS[2], frame)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', ARGV[5], frame)
return frame
"""

# KEYS: meta hash, replay list. ARGV: the epoch the caller knows, the last seq it has,
# and "1" to get the whole list when the epoch differs (a process catching up after a
# reconnection) or "0" (a browser: another epoch means reload, no list needed).
# Returns {epoch or '', seq, frames after the caller's seq...}.
RESUME_LUA = r"""
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
local epoch = meta[1]
if not epoch then return {'', 0} end
local seq = tonumber(meta[2] or '0')
if epoch ~= ARGV[1] then
  if ARGV[3] == '1' then
    return {epoch, seq, unpack(redis.call('LRANGE', KEYS[2], 0, -1))}
  end
  return {epoch, seq}
end
local want = seq - tonumber(ARGV[2])
if want <= 0 then return {epoch, seq} end
return {epoch, seq, unpack(redis.call('LRANGE', KEYS[2], -want, -1))}
"""

CONNECTION_ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)


class RedisBroker(Broker):
    def __init__(self, url: str):
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.prefix = query.pop("prefix", [DEFAULT_PREFIX])[0]
        self.url = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
        self.parts = urlsplit(self.url)
        if self.parts.scheme not in {"redis", "rediss", redisurl.SENTINEL_SCHEME}:
            raise ImproperlyConfigured(
                "LIVE_BROKER_URL must start with redis://, rediss:// or redis+sentinel://"
            )
        self.sentinel: redisurl.SentinelAddress | None = None
        if self.parts.scheme == redisurl.SENTINEL_SCHEME:
            try:
                self.sentinel = redisurl.parse_sentinel(self.url)
            except ValueError as error:
                raise ImproperlyConfigured(f"LIVE_BROKER_URL: {error}") from None
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{new_epoch()}"
        self._sync = redis.Redis(
            connection_pool=redisurl.blocking_pool(self.url, **_pool_options())
        )
        self._publish_script = self._sync.register_script(PUBLISH_LUA)
        self._resume_script = self._sync.register_script(RESUME_LUA)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _AsyncClient] = (
            weakref.WeakKeyDictionary()
        )

    # Keys and pub/sub channels. Pub/sub ignores the database number, so the prefix is
    # what keeps two installations (or two test runs) on one Redis apart.
    def meta_key(self, channel: str) -> str:
        return f"{self.prefix}meta:{channel}"

    def buffer_key(self, channel: str) -> str:
        return f"{self.prefix}buffer:{channel}"

    def events_key(self, channel: str) -> str:
        return f"{self.prefix}events:{channel}"

    def viewers_key(self, channel: str) -> str:
        return f"{self.prefix}viewers:{channel}"

    def _publish_args(self, channel: str, event_type: str, data_json: str) -> dict:
        return {
            "keys": [self.meta_key(channel), self.buffer_key(channel)],
            "args": [
                new_epoch(),
                event_type,
                data_json,
                conf.replay_size(),
                self.events_key(channel),
                conf.replay_ttl_seconds(),
            ],
        }

    def publish(self, channel: str, event_type: str, data_json: str) -> Event:
        try:
            frame = self._publish_script(**self._publish_args(channel, event_type, data_json))
        except CONNECTION_ERRORS as error:
            raise LiveUnavailable(f"Redis is unreachable: {error}") from error
        return Event.from_frame(frame)

    async def apublish(self, channel: str, event_type: str, data_json: str) -> Event:
        client = self._client()
        try:
            frame = await client.publish_script(
                **self._publish_args(channel, event_type, data_json)
            )
        except CONNECTION_ERRORS as error:
            raise LiveUnavailable(f"Redis is unreachable: {error}") from error
        return Event.from_frame(frame)

    def _resume_args(self, channel: str, known: "Position | None", whole: bool) -> dict:
        epoch, seq = known if known else ("", 0)
        return {
            "keys": [self.meta_key(channel), self.buffer_key(channel)],
            "args": [epoch, seq, "1" if whole else "0"],
        }

    def resume(self, channel: str, last_id: str | None) -> Resume:
        try:
            reply = self._resume_script(**self._resume_args(channel, _known(last_id), False))
        except CONNECTION_ERRORS as error:
            raise LiveUnavailable(f"Redis is unreachable: {error}") from error
        return _plan(last_id, reply)

    async def aresume(self, channel: str, last_id: str | None) -> Resume:
        try:
            reply = await self._client().resume_script(
                **self._resume_args(channel, _known(last_id), False)
            )
        except CONNECTION_ERRORS as error:
            raise LiveUnavailable(f"Redis is unreachable: {error}") from error
        return _plan(last_id, reply)

    async def acatch_up(
        self, channels: dict[str, "Position | None"]
    ) -> dict[str, tuple[str | None, int, list[Event]]]:
        """For each channel: its epoch, seq and the buffered events after what we know."""
        client = self._client()
        async with client.redis.pipeline(transaction=False) as pipe:
            for channel, known in channels.items():
                await client.resume_script(**self._resume_args(channel, known, True), client=pipe)
            replies = await pipe.execute()
        result = {}
        for channel, reply in zip(channels, replies, strict=True):
            epoch = reply[0].decode() or None
            result[channel] = (epoch, int(reply[1]), [Event.from_frame(f) for f in reply[2:]])
        return result

    def viewer_count(self, channel: str) -> int:
        try:
            entries = self._sync.hgetall(self.viewers_key(channel))
        except CONNECTION_ERRORS as error:
            raise LiveUnavailable(f"Redis is unreachable: {error}") from error
        return _sum_fresh(entries)

    async def aviewer_count(self, channel: str) -> int:
        try:
            entries = await self._client().redis.hgetall(self.viewers_key(channel))
        except CONNECTION_ERRORS as error:
            raise LiveUnavailable(f"Redis is unreachable: {error}") from error
        return _sum_fresh(entries)

    async def areport(self, counts: dict[str, int], gone: list[str]) -> None:
        stamp = int(time.time())
        ttl = int(_stale_after()) + 1
        async with self._client().redis.pipeline(transaction=False) as pipe:
            for channel, count in counts.items():
                key = self.viewers_key(channel)
                pipe.hset(key, self.process_id, f"{count}:{stamp}")
                pipe.expire(key, ttl)
            for channel in gone:
                pipe.hdel(self.viewers_key(channel), self.process_id)
            await pipe.execute()

    def subscriber(self, hub: "Hub") -> Subscriber:
        return RedisSubscriber(self, hub)

    def _client(self) -> "_AsyncClient":
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            client = self._async[loop] = _AsyncClient(self.url)
        return client

    def recheck_primary(self) -> None:
        """With Sentinel: the pools ask where the primary is before their next command."""
        for pool in (self._sync.connection_pool, self._client().redis.connection_pool):
            if isinstance(pool, redisurl.Recheck):
                pool.recheck_soon()

    def close(self) -> None:
        self._sync.close()
        self._sync.connection_pool.disconnect()


class _AsyncClient:
    """redis.asyncio binds connections to one event loop; the broker keeps one per loop."""

    def __init__(self, url: str):
        pool = redisurl.async_blocking_pool(url, **_pool_options())
        self.redis = redis.asyncio.Redis(connection_pool=pool)
        self.publish_script = self.redis.register_script(PUBLISH_LUA)
        self.resume_script = self.redis.register_script(RESUME_LUA)


def _pool_options() -> dict:
    return {
        # Thousands of viewers may open their streams at once: they share a few
        # connections (waiting their turn) instead of opening one each.
        "max_connections": 32,
        "timeout": 10,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # A restarted Redis: the pooled connection fails once; connect again at once.
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.02), 4),
        "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
        "health_check_interval": 30,
    }


def _known(last_id: str | None) -> "Position | None":
    return parse_id(last_id)


def _plan(last_id: str | None, reply: list) -> Resume:
    epoch = reply[0].decode() or None
    seq = int(reply[1])
    return plan_resume(last_id, epoch, seq, [Event.from_frame(f) for f in reply[2:]])


def _stale_after() -> float:
    return 3 * conf.count_interval_seconds()


def _sum_fresh(entries: dict) -> int:
    horizon = time.time() - _stale_after()
    total = 0
    for value in entries.values():
        count, _sep, stamp = value.decode().partition(":")
        if stamp and int(stamp) >= horizon:
            total += int(count)
    return total


class RedisSubscriber(Subscriber):
    """One pub/sub connection per process, spoken in plain RESP.

    redis-py's PubSub reconnects and subscribes again behind our back; we need to know when
    that happens, to read what was published while the connection was down.
    """

    def __init__(self, broker: RedisBroker, hub: "Hub"):
        self.broker = broker
        self.hub = hub
        self.loop = hub.loop
        # Channels wanted, each with a future resolved when Redis confirms its SUBSCRIBE.
        self._wanted: dict[str, asyncio.Future[None]] = {}
        # SUBSCRIBEs sent and not yet confirmed, per channel, on the current connection.
        self._unconfirmed: dict[str, int] = {}
        self._writer: asyncio.StreamWriter | None = None
        self._catching_up: set[str] = set()
        self._silent_ticks = 0
        # With Sentinel: the primary this connection reached, and the tick's look at where
        # the primary is now (a planned failover leaves the old one up and silent).
        self._address: tuple[str, int] | None = None
        self._primary_check: asyncio.Task | None = None
        self._closed = False
        self._task = self.loop.create_task(self._run(), name="samskab-live-redis")

    async def subscribe(self, channel: str) -> None:
        future = self._wanted.get(channel)
        if future is None:
            future = self._wanted[channel] = self.loop.create_future()
            if self._writer is not None:
                self._send_subscribe([channel])
        # Shielded: a viewer who leaves while waiting must not cancel it for the others.
        await asyncio.wait_for(asyncio.shield(future), timeout=10)

    def unsubscribe(self, channel: str) -> None:
        future = self._wanted.pop(channel, None)
        if future is not None and not future.done():
            future.cancel()
        if self._writer is not None:
            self._send(b"UNSUBSCRIBE", self.broker.events_key(channel).encode())

    async def report(self, counts: dict[str, int], gone: list[str]) -> None:
        if self._writer is not None:
            await self.broker.areport(counts, gone)

    def check(self) -> None:
        # Every hub tick: a PING, and a connection that answered nothing for three ticks
        # (a Redis that vanished without closing the socket) is closed and made again.
        if self._writer is None:
            return
        self._silent_ticks += 1
        if self._silent_ticks > 3:
            logger.warning("live: Redis stopped answering; reconnecting")
            self._writer.close()
            return
        self._send(b"PING")
        if self.broker.sentinel is not None and (
            self._primary_check is None or self._primary_check.done()
        ):
            self._primary_check = self.loop.create_task(self._follow_primary())

    async def _follow_primary(self) -> None:
        try:
            where = await asyncio.wait_for(redisurl.aprimary(self.broker.url), 5)
        except (redis.RedisError, OSError, TimeoutError) as error:
            logger.warning("live: no Sentinel answered (%s)", error)
            return
        if self._writer is not None and self._address not in (None, where):
            # Events now go to the new primary; reconnecting there catches up on them.
            logger.warning("live: Sentinel names a new Redis primary %s:%s; moving", *where)
            self._writer.close()

    async def close(self) -> None:
        self._closed = True
        if self._primary_check is not None:
            self._primary_check.cancel()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def _send(self, *words: bytes) -> None:
        if self._writer is None:
            return  # not connected: the next connection subscribes to what is wanted
        parts = [b"*%d\r\n" % len(words)]
        for word in words:
            parts.append(b"$%d\r\n%s\r\n" % (len(word), word))
        self._writer.write(b"".join(parts))

    def _send_subscribe(self, channels: list[str]) -> None:
        for channel in channels:
            self._unconfirmed[channel] = self._unconfirmed.get(channel, 0) + 1
        self._send(b"SUBSCRIBE", *(self.broker.events_key(c).encode() for c in channels))

    async def _run(self) -> None:
        delay = 0.05
        connected_before = False
        while not self._closed:
            try:
                reader, writer = await self._connect()
            except (TimeoutError, OSError, ConnectionError) as error:
                logger.warning("live: cannot reach Redis (%s); retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            delay = 0.05
            self._writer = writer
            self._unconfirmed = {}
            self._silent_ticks = 0
            if self._wanted:
                # After a reconnection every channel catches up once all are subscribed.
                if connected_before:
                    self._catching_up = set(self._wanted)
                self._send_subscribe(list(self._wanted))
            if connected_before:
                logger.warning("live: Redis connection restored")
            connected_before = True
            try:
                await self._listen(reader)
            except (OSError, asyncio.IncompleteReadError, ConnectionError, ValueError) as error:
                logger.warning("live: lost the Redis pub/sub connection (%s)", error)
            finally:
                self._writer = None
                writer.close()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        parts = self.broker.parts
        sentinel = self.broker.sentinel
        if sentinel is not None:
            # Asked again at every connection: after a failover the primary is elsewhere.
            try:
                host, port = await asyncio.wait_for(redisurl.aprimary(self.broker.url), 5)
            except redis.RedisError as error:
                raise ConnectionError(f"no primary from Sentinel: {error}") from error
            username, password = sentinel.username, sentinel.password
            # The catch-up after this connection reads the replay lists: from this primary,
            # not from one the broker's pools still hold connections to.
            self.broker.recheck_primary()
        else:
            host, port = parts.hostname or "127.0.0.1", parts.port or 6379
            username = unquote(parts.username) if parts.username else None
            password = unquote(parts.password) if parts.password else None
        context = ssl.create_default_context() if parts.scheme == "rediss" else None
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context), timeout=5
        )
        self._address = (host, port)
        if password:
            self._writer = writer
            words = [b"AUTH"]
            if username:
                words.append(username.encode())
            words.append(password.encode())
            self._send(*words)
            self._writer = None
            await asyncio.wait_for(_read_reply(reader), timeout=5)
        return reader, writer

    async def _listen(self, reader: asyncio.StreamReader) -> None:
        prefix_length = len(self.broker.events_key(""))
        while True:
            reply = await _read_reply(reader)
            self._silent_ticks = 0
            if not isinstance(reply, list) or not reply:
                continue
            kind = reply[0]
            if kind == b"message":
                channel = reply[1][prefix_length:].decode()
                if channel in self._catching_up:
                    continue  # caught up from the replay list below, in order
                self.hub.deliver(channel, Event.from_frame(reply[2]))
            elif kind == b"subscribe":
                channel = reply[1][prefix_length:].decode()
                left = self._unconfirmed.get(channel, 0) - 1
                if left > 0:
                    self._unconfirmed[channel] = left
                    continue
                self._unconfirmed.pop(channel, None)
                future = self._wanted.get(channel)
                if future is not None and not future.done():
                    future.set_result(None)
                if self._catching_up and not self._unconfirmed:
                    # Reading stops here until the channels have caught up: messages that
                    # arrive meanwhile wait in the socket and come after, in order.
                    await self._catch_up()

    async def _catch_up(self) -> None:
        channels = [c for c in self._catching_up if c in self._wanted]
        self._catching_up = set()
        if not channels:
            return
        known = {channel: self.hub.position(channel) for channel in channels}
        try:
            found = await self.broker.acatch_up(known)
        except CONNECTION_ERRORS as error:
            raise ConnectionError(f"catching up failed: {error}") from error
        for channel, (epoch, seq, events) in found.items():
            self.hub.catch_up(channel, epoch, seq, events)


class RedisReplyError(ValueError):
    pass


async def _read_reply(reader: asyncio.StreamReader):
    """One RESP2 reply: arrays, bulk strings, integers, simple strings, errors."""
    line = await reader.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("Redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"*":
        return [await _read_reply(reader) for _ in range(int(rest))]
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        return (await reader.readexactly(size + 2))[:-2]
    if kind == b":":
        return int(rest)
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RedisReplyError(rest.decode(errors="replace"))
    raise ValueError(f"unexpected reply from Redis: {line[:40]!r}")
