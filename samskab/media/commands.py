"""ffmpeg command lines, built in one place and tested (tests/ beside the apps that run them).

Each builder returns the argument list after the ffmpeg binary; nothing here runs a process.
"""

from __future__ import annotations

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


# --- Archive: packaging uploads, clips, redaction (the recordings app) --------------------


# --- end --------------------------------------------------------------------------------
