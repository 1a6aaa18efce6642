"""The live broker through Redis Sentinel (LIVE_BROKER_URL=redis+sentinel://...): a real
primary, replica and two Sentinels on loopback, and a planned failover (SENTINEL FAILOVER)
while the app publishes and viewers follow."""

import time

import pytest

from samskab import live, redisurl
from samskab.core.tests.sentinel import SentinelCluster
from samskab.live.brokers import get_broker, reset_broker
from samskab.live.events import parse_id
from samskab.live.tests.conftest import start_site
from samskab.live.tests.sse import Stream

pytestmark = [pytest.mark.slow, pytest.mark.one_pass]


@pytest.fixture
def cluster(tmp_path):
    cluster = SentinelCluster(tmp_path / "redis").start()
    yield cluster
    reset_broker()
    cluster.stop()


def test_publishing_goes_on_at_the_new_primary_after_a_failover(cluster, settings, monkeypatch):
    # Ask the Sentinels before every command, so the test need not wait out the second.
    monkeypatch.setattr(redisurl.Recheck, "recheck_seconds", 0)
    settings.LIVE_BROKER_URL = cluster.url(db=2, query="prefix=t:")
    first = live.publish("demo:a", "update", {"n": 1})
    old = cluster.primary()

    cluster.failover()
    # The old primary still takes writes here; a publish that went there would be lost.
    second = live.publish("demo:a", "update", {"n": 2})
    cluster.old_follows(old)
    third = live.publish("demo:a", "update", {"n": 3})

    epoch, seq = parse_id(first)
    assert [parse_id(second), parse_id(third)] == [(epoch, seq + 1), (epoch, seq + 2)]
    missed = get_broker().resume("demo:a", first)
    assert [event.id for event in missed.events] == [second, third]


def test_the_broker_address_is_checked_when_it_is_read(settings):
    settings.LIVE_BROKER_URL = "redis+sentinel://127.0.0.1:26379/"
    with pytest.raises(Exception, match="service"):
        get_broker()


def _next_event(stream, deadline: float):
    while time.monotonic() < deadline:
        message = stream.next()
        if message.dispatched:
            return message
    raise AssertionError("no event before the deadline")


def test_viewers_on_another_process_get_every_event_through_a_failover(
    cluster, tmp_path, live_database, channel
):
    # Ticks of 5 s: the events after the failover are published before the viewer's process
    # looks for the new primary (most often), so they reach it by the catch-up, which must
    # read them from the new primary.
    url = cluster.url(db=2, query="prefix=v:")
    site = start_site(tmp_path / "site", live_database, url, 2, LIVE_HEARTBEAT_SECONDS="10")
    try:
        headers = {"Accept": "text/event-stream"}
        with Stream(site.client(server=1), f"/live/{channel}/", headers, timeout=15) as viewer:
            viewer.next()
            ids = [site.publish(channel, "message", {"n": 1})]
            assert _next_event(viewer, time.monotonic() + 10).id == ids[0]
            old = cluster.primary()

            cluster.failover()
            # The publishing process asks the Sentinels again within a second; what it wrote
            # to the old primary before that may be dropped (docs/deployment.md), and its
            # viewers are then told to reload (test_hub.py).
            time.sleep(redisurl.RECHECK_SECONDS + 0.1)
            ids += [site.publish(channel, "message", {"n": n}) for n in (2, 3)]
            deadline = time.monotonic() + 20
            got = [_next_event(viewer, deadline) for _ in range(2)]
            cluster.old_follows(old)  # (Sentinel takes its time: on a loaded machine, long)
            ids.append(site.publish(channel, "message", {"n": 4}))
            got.append(_next_event(viewer, time.monotonic() + 20))

        assert [m.id for m in got] == ids[1:]
        assert [m.data for m in got] == [{"n": 2}, {"n": 3}, {"n": 4}]
        assert site.client().get("/readyz").json()["checks"]["broker"] == "ok"
    finally:
        site.close()
