"""Live streams from real servers: uvicorn on loopback, real HTTP clients.

Every test runs twice: on one server with the memory broker, and on two servers sharing a
real Redis (viewers spread over both processes). The broker restart test has its own
Redis, which it kills.
"""

import json
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import redis

from samskab.live.tests.conftest import REDIS_URL
from samskab.live.tests.sse import wait_for

# Its servers have their own SQLite database and name their broker (memory, or the Redis at
# 127.0.0.1:6379/0): neither pass's database nor broker, so CI runs it once (conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.one_pass(on="postgres")]


def seqs(messages) -> list[int]:
    return [int(message.id.rsplit("-", 1)[1]) for message in messages]


def last_server(site) -> int:
    return len(site.servers) - 1


def test_every_viewer_gets_every_event_in_publishing_order(site, channel):
    with site.stream(channel) as first, site.stream(channel, server=last_server(site)) as second:
        first.next()
        second.next()
        # Published by turns from the event loop and from a worker thread (as a sync view
        # does), and, with Redis, by turns on both processes.
        for n in range(30):
            site.publish(
                channel,
                "count",
                {"n": n},
                mode="thread" if n % 2 else "loop",
                server=n % len(site.servers),
            )
        for stream in (first, second):
            got = stream.events(30)
            assert [message.data["n"] for message in got] == list(range(30))
            assert seqs(got) == sorted(set(seqs(got)))


def test_a_viewer_resumes_after_its_last_event_id_with_what_it_missed(site, channel):
    with site.stream(channel) as stream:
        stream.next()
        for n in range(3):
            site.publish(channel, "count", {"n": n})
        seen = stream.events(3)
    for n in range(3, 6):
        site.publish(channel, "count", {"n": n})
    # With Redis it comes back to the other process, which never saw it.
    with site.stream(channel, server=last_server(site), last_id=seen[-1].id) as stream:
        assert [message.data["n"] for message in stream.events(3)] == [3, 4, 5]
        site.publish(channel, "count", {"n": 6})
        assert stream.next_event().data == {"n": 6}


def test_a_viewer_resumes_from_the_query_string_as_live_js_reconnects(site, channel):
    first = site.publish(channel, "count", {"n": 1})
    site.publish(channel, "count", {"n": 2})
    with site.stream(channel, query_last_id=first) as stream:
        assert stream.next_event().data == {"n": 2}


def test_a_viewer_whose_gap_is_older_than_the_buffer_is_told_to_reload(site, channel):
    first = site.publish(channel, "count", {"n": 0})
    for n in range(1, 26):  # the servers keep 20
        newest = site.publish(channel, "count", {"n": n})
    with site.stream(channel, last_id=first) as stream:
        reload = stream.next_event()
        assert reload.event == "reload"
        assert reload.id == newest  # what the browser resumes from after reloading
        site.publish(channel, "count", {"n": "after"})
        assert stream.next_event().data == {"n": "after"}


def test_a_viewer_from_an_earlier_server_life_is_told_to_reload(site, channel):
    site.publish(channel, "count", {"n": 1})
    with site.stream(channel, last_id="zzzzzzzz-3") as stream:
        assert stream.next_event().event == "reload"


def test_a_new_viewer_gets_the_position_to_resume_from(site, channel):
    newest = site.publish(channel, "count", {"n": 1})
    with site.stream(channel) as stream:
        stream.next()
        assert stream.last_id == newest


@pytest.mark.parametrize("path", ["/live/nosuch:1/", "/live/Demo:1/", "/live/demo:/"])
def test_unknown_and_malformed_channels_are_refused(site, path):
    assert site.client().get(path).status_code == 404


def test_the_moderators_queue_is_refused_to_anonymous_viewers(site):
    with site.stream("moderation:queue") as stream:
        assert stream.status_code == 403


def test_the_moderators_queue_is_refused_to_citizens(site):
    with site.stream("moderation:queue", who="citizen") as stream:
        assert stream.status_code == 403


def test_moderators_follow_their_queue(site):
    with site.stream("moderation:queue", who="moderator", server=last_server(site)) as stream:
        assert stream.status_code == 200
        stream.next()
        site.publish("moderation:queue", "queue", {"id": "comments.comment:7", "reason": "reports"})
        assert stream.next_event().data == {"id": "comments.comment:7", "reason": "reports"}


def test_an_idle_stream_gets_heartbeats(site, channel):
    with site.stream(channel) as stream:
        stream.next()
        heartbeat = stream.next()
        assert heartbeat.comments == ["keep-alive"]
        assert not heartbeat.dispatched


def test_it_holds_no_thread_per_open_stream(site, channel):
    server = site.servers[0]
    threads = server.status("Threads")
    streams = [site.stream(channel) for _ in range(30)]
    try:
        for stream in streams:
            stream.next()
        assert server.status("Threads") <= threads + 2
    finally:
        for stream in streams:
            stream.close()


