"""Running the ffmpeg binary that ships inside the imageio-ffmpeg wheel (no system install)."""

from __future__ import annotations

import subprocess

FFMPEG_TIMEOUT_S = 300


class MediaError(Exception):
    """ffmpeg is missing or failed; the message says why in a sentence."""


def ffmpeg_path() -> str:
    try:
        import imageio_ffmpeg
    except ImportError as error:
        raise MediaError("imageio-ffmpeg is not installed") from error
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as error:
        raise MediaError(f"no ffmpeg binary: {error}") from error


def run_ffmpeg(arguments: list[str], *, timeout: float = FFMPEG_TIMEOUT_S) -> None:
    command = [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", *arguments]
    try:
        # A fixed binary from the wheel with arguments we build; no shell.
        result = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise MediaError(f"ffmpeg did not run: {error}") from error
    if result.returncode != 0:
        raise MediaError(f"ffmpeg failed: {result.stderr.strip()[-500:]}")
