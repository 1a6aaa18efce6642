"""Marks set after the encoder dropped out and came back land where the video shows them:
wall-clock time to media offset through the segments' EXT-X-PROGRAM-DATE-TIME."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from samskab.media import commands
from samskab.streaming import services
from samskab.streaming.ingest import first_program_date_time, with_database
from samskab.streaming.tests.livehelpers import IngestThread, encoder, wait_for
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.recording import media_folder
from samskab.webcasts.services import mark_add, meeting_go_live
from samskab.webcasts.tests.factories import MeetingFactory, PersonFactory

# Real-time ffmpeg against `samskab ingest`: its time goes to the media, and the database
# only keeps a few rows, so once, on the production database (conftest.py).
pytestmark = pytest.mark.one_pass(on="postgres")

T0 = datetime(2026, 3, 4, 16, 0, 0, tzinfo=UTC)

# As ffmpeg writes it: 4 + 4 + 2 s, the encoder away for 30 s, then 4 + 4 s.
PLAYLIST = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-INDEPENDENT-SEGMENTS
#EXTINF:4.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-03-04T16:00:00.000+0000
seg-00000.ts
#EXTINF:4.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-03-04T16:00:04.000+0000
seg-00001.ts
#EXTINF:2.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-03-04T16:00:08.000+0000
seg-00002.ts
#EXT-X-DISCONTINUITY
#EXTINF:4.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-03-04T16:00:40.000+0000
seg-00003.ts
#EXTINF:4.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-03-04T16:00:44.000+0000
seg-00004.ts
"""


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_segments_carry_their_media_offset_and_wall_time():
    segments = commands.hls_dated_segments(PLAYLIST)
    assert [(s.start_ms, s.duration_ms) for s in segments] == [
        (0, 4000),
        (4000, 4000),
        (8000, 2000),
        (10000, 4000),
        (14000, 4000),
    ]
    assert segments[3].wall == at(40)
    assert commands.hls_has_gap(segments)
    assert not commands.hls_has_gap(segments[:3])
    assert commands.hls_dated_segments("#EXTM3U\n#EXTINF:4.0,\nseg.ts\n") == []


@pytest.mark.parametrize(
    ("seconds", "offset_ms"),
    [
        (-5, 0),  # before the feed
        (0, 0),
        (6.5, 6500),  # before the gap: wall time since the start
        (9.999, 9999),
        (10, 10000),  # the gap: the picture resumes at 10 s
        (25, 10000),
        (40, 10000),
        (41.25, 11250),  # after the gap: 30 s less than the wall clock says
        (47, 17000),
        (50, 20000),  # live, past the last listed segment: counted on
    ],
)
def test_wall_time_maps_to_the_media_offset_across_the_gap(seconds, offset_ms):
    segments = commands.hls_dated_segments(PLAYLIST)
    assert commands.media_offset_ms(segments, at(seconds)) == offset_ms


def test_without_program_date_times_there_is_no_offset():
    assert commands.media_offset_ms([], at(3)) is None


@pytest.mark.django_db
def test_marks_after_a_gap_move_back_by_the_gap_and_corrected_ones_stay():
    meeting = MeetingFactory(status=Meeting.Status.LIVE, recording_started_at=T0)
    person = PersonFactory()
    before = mark_add(meeting=meeting, kind="speaker", person=person, by=None, at=at(6))
    after = mark_add(meeting=meeting, kind="speaker", person=person, by=None, at=at(42))
    fixed = mark_add(meeting=meeting, kind="speaker", person=person, by=None, at=at(46))
    assert after.offset_ms == 42000  # counted from the start, gap and all
    TimelineMark.objects.filter(pk=fixed.pk).update(offset_ms=12345, corrected_at=at(60))

    assert services.marks_follow_playlist(meeting=meeting, playlist=PLAYLIST) == 1
    for mark in (before, after, fixed):
        mark.refresh_from_db()
    assert (before.offset_ms, after.offset_ms, fixed.offset_ms) == (6000, 12000, 12345)
    # The closed playlist: nothing lies past its end.
    late = mark_add(meeting=meeting, kind="speaker", person=person, by=None, at=at(70))
    services.marks_follow_playlist(meeting=meeting, playlist=PLAYLIST + "#EXT-X-ENDLIST\n")
    late.refresh_from_db()
    assert late.offset_ms == 18000
    # A playlist without a gap changes nothing.
    no_gap = PLAYLIST.split("#EXT-X-DISCONTINUITY")[0]
    assert services.marks_follow_playlist(meeting=meeting, playlist=no_gap) == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_encoder_that_comes_back_after_a_gap_gets_its_marks_right(caplog):
    caplog.set_level(logging.INFO, logger="samskab.streaming")
    meeting = MeetingFactory()
    person = PersonFactory()
    key = services.stream_key_ensure(meeting=meeting).key
    folder = media_folder(meeting.pk)
    with IngestThread() as ingest:
        first = encoder(f"{ingest.url}/{key}", seconds=6)
        wait_for(lambda: first_program_date_time(folder / "index.m3u8"))
        wait_for(lambda: with_database(recording_started, pk=meeting.pk))
        with_database(meeting.refresh_from_db)
        with_database(meeting_go_live, meeting=meeting, by=None)
        assert first.wait(30) == 0
        wait_for(lambda: not ingest.server.feeds)
        gone_at = timezone.now()
        wait_for(lambda: timezone.now() - gone_at > timedelta(seconds=5), timeout=10)

        second = encoder(f"{ingest.url}/{key}", seconds=8)
        wait_for(lambda: meeting.pk in ingest.server.feeds)
        feed = ingest.server.feeds[meeting.pk]
        wait_for(lambda: feed.fanout.media_seconds >= 3)
        marked_at = timezone.now()
        mark = with_database(
            mark_add, meeting=meeting, kind=TimelineMark.Kind.SPEAKER, person=person, by=None
        )
        assert second.wait(30) == 0
        wait_for(lambda: not ingest.server.feeds)
    before_gap, after_gap = ingest.server.finished[-2:]
    assert after_gap is feed

    playlist = (folder / "index.m3u8").read_text()
    assert "#EXT-X-DISCONTINUITY" in playlist
    meeting.refresh_from_db()
    mark.refresh_from_db()
    naive_ms = (marked_at - meeting.recording_started_at).total_seconds() * 1000
    # Where the video really is: all of the first feed, then the second feed's time so far.
    expected_ms = (
        before_gap.fanout.media_seconds * 1000
        + (marked_at.timestamp() - after_gap.fanout.first_arrival) * 1000
    )
    assert naive_ms - expected_ms > 4000, "the gap was real"
    assert mark.offset_ms == pytest.approx(expected_ms, abs=1000)
    assert "marks placed by the segments' times" in caplog.text


def recording_started(*, pk: int):
    return Meeting.objects.get(pk=pk).recording_started_at
