"""ffmpeg command lines, built in one place and tested (tests/ beside the apps that run them).

Each builder returns the argument list after the ffmpeg binary; nothing here runs a process.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from datetime import datetime

# --- Live: ingest and restreaming (the streaming app) -------------------------------------

# The encoder's feed arrives as FLV on stdin (Samskab's RTMP front passes it on). Nothing in
# the live half re-encodes: video and audio are copied; only the still picture decodes, and
# only keyframes (`-skip_frame nokey`), which costs little.
# Probing briefly: the feed arrives in real time, and the HLS muxer stamps its first
# EXT-X-PROGRAM-DATE-TIME when probing is done, so a long probe shifts every mark.
LIVE_INPUT = ["-analyzeduration", "300000", "-probesize", "200000", "-f", "flv", "-i", "pipe:0"]
LIVE_SEGMENT_S = 4
LIVE_THUMBNAIL_EVERY_S = 10
PROGRESS = ["-progress", "pipe:1", "-stats_period", "1"]


def live_archive_command(
    *,
    playlist: str,
    segment_pattern: str,
    recording: str,
    thumbnail: str,
    segment_s: int = LIVE_SEGMENT_S,
    thumbnail_every_s: int = LIVE_THUMBNAIL_EVERY_S,
    appending: bool = False,
) -> list[str]:
    """One ffmpeg for our own player: live HLS, the full recording, a picture now and then.

    The playlist is an EVENT playlist with EXT-X-PROGRAM-DATE-TIME on every segment; when
    the feed ends ffmpeg writes EXT-X-ENDLIST and the same playlist is the archive. When an
    encoder comes back after a drop (`appending`), the new segments continue the playlist
    after a discontinuity and the recording goes to a new file.
    """
    flags = "program_date_time+independent_segments"
    if appending:
        flags += "+append_list+discont_start"
    return [
        "-y",  # the picture is replaced, and a restart writes into the same folder
        *PROGRESS,
        "-skip_frame", "nokey",  # applies to decoding only, i.e. the picture below
        *LIVE_INPUT,
        "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy",
        "-f", "hls",
        "-hls_time", str(segment_s),
        "-hls_list_size", "0",
        "-hls_playlist_type", "event",
        "-hls_flags", flags,
        "-hls_segment_filename", segment_pattern,
        playlist,
        "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-f", "matroska", recording,
        # The first picture, then one every N seconds (of the keyframes that are decoded).
        "-map", "0:v:0?", "-fps_mode", "vfr",
        "-vf", f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{thumbnail_every_s})'",
        "-q:v", "4", "-f", "image2", "-update", "1", thumbnail,
    ]  # fmt: skip


def restream_command(url: str) -> list[str]:
    """The encoder's feed, copied as it is, to one RTMP or RTMPS destination."""
    if not url.startswith(("rtmp://", "rtmps://")):
        raise ValueError("a restream destination is an rtmp:// or rtmps:// address")
    return [
        *PROGRESS,
        *LIVE_INPUT,
        "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy",
        "-f", "flv", "-flvflags", "no_duration_filesize",
        "-rw_timeout", "15000000",  # microseconds: a destination that stalls this long failed
        url,
    ]  # fmt: skip


# SRT: one ffmpeg listener per meeting, on loopback behind the ingest's UDP relay (srt.py).
# The meeting's stream key is the SRT passphrase; libsrt refuses a caller whose passphrase
# differs, or who has none, during the handshake (enforced encryption), before any media.
SRT_PASSPHRASE_MIN = 10  # libsrt's limits for SRTO_PASSPHRASE
SRT_PASSPHRASE_MAX = 79
SRT_LATENCY_MS = 1000  # the larger of the encoder's and ours applies
# An MPEG-TS feed must be probed before its streams are known (parameter sets come with the
# first keyframe); longer probing would delay the recording's start, i.e. offset 0 of the marks.
SRT_INPUT_PROBE = ["-analyzeduration", "1000000", "-probesize", "1000000"]


def srt_passphrase_ok(key: str) -> bool:
    """Whether a stream key can be an SRT passphrase (10-79 printable ASCII characters)."""
    return (
        SRT_PASSPHRASE_MIN <= len(key) <= SRT_PASSPHRASE_MAX
        and key.isascii()
        and key.isprintable()
        and " " not in key
    )


