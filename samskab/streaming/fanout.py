"""One encoder feed to many ffmpeg processes, none of which can hold up another.

Each output (our own HLS and recording, each restream destination) is a `Sink`: an ffmpeg
process reading FLV on stdin, fed from its own bounded queue by its own thread. The RTMP
front calls `Fanout.on_tag` and never waits on a process: a destination that stalls fills
its own queue and is restarted; one that refuses or dies is retried with backoff while the
others go on. A sink (re)started mid-stream waits for the next keyframe and first gets the
FLV header and the codec set-up (metadata, AVC/AAC sequence headers) it missed.

While the meeting sits in closed session (`Fanout.closed_set`), no tag of the encoder's
feed reaches any sink: each sink ends its process and runs its `slate_command` instead (the
still picture, into the same playlist or to the same destination), until the session opens
again and the sink starts over at the next keyframe.

Pure Python, no Django: states are reported through a callback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from samskab.streaming import rtmppush
from samskab.streaming.rtmp import AUDIO, DATA_AMF0, FLV_HEADER, VIDEO, Tag

logger = logging.getLogger(__name__)


class State(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    FAILED = "failed"
    STOPPED = "stopped"


# on_state(sink name, state, reason): called from the sink's thread.
OnState = Callable[[str, State, str], None]


@dataclass(frozen=True)
class Backoff:
    first_s: float = 2.0
    longest_s: float = 60.0
    # A destination that stayed live this long starts again from the first delay.
    healthy_after_s: float = 30.0


class Sink:
    """One ffmpeg process fed FLV on stdin, restarted with backoff if `retry`."""

    STOP_TIMEOUT_S = 30

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        on_state: OnState,
        retry: bool = True,
        backoff: Backoff | None = None,
        queue_tags: int = 3000,
        secrets: tuple[str, ...] = (),
        before_start: Callable[[int], list[str]] | None = None,
        slate_command: Callable[[int], list[str]] | None = None,
        pause_when_closed: bool = False,
    ) -> None:
        self.name = name
        self.command = command  # the process's command line: the camera's or the slate's
        self.camera_command = command
        self.on_state = on_state
        self.retry = retry
        self.backoff = backoff or Backoff()
        self.secrets = tuple(secret for secret in secrets if secret)
        # before_start(attempt) may give a fresh command line for a restart (a new file).
        self.before_start = before_start
        # slate_command(attempt): what the sink runs during a closed session instead.
        self.slate_command = slate_command
        # Or, for the recording: the process keeps running and gets nothing meanwhile, then
        # goes on at the feed's next keyframe (`resuming`: without a new FLV header).
        self.pause_when_closed = pause_when_closed
        self.resuming = False
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=queue_tags)
        self.wait_keyframe = True
        # The fan-out offers tags only while this is set: from after the queue was emptied
        # for a new process until the process ends or a closed session begins.
        self.accepting = threading.Event()
        self.accepting.set()
        self.cpu_seconds = 0.0  # ffmpeg's, all attempts
        self.thread_cpu_seconds = 0.0  # this sink's own thread (writing to the pipe)
        self.attempts = 0
        self.state = State.CONNECTING
        self._stop = threading.Event()
        self._restart = threading.Event()
        self._closed = threading.Event()
        self._switch = threading.Event()  # the closed session began or ended
        self._thread = threading.Thread(target=self._run, name=f"sink {name}", daemon=True)

    # --- the producer's side (the RTMP front's thread) ---

    def start(self) -> None:
        self._thread.start()

    def offer(self, data: bytes) -> None:
        try:
            self.queue.put_nowait(data)
        except queue.Full:
            # Falling behind (a stalled destination): start it over rather than wait.
            self._restart.set()

    def closed_set(self, closed: bool) -> None:
        """Start (or end) the slate in place of the feed; the running process ends now."""
        if closed == self._closed.is_set():
            return
        if self.pause_when_closed:
            if closed:
                self.accepting.clear()
                self._closed.set()
            else:
                self.wait_keyframe = True
                self.resuming = True
                self._closed.clear()
                self.accepting.set()
            return
        if closed:
            self.accepting.clear()
            self._closed.set()
        else:
            self._closed.clear()
        self._switch.set()
        with contextlib.suppress(queue.Full):
            self.queue.put_nowait(b"")  # wakes the feeding loop at once

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(queue.Full):
            self.queue.put_nowait(None)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    # --- the sink's own thread ---

    def _run(self) -> None:
        try:
            self._supervise()
        finally:
            self.thread_cpu_seconds = time.thread_time()

    def _supervise(self) -> None:
        delay = self.backoff.first_s
        while not self._stop.is_set():
            self.accepting.clear()
            self._switch.clear()
            self.attempts += 1
            self.resuming = False
            slate = self._closed.is_set()
            if slate and self.pause_when_closed:
                while self._closed.is_set() and not self._stop.wait(0.2):
                    pass  # (re)started during a closed session: begin when it ends
                continue
            if slate and self.slate_command is None:
                self._wait_switch(None)  # nothing to show: send nothing until it opens
                continue
            if slate and self.slate_command is not None:
                self.command = self.slate_command(self.attempts)
            elif self.before_start is not None and self.attempts > 1:
                self.command = self.camera_command = self.before_start(self.attempts)
            else:
                self.command = self.camera_command
            self.wait_keyframe = True  # before draining, so no stale frame slips in
            self._drain()
            self._restart.clear()
            if not slate:
                self.accepting.set()
            self._report(State.CONNECTING, "")
            started = time.monotonic()
            reason = self._run_slate() if slate else self._one_process()
            self.accepting.clear()
            if self._stop.is_set() and reason is None:
                self._report(State.STOPPED, "")
                return
            if self._switch.is_set() and not self._stop.is_set():
                delay = self.backoff.first_s
                continue  # the closed session began or ended: the other process, now
            self._report(State.FAILED, self._redact(reason or "ffmpeg stopped."))
            if not self.retry:
                return
            if time.monotonic() - started > self.backoff.healthy_after_s:
                delay = self.backoff.first_s
            if self._wait_switch(delay):
                break
            delay = min(delay * 2, self.backoff.longest_s)
        if self.state != State.FAILED:
            self._report(State.STOPPED, "")

    def _wait_switch(self, timeout: float | None) -> bool:
        """Wait until the closed session begins or ends (or `timeout`); True when stopping."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stop.is_set():
            if self._switch.is_set():
                return False
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self._switch.wait(0.2)
        return True

    def _start(self) -> tuple[subprocess.Popen[bytes] | None, str]:
        try:
            # A fixed binary from the imageio-ffmpeg wheel and arguments we build; no shell.
            process = subprocess.Popen(  # noqa: S603
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            return None, f"ffmpeg did not start: {error}"
        return process, ""

    def _launch(
        self,
    ) -> tuple[subprocess.Popen, list[threading.Thread], list[str], threading.Event] | str:
        """Start ffmpeg with its progress and error readers, or say why it did not start."""
        process, error = self._start()
        if process is None:
            return error
        errors: list[str] = []
        exited = threading.Event()
        readers = [
            threading.Thread(target=self._read_progress, args=(process, exited), daemon=True),
            threading.Thread(target=_read_errors, args=(process, errors), daemon=True),
        ]
        for reader in readers:
            reader.start()
        return process, readers, errors, exited

    def _run_slate(self) -> str | None:
        """Run the slate's ffmpeg until the session opens again (or we stop)."""
        started = self._launch()
        if isinstance(started, str):
            return started
        process, readers, errors, exited = started
        while not exited.is_set() and not self._switch.is_set() and not self._stop.is_set():
            exited.wait(0.2)
        stopped = not exited.is_set()
        if stopped:
            # As Ctrl+C would: ffmpeg finishes its segment and the playlist.
            with contextlib.suppress(OSError):
                process.send_signal(signal.SIGINT)
        return self._finish(process, readers, errors, stopped=stopped)

    def _one_process(self) -> str | None:
        """Run ffmpeg once; None when it ended because we stopped it, else why it failed."""
        started = self._launch()
        if isinstance(started, str):
            return started
        process, readers, errors, exited = started
        stopped = self._feed(process, exited)
        return self._finish(process, readers, errors, stopped=stopped)

    def _finish(
        self,
        process: subprocess.Popen[bytes],
        readers: list[threading.Thread],
        errors: list[str],
        *,
        stopped: bool,
    ) -> str | None:
        if process.stdin is None:
            raise RuntimeError("ffmpeg without a pipe")
        with contextlib.suppress(OSError):
            process.stdin.close()
        killer = threading.Timer(self.STOP_TIMEOUT_S, _kill, args=(process,))
        killer.start()
        # wait4, not Popen.wait: it also gives the process's own CPU time.
        _pid, status, usage = os.wait4(process.pid, 0)
        killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        self.cpu_seconds += usage.ru_utime + usage.ru_stime
        for reader in readers:
            reader.join(5)
        if stopped and process.returncode in (0, 255):  # 255: ended by SIGINT, cleanly
            return None
        if errors:
            return errors[-1]
        if self._restart.is_set():
            return "The destination fell behind; it is started again."
        return f"ffmpeg ended with code {process.returncode}."

    def _feed(self, process: subprocess.Popen[bytes], exited: threading.Event) -> bool:
        """Write queued FLV to ffmpeg; True when told to stop, False when ffmpeg went away."""
        if process.stdin is None:
            raise RuntimeError("ffmpeg without a pipe")
        while True:
            if self._switch.is_set():
                return True  # a closed session begins: this process ends here
            if exited.is_set() or self._restart.is_set():
                return False
            try:
                data = self.queue.get(timeout=0.5)
            except queue.Empty:
                if self._stop.is_set():
                    return True
                continue
            if data is None:
                return True
            if not data:
                continue
            try:
                process.stdin.write(data)
                process.stdin.flush()
            except (BrokenPipeError, OSError):
                return False

    def _read_progress(self, process: subprocess.Popen[bytes], exited: threading.Event) -> None:
        # `-progress pipe:1` prints key=value blocks once ffmpeg has opened its outputs.
        if process.stdout is None:
            raise RuntimeError("ffmpeg without a pipe")
        for line in process.stdout:
            if line.startswith(b"progress=") and self.state != State.LIVE:
                self._report(State.LIVE, "")
        exited.set()

    def _drain(self) -> None:
        while True:
            try:
                self.queue.get_nowait()
            except queue.Empty:
                return

    def _report(self, state: State, reason: str) -> None:
        self.state = state
        try:
            self.on_state(self.name, state, reason)
        except Exception:  # a broken report must not take the stream down
            logger.exception("reporting the state of %s failed", self.name)

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "••••")
        return text.strip()[:300]


