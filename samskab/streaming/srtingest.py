"""SRT ingest: each near meeting's UDP port, its relay and ffmpeg listener (see srt.py).

Every few seconds the ingest hands out ports to the meetings that are near
(services.srt_ports_assign). For each, an `SrtPort` relays the public port to an ffmpeg SRT
listener on loopback whose passphrase is the meeting's stream key. When an encoder's
passphrase is right, ffmpeg's FLV output becomes a feed exactly like an RTMP one
(IngestServer.open_feed): HLS with program date-times, recording, pictures, restreams.
When the encoder goes, the feed ends and a new listener waits for it to come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone

from samskab.media import commands
from samskab.streaming import services, srt
from samskab.webcasts.ffmpeg import ffmpeg_path
from samskab.webcasts.models import Meeting

if TYPE_CHECKING:
    from samskab.streaming.ingest import IngestServer, MeetingFeed

logger = logging.getLogger("samskab.streaming")

RESTART_AFTER_S = 0.5
REFUSED_WAIT_S = 3.0


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SrtPort:
    """One meeting's SRT port while it is near."""

    def __init__(self, server: IngestServer, meeting_id: int, port: int, key: str) -> None:
        self.server = server
        self.meeting_id = meeting_id
        self.port = port
        self.key = key
        self.loop = asyncio.get_running_loop()
        self.backend_port = free_udp_port()
        self.relay: srt.Relay | None = None
        self.peer = ""  # the last encoder whose handshake ffmpeg accepted
        self.feed: MeetingFeed | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.cpu_seconds = 0.0  # the SRT listener ffmpeg's, all runs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"srt {port}", daemon=True)

    async def start(self) -> None:
        self.relay = await srt.relay(
            self.server.options.host,
            self.port,
            self.backend_port,
            on_refused=self._refused,
            on_accepted=self._accepted,
        )
        self._thread.start()
        logger.info(
            "Meeting %s: listening for an SRT encoder on srt://%s:%s",
            self.meeting_id,
            self.server.options.host,
            self.port,
        )

    async def stop(self) -> None:
        self._stop.set()
        self._kill()
        await asyncio.to_thread(self._thread.join, 60)
        if self.relay is not None:
            self.relay.close()

    def rekey(self, key: str) -> None:
        """A new stream key: an idle listener starts again with it; a feed goes on."""
        if key == self.key:
            return
        self.key = key
        if self.feed is None:
            self._kill()

    # --- the relay's reports (event loop) ---

    def _refused(self, address: str, reason: str) -> None:
        logger.warning(
            "Refused an SRT stream for meeting %s on port %s from %s: %s.",
            self.meeting_id,
            self.port,
            address,
            reason,
        )

    def _accepted(self, address: str, stream_id: str | None) -> None:
        if address != self.peer:
            self.peer = address
            logger.info(
                "Meeting %s: an SRT encoder at %s gave the right passphrase%s.",
                self.meeting_id,
                address,
                f" (stream id {stream_id!r})" if stream_id else "",
            )

    # --- the listener's thread ---

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                refused = self._listen_once()
            except Exception:
                logger.exception("Meeting %s: the SRT listener failed", self.meeting_id)
                refused = True
            self._stop.wait(REFUSED_WAIT_S if refused else RESTART_AFTER_S)

    def _listen_once(self) -> bool:
        """Wait for one encoder and pass its feed on; True if its feed was refused."""
        command = [
            ffmpeg_path(), "-hide_banner", "-loglevel", "error",
            *commands.srt_listen_command(
                port=self.backend_port,
                passphrase=self.key,
                latency_ms=self.server.options.srt_latency_ms,
            ),
        ]  # fmt: skip
        # A fixed binary from the imageio-ffmpeg wheel and arguments we build; no shell.
        self.process = process = subprocess.Popen(  # noqa: S603
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        errors: list[str] = []
        reader = threading.Thread(target=_read_errors, args=(process, errors), daemon=True)
        reader.start()
        if self._stop.is_set():  # stopped while starting
            self._kill()
        flv = srt.FlvReader()
        refused = False
        if process.stdout is None:
            raise RuntimeError("ffmpeg without a pipe")
        try:
            while not refused:
                data = process.stdout.read1(65536)
                if not data:
                    break
                for tag in flv.feed(data):
                    if self.feed is None:
                        self.feed = self._open_feed()
                        if self.feed is None:
                            refused = True
                            break
                    self.feed.on_tag(tag)
        except srt.FlvError as error:
            logger.warning("Meeting %s: unreadable SRT feed: %s", self.meeting_id, error)
        finally:
            # Its CPU time before it is reaped (it ends by itself when the encoder has gone).
            self.cpu_seconds += _cpu_seconds_at_exit(process.pid)
            self._kill()
            process.wait()
            reader.join(5)
            feed, self.feed = self.feed, None
            if feed is not None:
                asyncio.run_coroutine_threadsafe(feed.on_end(), self.loop).result()
        if feed is not None and errors:
            logger.info("Meeting %s: the SRT feed ended: %s", self.meeting_id, errors[-1])
        return refused

    def _open_feed(self) -> MeetingFeed | None:
        from samskab.streaming.ingest import with_database

        meeting = with_database(Meeting.objects.filter(pk=self.meeting_id).first)
        if meeting is None:
            return None
        peer = self.peer or f"SRT port {self.port}"
        return asyncio.run_coroutine_threadsafe(
            self.server.open_feed(meeting, peer, disconnect=self._kill), self.loop
        ).result()

    def _kill(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                process.kill()


def _cpu_seconds_at_exit(pid: int, wait_s: float = 2.0) -> float:
    """A child's user and system CPU time from /proc (Linux; 0 elsewhere), read once it has
    exited but is not yet reaped (or after wait_s, while it still runs)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        if fields[0] == "Z" or time.monotonic() > deadline:
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        time.sleep(0.05)


def _read_errors(process: subprocess.Popen[bytes], errors: list[str]) -> None:
    if process.stderr is None:
        raise RuntimeError("ffmpeg without a pipe")
    for line in process.stderr:
        text = line.decode("utf-8", "replace").strip()
        # libsrt's own warnings (rejected handshakes) are reported by the relay instead.
        if text and "/SRT:" not in text:
            errors.append(text)
            del errors[:-20]


class SrtPorts:
    """The SRT side of `samskab ingest`: ports for near meetings, looked over regularly."""

    def __init__(self, server: IngestServer) -> None:
        self.server = server
        self.ports: dict[int, SrtPort] = {}  # meeting id -> its port
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.refresh()
        self._task = asyncio.get_running_loop().create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.server.options.srt_poll_s)
            try:
                await self.refresh()
            except Exception:  # the database may be away for a moment; try again
                logger.exception("Looking over the SRT ports failed")

    async def refresh(self) -> None:
        from samskab.streaming.ingest import with_database

        options = self.server.options
        wanted: dict[int, tuple[int, str]] = await asyncio.to_thread(
            with_database,
            services.srt_ports_assign,
            first=options.srt_port,
            count=options.srt_ports,
            now=timezone.now(),
        )
        for meeting_id, current in list(self.ports.items()):
            if wanted.get(meeting_id, (None, ""))[0] != current.port:
                del self.ports[meeting_id]
                await current.stop()
        for meeting_id, (port, key) in wanted.items():
            current = self.ports.get(meeting_id)
            if current is not None:
                current.rekey(key)
                continue
            srt_port = SrtPort(self.server, meeting_id, port, key)
            try:
                await srt_port.start()
            except OSError as error:
                logger.error("Cannot listen for SRT on port %s: %s", port, error)
                continue
            self.ports[meeting_id] = srt_port

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await asyncio.gather(*(port.stop() for port in self.ports.values()))
        self.ports.clear()
