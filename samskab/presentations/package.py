"""Export and import of a presentation as one self-contained zip (docs/presentations.md).

    manifest.json         {"format": "samskab-presentation", "version": 1, "title", "summary",
                           "steps": [...], "files": [{"path", "kind", "sha256"}]}
    media/pictures/N.jpg  pictures and slide pages (steps name them by "picture")
    media/videos/N.mp4    clips and uploaded videos, as MP4 (steps name them by "video")
    media/captions/N.vtt  captions of a video (steps name them by "captions")

A slide's narration video (a clip or an uploaded video) travels as one more MP4 with its
captions (the slide names them by "narration" and "narration_captions") and is imported as
an uploaded video of the new presentation.

On import every name in the zip must be manifest.json or a file the manifest lists, under
media/, with no "..", no absolute path, no backslash and no link; anything else refuses the
whole package. Pictures are checked and re-encoded like every upload; videos go through the
media pipeline (probed, packaged to HLS in the background).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from samskab.attachments.models import Image
from samskab.core.uploads import reencode_image
from samskab.presentations import selectors, services
from samskab.presentations.models import Presentation, Step, Video
from samskab.recordings import engine, storage
from samskab.recordings.models import Clip, Job
from samskab.webcasts.ffmpeg import MediaError

FORMAT = "samskab-presentation"
VERSION = 1
MAX_FILES = 500
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
PATH_RE = re.compile(r"^media/(pictures/\d+\.(jpg|png)|videos/\d+\.mp4|captions/\d+\.vtt)$")
KIND_OF = {"pictures": "picture", "videos": "video", "captions": "captions"}
TEXT_FIELDS = ("key", "kind", "title", "body", "in_ms", "out_ms", "question_kind", "choices",
               "required", "next_key", "branches")  # fmt: skip


class PackageRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Export -------------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _video_mp4(clip: Clip | None, video: Video | None, work: Path) -> Path | None:
    """A clip or an uploaded video as one MP4 file: the clip's own download, or the packaged
    upload joined back without re-encoding. None when there is none to take."""
    if clip is not None:
        path = storage.clip_mp4_path(clip.meeting_id, clip.pk)
        return path if clip.mp4_status == Job.DONE and path.is_file() else None
    if video is not None:
        from samskab.media import commands
        from samskab.presentations.media import video_folder

        target = work / f"video-{video.pk}.mp4"
        if target.is_file():
            return target
        playlist = video_folder(video.pk) / "index.m3u8"
        if not playlist.is_file():
            return None
        try:
            engine.run_job(commands.hls_to_mp4_args(str(playlist), str(target)))
        except MediaError:
            target.unlink(missing_ok=True)
            return None
        return target
    return None


def package_export(presentation: Presentation) -> bytes:
    steps = list(
        presentation.steps.select_related(
            "clip", "video", "image", "slide", "deck_page", "narration", "narration_video"
        )
    )
    buffer = io.BytesIO()
    files: list[dict] = []
    out_steps: list[dict] = []
    with (
        tempfile.TemporaryDirectory() as folder,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        work = Path(folder)

        def add(kind: str, suffix: str, data: bytes | None = None, source: Path | None = None):
            number = len(files) + 1
            path = f"media/{kind}/{number}.{suffix}"
            if source is not None:
                archive.write(source, path, compress_type=zipfile.ZIP_STORED)
                digest = hashlib.sha256()
                with source.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                sha = digest.hexdigest()
            else:
                archive.writestr(path, data or b"")
                sha = _sha(data or b"")
            files.append({"path": path, "kind": KIND_OF[kind], "sha256": sha})
            return path

        for step in steps:
            data = {name: getattr(step, name) for name in TEXT_FIELDS}
            picture = None
            if step.kind == Step.Kind.PICTURE and step.image is not None:
                picture, alt = step.image.file, step.image.alt
            elif step.kind == Step.Kind.SLIDE:
                element = step.deck_page or step.slide or step.image
                if element is not None:
                    picture = element.image if not isinstance(element, Image) else element.file
                    alt = getattr(element, "text", "") or getattr(element, "alt", "") or step.title
            if picture is not None:
                with picture.open("rb") as handle:
                    content = handle.read()
                suffix = "png" if str(picture.name).lower().endswith(".png") else "jpg"
                data["picture"] = add("pictures", suffix, content)
                data["alt"] = (alt or step.title or "-")[:200]
            if step.kind == Step.Kind.VIDEO:
                mp4 = _video_mp4(step.clip, step.video, work)
                if mp4 is not None:
                    data["video"] = add("videos", "mp4", source=mp4)
                    data["video_title"] = (step.clip or step.video).title
                    vtt = _captions(step.clip_id, step.video_id)
                    if vtt:
                        data["captions"] = add("captions", "vtt", vtt.encode())
            if step.kind == Step.Kind.SLIDE:
                # A narration whose MP4 cannot be had (a clip whose download is not made, a
                # video not packaged) is left out: the slide imports without narration.
                mp4 = _video_mp4(step.narration, step.narration_video, work)
                if mp4 is not None:
                    data["narration"] = add("videos", "mp4", source=mp4)
                    data["narration_title"] = (step.narration or step.narration_video).title
                    vtt = _captions(step.narration_id, step.narration_video_id)
                    if vtt:
                        data["narration_captions"] = add("captions", "vtt", vtt.encode())
            out_steps.append(data)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "title": presentation.title,
            "summary": presentation.summary,
            "steps": out_steps,
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def _captions(clip_id: int | None, video_id: int | None) -> str | None:
    """A clip's (timed from its start, as its MP4) or an uploaded video's Danish captions,
    when they have any cue."""
    text = None
    if clip_id is not None:
        text = selectors.captions_vtt({"clip": clip_id}, "da", offset_ms=0)
    elif video_id is not None:
        text = selectors.captions_vtt({"video": video_id}, "da")
    return text if text and "-->" in text else None


# --- Import -------------------------------------------------------------------------------


def _check_names(archive: zipfile.ZipFile) -> tuple[dict, dict[str, zipfile.ZipInfo]]:
    infos = archive.infolist()
    if len(infos) > MAX_FILES + 1:
        raise PackageRefused(_("The package has too many files."))
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        raise PackageRefused(_("The package is too big unpacked."))
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if info.is_dir():
            continue
        mode = info.external_attr >> 16
        pure = PurePosixPath(name)
        if (
            "\\" in name
            or name.startswith("/")
            or pure.is_absolute()
            or ".." in pure.parts
            or ":" in name
            or stat.S_ISLNK(mode)
        ):
            raise PackageRefused(
                _(
                    "The package holds a file with a path outside it (%(name)s). "
                    "Nothing was imported."
                )
                % {"name": name[:100]}
            )
        entries[name] = info
    if "manifest.json" not in entries:
        raise PackageRefused(
            _("The package has no manifest.json: it is not a presentation package.")
        )
    if entries["manifest.json"].file_size > MAX_MANIFEST_BYTES:
        raise PackageRefused(_("The package's manifest is too big."))
    try:
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise PackageRefused(_("The package's manifest.json cannot be read.")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageRefused(_("The package is not a Samskab presentation."))
    if manifest.get("version") != VERSION:
        raise PackageRefused(
            _("The package is of version %(version)s, which this site cannot read.")
            % {"version": str(manifest.get("version"))[:10]}
        )
    listed = {}
    for item in manifest.get("files") or []:
        path = str(item.get("path", "")) if isinstance(item, dict) else ""
        if not PATH_RE.match(path):
            raise PackageRefused(
                _("The manifest names a file outside the package's media folder (%(name)s).")
                % {"name": path[:100]}
            )
        listed[path] = item
    unknown = sorted(set(entries) - set(listed) - {"manifest.json"})
    if unknown:
        raise PackageRefused(
            _(
                "The package holds files its manifest does not list: %(names)s. "
                "Nothing was imported."
            )
            % {"names": ", ".join(name[:80] for name in unknown[:5])}
        )
    missing = sorted(set(listed) - set(entries))
    if missing:
        raise PackageRefused(
            _("The manifest lists files the package does not hold: %(names)s.")
            % {"names": ", ".join(missing[:5])}
            + (_used_by(manifest, missing[0]) if len(missing) == 1 else "")
        )
    for path, item in listed.items():
        if _sha(archive.read(entries[path])) != item.get("sha256"):
            raise PackageRefused(
                _("The file %(name)s is damaged (its checksum does not match).") % {"name": path}
                + _used_by(manifest, path)
            )
    return manifest, entries


def _used_by(manifest: dict, path: str) -> str:
    """Which step a file in the package is for, as the end of a refusal ("" when none)."""
    steps = manifest.get("steps")
    for number, raw in enumerate(steps if isinstance(steps, list) else [], start=1):
        if not isinstance(raw, dict):
            continue
        if path in (raw.get("narration"), raw.get("narration_captions")):
            return " " + _("It is the narration of step %(number)d.") % {"number": number}
        if path in (raw.get("video"), raw.get("captions"), raw.get("picture")):
            return " " + _("It belongs to step %(number)d.") % {"number": number}
    return ""


def _held(entries: dict, path: object, folder: str) -> bool:
    """Whether a step's file is one the package holds, in the folder it belongs in."""
    return isinstance(path, str) and path in entries and path.startswith(f"media/{folder}/")


