"""Real parts: an SRT encoder (ffmpeg in caller mode, MPEG-TS) pushes to `samskab ingest` on
loopback. A wrong or missing passphrase is refused and logged with the encoder's address;
the right one feeds the same pipeline as RTMP: HLS with program date-times, the recording,
a picture and a restream destination, without re-encoding."""

import logging

import pytest
from django.utils import timezone

from samskab.streaming import services
from samskab.streaming.ingest import first_program_date_time, with_database
from samskab.streaming.models import Destination, MeetingStream
from samskab.streaming.srtingest import free_udp_port
from samskab.streaming.tests.factories import destination
from samskab.streaming.tests.livehelpers import (
    IngestThread,
    duration_s,
    encoder,
    free_port,
    receiver,
    wait_for,
)
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import media_folder
from samskab.webcasts.tests.factories import MeetingFactory

# Real-time ffmpeg against `samskab ingest`: its time goes to the media, and the database
# only keeps a few rows, so once, on the production database (conftest.py).
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass(on="postgres"),
]

SECONDS = 8


def test_an_srt_encoder_with_the_right_passphrase_feeds_the_same_pipeline(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="samskab.streaming")
    meeting = MeetingFactory(status=Meeting.Status.PLANNED, starts_at=timezone.now())
    later = MeetingFactory(status=Meeting.Status.PLANNED, starts_at=timezone.now())
    far = MeetingFactory(status=Meeting.Status.PLANNED)  # in 2030: gets no port yet
    key = services.stream_key_ensure(meeting=meeting).key
    services.stream_key_ensure(meeting=later)
    services.stream_key_ensure(meeting=far)
    youtube_port = free_port()
    destination(
        name="YouTube",
        kind=Destination.Kind.YOUTUBE,
        meeting=meeting,
        server_url=f"rtmp://127.0.0.1:{youtube_port}/live2",
        key="yt-secret-1234",
    )
    youtube_file = tmp_path / "youtube.flv"
    youtube = receiver(f"rtmp://127.0.0.1:{youtube_port}/live2/yt-secret-1234", youtube_file)
    first = free_udp_port()
    folder = media_folder(meeting.pk)

    with IngestThread(srt_port=first, srt_ports=2, srt_poll_s=0.5) as ingest:
        ports = wait_for(lambda: with_database(srt_ports))
        assert set(ports) == {meeting.pk, later.pk}, "the far meeting has no port"
        port = ports[meeting.pk]
        assert port in (first, first + 1)
        wait_for(lambda: meeting.pk in ingest.server.srt.ports)
        srt_port = ingest.server.srt.ports[meeting.pk]
        url = f"srt://127.0.0.1:{port}"

        wrong = encoder(f"{url}?passphrase=not-the-key-1234", seconds=2, container="mpegts")
        assert wrong.wait(30) != 0
        wait_for(lambda: "wrong passphrase" in caplog.text)
        assert f"Refused an SRT stream for meeting {meeting.pk} on port {port} from 127.0.0.1:" in (
            caplog.text
        )
        missing = encoder(url, seconds=2, container="mpegts")
        assert missing.wait(30) != 0
        wait_for(lambda: "no passphrase" in caplog.text)
        # The other meeting's key does not open this meeting's port either.
        other_key = with_database(lambda: MeetingStream.objects.get(meeting=later).key)
        other = encoder(f"{url}?passphrase={other_key}", seconds=2, container="mpegts")
        assert other.wait(30) != 0
        assert not folder.exists() or not (folder / "index.m3u8").exists()

        chamber = encoder(
            # linger: the encoder waits until what is in flight has arrived before it hangs up.
            f"{url}?passphrase={key}&streamid=chamber&latency=200000&linger=10",
            seconds=SECONDS,
            container="mpegts",
        )
        wait_for(lambda: first_program_date_time(folder / "index.m3u8"), timeout=30)
        wait_for(lambda: with_database(recording_started, pk=meeting.pk))
        assert chamber.wait(40) == 0, chamber.stderr.read()
        assert youtube.wait(40) == 0, youtube.stderr.read()
        wait_for(lambda: not ingest.server.feeds, timeout=30)
    feed = ingest.server.finished[-1]
    assert feed.peer.startswith("127.0.0.1:")
    assert "gave the right passphrase (stream id 'chamber')" in caplog.text

    playlist = (folder / "index.m3u8").read_text()
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
    segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
    assert len(segments) >= 2
    assert playlist.count("#EXT-X-PROGRAM-DATE-TIME:") == len(segments)
    assert duration_s(folder / "recording.mkv") == pytest.approx(SECONDS, abs=1)
    assert (folder / "poster.jpg").stat().st_size > 1000
    assert duration_s(youtube_file) == pytest.approx(SECONDS, abs=1.5)
    meeting.refresh_from_db()
    assert meeting.video_kind == Meeting.VideoKind.UPLOAD
    assert meeting.recording_started_at == first_program_date_time(folder / "index.m3u8")
    # Copied, not encoded: the SRT listener, the relay (in the event loop), HLS, recording
    # and the restream together use a fraction of real time.
    media = feed.fanout.media_seconds
    assert media == pytest.approx(SECONDS, abs=1)
    listener = srt_port.cpu_seconds
    assert listener > 0
    cpu = feed.fanout.cpu_seconds + listener + ingest.loop_cpu_seconds
    print(
        f"SRT ingest CPU {cpu:.2f} s (listener {listener:.2f}) for {media:.1f} s: {cpu / media:.3f}"
    )
    assert cpu < 0.3 * media


def srt_ports() -> dict[int, int]:
    return dict(MeetingStream.objects.exclude(srt_port=None).values_list("meeting_id", "srt_port"))


def recording_started(*, pk: int):
    return Meeting.objects.get(pk=pk).recording_started_at
