"""`samskab ingest`: the encoder's feed becomes our HLS, a recording and every restream.

The RTMP front (rtmp.py) checks the stream key; for an accepted key the meeting's feed goes
to one ffmpeg that writes live HLS, the full recording and a picture now and then into the
meeting's media folder (recording.py's layout), and to one ffmpeg per enabled restream
destination (fanout.py). Nothing is re-encoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image

from samskab.core.models import SiteSettings
from samskab.media import commands
from samskab.streaming import (
    destinations,
    fanout,
    rtmp,
    rtmppush,
    segmentsync,
    selectors,
    services,
    slate,
    srtingest,
)
from samskab.streaming.models import Destination
from samskab.webcasts.ffmpeg import ffmpeg_path
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.selectors import closed_session_now

logger = logging.getLogger("samskab.streaming")

APP = "live"  # rtmp://host:1935/live/<stream key>
RECORDING = "recording.mkv"
POSTER = "poster.jpg"
SEGMENTS = "seg-%05d.ts"
PDT_PREFIX = "#EXT-X-PROGRAM-DATE-TIME:"
DATABASE_ATTEMPTS = 40
# A second encoder with the same key takes over a feed that has sent nothing this long.
TAKE_OVER_AFTER_S = 5.0


def with_database(function: Callable[..., Any], **arguments: Any) -> Any:
    """Run a database call from the ingest's threads, waiting out a locked SQLite table."""
    close_old_connections()  # a long-running process: drop a connection the server closed
    for attempt in range(DATABASE_ATTEMPTS):
        try:
            return function(**arguments)
        except OperationalError as error:
            # SQLite (the quick start, and the tests' shared in-memory database) refuses
            # rather than waits when another thread holds the table; the work is small.
            if "locked" not in str(error) or attempt == DATABASE_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def recording_name(folder: Path) -> str:
    """recording.mkv, or recording-2.mkv, ... when the encoder comes back after a drop
    (names already in the object store count too: the local folder may have been cleaned)."""
    stored = segmentsync.stored_names(folder)

    def taken(name: str) -> bool:
        return (folder / name).exists() or name in stored

    if not taken(RECORDING):
        return RECORDING
    number = 2
    while taken(f"recording-{number}.mkv"):
        number += 1
    return f"recording-{number}.mkv"


def first_program_date_time(playlist: Path) -> datetime | None:
    try:
        text = playlist.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(PDT_PREFIX):
            try:
                return datetime.strptime(line[len(PDT_PREFIX) :].strip(), "%Y-%m-%dT%H:%M:%S.%f%z")
            except ValueError:
                return None
    return None


@dataclass
class IngestOptions:
    host: str = "0.0.0.0"  # noqa: S104 - encoders are on the municipality's network
    port: int = 1935
    backoff: fanout.Backoff = field(default_factory=fanout.Backoff)
    thumbnail_every_s: int = commands.LIVE_THUMBNAIL_EVERY_S
    segment_s: int = commands.LIVE_SEGMENT_S
    # SRT: meetings that are near get a UDP port each from srt_port .. srt_port+srt_ports-1
    # (0: no SRT). The ports are looked over every srt_poll_s seconds.
    srt_port: int = 0
    srt_ports: int = 10
    srt_poll_s: float = 10.0
    srt_latency_ms: int = commands.SRT_LATENCY_MS
    # How often a feed asks whether the operator started or ended a closed session.
    closed_poll_s: float = 0.5