def srt_listen_command(
    *, port: int, passphrase: str, host: str = "127.0.0.1", latency_ms: int = SRT_LATENCY_MS
) -> list[str]:
    """ffmpeg waiting for one SRT encoder on host:port; the feed goes as FLV to stdout, copied.

    The ingest hands that FLV to the same fan-out as an RTMP feed (HLS, recording, pictures,
    restreams). Protocol options are given as options, not in the URL, so the passphrase
    needs no escaping.
    """
    if not srt_passphrase_ok(passphrase):
        raise ValueError("an SRT passphrase has 10 to 79 characters")
    if not 0 < port < 65536:
        raise ValueError("not a port")
    return [
        "-nostdin",
        "-mode", "listener",
        "-passphrase", passphrase,
        "-enforced_encryption", "1",
        "-latency", str(latency_ms * 1000),  # microseconds
        *SRT_INPUT_PROBE,
        "-f", "mpegts",
        "-i", f"srt://{host}:{port}",
        "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy",
        "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
    ]  # fmt: skip


# --- Archive: packaging uploads, clips, redaction (the recordings app) --------------------
# Every builder returns the arguments after "ffmpeg -hide_banner -loglevel error -nostdin"
# (what samskab.webcasts.ffmpeg.run_ffmpeg and samskab.recordings.engine put in front).

HLS_SEGMENT_S = 4
HLS_VIDEO_CODECS = frozenset({"h264"})
HLS_AUDIO_CODECS = frozenset({"aac", "mp3"})
# Containers an editor may upload, as ffmpeg names the demuxer it detected from the content.
ARCHIVE_CONTAINERS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"})
SEGMENT_PATTERN = "segment%05d.ts"
_DURATION_RE = re.compile(r"Duration: (\d+):(\d{2}):(\d{2})\.(\d{1,3})")
_INPUT_RE = re.compile(r"^Input #0, (.+?), from ", re.MULTILINE)
_STREAM_RE = re.compile(r"Stream #0:\d+[^:]*: (Video|Audio): ([A-Za-z0-9_]+)")


@dataclass(frozen=True)
class Probe:
    """What ffmpeg found in a file, read from the header it prints for "-i FILE"."""

    container: str
    duration_ms: int | None
    video_codec: str | None
    audio_codec: str | None

    @property
    def is_archive_video(self) -> bool:
        return self.container in ARCHIVE_CONTAINERS and self.video_codec is not None

    @property
    def hls_compatible(self) -> bool:
        """Segments can be copied as they are: H.264 picture and AAC (or MP3, or no) sound."""
        return self.video_codec in HLS_VIDEO_CODECS and (
            self.audio_codec is None or self.audio_codec in HLS_AUDIO_CODECS
        )


def probe_args(source: str) -> list[str]:
    """ffmpeg with an input and no output prints the input's header and exits (status 1)."""
    return ["-loglevel", "info", "-i", source]


def probe_parse(text: str) -> Probe | None:
    """The Probe from ffmpeg's header text, or None when ffmpeg recognised no media in it."""
    container = _INPUT_RE.search(text)
    if container is None:
        return None
    duration = _DURATION_RE.search(text)
    duration_ms = None
    if duration is not None:
        hours, minutes, seconds, fraction = duration.groups()
        duration_ms = ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(
            fraction.ljust(3, "0")
        )
    video = audio = None
    for kind, codec in _STREAM_RE.findall(text):
        if kind == "Video" and video is None and codec not in {"mjpeg", "png"}:
            video = codec  # cover art is a "video" stream of one picture: not a recording
        elif kind == "Audio" and audio is None:
            audio = codec
    return Probe(container.group(1), duration_ms, video, audio)


def progress_parse(chunk: str) -> int | None:
    """Milliseconds written so far from one "-progress pipe:1" block; None if it has none.

    ffmpeg writes out_time_us (and out_time_ms, which despite its name is microseconds too).
    """
    latest = None
    for line in chunk.splitlines():
        key, _, value = line.partition("=")
        if key in {"out_time_us", "out_time_ms"} and value.strip().lstrip("-").isdigit():
            latest = max(0, int(value)) // 1000
    return latest


