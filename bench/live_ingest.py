"""Live ingest and restream: CPU time against a re-encode of the same feed.

Pushes SECONDS of 720p25 test pattern and tone (H.264 + AAC, keyframe every 2 s) with ffmpeg
as a chamber encoder would to Samskab's RTMP front, which feeds our HLS + recording +
picture and two restream destinations (loopback receivers standing in for YouTube and
Facebook). Measures the CPU seconds of everything on Samskab's side (the RTMP front's
thread, the feeding threads and the three ffmpeg processes, through wait4) and, as the peer,
the encoder's own CPU seconds: what one re-encode of the feed costs. No database: this is
the media path of `samskab ingest` without the key look-up.

    python -m bench.live_ingest [seconds]
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samskab.media import commands
from samskab.streaming import fanout, rtmp

SECONDS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
LIMIT_RATIO = 0.3  # the test's limit: CPU seconds per second of media


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.machine()}"


async def main() -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-live-"))
    quiet = [ffmpeg(), "-hide_banner", "-loglevel", "error"]
    ports = [free_port(), free_port()]
    receivers = [
        subprocess.Popen(
            [*quiet, "-listen", "1", "-i", f"rtmp://127.0.0.1:{port}/live/x", "-c", "copy",
             "-y", str(work / f"received-{port}.flv")]
        )
        for port in ports
    ]  # fmt: skip
    done = asyncio.Event()
    result: dict = {}

    class Feed(rtmp.Publisher):
        def __init__(self) -> None:
            def state(*_args) -> None:
                return None

            archive_arguments = commands.live_archive_command(
                playlist=str(work / "index.m3u8"),
                segment_pattern=str(work / "seg-%05d.ts"),
                recording=str(work / "recording.mkv"),
                thumbnail=str(work / "poster.jpg"),
            )
            archive = [*quiet, *archive_arguments]
            sinks = [fanout.Sink("archive", archive, on_state=state)]
            for port in ports:
                url = f"rtmp://127.0.0.1:{port}/live/x"
                command = [*quiet, *commands.restream_command(url)]
                sinks.append(fanout.Sink(str(port), command, on_state=state))
            self.fanout = fanout.Fanout(sinks)
            self.fanout.start()

        def on_tag(self, tag: rtmp.Tag) -> None:
            self.fanout.on_tag(tag)

        async def on_end(self) -> None:
            await asyncio.to_thread(self.fanout.stop)
            result["fanout"] = self.fanout
            done.set()

    async def authorize(app: str, name: str, peer: str) -> rtmp.Publisher | None:
        return Feed()

    port = free_port()
    server = await rtmp.serve(authorize, port=port)
    loop_start = time.thread_time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    encoder = await asyncio.create_subprocess_exec(
        *quiet, "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(SECONDS),
        "-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-b:v", "3000k",
        "-c:a", "aac", "-b:a", "128k", "-f", "flv", f"rtmp://127.0.0.1:{port}/live/bench",
    )  # fmt: skip
    await encoder.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    await done.wait()
    loop_cpu = time.thread_time() - loop_start
    server.close()
    for receiver in receivers:
        receiver.wait(30)
    feed: fanout.Fanout = result["fanout"]
    # Only the encoder was reaped between the two readings: the sinks' ffmpeg end after it.
    encoder_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    ours = feed.cpu_seconds + loop_cpu
    media = feed.media_seconds
    return {
        "bench": "live_ingest",
        "seconds": round(media, 1),
        "destinations": len(ports),
        "cpu_seconds": round(ours, 2),
        "cpu_ratio": round(ours / media, 3),
        "limit_ratio": LIMIT_RATIO,
        "encoder_cpu_seconds": round(encoder_cpu, 2),
        "vs_one_encode": round(ours / encoder_cpu, 3) if encoder_cpu else None,
        "machine": machine(),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