def _step_fields(raw: dict, keys: set[str]) -> dict:
    if not isinstance(raw, dict):
        raise PackageRefused(_("A step in the manifest cannot be read."))
    kind = raw.get("kind")
    if kind not in Step.Kind.values:
        raise PackageRefused(_("A step in the manifest is of an unknown kind."))
    data = {name: raw.get(name) for name in TEXT_FIELDS}
    data["title"] = str(data.get("title") or "")[:200]
    data["body"] = str(data.get("body") or "")[:5000]
    for name in ("in_ms", "out_ms"):
        value = data.get(name)
        data[name] = value if isinstance(value, int) and 0 <= value < 48 * 3600 * 1000 else None
    choices = data.get("choices") or []
    if not isinstance(choices, list) or not all(
        isinstance(c, dict) and isinstance(c.get("id"), int) and isinstance(c.get("text"), str)
        for c in choices
    ):
        raise PackageRefused(_("A question's options in the manifest cannot be read."))
    data["choices"] = [{"id": c["id"], "text": c["text"][:300]} for c in choices][:20]
    branches = data.get("branches") or {}
    if not isinstance(branches, dict):
        raise PackageRefused(_("A step's branches in the manifest cannot be read."))
    data["branches"] = {str(k): str(v) for k, v in branches.items()}
    data["next_key"] = str(data.get("next_key") or "")
    data["question_kind"] = str(data.get("question_kind") or "")
    data["required"] = bool(data.get("required"))
    key = str(data.get("key") or "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,12}", key) or key in keys or key == "end":
        raise PackageRefused(_("The steps in the manifest have missing or repeated keys."))
    data["key"] = key
    return data


