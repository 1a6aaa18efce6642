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
    recording: str | None,
    thumbnail: str,
    segment_s: int = LIVE_SEGMENT_S,
    thumbnail_every_s: int = LIVE_THUMBNAIL_EVERY_S,
    appending: bool = False,
) -> list[str]:
    """One ffmpeg for our own player: live HLS, the full recording, a picture now and then.

    The playlist is an EVENT playlist with EXT-X-PROGRAM-DATE-TIME on every segment; when
    the feed ends ffmpeg writes EXT-X-ENDLIST and the same playlist is the archive. When an
    encoder comes back after a drop (`appending`), the new segments continue the playlist
    after a discontinuity and the recording goes to a new file. Without `recording` the
    recording is another process's (`live_recording_command`), as the ingest runs it.
    """
    record = (
        ["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-f", "matroska", recording]
        if recording
        else []
    )
    return [
        "-y",  # the picture is replaced, and a restart writes into the same folder
        *PROGRESS,
        "-skip_frame", "nokey",  # applies to decoding only, i.e. the picture below
        *LIVE_INPUT,
        "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy",
        *_live_hls(playlist, segment_pattern, segment_s=segment_s, appending=appending),
        *record,
        # The first picture, then one every N seconds (of the keyframes that are decoded).
        "-map", "0:v:0?", "-fps_mode", "vfr",
        "-vf", f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{thumbnail_every_s})'",
        "-q:v", "4", "-f", "image2", "-update", "1", thumbnail,
    ]  # fmt: skip


def live_recording_command(recording: str) -> list[str]:
    """The encoder's feed, copied, into one Matroska file. Its own process, apart from the
    HLS, so that a closed session pauses it (nothing is written, the file stays open) while
    the playlist gets the slate: one recording file for the whole meeting, whose times
    follow the encoder's clock across the pause as the playlist's do across the slate."""
    return [
        "-y", *PROGRESS, *LIVE_INPUT,
        "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-f", "matroska", recording,
    ]  # fmt: skip


def _live_hls(playlist: str, segment_pattern: str, *, segment_s: int, appending: bool) -> list[str]:
    flags = "program_date_time+independent_segments"
    if appending:
        flags += "+append_list+discont_start"
    return [
        "-f", "hls",
        "-hls_time", str(segment_s),
        "-hls_list_size", "0",
        "-hls_playlist_type", "event",
        "-hls_flags", flags,
        "-hls_segment_filename", segment_pattern,
        playlist,
    ]  # fmt: skip


# --- Closed session: a still picture instead of the chamber -------------------------------
# While the meeting sits in closed session, the camera's feed is dropped in the ingest and
# every output (our HLS, each restream) gets the slate instead: a short clip of the still
# picture, encoded once and then looped by copying (a still encoded live would cost a
# quarter of a core per output), with silence encoded as AAC (cheap).
SLATE_FPS = 25
SLATE_SECONDS = 2


def slate_clip_command(*, image: str, target: str) -> list[str]:
    """A few seconds of the still picture as H.264, a keyframe every second."""
    return [
        "-y", "-loop", "1", "-framerate", str(SLATE_FPS), "-i", image,
        "-t", str(SLATE_SECONDS), "-an",
        "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2",
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage",
        "-pix_fmt", "yuv420p", "-g", str(SLATE_FPS),
        "-f", "mp4", target,
    ]  # fmt: skip


def _slate_input(clip: str) -> list[str]:
    return [
        "-re", "-stream_loop", "-1", "-i", clip,
        "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo",
        "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac", "-b:a", "64k",
    ]  # fmt: skip


def slate_archive_command(
    *, clip: str, playlist: str, segment_pattern: str, segment_s: int = LIVE_SEGMENT_S
) -> list[str]:
    """The slate, for as long as it runs, as further segments of the live playlist (after a
    discontinuity; the camera's segments go on after another one). No recording file: the
    closed session leaves nothing in the archive but the slate."""
    return [
        "-y", *PROGRESS, *_slate_input(clip),
        *_live_hls(playlist, segment_pattern, segment_s=segment_s, appending=True),
    ]  # fmt: skip


def slate_flv_command(clip: str) -> list[str]:
    """The slate as FLV on stdout, for a restream: the ingest publishes it to the
    destination itself (rtmppush), so no command line holds the destination's key."""
    return [
        "-nostats", *_slate_input(clip),
        "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
    ]  # fmt: skip


def restream_command(url: str) -> list[str]:
    """The encoder's feed, copied as it is, to one RTMP or RTMPS destination.

    The ingest no longer runs this (the URL holds the destination's key, and a command line
    is readable by every local user; it publishes itself, streaming/rtmppush.py); the fan-out
    benchmark keeps it as the yardstick."""
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