def _encode_h264_aac(*, crf: int = 21, preset: str = "veryfast") -> list[str]:
    return [
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-force_key_frames", f"expr:gte(t,n_forced*{HLS_SEGMENT_S})",
        "-c:a", "aac", "-b:a", "128k",
    ]  # fmt: skip


def hls_package_args(
    source: str, folder: str, *, copy: bool, playlist: str = "index.m3u8"
) -> list[str]:
    """Package a recording as VOD HLS in `folder`; progress as key=value lines on stdout.

    `copy` keeps the picture and sound as they are (H.264/AAC): only the container changes,
    so an hour takes seconds. Otherwise both are encoded to H.264/AAC with a key frame every
    segment.
    """
    codecs = ["-c", "copy"] if copy else _encode_h264_aac()
    return [
        "-progress", "pipe:1", "-nostats",
        "-i", source,
        "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
        *codecs,
        "-f", "hls", "-hls_time", str(HLS_SEGMENT_S), "-hls_playlist_type", "vod",
        "-hls_flags", "independent_segments",
        "-hls_segment_filename", f"{folder}/{SEGMENT_PATTERN}",
        "-y", f"{folder}/{playlist}",
    ]  # fmt: skip


def master_keep_args(source: str, target: str) -> list[str]:
    """The uploaded original, remuxed unchanged into Matroska (any codec, fast seeking)."""
    return ["-i", source, "-map", "0", "-c", "copy", "-y", target]


def clip_mp4_args(source: str, target: str, *, start_ms: int, end_ms: int) -> list[str]:
    """A frame-accurate MP4 of [start_ms, end_ms): seek before the input, then re-encode.

    With -ss before -i and encoding, ffmpeg decodes from the preceding key frame and drops
    what lies before start, so the clip starts on the requested frame, not the key frame.
    """
    return [
        "-ss", _seconds(start_ms), "-i", source, "-t", _seconds(end_ms - start_ms),
        "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
        *_encode_h264_aac(crf=23),
        "-movflags", "+faststart", "-f", "mp4", "-y", target,
    ]  # fmt: skip


def still_args(source: str, target: str, *, at_ms: int) -> list[str]:
    """One JPEG at `at_ms` (share previews of clips)."""
    return [
        "-ss", _seconds(at_ms), "-i", source, "-frames:v", "1", "-q:v", "4",
        "-update", "1", "-y", target,
    ]  # fmt: skip


def redact_args(source: str, target: str, *, ranges: list[tuple[int, int]], mode: str) -> list[str]:
    """A new master without the ranges: "cut" removes them, "black" blanks and silences them.

    Both re-encode (the picture changes), to Matroska with H.264/AAC so the result packages
    to HLS by copying.
    """
    if mode not in {"cut", "black"}:
        raise ValueError(f"unknown redaction mode {mode!r}")
    if not ranges:
        raise ValueError("nothing to redact")
    inside = "+".join(f"between(t,{_seconds(a)},{_seconds(b)})" for a, b in sorted(ranges))
    if mode == "cut":
        video = f"select='not({inside})',setpts=N/FRAME_RATE/TB"
        audio = f"aselect='not({inside})',asetpts=N/SR/TB"
    else:
        video = f"drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='{inside}'"
        audio = f"volume=0:enable='{inside}'"
    return [
        "-progress", "pipe:1", "-nostats",
        "-i", source,
        "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn",
        "-filter:v", video, "-filter:a", audio,
        *_encode_h264_aac(),
        "-f", "matroska", "-y", target,
    ]  # fmt: skip


def plain_copy_args(source: str, target: str) -> list[str]:
    """ffmpeg's own remux of a file, no more: the yardstick the benchmark compares with."""
    return ["-i", source, "-c", "copy", "-f", "hls", "-hls_time", str(HLS_SEGMENT_S),
            "-hls_playlist_type", "vod", "-y", target]  # fmt: skip


@dataclass(frozen=True)
class HlsSegment:
    uri: str
    start_ms: int
    duration_ms: int


