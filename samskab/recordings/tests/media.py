"""Generated recordings for the real-parts tests (ffmpeg's test sources), made once per run."""

from __future__ import annotations

import subprocess
from pathlib import Path

from samskab.webcasts.ffmpeg import ffmpeg_path, run_ffmpeg

H264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "25"]


def pattern_mp4(target: Path, seconds: int = 12) -> Path:
    """testsrc2 with a 440 Hz tone, H.264/AAC in MP4: packages by copying."""
    run_ffmpeg(
        [
            "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            *H264, "-c:a", "aac", "-b:a", "64k", "-shortest", "-y", str(target),
        ]
    )  # fmt: skip
    return target


def timecoded_mkv(target: Path, seconds: int = 12) -> Path:
    """A grey picture whose brightness is 20 times the second (so a frame tells its time), and a
    tone; H.264/AAC in Matroska."""
    run_ffmpeg(
        [
            "-f", "lavfi",
            "-i", f"color=c=black:size=320x240:rate=25:duration={seconds},format=gray,"
            "geq=lum='min(250,20*T+5)'",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            *H264, "-c:a", "aac", "-b:a", "64k", "-shortest", "-y", str(target),
        ]
    )  # fmt: skip
    return target


def mpeg4_mov(target: Path, seconds: int = 6) -> Path:
    """MPEG-4 part 2 picture and PCM sound in MOV: not HLS-ready, so it is re-encoded."""
    run_ffmpeg(
        [
            "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "mpeg4", "-c:a", "pcm_s16le", "-shortest", "-f", "mov", "-y", str(target),
        ]
    )  # fmt: skip
    return target


def _decode(arguments: list[str]) -> bytes:
    result = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", *arguments],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def frame_brightness(source: Path, at_s: float) -> float:
    """The mean luma (0-255) of the frame at `at_s`."""
    raw = _decode(
        ["-ss", f"{at_s:.3f}", "-i", str(source), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "gray", "-"]
    )  # fmt: skip
    assert raw, f"no frame at {at_s} s"
    return sum(raw) / len(raw)


def loudest_sample(source: Path, start_s: float, length_s: float) -> int:
    """The largest absolute 16-bit sample in the range (0 is silence)."""
    raw = _decode(
        ["-ss", f"{start_s:.3f}", "-i", str(source), "-t", f"{length_s:.3f}", "-vn",
         "-f", "s16le", "-ac", "1", "-ar", "8000", "-"]
    )  # fmt: skip
    samples = memoryview(raw).cast("h")
    return max((abs(s) for s in samples), default=0)


def numbered_mkv(target: Path, seconds: int = 12) -> Path:
    """Each frame a flat grey of its own: brightness mod(37 n, 200) + 20 for frame n, so
    neighbouring frames differ by 37 or more; a key frame every second (none on scene
    changes), and a 0.1 s tone at the start of every second, else silence. H.264/AAC, MKV."""
    run_ffmpeg(
        [
            "-f", "lavfi",
            "-i", f"color=c=black:size=320x240:rate=25:duration={seconds},format=gray,"
            "geq=lum='mod(N*37,200)+20'",
            "-f", "lavfi",
            "-i", f"aevalsrc='0.5*sin(440*2*PI*t)*lt(mod(t,1),0.1)':s=48000:d={seconds}",
            *H264, "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k", "-shortest",
            "-y", str(target),
        ]
    )  # fmt: skip
    return target


def numbered_brightness(frame: int) -> int:
    return (frame * 37) % 200 + 20


def decode_errors(source: Path) -> str:
    """What ffmpeg's decoders complain of when decoding the whole file ("" when nothing)."""
    result = subprocess.run(
        [ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(source),
         "-f", "null", "-"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return result.stderr.strip()


def sound_onsets(source: Path, *, threshold: int = 4000, rate: int = 8000) -> list[float]:
    """When sound starts after silence (seconds into the file), from its decoded samples."""
    raw = _decode(
        ["-i", str(source), "-vn", "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"]
    )  # fmt: skip
    samples = memoryview(raw).cast("h")
    onsets, quiet = [], rate // 20  # 50 ms of silence before a new onset counts
    last_loud = -quiet
    for index, sample in enumerate(samples):
        if abs(sample) > threshold:
            if index - last_loud >= quiet:
                onsets.append(index / rate)
            last_loud = index
    return onsets


def packet_hashes(source: Path) -> list[str]:
    """The CRC of every picture packet as stored (framecrc), in decode order."""
    text = _decode(["-i", str(source), "-map", "0:v:0", "-c", "copy", "-f", "framecrc", "-"])
    return [
        line.split(",")[5].strip()
        for line in text.decode().splitlines()
        if line and not line.startswith("#")
    ]
