"""Issue 24's live part with real video: a chamber encoder (ffmpeg) publishes to `samskab
ingest` on loopback; the broadcasts the worker made on the fake YouTube and Facebook hand
their RTMPS ingest addresses to the restreamer, which pushes our feed there. Both ingests
receive frames; then YouTube's ingest goes away mid-meeting and refuses us, and Facebook
still gets the whole meeting, as does our own HLS. The platforms' API lifecycles run
alongside: YouTube goes to testing and live only once its ingest receives, and both end
with the meeting."""

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from samskab.social.models import Broadcast
from samskab.social.tasks import tick
from samskab.social.tests import helpers, rtmps
from samskab.streaming import fanout
from samskab.streaming import selectors as streaming_selectors
from samskab.streaming import services as streaming_services
from samskab.streaming.ingest import with_database
from samskab.streaming.models import DestinationStatus
from samskab.streaming.tests.livehelpers import (
    IngestThread,
    encoder,
    free_port,
    receiver,
    wait_for,
)
from samskab.webcasts.ffmpeg import ffmpeg_path
from samskab.webcasts.recording import media_folder
from samskab.webcasts.services import meeting_end, meeting_go_live
from samskab.webcasts.tests.factories import MeetingFactory

# Real-time ffmpeg against `samskab ingest`: its time goes to the media, and the database
# only keeps a few rows, so once, on the production database (conftest.py).
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass(on="postgres"),
]

SECONDS = 12
FPS = 25  # the encoder's test pattern


def video_frames(path: Path) -> int:
    """How many video frames the file holds (read through, nothing decoded)."""
    result = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-nostdin", "-i", str(path),
         "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    counts = re.findall(r"frame=\s*(\d+)", result.stderr)
    assert counts, result.stderr
    return int(counts[-1])


def test_a_meeting_goes_live_through_the_ingest_to_youtube_and_facebook(
    nets, tmp_path, monkeypatch
):
    # The platforms' RTMPS ingests on loopback, with a certificate the push trusts.
    cert, key = rtmps.loopback_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    youtube_port, facebook_port = free_port(), free_port()
    youtube_ingest = rtmps.TlsFront(youtube_port, cert=cert, key=key)
    facebook_ingest = rtmps.TlsFront(facebook_port, cert=cert, key=key)
    youtube_api, facebook_api = nets["youtube"], nets["facebook"]
    youtube_api.ingest_rtmps = youtube_ingest.base_url("live2")
    facebook_api.ingest_rtmps = facebook_ingest.base_url("rtmp")
    youtube_api.receiving = lambda _stream_name: youtube_ingest.flowing

    now = timezone.now()
    helpers.connected("youtube", nets, now=now)
    helpers.connected("facebook", nets, now=now, announces=False)
    meeting = MeetingFactory(starts_at=now + timedelta(minutes=5), is_published=True)
    stream_key = streaming_services.stream_key_ensure(meeting=meeting).key

    # The worker makes both broadcasts; their ingests become the meeting's destinations.
    tick(now=now)
    broadcasts = {b.account.network: b for b in Broadcast.objects.select_related("account")}
    assert {n: b.state for n, b in broadcasts.items()} == {
        "youtube": Broadcast.State.READY,
        "facebook": Broadcast.State.READY,
    }
    destinations = {d.kind: d for d in streaming_selectors.destinations_for(meeting)}
    assert destinations["youtube"].server_url == youtube_ingest.base_url("live2")
    assert destinations["facebook"].server_url == facebook_ingest.base_url("rtmp")
    youtube_file, facebook_file = tmp_path / "youtube.flv", tmp_path / "facebook.flv"
    youtube_receiver = receiver(
        f"rtmp://127.0.0.1:{youtube_port}/live2/{destinations['youtube'].stream_key}",
        youtube_file,
    )
    facebook_receiver = receiver(
        f"rtmp://127.0.0.1:{facebook_port}/rtmp/{destinations['facebook'].stream_key}",
        facebook_file,
    )

    with IngestThread(backoff=fanout.Backoff(first_s=0.5, longest_s=1)) as ingest:
        chamber = encoder(f"{ingest.url}/{stream_key}", seconds=SECONDS)
        wait_for(lambda: youtube_ingest.received and facebook_ingest.received)
        with_database(meeting.refresh_from_db)
        with_database(meeting_go_live, meeting=meeting, by=None)
        # Facebook's video goes LIVE_NOW; YouTube's stream is active, so testing, then live.
        with_database(tick)
        with_database(tick)
        states = dict(
            with_database(lambda: list(Broadcast.objects.values_list("account__network", "state")))
        )
        assert states == {"youtube": Broadcast.State.LIVE, "facebook": Broadcast.State.LIVE}
        assert facebook_api.live_videos[broadcasts["facebook"].broadcast_id]["status"] == "LIVE"

        # Five seconds in, YouTube's ingest goes away and refuses us from then on.
        wait_for(lambda: ingest.server.feeds[meeting.pk].fanout.media_seconds >= 5)
        youtube_ingest.refuse()
        assert chamber.wait(40) == 0, chamber.stderr.read()
        assert facebook_receiver.wait(30) == 0, facebook_receiver.stderr.read()
        youtube_receiver.wait(30)  # its connection was cut: how it ends is not ours to judge
        wait_for(lambda: not ingest.server.feeds, timeout=40)

    with_database(meeting_end, meeting=meeting, by=None)
    with_database(tick)

    # Frames arrived at both, through TLS; Facebook got the whole meeting although YouTube
    # refused us part way.
    assert youtube_ingest.handshakes >= 1 and facebook_ingest.handshakes >= 1
    youtube_frames, facebook_frames = video_frames(youtube_file), video_frames(facebook_file)
    assert facebook_frames == pytest.approx(SECONDS * FPS, abs=FPS)
    assert 3 * FPS <= youtube_frames <= (SECONDS - 3) * FPS, youtube_frames
    statuses = {
        s.destination.kind: s
        for s in DestinationStatus.objects.filter(meeting=meeting).select_related("destination")
    }
    assert statuses["facebook"].state == DestinationStatus.State.STOPPED
    assert statuses["youtube"].state == DestinationStatus.State.FAILED
    assert "refused" in statuses["youtube"].reason
    assert destinations["youtube"].stream_key not in statuses["youtube"].reason

    # Our own stream went on to its end.
    playlist = (media_folder(meeting.pk) / "index.m3u8").read_text()
    assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
    listed = sum(
        float(line.split(":")[1].rstrip(","))
        for line in playlist.splitlines()
        if line.startswith("#EXTINF")
    )
    assert listed == pytest.approx(SECONDS, abs=1)

    # Both platforms' broadcasts ended with the meeting, through their own APIs.
    youtube_id = broadcasts["youtube"].broadcast_id
    assert youtube_api.transitions == [
        (youtube_id, "testing"),
        (youtube_id, "live"),
        (youtube_id, "complete"),
    ]
    assert facebook_api.live_videos[broadcasts["facebook"].broadcast_id]["status"] == "VOD"
    assert set(Broadcast.objects.values_list("state", flat=True)) == {Broadcast.State.COMPLETE}
