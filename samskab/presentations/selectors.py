"""Reads: the content catalogue, a step's media for the player, the statistics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from samskab.attachments.models import Document, Image
from samskab.presentations.models import (
    QUESTION_KINDS,
    Answer,
    DeckPage,
    Job,
    Presentation,
    Step,
    Video,
    Visit,
)
from samskab.recordings import services as recordings
from samskab.recordings.models import ArchiveState, Clip
from samskab.surveys.stats import question_stats
from samskab.webcasts.models import Slide

CATALOGUE_LIMIT = 60
KINDS = ["clip", "video", "slide", "image", "text", "question"]


@dataclass
class Element:
    ref: str  # what step_add takes: "clip:12", "text", "question:single"
    kind: str  # one of KINDS
    kind_label: str
    title: str
    detail: str = ""
    thumbnail: str = ""


def kind_labels() -> dict[str, str]:
    return {
        "clip": _("Clips of meetings"),
        "video": _("Uploaded videos"),
        "slide": _("Slides"),
        "image": _("Pictures"),
        "text": _("Text"),
        "question": _("Questions"),
    }


def catalogue(*, query: str = "", kind: str = "") -> list[Element]:
    """What the municipality already has, searchable and filtered by kind."""
    query = query.strip()
    labels = kind_labels()
    found: list[Element] = []

    def wanted(name: str) -> bool:
        return not kind or kind == name

    if wanted("clip"):
        clips = Clip.objects.select_related("meeting", "meeting__body").order_by("-pk")
        if query:
            clips = clips.filter(Q(title__icontains=query) | Q(meeting__title__icontains=query))
        for clip in clips[:CATALOGUE_LIMIT]:
            found.append(
                Element(
                    f"clip:{clip.pk}",
                    "clip",
                    labels["clip"],
                    clip.title,
                    f"{clip.meeting.title} · {clip.duration_ms // 1000} s",
                )
            )
    if wanted("video"):
        videos = Video.objects.order_by("-pk")
        if query:
            videos = videos.filter(title__icontains=query)
        for video in videos[:CATALOGUE_LIMIT]:
            detail = video.get_status_display()
            if video.duration_ms:
                detail = f"{video.duration_ms // 1000} s"
            found.append(
                Element(f"video:{video.pk}", "video", labels["video"], video.title, detail)
            )
    if wanted("slide"):
        pages = DeckPage.objects.select_related("document").order_by("-document_id", "number")
        slides = Slide.objects.select_related("deck").order_by("-deck_id", "number")
        if query:
            pages = pages.filter(Q(document__title__icontains=query) | Q(text__icontains=query))
            slides = slides.filter(Q(deck__title__icontains=query) | Q(text__icontains=query))
        for page in pages[:CATALOGUE_LIMIT]:
            found.append(
                Element(
                    f"page:{page.pk}",
                    "slide",
                    labels["slide"],
                    f"{page.document.title} ({page.number})",
                    page.text[:80],
                    page.image.url,
                )
            )
        for slide in slides[:CATALOGUE_LIMIT]:
            found.append(
                Element(
                    f"slide:{slide.pk}",
                    "slide",
                    labels["slide"],
                    f"{slide.deck.title} ({slide.number})",
                    slide.text[:80],
                    slide.image.url,
                )
            )
    if wanted("image"):
        kind_of = ContentType.objects.get_for_model(Presentation)
        images = Image.objects.filter(content_type=kind_of).order_by("-pk")
        if query:
            images = images.filter(alt__icontains=query)
        for image in images[:CATALOGUE_LIMIT]:
            found.append(
                Element(
                    f"image:{image.pk}", "image", labels["image"], image.alt, "", image.file.url
                )
            )
    if wanted("text") and (not query or query.lower() in str(labels["text"]).lower()):
        found.append(Element("text", "text", labels["text"], _("A text block")))
    if wanted("question"):
        for value, label in QUESTION_KINDS:
            if not query or query.lower() in str(label).lower():
                found.append(
                    Element(f"question:{value}", "question", labels["question"], str(label))
                )
    return found


NARRATION_CHOICES = 200
# A group of the narration list: its label and its options ("clip:12" or "video:4", label).
NarrationGroup = tuple[str, list[tuple[str, str]]]


def narration_ref(step: Step) -> str:
    """A slide's narration as the builder's list names it; "" for none."""
    if step.narration_id is not None:
        return f"clip:{step.narration_id}"
    if step.narration_video_id is not None:
        return f"video:{step.narration_video_id}"
    return ""


def narration_offered(groups: list[NarrationGroup], ref: str) -> bool:
    return any(value == ref for _label, options in groups for value, _text in options)


def narration_choices(current: str = "") -> list[NarrationGroup]:
    """What a slide may have as its narration video: the newest clips of meetings and the
    newest uploaded videos (a video that failed to package is left out), and the one chosen
    now whatever its age."""
    clips = list(Clip.objects.select_related("meeting").order_by("-pk")[:NARRATION_CHOICES])
    videos = list(Video.objects.exclude(status=Job.FAILED).order_by("-pk")[:NARRATION_CHOICES])
    name, _sep, value = current.partition(":")
    if name == "clip" and value.isdigit() and all(clip.pk != int(value) for clip in clips):
        chosen = Clip.objects.select_related("meeting").filter(pk=int(value)).first()
        if chosen is not None:
            clips.insert(0, chosen)
    if name == "video" and value.isdigit() and all(video.pk != int(value) for video in videos):
        video = Video.objects.filter(pk=int(value)).first()
        if video is not None:
            videos.insert(0, video)
    groups: list[NarrationGroup] = []
    if clips:
        groups.append(
            (
                _("Clips of meetings"),
                [
                    (
                        f"clip:{clip.pk}",
                        f"{clip.title} ({clip.meeting.title}, {clip.duration_ms // 1000} s)",
                    )
                    for clip in clips
                ],
            )
        )
    if videos:
        groups.append(
            (
                _("Uploaded videos"),
                [(f"video:{video.pk}", _video_label(video)) for video in videos],
            )
        )
    return groups


def _video_label(video: Video) -> str:
    if video.status == Job.DONE and video.duration_ms:
        detail = f"{video.duration_ms // 1000} s"
    else:
        detail = str(video.get_status_display())
    if video.captions:
        detail = _("%(detail)s, with captions") % {"detail": detail}
    return f"{video.title} ({detail})"


def library_documents(presentation: Presentation) -> list[Document]:
    kind_of = ContentType.objects.get_for_model(Presentation)
    return list(Document.objects.filter(content_type=kind_of, object_id=presentation.pk))


# --- The player -------------------------------------------------------------------------


@dataclass
class Media:
    """What the player needs to show one step's element; `removed` when it is gone."""

    removed: bool = False
    playlist: str = ""
    start_s: float = 0.0
    end_s: float = 0.0
    captions: list[dict] = field(default_factory=list)
    image: str = ""
    alt: str = ""
    narration: dict | None = None