def hls_segments(playlist: str) -> list[HlsSegment]:
    """The segments of a VOD media playlist, with their start offsets."""
    segments = []
    position = 0
    duration_ms: int | None = None
    for raw in playlist.splitlines():
        line = raw.strip()
        if line.startswith("#EXTINF:"):
            value = line.removeprefix("#EXTINF:").split(",", 1)[0]
            duration_ms = round(float(value) * 1000)
        elif line and not line.startswith("#") and duration_ms is not None:
            segments.append(HlsSegment(line, position, duration_ms))
            position += duration_ms
            duration_ms = None
    return segments


def clip_playlist(
    segments: list[HlsSegment], *, start_ms: int, end_ms: int, prefix: str = ""
) -> tuple[str, int]:
    """A VOD playlist of the segments covering [start_ms, end_ms), and where the clip starts
    in it (ms). The segments are the meeting's own: nothing is copied or cut."""
    chosen = [s for s in segments if s.start_ms + s.duration_ms > start_ms and s.start_ms < end_ms]
    if not chosen:
        raise ValueError("the range lies outside the recording")
    target = max(1, math.ceil(max(s.duration_ms for s in chosen) / 1000))
    lines = [
        "#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD",
    ]  # fmt: skip
    for segment in chosen:
        lines.append(f"#EXTINF:{segment.duration_ms / 1000:.3f},")
        lines.append(prefix + segment.uri)
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n", start_ms - chosen[0].start_ms


@dataclass(frozen=True)
class DatedSegment:
    """A live playlist's segment: where it starts in the media and when it began (wall)."""

    start_ms: int
    duration_ms: int
    wall: datetime  # its EXT-X-PROGRAM-DATE-TIME


PDT_TAG = "#EXT-X-PROGRAM-DATE-TIME:"
GAP_TOLERANCE_MS = 500


def hls_dated_segments(playlist: str) -> list[DatedSegment]:
    """The segments of a live playlist that carry EXT-X-PROGRAM-DATE-TIME, with their media
    offsets (segments without one count for the offsets but are left out)."""
    segments = []
    position = 0
    duration_ms: int | None = None
    wall: datetime | None = None
    for raw in playlist.splitlines():
        line = raw.strip()
        if line.startswith("#EXTINF:"):
            duration_ms = round(float(line.removeprefix("#EXTINF:").split(",", 1)[0]) * 1000)
        elif line.startswith(PDT_TAG):
            wall = _program_date_time(line.removeprefix(PDT_TAG))
        elif line and not line.startswith("#") and duration_ms is not None:
            if wall is not None:
                segments.append(DatedSegment(position, duration_ms, wall))
            position += duration_ms
            duration_ms = wall = None
    return segments


def _program_date_time(value: str) -> datetime | None:
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]  # ffmpeg writes +0000; fromisoformat wants +00:00
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def hls_has_gap(segments: list[DatedSegment]) -> bool:
    """Whether the feed stopped and came back: a segment begins later than its predecessor
    ends (wall clock), by more than a rounding."""
    return any(
        (b.wall - a.wall).total_seconds() * 1000 - a.duration_ms > GAP_TOLERANCE_MS
        for a, b in itertools.pairwise(segments)
    )


def media_offset_ms(segments: list[DatedSegment], at: datetime) -> int | None:
    """The media offset (ms) shown at wall-clock instant `at`, across discontinuities.

    Inside a segment: its start plus the time since it began. In a gap (the encoder was
    away): where the picture resumes, i.e. the next segment's start. Before the first
    segment: 0. After the last (live, its successor not listed yet): counted on from the
    last segment. None when the playlist has no program date-times.
    """
    if not segments:
        return None
    if at <= segments[0].wall:
        return 0
    for segment, following in zip(segments, [*segments[1:], None], strict=True):
        since_ms = round((at - segment.wall).total_seconds() * 1000)
        if following is None or at < following.wall:
            if following is not None and since_ms >= segment.duration_ms:
                return following.start_ms  # in the gap before the next segment
            return segment.start_ms + since_ms
    raise AssertionError("unreachable")


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


# --- end --------------------------------------------------------------------------------