class PushSink(Sink):
    """A restream: the ingest publishes the feed itself (rtmppush), so the destination's
    stream key is on no process's command line. During a closed session the slate's ffmpeg
    writes FLV to a pipe, and that is published the same way; its command holds no key."""

    def __init__(self, name: str, target: rtmppush.Target, **options) -> None:
        super().__init__(name, [], **options)
        self.target = target

    def _one_process(self) -> str | None:
        push = rtmppush.RtmpPush(self.target)
        try:
            push.connect()
            self._report(State.LIVE, "")
            while True:
                if self._switch.is_set():
                    return None
                if self._restart.is_set():
                    return "The destination fell behind; it is started again."
                try:
                    data = self.queue.get(timeout=0.5)
                except queue.Empty:
                    if self._stop.is_set():
                        return None
                    continue
                if data is None:
                    return None
                if data:
                    push.write_flv(data)
        except rtmppush.PushError as error:
            return str(error)
        finally:
            push.close()

    def _run_slate(self) -> str | None:
        push = rtmppush.RtmpPush(self.target)
        try:
            push.connect()
        except rtmppush.PushError as refused:
            return str(refused)
        self._report(State.LIVE, "")
        process, not_started = self._start()
        if process is None or process.stdout is None:
            push.close()
            return not_started
        errors: list[str] = []
        reader = threading.Thread(target=_read_errors, args=(process, errors), daemon=True)
        reader.start()
        reason = None
        try:
            pipe = process.stdout.fileno()
            while not self._switch.is_set() and not self._stop.is_set():
                if not select.select([pipe], [], [], 0.2)[0]:
                    continue
                data = os.read(pipe, 65536)
                if not data:
                    reason = "ffmpeg stopped."
                    break
                push.write_flv(data)
        except rtmppush.PushError as failure:
            reason = str(failure)
        finally:
            push.close()
            if process.poll() is None:
                with contextlib.suppress(OSError):
                    process.send_signal(signal.SIGINT)
            process.stdout.close()  # a slate still writing gets EPIPE and ends
        ended = self._finish(process, [reader], errors, stopped=reason is None)
        return None if reason is None else (ended or reason)