def _clip_media(clip_id: int | None, in_ms: int | None, out_ms: int | None) -> Media:
    clip = Clip.objects.select_related("meeting").filter(pk=clip_id).first() if clip_id else None
    if clip is None:
        return Media(removed=True)
    state = ArchiveState.objects.filter(meeting_id=clip.meeting_id).first()
    if state is not None and (state.is_unpublished or state.removed_at is not None):
        return Media(removed=True)
    if not AnonymousUser().has_perm("webcasts.view_meeting", clip.meeting):
        return Media(removed=True)
    playable = recordings.clip_playlist(clip)
    if playable is None:
        return Media(removed=True)
    offset = playable[1] / 1000
    start = (in_ms or 0) / 1000
    end = (out_ms if out_ms is not None else clip.duration_ms) / 1000
    captions = [
        {"language": language, "label": label}
        for language, label in clip.meeting.captions.values_list("language", "language")
    ]
    return Media(
        playlist=reverse(
            "recordings:clip_playlist", kwargs={"pk": clip.meeting_id, "clip_pk": clip.pk}
        ),
        start_s=offset + start,
        end_s=offset + min(end, clip.duration_ms / 1000),
        captions=captions,
    )


def _video_media(video_id: int | None, in_ms: int | None, out_ms: int | None) -> Media:
    video = Video.objects.filter(pk=video_id).first() if video_id else None
    if video is None or video.status != Job.DONE:
        return Media(removed=True)
    end = out_ms if out_ms is not None else (video.duration_ms or 0)
    captions = [{"language": "da", "label": "Dansk"}] if video.captions else []
    return Media(
        playlist=video.playlist_url,
        start_s=(in_ms or 0) / 1000,
        end_s=end / 1000,
        captions=captions,
    )


