"""Issue 24's "Done when": a meeting scheduled for tomorrow is announced to every connected
network at the set times, goes live on the fake YouTube and Facebook through their API
lifecycles (one failing without stopping the other or our own stream), and the "recording
ready" post links to the archive, each post once. The clock is injected: no wall clock."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from samskab.social.models import Broadcast, Kind, Post
from samskab.social.tasks import tick
from samskab.social.tests import helpers
from samskab.streaming import selectors as streaming_selectors
from samskab.streaming.destinations import publish_url
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.services import mark_add, meeting_end, meeting_go_live
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory

# Against the networks' fakes on loopback: the database only keeps a few rows, so once, on
# the production database (conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_pass(on="postgres")]

# Monday 7 December 2026, 10:00 in Copenhagen; the meeting is tomorrow at 17:00.
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
START = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
POSTING = ["mastodon", "bluesky", "x", "facebook", "linkedin"]


def _sent(nets) -> dict[str, list[str]]:
    """Every post each fake network holds, by its text."""
    return {
        "mastodon": [s["content"] for s in nets["mastodon"].statuses],
        "bluesky": [r["text"] for r in nets["bluesky"].records.values()],
        "x": [t["text"] for t in nets["x"].tweets],
        "facebook": [p["message"] for p in nets["facebook"].posts],
        "linkedin": [p["commentary"] for p in nets["linkedin"].posts],
    }


def _kinds_sent() -> set[tuple[str, str]]:
    return set(Post.objects.filter(status=Post.Status.SENT).values_list("account__network", "kind"))


def test_a_meeting_tomorrow_is_announced_goes_live_and_its_recording_is_posted_once(
    nets, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for network in [*POSTING, "youtube"]:
        helpers.connected(network, nets, now=NOW)
    meeting = MeetingFactory(
        title="Byrådsmøde", body__name="Byrådet", starts_at=START, is_published=True
    )
    budget = AgendaItemFactory(meeting=meeting, number="1", title="Budget 2027")
    school = AgendaItemFactory(meeting=meeting, number="2", title="Ny skole i Vestbyen")

    # Today: "published" goes out to every network at once, with the agenda.
    tick(now=NOW)
    assert _kinds_sent() == {(network, Kind.PUBLISHED) for network in POSTING}
    for network, texts in _sent(nets).items():
        assert len(texts) == 1, network
        assert "Budget 2027" in texts[0] or network == "x"  # X's 280 may cut the agenda
    assert not Broadcast.objects.exists()  # more than a day ahead: no broadcast yet

    # A day before: the broadcasts are made on YouTube and Facebook and handed to the
    # restreamer as the meeting's own destinations.
    tick(now=START - timedelta(hours=23))
    broadcasts = {b.account.network: b for b in Broadcast.objects.select_related("account")}
    assert {n: b.state for n, b in broadcasts.items()} == {
        "youtube": Broadcast.State.READY,
        "facebook": Broadcast.State.READY,
    }
    youtube_api, facebook_api = nets["youtube"], nets["facebook"]
    broadcast = youtube_api.broadcasts[broadcasts["youtube"].broadcast_id]
    assert broadcast["snippet"]["scheduledStartTime"] == START.isoformat()
    assert broadcast["status"]["privacyStatus"] == "public"
    assert broadcast["stream"] == broadcasts["youtube"].stream_id  # bound
    assert broadcasts["youtube"].public_url.endswith(f"watch?v={broadcast['id']}")
    assert broadcasts["facebook"].public_url.startswith("https://www.facebook.com/")
    destinations = {d.kind: d for d in streaming_selectors.destinations_for(meeting)}
    stream = next(iter(youtube_api.streams.values()))
    assert publish_url(
        "youtube", destinations["youtube"].server_url, destinations["youtube"].stream_key
    ) == (f"rtmps://127.0.0.1:1/live2/{stream['cdn']['ingestionInfo']['streamName']}")
    facebook_key = next(iter(facebook_api.live_videos.values()))["key"]
    assert destinations["facebook"].stream_key == facebook_key
    assert destinations["facebook"].server_url == "rtmps://127.0.0.1:1/rtmp"

    # The reminder, three hours before, on the meeting's day.
    tick(now=START - timedelta(hours=3, minutes=1))
    assert (("x", Kind.SOON)) not in _kinds_sent()
    tick(now=START - timedelta(hours=3))
    assert {(network, Kind.SOON) for network in POSTING} <= _kinds_sent()

    # The meeting goes live: "live now" everywhere; Facebook goes live; YouTube waits for
    # our feed, then refuses to go live (its channel lost live streaming): it alone fails.
    with time_machine.travel(START, tick=False):
        meeting_go_live(meeting=meeting, by=None, at=START)
        mark_add(meeting=meeting, kind="item", agenda_item=budget, by=None)
    tick(now=START)
    assert {(network, Kind.LIVE) for network in POSTING} <= _kinds_sent()
    assert facebook_api.live_videos[broadcasts["facebook"].broadcast_id]["status"] == "LIVE"
    youtube = Broadcast.objects.get(account__network="youtube")
    assert youtube.state == Broadcast.State.READY and "not received" in youtube.reason
    youtube_api.receive()
    youtube_api.fail_next(
        "POST",
        "/liveBroadcasts/transition",
        403,
        {"error": {"code": 403, "message": "Live streaming is not enabled for this channel.",
                   "errors": [{"reason": "liveStreamingNotEnabled"}]}},
    )  # fmt: skip
    tick(now=START + timedelta(seconds=15))
    youtube.refresh_from_db()
    facebook = Broadcast.objects.get(account__network="facebook")
    assert youtube.state == Broadcast.State.FAILED
    assert youtube.reason == "Live streaming is not enabled for this channel."
    assert facebook.state == Broadcast.State.LIVE
    # Only YouTube's destination is turned off; our own stream and Facebook's go on.
    enabled = {d.kind for d in streaming_selectors.destinations_for(meeting)}
    assert enabled == {"facebook"}
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.LIVE

    # The meeting ends: Facebook's live video ends; the recording is in the archive.
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        mark_add(meeting=meeting, kind="item", agenda_item=school, by=None)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        meeting_end(meeting=meeting, by=None, at=START + timedelta(hours=1))
    tick(now=START + timedelta(hours=1))
    assert facebook_api.live_videos[facebook.broadcast_id]["status"] == "VOD"
    facebook.refresh_from_db()
    assert facebook.state == Broadcast.State.COMPLETE
    assert not any(k == Kind.RECORDING for _, k in _kinds_sent())  # not packaged yet
    folder = media_folder(meeting.pk)
    folder.mkdir(parents=True)
    (folder / PLAYLIST).write_text("#EXTM3U\n#EXT-X-ENDLIST\n")
    Meeting.objects.filter(pk=meeting.pk).update(video_kind=Meeting.VideoKind.UPLOAD)
    tick(now=START + timedelta(hours=1, minutes=5))
    assert {(network, Kind.RECORDING) for network in POSTING} <= _kinds_sent()
    for network, texts in _sent(nets).items():
        recording = texts[-1]
        assert f"/moeder/{meeting.pk}/" in recording, network
        if network != "x":
            assert "0:00:00 1. Budget 2027" in recording
            assert "0:30:00 2. Ny skole i Vestbyen" in recording

    # More ticks post nothing again: four posts on each network, each once.
    for minutes in (10, 60, 600):
        tick(now=START + timedelta(hours=1, minutes=minutes))
    for network, texts in _sent(nets).items():
        assert len(texts) == 4, (network, texts)
    assert Post.objects.count() == 4 * len(POSTING)
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.SENT}
    assert [t for _, t in youtube_api.transitions] == []  # never went live, never ended
    assert youtube_api.asked("POST", "/liveBroadcasts$") and len(youtube_api.broadcasts) == 1
