"""The wire format: channel names, ids, frames and what a resuming browser gets."""

import pytest

from samskab.live.events import (
    Event,
    channel_is_valid,
    channel_key,
    format_frame,
    new_epoch,
    parse_id,
    plan_resume,
    reload_frame,
)


@pytest.mark.parametrize("name", ["meeting:42", "poll:7", "comments:meeting:42", "demo:a-b_c.d"])
def test_it_accepts_channel_names_made_of_a_kind_and_a_key(name):
    assert channel_is_valid(name)


@pytest.mark.parametrize(
    "name",
    ["meeting", "Meeting:1", "meeting:", ":1", "meeting:1/2", "a:b:c:d:e:f", "x" * 40 + ":1"],
)
def test_it_refuses_malformed_channel_names(name):
    assert not channel_is_valid(name)


def test_the_key_is_everything_after_the_kind():
    assert channel_key("comments:meeting:42") == "meeting:42"


def test_it_reads_back_the_ids_it_writes():
    epoch = new_epoch()
    assert parse_id(f"{epoch}-17") == (epoch, 17)


@pytest.mark.parametrize("text", [None, "", "17", "abc-", "-5", "ABC-1", "abc-1x", "a b-1"])
def test_it_refuses_ids_it_did_not_write(text):
    assert parse_id(text) is None


def test_epochs_differ_between_restarts():
    assert len({new_epoch() for _ in range(50)}) == 50


def test_a_frame_is_one_sse_event_with_id_type_and_json():
    frame = format_frame("e1-3", "tally", '{"yes":2}')
    assert frame == b'id: e1-3\nevent: tally\ndata: {"yes":2}\n\n'
    event = Event.from_frame(frame)
    assert (event.epoch, event.seq, event.type, event.data_json()) == (
        "e1",
        3,
        "tally",
        '{"yes":2}',
    )


def test_a_reload_frame_moves_the_browser_to_the_present():
    assert reload_frame("e2-9") == b"id: e2-9\nevent: reload\ndata: {}\n\n"


def _buffer(epoch, first, last):
    return [Event.build(epoch, seq, "x", "{}") for seq in range(first, last + 1)]


def test_a_resuming_browser_gets_exactly_what_it_missed():
    resume = plan_resume("e1-5", "e1", 8, _buffer("e1", 1, 8))
    assert [event.seq for event in resume.events] == [6, 7, 8]
    assert not resume.reload
    assert resume.position == "e1-8"


def test_a_browser_that_missed_nothing_gets_nothing():
    resume = plan_resume("e1-8", "e1", 8, _buffer("e1", 1, 8))
    assert resume.events == [] and not resume.reload


def test_a_gap_older_than_the_buffer_means_reload():
    resume = plan_resume("e1-2", "e1", 30, _buffer("e1", 11, 30))
    assert resume.reload and resume.position == "e1-30"


def test_an_id_from_another_epoch_means_reload():
    assert plan_resume("e0-5", "e1", 3, _buffer("e1", 1, 3)).reload


def test_an_id_the_broker_never_heard_of_means_reload():
    assert plan_resume("e1-5", None, 0, []).reload


def test_an_id_from_the_future_means_reload():
    assert plan_resume("e1-50", "e1", 8, _buffer("e1", 1, 8)).reload


def test_a_new_browser_gets_the_position_and_no_events():
    resume = plan_resume(None, "e1", 8, _buffer("e1", 1, 8))
    assert resume.events == [] and not resume.reload and resume.position == "e1-8"
