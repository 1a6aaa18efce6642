"""A closed session with real ffmpeg: not one frame of the chamber reaches the public HLS,
the recording or a restream while it lasts; they show the slate instead."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from samskab.media import commands
from samskab.streaming import fanout, rtmppush
from samskab.streaming.tests.closedhelpers import (
    GREEN,
    RED,
    RtmpSink,
    camera_tags,
    frame_colours,
    shifted,
    slate_clip,
)
from samskab.streaming.tests.livehelpers import duration_s
from samskab.webcasts.ffmpeg import ffmpeg_path

# Real-time ffmpeg and no database: the same in either pass, so once (conftest.py).
pytestmark = pytest.mark.one_pass(on="postgres")

FFMPEG = [ffmpeg_path(), "-hide_banner", "-loglevel", "error"]


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def feed(hub: fanout.Fanout, tags) -> None:
    for tag in tags:
        hub.on_tag(tag)


def settle(hub: fanout.Fanout) -> None:
    """Let every sink write what it was given (the test feeds faster than real time)."""
    wait_for(lambda: all(sink.queue.empty() for sink in hub.sinks))
    time.sleep(0.5)


def test_no_frame_of_a_closed_session_reaches_the_archive_or_a_restream(tmp_path: Path):
    green = camera_tags(tmp_path, GREEN, seconds=4, name="green")
    red = camera_tags(tmp_path, RED, seconds=4, name="red")
    clip = slate_clip(tmp_path)
    media = tmp_path / "media"
    media.mkdir()
    playlist, pattern = str(media / "index.m3u8"), str(media / "seg-%05d.ts")

    def archive(attempt: int = 1) -> list[str]:
        return [
            *FFMPEG,
            *commands.live_archive_command(
                playlist=playlist,
                segment_pattern=pattern,
                recording=None,
                thumbnail=str(media / "poster.jpg"),
                segment_s=1,
                appending=attempt > 1,
            ),
        ]

    with RtmpSink() as youtube:
        hub = fanout.Fanout(
            [
                fanout.Sink(
                    "archive",
                    archive(),
                    on_state=lambda *a: None,
                    before_start=archive,
                    slate_command=lambda _a: [
                        *FFMPEG,
                        *commands.slate_archive_command(
                            clip=clip, playlist=playlist, segment_pattern=pattern, segment_s=1
                        ),
                    ],
                ),
                fanout.Sink(
                    "recording",
                    [*FFMPEG, *commands.live_recording_command(str(media / "recording.mkv"))],
                    on_state=lambda *a: None,
                    pause_when_closed=True,
                ),
                fanout.PushSink(
                    "youtube",
                    rtmppush.target(youtube.url, "yt-key-1234"),
                    on_state=lambda *a: None,
                    slate_command=lambda _a: [*FFMPEG, *commands.slate_flv_command(clip)],
                ),
            ]
        )
        hub.start()
        feed(hub, green)  # the public part of the meeting
        settle(hub)
        hub.closed_set(True)
        feed(hub, shifted(red, 4000))  # the chamber during the closed session
        time.sleep(3.5)  # the slate runs in real time
        hub.closed_set(False)
        wait_for(lambda: all(sink.accepting.is_set() for sink in hub.sinks))
        feed(hub, shifted(green, 8000))  # public again
        settle(hub)
        hub.stop()
        wait_for(lambda: all(receiver.ended for receiver in youtube.received))

    shown = frame_colours(media / "index.m3u8")
    assert "red" not in shown
    assert shown.count("green") > 150 and shown.count("slate") > 50
    # Public, slate, public: in that order, each a part of its own.
    order = [colour for i, colour in enumerate(shown) if i == 0 or shown[i - 1] != colour]
    assert order == ["green", "slate", "green"]
    assert "#EXT-X-DISCONTINUITY" in (media / "index.m3u8").read_text()
    # One recording, paused meanwhile: nothing of the closed session is in it, and its
    # clock runs on as the encoder's did (4 s public, 4 s closed, 4 s public).
    assert [path.name for path in media.glob("recording*.mkv")] == ["recording.mkv"]
    assert set(frame_colours(media / "recording.mkv")) == {"green"}
    assert 11.5 < duration_s(media / "recording.mkv") < 12.5
    assert youtube.names == ["live/yt-key-1234"] * 3  # the same stream, three connections
    restreamed = [frame_colours_of(tmp_path, bytes(got.data)) for got in youtube.received]
    assert all("red" not in colours for colours in restreamed)
    assert [set(colours) for colours in restreamed] == [{"green"}, {"slate"}, {"green"}]


def frame_colours_of(folder: Path, flv: bytes) -> list[str]:
    target = folder / f"received-{time.monotonic_ns()}.flv"
    target.write_bytes(flv)
    return frame_colours(target)
