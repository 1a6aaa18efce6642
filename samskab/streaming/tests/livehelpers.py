"""Real ffmpeg on loopback: a chamber encoder, receivers standing in for YouTube and
Facebook, and `samskab ingest` running in a thread of the test process."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

from samskab.streaming.ingest import IngestOptions, IngestServer
from samskab.webcasts.ffmpeg import ffmpeg_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def encoder(url: str, *, seconds: float, container: str = "flv") -> subprocess.Popen[bytes]:
    """A chamber encoder: test pattern and tone, H.264 with a keyframe every 2 s, AAC.

    RTMP carries FLV; an SRT encoder sends MPEG-TS (`container="mpegts"`)."""
    return subprocess.Popen(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", str(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-c:a", "aac",
            "-f", container, url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def receiver(url: str, target: Path) -> subprocess.Popen[bytes]:
    """ffmpeg listening on loopback, as YouTube's or Facebook's ingest would."""
    return subprocess.Popen(
        [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin",
            "-listen", "1", "-timeout", "60", "-i", url, "-c", "copy", "-y", str(target),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def duration_s(path: Path) -> float:
    """The container's duration as ffmpeg reads it (an ffprobe without ffprobe)."""
    result = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", result.stderr)
    assert match, result.stderr
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


class IngestThread:
    """`samskab ingest` on a free loopback port, in a thread with its own event loop."""

    def __init__(self, **options) -> None:
        self.server = IngestServer(IngestOptions(host="127.0.0.1", port=free_port(), **options))
        self.loop = asyncio.new_event_loop()
        self.loop_cpu_seconds = 0.0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"rtmp://127.0.0.1:{self.server.port}/live"

    def __enter__(self) -> IngestThread:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(60)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        start = time.thread_time()
        self.loop.run_until_complete(self.server.start())
        self._ready.set()
        self.loop.run_forever()
        self.loop_cpu_seconds = time.thread_time() - start

    async def _stop(self) -> None:
        await self.server.stop()
        self.loop.call_soon(self.loop.stop)


def wait_for(condition, timeout: float = 20.0, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")