class MeetingFeed(rtmp.Publisher):
    """One meeting's feed while an encoder publishes it."""

    def __init__(self, server: IngestServer, meeting: Meeting, peer: str) -> None:
        self.server = server
        self.meeting = meeting
        self.peer = peer
        self.folder = media_folder(meeting.pk)
        self.fanout = fanout.Fanout([])
        self.disconnect: Callable[[], None] | None = None
        self._anchor_done = threading.Event()
        self._finish_lock = threading.Lock()
        self._finished = False
        self._finished_event = threading.Event()
        self._following = False
        self.slate_folder: Path | None = None
        self.started = time.monotonic()
        self.uploader = segmentsync.SegmentUploader(self.folder, playlist=PLAYLIST, poster=POSTER)

    # Runs in a worker thread (database and file system).
    def prepare(self) -> None:
        with_database(services.ingest_begin, meeting=self.meeting)
        self.folder.mkdir(parents=True, exist_ok=True)
        appending = segmentsync.resume(self.folder, PLAYLIST)
        ffmpeg = [ffmpeg_path(), "-hide_banner", "-loglevel", "error"]
        clip = str(self._slate_prepare(ffmpeg))

        def archive_command(attempt: int = 1) -> list[str]:
            # A restart (after ffmpeg died, or a closed session) continues the playlist.
            return [
                *ffmpeg,
                *commands.live_archive_command(
                    playlist=str(self.folder / PLAYLIST),
                    segment_pattern=str(self.folder / SEGMENTS),
                    recording=None,
                    thumbnail=str(self.folder / POSTER),
                    segment_s=self.server.options.segment_s,
                    thumbnail_every_s=self.server.options.thumbnail_every_s,
                    appending=appending or attempt > 1,
                ),
            ]

        def recording_command(_attempt: int = 1) -> list[str]:
            # A restart after ffmpeg died goes to a new recording file.
            recording = str(self.folder / recording_name(self.folder))
            return [*ffmpeg, *commands.live_recording_command(recording)]

        sinks = [
            fanout.Sink(
                "archive",
                archive_command(),
                on_state=self._archive_state,
                backoff=fanout.Backoff(first_s=1, longest_s=10),
                queue_tags=20_000,
                before_start=archive_command,
                slate_command=lambda _attempt: [
                    *ffmpeg,
                    *commands.slate_archive_command(
                        clip=clip,
                        playlist=str(self.folder / PLAYLIST),
                        segment_pattern=str(self.folder / SEGMENTS),
                        segment_s=self.server.options.segment_s,
                    ),
                ],
            ),
            fanout.Sink(
                "recording",
                recording_command(),
                on_state=self._archive_state,
                backoff=fanout.Backoff(first_s=1, longest_s=10),
                queue_tags=20_000,
                before_start=recording_command,
                pause_when_closed=True,  # one file: the closed session is a pause in it
            ),
        ]
        for destination in with_database(lambda: list(selectors.destinations_for(self.meeting))):
            sink = self._destination_sink(destination, ffmpeg, clip)
            if sink is not None:
                sinks.append(sink)
        self.fanout = fanout.Fanout(sinks)
        # A feed that arrives during a closed session starts with the slate.
        if with_database(closed_session_now, meeting_id=self.meeting.pk):
            self._closed_set(True)
        self.fanout.start()
        self.uploader.start()
        threading.Thread(target=self._follow_closed, name="closed", daemon=True).start()
        if appending:
            self._anchor_done.set()
            # The encoder came back after a gap: marks set from now on are counted from
            # the first start; put them where the video shows them, segment by segment.
            self._ensure_following()
        else:
            threading.Thread(target=self._anchor, name="anchor", daemon=True).start()

    def _slate_prepare(self, ffmpeg: list[str]) -> Path:
        """The slate's picture and its short clip, made once per feed (under a second)."""
        self.slate_folder = Path(tempfile.mkdtemp(prefix="samskab-slate-"))
        site = with_database(SiteSettings.current)
        # The public's language, whoever started the ingest.
        with translation.override(settings.LANGUAGE_CODE):
            picture = slate.slate_render(
                self.slate_folder / "slate.png",
                heading=_("Closed session"),
                note=_("The meeting continues behind closed doors."),
                municipality=site.name,
                colour=site.primary_colour,
            )
        clip = self.slate_folder / "slate.mp4"
        # A fixed binary and arguments we build; no shell.
        arguments = commands.slate_clip_command(image=str(picture), target=str(clip))
        subprocess.run(  # noqa: S603
            [*ffmpeg, "-nostdin", *arguments],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return clip

    def _closed_set(self, closed: bool) -> None:
        self.fanout.closed_set(closed)
        logger.warning(
            "Meeting %s: closed session %s; the public stream, the recording and the restreams %s.",
            self.meeting.pk,
            "began" if closed else "ended",
            "show the slate" if closed else "show the encoder's feed again",
        )
        if closed and self.slate_folder is not None:
            # The live picture on the meeting's card shows the slate too.
            with (
                contextlib.suppress(OSError),
                Image.open(self.slate_folder / "slate.png") as image,
            ):
                image.convert("RGB").save(self.folder / POSTER, "JPEG", quality=80)
            self._ensure_following()

    def _follow_closed(self) -> None:
        while not self._finished_event.wait(self.server.options.closed_poll_s):
            try:
                closed = with_database(closed_session_now, meeting_id=self.meeting.pk)
            except Exception:  # asked again in a moment; the feed must go on
                logger.exception("Meeting %s: reading the closed session failed", self.meeting.pk)
                continue
            if closed != self.fanout.closed:
                self._closed_set(closed)

    def _ensure_following(self) -> None:
        # The switches leave small gaps in the playlist; marks are placed by its times.
        if not self._following:
            self._following = True
            threading.Thread(target=self._follow_marks, name="marks", daemon=True).start()

    def _destination_sink(
        self, destination: Destination, ffmpeg: list[str], clip: str
    ) -> fanout.Sink | None:
        key = destination.stream_key
        try:
            destinations.publish_url(destination.kind, destination.server_url, key)  # checks
            server = destinations.server_url(destination.kind, destination.server_url)
            target = rtmppush.target(server, key)
            slate_command = [*ffmpeg, *commands.slate_flv_command(clip)]
        except ValueError as error:
            self._destination_state(destination.pk, fanout.State.FAILED, str(error))
            return None

        def report(_name: str, state: fanout.State, reason: str) -> None:
            logger.info(
                "Meeting %s, destination %s: %s %s", self.meeting.pk, destination, state, reason
            )
            self._destination_state(destination.pk, state, reason)

        # Published by the ingest itself: the key is on no command line (security L8).
        return fanout.PushSink(
            f"destination {destination.pk}",
            target,
            on_state=report,
            backoff=self.server.options.backoff,
            secrets=(key,),
            slate_command=lambda _attempt: slate_command,
        )

    def _destination_state(self, destination_id: int, state: fanout.State, reason: str) -> None:
        with_database(
            services.destination_state_set,
            destination_id=destination_id,
            meeting_id=self.meeting.pk,
            state=str(state),
            reason=reason,
        )

    def _archive_state(self, _name: str, state: fanout.State, reason: str) -> None:
        level = logging.WARNING if state == fanout.State.FAILED else logging.INFO
        logger.log(
            level, "Meeting %s, own HLS and recording: %s %s", self.meeting.pk, state, reason
        )

    def _anchor(self) -> None:
        """Offset 0 of the marks = the first segment's program date-time."""
        playlist = self.folder / PLAYLIST
        deadline = time.monotonic() + 120
        try:
            while time.monotonic() < deadline and not self._anchor_done.is_set():
                started_at = first_program_date_time(playlist)
                if started_at is not None:
                    with_database(
                        services.ingest_anchor, meeting=self.meeting, started_at=started_at
                    )
                    # A replaced recording was kept aside until now: the new one plays.
                    with_database(services.recording_replace_settle, meeting=self.meeting)
                    arrival = self.fanout.first_arrival or started_at.timestamp()
                    logger.info(
                        "Meeting %s: recording starts at %s (%.2f s after the first frame came)",
                        self.meeting.pk,
                        started_at,
                        started_at.timestamp() - arrival,
                    )
                    return
                time.sleep(0.2)
        finally:
            self._anchor_done.set()

    def _follow_marks(self) -> None:
        while not self._finished_event.wait(self.server.options.segment_s):
            self.marks_follow()

    def marks_follow(self) -> None:
        try:
            playlist = (self.folder / PLAYLIST).read_text()
        except OSError:
            return
        try:
            moved = with_database(
                services.marks_follow_playlist, meeting=self.meeting, playlist=playlist
            )
        except Exception:  # the next segment tries again; the feed must go on
            logger.exception("Meeting %s: placing the marks after a gap failed", self.meeting.pk)
            return
        if moved:
            logger.info(
                "Meeting %s: %s marks placed by the segments' times (the feed had a gap).",
                self.meeting.pk,
                moved,
            )

    def on_tag(self, tag: rtmp.Tag) -> None:
        self.fanout.on_tag(tag)

    async def on_end(self) -> None:
        await asyncio.to_thread(self.finish)
        if self.server.feeds.get(self.meeting.pk) is self:
            del self.server.feeds[self.meeting.pk]

    def finish(self) -> None:
        with self._finish_lock:
            if self._finished:
                return
            self._finished = True
        self._finished_event.set()
        self.fanout.stop()
        uploaded = self.uploader.stop()  # the last segments, the playlist, the recording
        if uploaded:
            logger.info("Meeting %s: %s files sent to object storage at the end.",
                        self.meeting.pk, uploaded)  # fmt: skip
        if self.slate_folder is not None:
            shutil.rmtree(self.slate_folder, ignore_errors=True)
        # The playlist of a very short feed may appear only now.
        self._anchor_done.wait(5)
        self.marks_follow()  # the closed playlist: marks after a gap, at last
        # A replacing feed that wrote nothing playable gives the old recording back.
        with_database(services.recording_replace_settle, meeting=self.meeting)
        with_database(services.ingest_end, meeting=self.meeting)
        media = self.fanout.media_seconds
        cpu = self.fanout.cpu_seconds
        logger.info(
            "Meeting %s: the feed from %s ended after %.1f s of media; ffmpeg used %.2f CPU "
            "seconds (%.3f per second of media).",
            self.meeting.pk,
            self.peer,
            media,
            cpu,
            cpu / media if media else 0.0,
        )


class IngestServer:
    def __init__(self, options: IngestOptions | None = None) -> None:
        self.options = options or IngestOptions()
        self.feeds: dict[int, MeetingFeed] = {}
        self.finished: list[MeetingFeed] = []
        self.server: asyncio.Server | None = None
        self.port = self.options.port
        self.srt: srtingest.SrtPorts | None = None

    async def authorize(self, app: str, name: str, peer: str) -> rtmp.Publisher | None:
        meeting = None
        if app == APP:
            meeting = await asyncio.to_thread(
                with_database, selectors.meeting_for_stream_key, key=name
            )
        if meeting is None:
            logger.warning("Refused a stream from %s: wrong application or stream key.", peer)
            return None
        return await self.open_feed(meeting, peer)

    async def open_feed(
        self, meeting: Meeting, peer: str, *, disconnect: Callable[[], None] | None = None
    ) -> MeetingFeed | None:
        """The feed for an encoder whose key was accepted (RTMP or SRT), or None to refuse.

        `disconnect` ends an SRT encoder's connection (an RTMP one is closed through
        `connection`), for when another encoder takes over.
        """
        old = self.feeds.get(meeting.pk)
        if old is not None and old.fanout.silent_for() > TAKE_OVER_AFTER_S:
            # The encoder came back before its old connection timed out (a network drop):
            # end the silent feed, so the playlist is closed before it continues.
            logger.info("Meeting %s: the silent feed from %s is replaced.", meeting.pk, old.peer)
            await asyncio.to_thread(old.finish)
            if old.connection is not None:
                old.connection.close()
            if old.disconnect is not None:
                old.disconnect()
            self.feeds.pop(meeting.pk, None)
        if meeting.pk in self.feeds:
            logger.warning(
                "Refused a second stream for meeting %s from %s: one is already arriving.",
                meeting.pk,
                peer,
            )
            return None
        admitted = await asyncio.to_thread(with_database, services.ingest_admit, meeting=meeting)
        if not admitted:
            logger.warning(
                "Refused a stream for meeting %s from %s: the meeting already has a recording. "
                "An operator can choose in the console to continue or replace it.",
                meeting.pk,
                peer,
            )
            return None
        if admitted != "new":
            logger.info(
                "Meeting %s: the feed from %s will %s the recording.", meeting.pk, peer, admitted
            )
        feed = MeetingFeed(self, meeting, peer)
        feed.disconnect = disconnect
        self.feeds[meeting.pk] = feed
        self.finished.append(feed)
        try:
            await asyncio.to_thread(feed.prepare)
        except Exception:
            self.feeds.pop(meeting.pk, None)
            logger.exception("Could not start the feed for meeting %s", meeting.pk)
            await asyncio.to_thread(
                with_database, services.recording_replace_settle, meeting=meeting
            )
            return None
        logger.info("Meeting %s: receiving the feed from %s.", meeting.pk, peer)
        return feed

    async def start(self) -> None:
        self.server = await rtmp.serve(
            self.authorize, host=self.options.host, port=self.options.port
        )
        sockets = self.server.sockets or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        logger.info("Listening for encoders on rtmp://%s:%s/%s/", self.options.host, self.port, APP)
        if self.options.srt_port:
            self.srt = srtingest.SrtPorts(self)
            await self.srt.start()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        if self.srt is not None:
            await self.srt.stop()
        # Finish every feed: the playlists get their ENDLIST, the recordings are closed.
        await asyncio.gather(*(asyncio.to_thread(feed.finish) for feed in self.feeds.values()))
        self.feeds.clear()

    async def run_forever(self) -> None:
        await self.start()
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            # Not possible outside the main thread (the tests run the server in a thread).
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(number, stopping.set)
        await stopping.wait()
        await self.stop()