def step_media(step: dict) -> Media:
    kind = step["kind"]
    if kind == Step.Kind.VIDEO:
        if step.get("clip"):
            return _clip_media(step["clip"], step.get("in_ms"), step.get("out_ms"))
        return _video_media(step.get("video"), step.get("in_ms"), step.get("out_ms"))
    if kind == Step.Kind.SLIDE:
        media = Media(removed=True)
        if step.get("deck_page"):
            page = DeckPage.objects.filter(pk=step["deck_page"]).first()
            if page is not None:
                media = Media(image=page.image.url, alt=page.text[:300] or step.get("title", ""))
        elif step.get("slide"):
            slide = Slide.objects.filter(pk=step["slide"]).first()
            if slide is not None:
                media = Media(image=slide.image.url, alt=slide.text[:300] or step.get("title", ""))
        elif step.get("image"):
            # An imported slide travels as a picture.
            image = Image.objects.filter(pk=step["image"]).first()
            if image is not None:
                media = Media(image=image.file.url, alt=image.alt)
        if not media.removed and (step.get("narration") or step.get("narration_video")):
            if step.get("narration"):
                narration = _clip_media(step["narration"], None, None)
            else:
                narration = _video_media(step["narration_video"], None, None)
            if not narration.removed:
                media.narration = {
                    "playlist": narration.playlist,
                    "start_s": narration.start_s,
                    "end_s": narration.end_s,
                    "captions": narration.captions,
                }
        return media
    if kind == Step.Kind.PICTURE:
        image = Image.objects.filter(pk=step["image"]).first() if step.get("image") else None
        if image is None:
            return Media(removed=True)
        return Media(image=image.file.url, alt=image.alt)
    return Media()


def captions_vtt(step: dict, language: str, *, offset_ms: int | None = None) -> str | None:
    """WebVTT for a video step, its times as the step's playlist plays them (or from the
    clip's start plus `offset_ms`, for an exported MP4)."""
    from samskab.webcasts.models import CaptionCue

    if step.get("clip"):
        clip = Clip.objects.filter(pk=step["clip"]).first()
        if clip is None:
            return None
        offset = offset_ms
        if offset is None:
            playable = recordings.clip_playlist(clip)
            offset = playable[1] if playable else 0
        cues = CaptionCue.objects.filter(
            meeting_id=clip.meeting_id,
            captions__language=language,
            end_ms__gt=clip.start_ms,
            start_ms__lt=clip.end_ms,
        ).order_by("start_ms")
        lines = ["WEBVTT", ""]
        for cue in cues:
            start = max(cue.start_ms, clip.start_ms) - clip.start_ms + offset
            end = min(cue.end_ms, clip.end_ms) - clip.start_ms + offset
            lines += [f"{_clock(start)} --> {_clock(end)}", cue.text, ""]
        return "\n".join(lines)
    video = Video.objects.filter(pk=step["video"]).first() if step.get("video") else None
    if video is None or not video.captions:
        return None
    with video.captions.open("rb") as handle:
        return handle.read().decode("utf-8", errors="replace")


