"""Real ffmpeg for the closed-session tests: a camera of one colour, frames told by colour,
and an RTMP receiver (standing in for YouTube) that keeps every connection's feed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from pathlib import Path

from samskab.media import commands
from samskab.streaming import rtmp, slate
from samskab.webcasts.ffmpeg import ffmpeg_path

GREEN = "0x00c000"
RED = "0xe00000"


def camera_tags(folder: Path, colour: str, *, seconds: int, name: str) -> list[rtmp.Tag]:
    """What an encoder filming one colour would send: H.264 (a keyframe a second) and AAC."""
    target = folder / f"{name}.flv"
    subprocess.run(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", f"color=c={colour}:size=320x180:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-g", "25",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", str(target),
        ],
        check=True,
    )  # fmt: skip
    return rtmp.FlvReader().feed(target.read_bytes())


def shifted(tags: list[rtmp.Tag], by_ms: int) -> list[rtmp.Tag]:
    """The same tags later in the feed (the encoder's clock runs on)."""
    return [rtmp.Tag(tag.type_id, tag.timestamp + by_ms, tag.payload) for tag in tags]


def child_command_lines() -> list[str]:
    """What any local user reads in /proc/<pid>/cmdline of this process's children."""
    lines = []
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != me:
                continue
            lines.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return lines


def slate_clip(folder: Path) -> str:
    picture = slate.slate_render(
        folder / "slate.png", heading="Lukket møde", note="", municipality="Testkommune"
    )
    clip = folder / "slate.mp4"
    subprocess.run(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin",
            *commands.slate_clip_command(image=str(picture), target=str(clip)),
        ],
        check=True,
    )  # fmt: skip
    return str(clip)


def frame_colours(source: Path) -> list[str]:
    """Each decoded frame of a file or playlist as "red", "green", "slate" or "other"."""
    result = subprocess.run(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(source),
            "-map", "0:v:0", "-vf", "scale=8:8", "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
        ],
        capture_output=True,
        check=True,
    )  # fmt: skip
    data = result.stdout
    colours = []
    for start in range(0, len(data) - 191, 192):
        frame = data[start : start + 192]
        red = sum(frame[0::3]) / 64
        green = sum(frame[1::3]) / 64
        blue = sum(frame[2::3]) / 64
        if red > 150 and green < 90 and blue < 90:
            colours.append("red")
        elif green > 120 and red < 90 and blue < 90:
            colours.append("green")
        elif blue > red + 10 and blue > green:
            colours.append("slate")  # the municipality's blue, dimmed, white words
        else:
            colours.append("other")
    return colours


class Receiver(rtmp.Publisher):
    def __init__(self, server: RtmpSink, name: str) -> None:
        self.server = server
        self.name = name
        self.data = bytearray(rtmp.FLV_HEADER)
        self.ended = False

    def on_tag(self, tag: rtmp.Tag) -> None:
        self.data += tag.flv()

    async def on_end(self) -> None:
        self.ended = True


class RtmpSink:
    """An RTMP server on loopback, as YouTube's ingest: every publish is kept as FLV."""

    def __init__(self) -> None:
        self.received: list[Receiver] = []  # in the order the publishers connected
        self.names: list[str] = []
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def authorize(app: str, name: str, peer: str) -> rtmp.Publisher:
            self.names.append(f"{app}/{name}")
            self.received.append(Receiver(self, name))
            return self.received[-1]

        async def start() -> None:
            self.server = await rtmp.serve(authorize, host="127.0.0.1", port=0)
            self.port = self.server.sockets[0].getsockname()[1]
            self._ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def __enter__(self) -> RtmpSink:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"rtmp://127.0.0.1:{self.port}/live"