def package_import(upload, *, by) -> Presentation:
    """A new draft presentation from a package; refuses the whole package on any problem."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        raise PackageRefused(_("The file is not a zip package.")) from None
    with archive:
        manifest, entries = _check_names(archive)
        raw_steps = manifest.get("steps") or []
        if not isinstance(raw_steps, list) or len(raw_steps) > services.MAX_STEPS:
            raise PackageRefused(_("The manifest's steps cannot be read."))
        keys: set[str] = set()
        steps = []
        for number, raw in enumerate(raw_steps, start=1):
            data = _step_fields(raw, keys)
            keys.add(data["key"])
            _check_narration(raw, data, number, entries)
            steps.append((data, raw))
        with tempfile.TemporaryDirectory() as folder, transaction.atomic():
            presentation = services.presentation_create(
                title=str(manifest.get("title") or _("Imported presentation")),
                summary=str(manifest.get("summary") or ""),
                by=by,
            )
            snapshot_steps = []
            for number, (data, raw) in enumerate(steps, start=1):
                element: dict = {"clip": None, "video": None, "slide": None, "deck_page": None,
                                 "narration": None, "narration_video": None,
                                 "image": None}  # fmt: skip
                picture = raw.get("picture")
                if picture and picture in entries:
                    element["image"] = _import_picture(
                        archive.read(picture), str(raw.get("alt") or data["title"] or "-"),
                        presentation, by,
                    ).pk  # fmt: skip
                video = raw.get("video")
                if video and video in entries:
                    title = str(raw.get("video_title") or data["title"])
                    element["video"] = _import_video(
                        archive, video, raw.get("captions"), title, Path(folder), by
                    ).pk
                narration = raw.get("narration")
                if data["kind"] == Step.Kind.SLIDE and narration:
                    # The narration becomes an uploaded video of this site (a meeting's clip
                    # cannot be imported), packaged to HLS like every imported video.
                    title = str(raw.get("narration_title") or data["title"] or _("Narration"))
                    element["narration_video"] = _import_video(
                        archive,
                        narration,
                        raw.get("narration_captions"),
                        title,
                        Path(folder),
                        by,
                        used_by=_("the narration of step %(number)d") % {"number": number},
                    ).pk
                snapshot_steps.append({**data, **element})
            services.steps_replace(presentation=presentation, snapshot={"steps": snapshot_steps})
            services._saved(presentation, by=by, note=_("Imported"))
    return presentation


def _import_picture(data: bytes, alt: str, presentation: Presentation, by) -> Image:
    from django.contrib.contenttypes.models import ContentType

    upload = SimpleUploadedFile("picture", data)
    try:
        clean = reencode_image(upload, max_bytes=20 * 1024 * 1024)
    except ValidationError as error:
        raise PackageRefused(" ".join(error.messages)) from None
    return Image.objects.create(
        content_type=ContentType.objects.get_for_model(Presentation),
        object_id=presentation.pk,
        file=clean,
        alt=alt.strip()[:200] or "-",
        uploaded_by=by if by is not None and by.is_authenticated else None,
    )


def _check_narration(raw: dict, data: dict, number: int, entries: dict) -> None:
    """A slide's narration must be a video (and captions) the package holds: a package that
    names one it does not hold is broken, and is refused rather than imported half."""
    if data["kind"] != Step.Kind.SLIDE:
        return
    narration, captions = raw.get("narration"), raw.get("narration_captions")
    if narration and not _held(entries, narration, "videos"):
        raise PackageRefused(
            _(
                "Step %(number)d names a narration video the package does not hold "
                "(%(name)s). Nothing was imported."
            )
            % {"number": number, "name": str(narration)[:100]}
        )
    if captions and not (narration and _held(entries, captions, "captions")):
        raise PackageRefused(
            _(
                "Step %(number)d names narration captions the package does not hold "
                "(%(name)s). Nothing was imported."
            )
            % {"number": number, "name": str(captions)[:100]}
        )


def _import_video(
    archive,
    path: str,
    captions: str | None,
    title: str,
    work: Path,
    by,
    *,
    used_by: str = "",
) -> Video:
    from samskab.presentations import media

    target = work / Path(path).name
    with archive.open(path) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
    upload = _LocalFile(target)
    try:
        video = media.video_accept(title=title, file=upload, by=by)
    except ValidationError as error:
        problem = " ".join(error.messages)
        if used_by:
            raise PackageRefused(
                _("The video %(name)s (%(use)s) cannot be used: %(problem)s")
                % {"name": path, "use": used_by, "problem": problem}
            ) from None
        raise PackageRefused(problem) from None
    if captions and captions in archive.namelist():
        try:
            media.video_captions_set(video=video, data=archive.read(captions))
        except ValidationError as error:
            # The whole import rolls back: the video's staged file is not packaged.
            Path(video.staged_path).unlink(missing_ok=True)
            raise PackageRefused(
                _("The captions %(name)s cannot be used: %(problem)s")
                % {"name": captions, "problem": " ".join(error.messages)}
            ) from None
    target.unlink(missing_ok=True)
    return video


class _LocalFile:
    """A file on disk as video_accept reads an upload (name, size, chunks)."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.size = path.stat().st_size
        self._path = path

    def chunks(self, size: int = 1 << 20):
        with self._path.open("rb") as handle:
            yield from iter(lambda: handle.read(size), b"")