def _read_errors(process: subprocess.Popen[bytes], errors: list[str]) -> None:
    if process.stderr is None:
        raise RuntimeError("ffmpeg without a pipe")
    for line in process.stderr:
        text = line.decode("utf-8", "replace").strip()
        if text:
            errors.append(text)
            del errors[:-20]


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        process.kill()


class Fanout:
    """Hands each tag of one encoder feed to every sink, in FLV."""

    def __init__(self, sinks: list[Sink]) -> None:
        self.sinks = list(sinks)
        self.metadata: Tag | None = None
        self.video_header: Tag | None = None
        self.audio_header: Tag | None = None
        self.first_timestamp: int | None = None
        self.first_arrival: float | None = None  # wall clock (time.time) of the first frame
        self.last_timestamp = 0
        self.last_arrival = time.monotonic()
        self.closed = False

    def closed_set(self, closed: bool) -> None:
        """Closed session: from now on no tag of the feed reaches any sink; each shows the
        slate until the session opens, then starts again at the next keyframe."""
        if closed:
            self.closed = True  # before the sinks switch, so not one more tag is offered
        for sink in self.sinks:
            sink.closed_set(closed)
        self.closed = closed

    def start(self) -> None:
        for sink in self.sinks:
            sink.start()

    def stop(self, timeout: float = 60) -> None:
        for sink in self.sinks:
            sink.stop()
        deadline = time.monotonic() + timeout
        for sink in self.sinks:
            sink.join(max(0.1, deadline - time.monotonic()))

    @property
    def media_seconds(self) -> float:
        if self.first_timestamp is None:
            return 0.0
        return max(0, self.last_timestamp - self.first_timestamp) / 1000

    @property
    def cpu_seconds(self) -> float:
        """CPU time of the ffmpeg processes and of the threads that feed them."""
        return sum(sink.cpu_seconds + sink.thread_cpu_seconds for sink in self.sinks)

    def silent_for(self) -> float:
        """Seconds since the encoder last sent anything."""
        return time.monotonic() - self.last_arrival

    def on_tag(self, tag: Tag) -> None:
        self.last_arrival = time.monotonic()
        if tag.type_id == DATA_AMF0:
            self.metadata = tag
        elif tag.is_header:
            if tag.type_id == VIDEO:
                self.video_header = tag
            elif tag.type_id == AUDIO:
                self.audio_header = tag
        else:
            if self.first_timestamp is None:
                self.first_timestamp = tag.timestamp
                self.first_arrival = time.time()
            self.last_timestamp = max(self.last_timestamp, tag.timestamp)
        if self.closed:
            return  # the camera's picture and sound go nowhere; the set-up is kept above
        for sink in self.sinks:
            if not sink.accepting.is_set():
                continue
            if not sink.wait_keyframe:
                sink.offer(tag.flv())
            elif tag.is_keyframe and not tag.is_header:
                sink.wait_keyframe = False
                if sink.resuming:  # after a closed session, into the same process
                    sink.resuming = False
                    sink.offer(tag.flv())
                else:
                    sink.offer(self._opening(tag.timestamp) + tag.flv())

    def _opening(self, timestamp: int) -> bytes:
        """What a sink that joins now needs before its first keyframe."""
        parts = [FLV_HEADER]
        for header in (self.metadata, self.video_header, self.audio_header):
            if header is not None:
                parts.append(header.flv(timestamp))
        return b"".join(parts)
