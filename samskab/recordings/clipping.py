"""The clip's downloadable MP4, cut to the frame: a smart cut where the source allows it.

Only the partial groups of pictures at the ends are encoded; the whole ones between are
copied, so a minute of HD costs seconds, not a minute of encoding. When the source is not
H.264, x264 cannot match its format, or the joined result fails its check, the whole range
is encoded as before. The command lines come from samskab.media.commands.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from samskab.media import commands
from samskab.recordings import engine, storage
from samskab.webcasts.ffmpeg import MediaError

logger = logging.getLogger(__name__)

DURATION_TOLERANCE_S = 0.1
SMART, ENCODED = "smart", "encoded"


def clip_mp4_make(source: Path, target: Path, *, start_ms: int, end_ms: int) -> str:
    """Write the MP4 of [start_ms, end_ms) to `target`; returns how: SMART or ENCODED."""
    try:
        if smart_cut(source, target, start_ms=start_ms, end_ms=end_ms):
            return SMART
    except MediaError as error:
        logger.warning("Smart cut of %s failed, encoding the whole clip: %s", source, error)
    engine.run_job(
        commands.clip_mp4_args(str(source), str(target), start_ms=start_ms, end_ms=end_ms)
    )
    return ENCODED


def smart_cut(source: Path, target: Path, *, start_ms: int, end_ms: int) -> bool:
    """Cut by copying the whole groups of pictures; False when the source does not allow it
    (nothing is written then)."""
    found = commands.video_format_parse(engine.capture(commands.video_format_args(str(source))))
    x264 = found.x264_args() if found is not None else None
    if found is None or x264 is None:
        return False
    packets = commands.packets_parse(
        engine.capture(commands.packets_args(str(source), start_ms=start_ms, end_ms=end_ms))
    )
    plan = commands.smart_cut_plan(
        packets, start_ms=start_ms, end_ms=end_ms, file_start_s=found.start_s
    )
    if plan is None:
        return False
    # The pieces (and the list naming the master) stay out of the public media folder.
    work_root = storage.private_root() / "work"
    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="clip-", dir=work_root))
    try:
        pieces: list[tuple[str, float]] = []
        if plan.head:
            head = str(work / "head.mkv")
            engine.run_job(
                commands.smart_cut_encode_args(
                    str(source), head, from_s=plan.first_frame_s, frames=plan.head,
                    frame_s=plan.frame_s, x264=x264,
                )
            )  # fmt: skip
            pieces.append((head, plan.head_duration_s))
        copy_list = work / "copy.txt"
        copy_list.write_text(commands.smart_cut_copy_list(str(source.resolve()), plan))
        middle = str(work / "middle.mkv")
        engine.run_job(commands.smart_cut_copy_args(str(copy_list), middle))
        pieces.append((middle, plan.copy_duration_s))
        if plan.tail:
            tail = str(work / "tail.mkv")
            engine.run_job(
                commands.smart_cut_encode_args(
                    str(source), tail, from_s=plan.tail_s, frames=plan.tail,
                    frame_s=plan.frame_s, x264=x264,
                )
            )  # fmt: skip
            pieces.append((tail, plan.tail_duration_s))
        join_list = work / "join.txt"
        join_list.write_text(commands.smart_cut_join_list(pieces))
        engine.run_job(
            commands.smart_cut_join_args(
                str(join_list), str(source), str(target), plan=plan, timescale=found.timescale
            )
        )
        problem = result_problem(target, plan=plan, wanted_s=(end_ms - start_ms) / 1000)
        if problem:
            target.unlink(missing_ok=True)
            raise MediaError(f"the joined clip {problem}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def result_problem(target: Path, *, plan: commands.SmartCut, wanted_s: float) -> str:
    """What is wrong with a joined clip (read from its packets, not decoded): a picture
    missing, extra or out of time against the source, or a length off the range; "" when
    it is right."""
    packets = commands.packets_parse(engine.capture(commands.packets_all_args(str(target))))
    problem = commands.timing_problem(plan, packets)
    if problem:
        return problem
    shown = max(p.pts + p.duration for p in packets) - min(p.pts for p in packets)
    if abs(shown - wanted_s) > DURATION_TOLERANCE_S:
        return f"lasts {shown:.3f} s, not {wanted_s:.3f} s"
    return ""