def demo_feed_command(url: str) -> list[str]:
    """A chamber encoder for the demo: a test picture with a running clock and a tone, encoded
    as a real encoder would (H.264 and AAC in FLV, a keyframe every 2 s) and pushed in real
    time to the ingest, for ever. Small and fast, so `make run` stays light on a laptop."""
    if not url.startswith("rtmp://"):
        raise ValueError("the demo feed goes to the ingest's rtmp:// address")
    return [
        "-re",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
        "-pix_fmt", "yuv420p", "-g", "50", "-b:v", "600k",
        "-c:a", "aac", "-b:a", "64k",
        "-f", "flv", url,
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


def hls_to_mp4_args(playlist: str, target: str) -> list[str]:
    """A packaged HLS video joined back into one MP4 without re-encoding (an export)."""
    return [
        "-allowed_extensions", "ALL", "-i", playlist,
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-movflags", "+faststart",
        "-y", target,
    ]  # fmt: skip


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


# --- Smart cut: a frame-accurate clip that encodes only its partial groups of pictures ----
# The clip's first (and last) partial group of pictures is encoded; the whole groups between
# are copied. The pieces are Matroska whose key frames carry their SPS and PPS in band (the
# joined MP4 has only the first piece's in its header), and the encoded pieces use another
# parameter-set id than the source, so no id is redefined mid-stream. (MPEG-TS pieces would
# carry them too, but ffmpeg cannot recognise a TS piece of one small frame.)

SMART_CUT_PROFILES = {66: "baseline", 77: "main", 100: "high"}
SMART_CUT_PIX_FMTS = frozenset({"yuv420p", "yuvj420p"})
_SPS_FIELD_RE = re.compile(r"\]\s+\d+\s+(\w+)\s+[01]+ = (-?\d+)")
_TB_RE = re.compile(r"^#tb 0: (\d+)/(\d+)", re.MULTILINE)
_VIDEO_HEADER_RE = re.compile(
    r"Stream #0:\d+[^:]*: Video: h264[^,]*, (\w+)(?:\([^)]*\))?,.*?(\d+(?:\.\d+)?)(k?) tbn"
)
_START_RE = re.compile(r"Duration: [^,]+, start: (-?\d+\.\d+)")


@dataclass(frozen=True)
class VideoFormat:
    """What the encoded pieces must match: the source's H.264 SPS, picture format, timescale."""

    profile_idc: int
    level_idc: int
    sps_id: int
    chroma_format_idc: int
    bit_depth: int
    progressive: bool
    pix_fmt: str
    timescale: int
    start_s: float  # the file's first timestamp; offsets in the archive count from it

    def x264_args(self) -> list[str] | None:
        """libx264 options giving the same profile, level and picture format, or None when
        x264 cannot match the source (then the whole clip is encoded instead)."""
        profile = SMART_CUT_PROFILES.get(self.profile_idc)
        if (
            profile is None
            or self.chroma_format_idc != 1
            or self.bit_depth != 8
            or not self.progressive
            or self.pix_fmt not in SMART_CUT_PIX_FMTS
            or not 10 <= self.level_idc <= 62
        ):
            return None
        level = f"{self.level_idc // 10}.{self.level_idc % 10}"
        other_id = (self.sps_id + 1) % 32
        return [
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
            "-profile:v", profile, "-level:v", level, "-pix_fmt", self.pix_fmt,
            "-x264-params", f"sps-id={other_id}",
        ]  # fmt: skip


def video_format_args(source: str) -> list[str]:
    """The header and the first SPS of the source's picture, printed by trace_headers."""
    return [
        "-loglevel", "info", "-i", source, "-map", "0:v:0", "-c", "copy",
        "-bsf:v", "trace_headers", "-frames:v", "1", "-f", "null", "-",
    ]  # fmt: skip


def video_format_parse(text: str) -> VideoFormat | None:
    """The VideoFormat from video_format_args' output; None unless the picture is H.264 with
    a sequence parameter set."""
    header = _VIDEO_HEADER_RE.search(text)
    if header is None:
        return None
    fields: dict[str, int] = {}
    for name, value in _SPS_FIELD_RE.findall(text):
        fields.setdefault(name, int(value))  # the first SPS (extradata, or the first frame)
    if "profile_idc" not in fields or "level_idc" not in fields:
        return None
    pix_fmt, tbn, kilo = header.groups()
    start = _START_RE.search(text)
    return VideoFormat(
        profile_idc=fields["profile_idc"],
        level_idc=fields["level_idc"],
        sps_id=fields.get("seq_parameter_set_id", 0),
        chroma_format_idc=fields.get("chroma_format_idc", 1),
        bit_depth=fields.get("bit_depth_luma_minus8", 0) + 8,
        progressive=fields.get("frame_mbs_only_flag", 1) == 1,
        pix_fmt=pix_fmt,
        timescale=round(float(tbn) * (1000 if kilo else 1)),
        start_s=float(start.group(1)) if start else 0.0,
    )


@dataclass(frozen=True)
class Packet:
    """One picture of the source as stored: decode and presentation times in seconds from
    the file's own clock (not from its start), and whether it is a key frame."""

    dts: float
    pts: float
    duration: float
    key: bool


def packets_args(source: str, *, start_ms: int, end_ms: int, margin_ms: int = 2000) -> list[str]:
    """The picture's packets around [start_ms, end_ms), copied, not decoded (framecrc)."""
    begin = max(0, start_ms - margin_ms)
    return [
        # -t before -i: it bounds the reading; after it, -copyts would make it count from 0.
        "-ss", _seconds(begin), "-t", _seconds(end_ms - begin + margin_ms), "-i", source,
        "-map", "0:v:0", "-c", "copy", "-copyts", "-f", "framecrc", "-",
    ]  # fmt: skip


def packets_all_args(source: str) -> list[str]:
    """Every packet of the picture of a (short) file, copied, not decoded."""
    return ["-i", source, "-map", "0:v:0", "-c", "copy", "-f", "framecrc", "-"]


def packets_parse(text: str) -> list[Packet]:
    """Packets from framecrc output: "stream, dts, pts, duration, size, crc[, F=flags]"."""
    tb = _TB_RE.search(text)
    if tb is None:
        return []
    unit = int(tb.group(1)) / int(tb.group(2))
    packets = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 6 or parts[0] != "0":
            continue
        try:
            dts, pts, duration = int(parts[1]), int(parts[2]), int(parts[3])
        except ValueError:
            continue
        flags = next((p for p in parts[6:] if p.startswith("F=")), None)
        key = flags is None or bool(int(flags[2:], 16) & 1)
        packets.append(Packet(dts * unit, pts * unit, duration * unit, key))
    return packets


@dataclass(frozen=True)
class SmartCut:
    """How to make [start, end): encode `head` frames from `first_frame_s`, copy the source's
    packets from key frame `copy_from_s` (inclusive) until the packet decoded at
    `copy_until_dts_s` (exclusive), encode `tail` frames from `tail_s`. `first_frame_s` and
    `tail_s` count from the file's start (as ffmpeg's -ss does); the copy's times are the
    file's own timestamps (as the concat demuxer's in- and out-points are). The durations
    are what each piece shows."""

    first_frame_s: float
    head: int
    head_duration_s: float
    copy_from_s: float
    copy_until_dts_s: float
    copy_duration_s: float
    tail_s: float
    tail: int
    tail_duration_s: float
    frame_s: float
    frame_times: tuple[float, ...]  # when each picture of the clip is shown, from 0

    @property
    def duration_s(self) -> float:
        return self.head_duration_s + self.copy_duration_s + self.tail_duration_s


def smart_cut_plan(
    packets: list[Packet], *, start_ms: int, end_ms: int, file_start_s: float = 0.0
) -> SmartCut | None:
    """Plan the cut from the packets around it, or None when it cannot be copied at all
    (no whole group of pictures inside, or pictures that refer across a key frame)."""
    if not packets:
        return None
    frames = sorted(packets, key=lambda p: p.pts)
    frame = sorted(p.duration for p in frames)[len(frames) // 2] or 0.04
    tolerance = frame / 4  # between the frames' own times
    rounding = 0.0005  # between a frame's time and a range given in milliseconds
    start = file_start_s + start_ms / 1000
    end = file_start_s + end_ms / 1000
    # The frame on screen at the in-point; the frames shown before the out-point.
    shown = [p for p in frames if p.pts <= start + rounding]
    if not shown or frames[-1].pts + frames[-1].duration < end - rounding:
        return None  # the packets do not cover the range
    first = shown[-1].pts
    inside = [p for p in frames if first - tolerance <= p.pts < end - rounding]
    keys = [p for p in frames if p.key and first - tolerance <= p.pts <= end + rounding]
    if len(keys) < 2:
        return None  # no whole group of pictures: encoding it all is as quick
    k_first, k_last = keys[0], keys[-1]
    in_decode_order = sorted(packets, key=lambda p: p.dts)
    # Open groups of pictures: a frame decoded after a cut key frame but shown before it.
    for key in (k_first, k_last):
        if any(p.dts > key.dts and p.pts < key.pts - tolerance for p in in_decode_order):
            return None
    head = [p for p in inside if p.pts < k_first.pts - tolerance]
    tail = [p for p in inside if p.pts >= k_last.pts - tolerance]
    last_shown = inside[-1]
    return SmartCut(
        first_frame_s=first - file_start_s,
        head=len(head),
        head_duration_s=k_first.pts - first,
        copy_from_s=k_first.pts,
        copy_until_dts_s=k_last.dts,
        copy_duration_s=k_last.pts - k_first.pts,
        tail_s=k_last.pts - file_start_s,
        tail=len(tail),
        tail_duration_s=(last_shown.pts + last_shown.duration - k_last.pts) if tail else 0.0,
        frame_s=frame,
        frame_times=tuple(p.pts - first for p in inside),
    )


def smart_cut_encode_args(
    source: str, target: str, *, from_s: float, frames: int, frame_s: float, x264: list[str]
) -> list[str]:
    """`frames` pictures from the frame at `from_s` (from the file's start), encoded to match
    the source, as a Matroska piece. The seek is a quarter frame early so rounding never
    drops the first frame (ffmpeg drops decoded frames before the seek point)."""
    return [
        "-ss", f"{max(0.0, from_s - frame_s / 4):.6f}", "-i", source,
        "-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", str(frames),
        "-fps_mode", "passthrough", *x264,
        "-bsf:v", "dump_extra=freq=keyframe", "-f", "matroska", "-y", target,
    ]  # fmt: skip


def smart_cut_copy_list(source: str, plan: SmartCut) -> str:
    """A concat list copying the source's whole groups of pictures. The in-point is rounded
    up to the microsecond (the seek finds the key frame at or before it); the out-point is
    the last key frame's decode time rounded down, so it and all after it are left out."""
    inpoint = math.ceil(plan.copy_from_s * 1_000_000)
    outpoint = math.floor(plan.copy_until_dts_s * 1_000_000)
    return (
        f"ffconcat version 1.0\nfile {_concat_path(source)}\n"
        f"inpoint {inpoint}us\noutpoint {outpoint}us\n"
    )


def smart_cut_copy_args(copy_list: str, target: str) -> list[str]:
    """The copied middle as a Matroska piece (SPS and PPS in band at each key frame)."""
    return [
        "-f", "concat", "-safe", "0", "-i", copy_list,
        "-map", "0:v:0", "-c", "copy", "-bsf:v", "h264_mp4toannexb",
        "-f", "matroska", "-y", target,
    ]  # fmt: skip


def smart_cut_join_list(pieces: list[tuple[str, float]]) -> str:
    """The concat list of the pieces, each with the duration it shows, so every piece starts
    where the one before ends whatever its decoding delay."""
    lines = ["ffconcat version 1.0"]
    for path, duration_s in pieces:
        lines += [f"file {_concat_path(path)}", f"duration {duration_s:.6f}"]
    return "\n".join(lines) + "\n"


def smart_cut_join_args(
    join_list: str, source: str, target: str, *, plan: SmartCut, timescale: int
) -> list[str]:
    """One MP4 of the joined picture (copied) and the source's sound over the same span
    (encoded, which is quick and cuts to the sample)."""
    return [
        "-f", "concat", "-safe", "0", "-i", join_list,
        "-ss", f"{plan.first_frame_s:.6f}", "-t", f"{plan.duration_s:.6f}", "-i", source,
        "-map", "0:v:0", "-map", "1:a:0?", "-sn", "-dn",
        "-c:v", "copy", "-c:a", "aac", "-b:a", "128k",
        "-video_track_timescale", str(timescale),
        "-movflags", "+faststart", "-f", "mp4", "-y", target,
    ]  # fmt: skip


def timing_problem(plan: SmartCut, packets: list[Packet]) -> str:
    """How the pictures of a joined clip differ from the source's over the range: a picture
    missing or extra, or one shown at another time (a gap or a shift); "" when they agree."""
    if not packets:
        return "has no pictures"
    shown = sorted(p.pts for p in packets)
    if len(shown) != len(plan.frame_times):
        return f"has {len(shown)} pictures, not {len(plan.frame_times)}"
    for got, wanted in zip(shown, plan.frame_times, strict=True):
        if abs(got - shown[0] - wanted) > plan.frame_s / 2:
            return f"shows at {got - shown[0]:.3f} s the picture due at {wanted:.3f} s"
    return ""


def _concat_path(path: str) -> str:
    # The concat demuxer's quoting: single quotes, with a quote written as '\''.
    return "'" + path.replace("'", "'\\''") + "'"


# --- end --------------------------------------------------------------------------------
