"""Coalescing: the newest value per key, once per flush."""

from samskab.live.coalesce import Coalescer


def test_it_keeps_only_the_newest_value_per_key():
    published = []
    coalescer = Coalescer(lambda *event: published.append(event), interval=60)
    for n in range(100):
        coalescer.put("poll:1", "tally", "poll-1", f'{{"n":{n}}}')
    coalescer.put("poll:1", "tally", "poll-2", '{"n":"other"}')
    assert coalescer.flush() == 2
    assert published == [
        ("poll:1", "tally", '{"n":99}'),
        ("poll:1", "tally", '{"n":"other"}'),
    ]


def test_a_flush_with_nothing_waiting_publishes_nothing():
    published = []
    coalescer = Coalescer(lambda *event: published.append(event), interval=60)
    coalescer.put("poll:1", "tally", "k", "{}")
    coalescer.flush()
    assert coalescer.flush() == 0
    assert len(published) == 1


def test_one_failing_publish_does_not_stop_the_others():
    published = []

    def publish(channel, event, data):
        if channel == "poll:1":
            raise ConnectionError("broker down")
        published.append(channel)

    coalescer = Coalescer(publish, interval=60)
    coalescer.put("poll:1", "tally", "k", "{}")
    coalescer.put("poll:2", "tally", "k", "{}")
    coalescer.flush()
    assert published == ["poll:2"]
