from datetime import UTC, datetime

import pytest

from samskab.streaming import crypto, selectors, services
from samskab.streaming.ingest import first_program_date_time, recording_name
from samskab.streaming.models import Destination, DestinationStatus
from samskab.streaming.tests.factories import destination
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_a_stream_key_finds_its_meeting():
    meeting = MeetingFactory()
    key = services.stream_key_ensure(meeting=meeting).key
    assert len(key) >= 30
    assert selectors.meeting_for_stream_key(key) == meeting


def test_a_wrong_or_empty_key_finds_nothing():
    services.stream_key_ensure(meeting=MeetingFactory())
    assert selectors.meeting_for_stream_key("guess") is None
    assert selectors.meeting_for_stream_key("") is None


def test_a_new_key_makes_the_old_one_useless():
    meeting = MeetingFactory()
    old = services.stream_key_ensure(meeting=meeting).key
    new = services.stream_key_rotate(meeting=meeting).key
    assert new != old
    assert selectors.meeting_for_stream_key(old) is None
    assert selectors.meeting_for_stream_key(new) == meeting


def test_keys_are_stored_encrypted_and_shown_by_their_end(settings):
    item = destination(
        name="YouTube", kind=Destination.Kind.YOUTUBE, body=MeetingFactory().body,
        key="abcd-efgh-1234",
    )  # fmt: skip
    stored = Destination.objects.get(pk=item.pk)
    assert "abcd" not in stored.key_encrypted
    assert stored.stream_key == "abcd-efgh-1234"
    assert crypto.hint(stored.stream_key) == "••••1234"
    settings.STREAM_KEY_SECRET = "another secret"
    assert Destination.objects.get(pk=item.pk).stream_key == ""  # unreadable, not a crash


def test_a_meeting_gets_its_own_and_its_bodys_enabled_destinations():
    meeting = MeetingFactory()
    own = destination(name="a", kind="rtmp", meeting=meeting, server_url="rtmp://x/a")
    body = destination(name="b", kind="rtmp", body=meeting.body, server_url="rtmp://x/b")
    destination(name="c", kind="rtmp", body=meeting.body, server_url="rtmp://x/c", is_enabled=False)
    destination(name="d", kind="rtmp", meeting=MeetingFactory(), server_url="rtmp://x/d")
    assert list(selectors.destinations_for(meeting)) == [own, body]


def test_ingest_makes_the_video_ours_and_anchors_marks_to_the_first_segment():
    meeting = MeetingFactory(
        status=Meeting.Status.LIVE, video_kind=Meeting.VideoKind.YOUTUBE,
        video_url="https://youtu.be/x", recording_started_at=datetime(2030, 3, 4, 16, tzinfo=UTC),
    )  # fmt: skip
    mark = TimelineMark.objects.create(
        meeting=meeting, kind=TimelineMark.Kind.MEETING_START, offset_ms=0,
        at=datetime(2030, 3, 4, 16, tzinfo=UTC),
    )  # fmt: skip
    later = TimelineMark.objects.create(
        meeting=meeting, kind=TimelineMark.Kind.BREAK, offset_ms=90_000,
        at=datetime(2030, 3, 4, 16, 1, 30, tzinfo=UTC),
    )  # fmt: skip
    services.ingest_begin(meeting=meeting)
    first_segment = datetime(2030, 3, 4, 16, 0, 30, tzinfo=UTC)
    services.ingest_anchor(meeting=meeting, started_at=first_segment)
    meeting.refresh_from_db()
    mark.refresh_from_db()
    later.refresh_from_db()
    assert meeting.video_kind == Meeting.VideoKind.UPLOAD
    assert meeting.recording_started_at == first_segment
    assert (mark.offset_ms, later.offset_ms) == (0, 60_000)


def test_ending_the_feed_stops_destinations_but_keeps_failures():
    meeting = MeetingFactory()
    ok = destination(name="a", kind="rtmp", meeting=meeting, server_url="rtmp://x/a")
    bad = destination(name="b", kind="rtmp", meeting=meeting, server_url="rtmp://x/b")
    services.destination_state_set(destination_id=ok.pk, meeting_id=meeting.pk, state="live")
    services.destination_state_set(
        destination_id=bad.pk, meeting_id=meeting.pk, state="failed", reason="refused"
    )
    services.ingest_end(meeting=meeting)
    states = dict(DestinationStatus.objects.values_list("destination_id", "state"))
    assert states == {ok.pk: "stopped", bad.pk: "failed"}


def test_the_first_program_date_time_is_read_from_the_playlist(tmp_path):
    playlist = tmp_path / "index.m3u8"
    playlist.write_text(
        "#EXTM3U\n#EXTINF:4.0,\n#EXT-X-PROGRAM-DATE-TIME:2030-03-04T16:00:02.209+0000\n"
        "seg-00000.ts\n#EXT-X-PROGRAM-DATE-TIME:2030-03-04T16:00:06.209+0000\n"
    )
    expected = datetime(2030, 3, 4, 16, 0, 2, 209000, tzinfo=UTC)
    assert first_program_date_time(playlist) == expected
    assert first_program_date_time(tmp_path / "missing.m3u8") is None


def test_a_second_feed_records_to_a_new_file(tmp_path):
    assert recording_name(tmp_path) == "recording.mkv"
    (tmp_path / "recording.mkv").touch()
    assert recording_name(tmp_path) == "recording-2.mkv"
