"""Publishing from services: checks, on-commit, and the two brokers' bookkeeping."""

import json
import logging
import time
import uuid

import pytest
import redis
from django.db import transaction

from samskab import live
from samskab.live.brokers import get_broker
from samskab.live.events import format_frame, parse_id
from samskab.live.tests.conftest import REDIS_URL, redis_reachable


@pytest.fixture
def memory(settings):
    settings.LIVE_BROKER_URL = "memory://"
    return get_broker()


@pytest.fixture
def redis_broker(settings):
    if not redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379 (CI starts one)")
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    settings.LIVE_BROKER_URL = f"{REDIS_URL}?prefix={prefix}"
    settings.LIVE_REPLAY_SIZE = 5
    yield get_broker()
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def test_it_refuses_a_channel_of_a_kind_nobody_registered(memory):
    with pytest.raises(ValueError, match="registered"):
        live.publish("nosuchkind:1", "update", {})


@pytest.mark.parametrize("event", ["", "1st", "with space", "x" * 65, "new\nline"])
def test_it_refuses_malformed_event_types(memory, event):
    with pytest.raises(ValueError, match="event type"):
        live.publish("demo:a", event, {})


def test_it_refuses_oversized_data(memory, settings):
    settings.LIVE_MAX_EVENT_BYTES = 100
    with pytest.raises(ValueError, match="limited"):
        live.publish("demo:a", "update", {"text": "x" * 200})


def test_ids_count_up_per_channel(memory):
    ids = [parse_id(live.publish("demo:a", "update", {"n": n})) for n in range(3)]
    other = parse_id(live.publish("demo:b", "update", {}))
    assert [seq for _epoch, seq in ids] == [1, 2, 3]
    assert other[1] == 1


def test_data_is_compact_json_on_one_line(memory):
    event_id = live.publish("demo:a", "update", {"text": "two\nlines", "æ": "ø"})
    assert memory.resume("demo:a", None).position == event_id
    frame = memory.resume("demo:a", f"{memory.epoch}-0").events[0].frame
    assert frame == format_frame(event_id, "update", '{"text":"two\\nlines","æ":"ø"}')


@pytest.mark.django_db(transaction=True)
def test_publish_on_commit_waits_for_the_commit(memory):
    with transaction.atomic():
        live.publish_on_commit("demo:a", "update", {"n": 1})
        assert memory.resume("demo:a", None).position == ""
    assert memory.resume("demo:a", None).position.endswith("-1")


@pytest.mark.django_db(transaction=True)
def test_publish_on_commit_publishes_nothing_when_the_write_is_rolled_back(memory):
    with pytest.raises(RuntimeError), transaction.atomic():
        live.publish_on_commit("demo:a", "update", {"n": 1})
        raise RuntimeError("the service failed")
    assert memory.resume("demo:a", None).position == ""


@pytest.mark.django_db
def test_a_broker_outage_does_not_fail_the_write_that_committed(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.LIVE_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with pytest.raises(live.LiveUnavailable):
        live.publish("demo:a", "update", {})
    with (
        caplog.at_level(logging.WARNING, logger="samskab.live"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        live.publish_on_commit("demo:a", "update", {})
    assert "could not publish" in caplog.text


def test_redis_builds_the_same_frame_as_python(redis_broker):
    event_id = live.publish("demo:a", "update", {"text": "hello"})
    event = redis_broker.resume("demo:a", f"{parse_id(event_id)[0]}-0").events[0]
    assert event.frame == format_frame(event_id, "update", '{"text":"hello"}')


def test_redis_ids_count_up_and_the_buffer_keeps_the_newest(redis_broker):
    ids = [live.publish("demo:a", "update", {"n": n}) for n in range(8)]
    assert [parse_id(i)[1] for i in ids] == list(range(1, 9))
    assert [e.seq for e in redis_broker.resume("demo:a", ids[4]).events] == [6, 7, 8]
    assert redis_broker.resume("demo:a", ids[0]).reload  # older than the 5 kept


def test_a_redis_that_forgot_the_channel_starts_a_new_epoch(redis_broker):
    old = live.publish("demo:a", "update", {})
    redis.Redis.from_url(REDIS_URL).delete(
        redis_broker.meta_key("demo:a"), redis_broker.buffer_key("demo:a")
    )
    new = live.publish("demo:a", "update", {})
    assert parse_id(new)[0] != parse_id(old)[0]
    assert parse_id(new)[1] == 1
    assert redis_broker.resume("demo:a", old).reload


def test_redis_viewer_counts_add_up_processes_and_forget_silent_ones(redis_broker):
    key = redis_broker.viewers_key("demo:a")
    now = int(time.time())
    redis.Redis.from_url(REDIS_URL).hset(
        key, mapping={"a": f"3:{now}", "b": f"4:{now}", "gone": f"100:{now - 3600}"}
    )
    assert live.viewer_count("demo:a") == 7


def test_coalesced_events_go_out_through_the_broker(memory):
    from samskab.live.publishing import coalescer

    for n in range(20):
        live.publish_coalesced("demo:a", "tally", "poll-1", {"n": n})
    coalescer().flush()
    events = memory.resume("demo:a", f"{memory.epoch}-0").events
    assert [json.loads(e.data_json()) for e in events] == [{"n": 19}]