def _clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


# --- Statistics -------------------------------------------------------------------------


def statistics(presentation: Presentation) -> dict:
    """Starts, completions, drop-off per step (playings that stopped there), answers."""
    from samskab.presentations.services import question_spec

    steps = presentation.published.get("steps", [])
    visits = Visit.objects.filter(presentation=presentation)
    starts = visits.count()
    completions = visits.filter(completed=True).count()
    stopped = Counter(visits.filter(completed=False).values_list("last_key", flat=True).iterator())
    drop = [
        {
            "number": number,
            "key": step["key"],
            "title": step.get("title") or step["kind"],
            "stopped": stopped.get(step["key"], 0),
        }
        for number, step in enumerate(steps, start=1)
    ]
    questions = []
    for step in steps:
        if step["kind"] != Step.Kind.QUESTION:
            continue
        spec = question_spec(step)
        values = Answer.objects.filter(presentation=presentation, step_key=step["key"]).values_list(
            "value", flat=True
        )
        stats = question_stats(spec, [{"1": value} for value in values])
        texts = []
        if step.get("question_kind") == "text":
            texts = [value for value in values if isinstance(value, str)][:200]
        questions.append({"step": step, "stats": stats, "texts": texts})
    return {
        "starts": starts,
        "completions": completions,
        "drop": drop,
        "questions": questions,
    }


# --- Agenda items and speaker turns that can become clips -------------------------------


def clip_candidates(
    *, query: str = "", meetings: int = 5, meeting_id: int | None = None
) -> list[dict]:
    """Agenda items and speaker turns of recent recorded meetings, each a clip to make from
    the catalogue (the archive's own clip_create makes it, with its checks)."""
    from samskab.recordings import storage
    from samskab.webcasts.models import Meeting
    from samskab.webcasts.selectors import meeting_index

    found: list[dict] = []
    recent = Meeting.objects.select_related("body").order_by("-starts_at")
    if meeting_id is not None:
        recent = recent.filter(pk=meeting_id)
    used = 0
    query = query.lower()
    for meeting in recent[:50]:
        if used >= meetings:
            break
        if not storage.playlist_path(meeting.pk).is_file():
            continue
        used += 1
        index = meeting_index(meeting)
        end = meeting.duration_ms or index.end_ms
        for entry in index.items:
            if not entry.is_public or not entry.segments:
                continue
            last = entry.segments[-1].end_ms or end
            item = entry.item
            title = f"{item.number}. {item.title}"
            if last is None or (query and query not in f"{title} {meeting.title}".lower()):
                continue
            found.append(
                {
                    "ref": f"item:{item.pk}",
                    "meeting": meeting,
                    "label": _("Agenda item"),
                    "arguments": {
                        "start_ms": entry.segments[0].start_ms,
                        "end_ms": last,
                        "title": title,
                        "source_kind": Clip.Source.ITEM,
                        "agenda_item": item,
                    },
                }
            )
        for within, turn in index.turns:
            turn_end = turn.end_ms or end
            if turn_end is None or (within is not None and not within.is_public):
                continue
            person = turn.person
            title = person.shown_name
            if within is not None:
                title = _("%(name)s on %(item)s") % {"name": title, "item": within.title}
            if query and query not in f"{title} {meeting.title}".lower():
                continue
            found.append(
                {
                    "ref": f"turn:{turn.mark_id}",
                    "meeting": meeting,
                    "label": _("Speaker turn"),
                    "arguments": {
                        "start_ms": turn.start_ms,
                        "end_ms": turn_end,
                        "title": title,
                        "source_kind": Clip.Source.TURN,
                        "agenda_item": within,
                        "person": person,
                    },
                }
            )
    return found[:CATALOGUE_LIMIT]
