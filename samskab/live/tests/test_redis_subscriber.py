"""A process's Redis subscription losing its connection, with a Redis of the test's own.

The test holds the event loop while it breaks the connection and publishes, so the
subscriber cannot be back before the events are out: they can only arrive by catching up
from the replay list.
"""

import asyncio
import json

import pytest
import redis

from samskab.live.brokers.redis import RedisBroker
from samskab.live.hub import Hub

CHANNEL = "demo:catch-up"


def run(own_redis, scenario):
    async def main():
        broker = RedisBroker(f"{own_redis.url}?prefix=catchup:")
        hub = Hub(broker, asyncio.get_running_loop())
        stream = hub.events(CHANNEL, None)
        try:
            await asyncio.wait_for(stream.__anext__(), 5)  # subscribed
            return await scenario(hub, broker, stream)
        finally:
            await stream.aclose()
            await hub.close()
            broker.close()

    return asyncio.run(main())


def break_subscription(own_redis) -> None:
    client = redis.Redis.from_url(own_redis.url)
    assert client.client_kill_filter(_type="pubsub") == 1


async def received(stream, count: int) -> list[int]:
    got: list[int] = []
    while len(got) < count:
        chunk = await asyncio.wait_for(stream.__anext__(), 10)
        for line in chunk.split(b"\n"):
            if line.startswith(b"data: "):
                got.append(json.loads(line[6:])["n"])
    return got


@pytest.mark.slow
def test_events_published_while_the_subscription_was_down_arrive_in_order(own_redis):
    async def scenario(hub, broker, stream):
        broker.publish(CHANNEL, "count", '{"n":1}')
        assert await received(stream, 1) == [1]
        break_subscription(own_redis)
        for n in (2, 3, 4):
            broker.publish(CHANNEL, "count", f'{{"n":{n}}}')
        assert await received(stream, 3) == [2, 3, 4]
        broker.publish(CHANNEL, "count", '{"n":5}')
        assert await received(stream, 1) == [5]

    run(own_redis, scenario)


@pytest.mark.slow
def test_after_redis_lost_its_data_the_new_epoch_arrives_from_its_start(own_redis):
    async def scenario(hub, broker, stream):
        broker.publish(CHANNEL, "count", '{"n":1}')
        assert await received(stream, 1) == [1]
        break_subscription(own_redis)
        redis.Redis.from_url(own_redis.url).flushall()  # a restart without persistence
        for n in (2, 3):
            broker.publish(CHANNEL, "count", f'{{"n":{n}}}')
        assert await received(stream, 2) == [2, 3]

    run(own_redis, scenario)


@pytest.mark.slow
def test_a_gap_longer_than_the_replay_list_makes_viewers_reload(own_redis, settings):
    settings.LIVE_REPLAY_SIZE = 3

    async def scenario(hub, broker, stream):
        broker.publish(CHANNEL, "count", '{"n":1}')
        assert await received(stream, 1) == [1]
        break_subscription(own_redis)
        for n in range(2, 10):
            broker.publish(CHANNEL, "count", f'{{"n":{n}}}')
        chunk = await asyncio.wait_for(stream.__anext__(), 10)
        assert b"event: reload" in chunk

    run(own_redis, scenario)
