"""Running ffmpeg for the archive: probing a file, and long jobs that report progress.

The command lines come from samskab.core import worker
from samskab.media.commands; this module only runs them.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from samskab.core import worker
from samskab.media.commands import Probe, probe_args, probe_parse, progress_parse
from samskab.webcasts.ffmpeg import MediaError, ffmpeg_path

PROBE_TIMEOUT_S = 60
JOB_TIMEOUT_S = 6 * 3600
BASE = ["-hide_banner", "-nostdin"]


def probe(path: Path) -> Probe | None:
    """What ffmpeg recognises in the file's content (the name does not matter)."""
    try:
        result = subprocess.run(  # noqa: S603 - the wheel's binary, arguments we build
            [ffmpeg_path(), *BASE, *probe_args(str(path))],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise MediaError(f"ffmpeg did not run: {error}") from error
    return probe_parse(result.stderr)


def run_job(
    arguments: list[str],
    *,
    on_progress: Callable[[int], None] | None = None,
    timeout: float = JOB_TIMEOUT_S,
) -> None:
    """Run ffmpeg; with "-progress pipe:1" in `arguments`, report milliseconds written.

    ffmpeg runs in its own session, so a signal to the worker's process group does not kill
    it halfway; when the worker hands its task back (samskab.core.worker), ffmpeg is stopped
    and TaskInterrupted is raised, and the caller keeps its input for the retry."""
    command = [ffmpeg_path(), *BASE, "-loglevel", "error", *arguments]
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile(mode="w+") as errors:
        try:
            process = subprocess.Popen(  # noqa: S603
                command, stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True
            )
        except OSError as error:
            raise MediaError(f"ffmpeg did not run: {error}") from error

        stopped = threading.Event()

        def watch() -> None:
            while process.poll() is None:
                if worker.hand_back.wait(0.5):
                    stopped.set()
                    process.terminate()
                    return

        threading.Thread(target=watch, name="ffmpeg-watch", daemon=True).start()
        block: list[str] = []
        for line in process.stdout or ():
            block.append(line)
            if line.startswith("progress="):
                done = progress_parse("".join(block))
                block = []
                if done is not None and on_progress is not None:
                    on_progress(done)
            if time.monotonic() > deadline:
                process.kill()
                break
        try:
            code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        if stopped.is_set() or (code != 0 and worker.stop_requested.is_set()):
            # Stopped with the worker (or killed by the same signal): not the file's fault.
            raise worker.TaskInterrupted(f"ffmpeg stopped with the worker ({code})")
        if code != 0:
            errors.seek(0)
            raise MediaError(f"ffmpeg failed: {errors.read().strip()[-500:] or code}")


def capture(arguments: list[str], *, timeout: float = PROBE_TIMEOUT_S) -> str:
    """Run ffmpeg and return what it printed (stdout, then stderr); a failure raises."""
    try:
        result = subprocess.run(  # noqa: S603 - the wheel's binary, arguments we build
            [ffmpeg_path(), *BASE, *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise MediaError(f"ffmpeg did not run: {error}") from error
    if result.returncode != 0:
        raise MediaError(f"ffmpeg failed: {result.stderr.strip()[-500:] or result.returncode}")
    return result.stdout + result.stderr