def test_closed_streams_are_forgotten_with_their_subscription(site, channel):
    streams = [site.stream(channel, server=n % len(site.servers)) for n in range(10)]
    for stream in streams:
        stream.next()
    wait_for(lambda: site.viewers(channel) == 10, message="ten viewers")
    if site.broker_url.startswith("redis"):
        key = f"{_prefix(site)}events:{channel}"
        assert _subscribers(key) == len(site.servers)
    for stream in streams:
        stream.close()
    wait_for(lambda: site.viewers(channel) == 0, message="no viewers")
    if site.broker_url.startswith("redis"):
        wait_for(lambda: _subscribers(key) == 0, message="no subscription left")


def test_viewers_are_counted_across_processes(site, channel):
    streams = [site.stream(channel), site.stream(channel)]
    streams.append(site.stream(channel, server=last_server(site)))
    try:
        for stream in streams:
            stream.next()
        wait_for(lambda: site.viewers(channel) == 3, message="three viewers")
    finally:
        for stream in streams:
            stream.close()


def test_a_viewer_that_stops_reading_is_dropped_and_the_others_are_served(site, channel):
    slow = _raw_stream(site.servers[0].port, channel)
    try:
        with site.stream(channel, server=last_server(site)) as fast:
            fast.next()
            wait_for(lambda: site.viewers(channel) == 2, message="both viewers")
            padding = "x" * 200_000
            published = 0
            # Until the server gives up on the slow one: its socket buffers full, then its
            # queue (LIVE_CLIENT_QUEUE = 8 here).
            while published % 4 or site.viewers(channel) == 2:
                assert published < 100, "the slow viewer was never dropped"
                site.publish(channel, "big", {"n": published, "pad": padding})
                assert fast.next_event().data["n"] == published
                published += 1
            # The dropped one's stream was ended by the server: what it reads stops short.
            received = _read_to_end(slow)
            assert received.count(b"event: big") < published
            site.publish(channel, "big", {"n": "still", "pad": ""})
            assert fast.next_event().data["n"] == "still"
    finally:
        slow.close()


def test_a_burst_is_coalesced_to_its_newest_value(site, channel):
    with site.stream(channel) as stream:
        stream.next()
        burst = [{"n": n} for n in range(500)]
        site.publish(channel, "tally", burst, mode="coalesce", key="poll-1")
        site.publish(channel, "tally", [{"n": "other"}], mode="coalesce", key="poll-2")
        got = []
        while {"n": 499} not in got or {"n": "other"} not in got:
            got.append(stream.next_event().data)
        assert len(got) <= 4  # a flush or two, not five hundred events


def test_a_shell_publishes_to_viewers_on_every_process(redis_site, channel, settings):
    from samskab import live

    settings.LIVE_BROKER_URL = redis_site.broker_url
    with redis_site.stream(channel) as first, redis_site.stream(channel, server=1) as second:
        first.next()
        second.next()
        event_id = live.publish(channel, "message", {"text": "from the shell"})
        for stream in (first, second):
            message = stream.next_event()
            assert (message.id, message.data) == (event_id, {"text": "from the shell"})


def _prefix(site) -> str:
    return parse_qs(urlsplit(site.broker_url).query)["prefix"][0]


def _subscribers(key: str) -> int:
    return dict(redis.Redis.from_url(REDIS_URL).pubsub_numsub(key))[key.encode()]


def _raw_stream(port: int, channel: str) -> socket.socket:
    """A browser that stops reading: a small receive buffer it never empties."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET /live/{channel}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    sock.settimeout(10)
    head = b""
    while b"retry:" not in head:
        head += sock.recv(1024)
    return sock


def _read_to_end(sock: socket.socket) -> bytes:
    received = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return received
        received += chunk
        if received.endswith(b"0\r\n\r\n"):  # the chunked response's end
            return received


def test_viewers_lose_nothing_published_after_redis_restarts(own_redis, redis_restart_site):
    site = redis_restart_site
    channel = "demo:restart"
    with site.stream(channel) as first, site.stream(channel, server=1) as second:
        first.next()
        second.next()
        before = site.publish(channel, "count", {"n": 0})
        assert first.next_event().data == second.next_event().data == {"n": 0}

        own_redis.restart()  # killed: no data kept, every connection broken
        # Published the moment Redis is back, before the servers have reconnected.
        from samskab.live.brokers.redis import RedisBroker

        shell = RedisBroker(site.broker_url)
        for n in range(1, 6):
            shell.publish(channel, "count", json.dumps({"n": n}))
        for stream in (first, second):
            assert [message.data["n"] for message in stream.events(5)] == [1, 2, 3, 4, 5]
        site.publish(channel, "count", {"n": 6}, server=1)
        for stream in (first, second):
            assert stream.next_event().data == {"n": 6}

    # A browser resuming from before the restart cannot be told what it missed.
    with site.stream(channel, last_id=before) as late:
        assert late.next_event().event == "reload"
