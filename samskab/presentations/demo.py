"""The demo's presentation: the local plan for Vestbyen, built from clips of the demo's
recorded council meeting, its slides, a picture of the plan, text and questions with a
branch. Runs after the meeting's video exists (after_commit, after webcasts-media).
Idempotent: an existing presentation of the same address is left as it is."""

from __future__ import annotations

import io
import time

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction

SLUG = "lokalplan-vestbyen"


def plan_picture() -> bytes:
    """A simple drawing of the plan area (generated, so the demo needs no files)."""
    from PIL import Image as Picture
    from PIL import ImageDraw

    picture = Picture.new("RGB", (960, 640), (236, 240, 233))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((80, 80, 880, 560), outline=(40, 70, 40), width=6)
    draw.rectangle((140, 140, 420, 330), fill=(196, 160, 120))  # school
    draw.rectangle((500, 140, 820, 300), fill=(150, 180, 140))  # park
    draw.rectangle((140, 400, 820, 470), fill=(170, 170, 180))  # road
    draw.line((80, 500, 880, 500), fill=(200, 60, 60), width=8)  # cycle path
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def presentations_demo_part(context: dict) -> list[str]:
    from samskab.accounts.models import User
    from samskab.attachments.models import Image
    from samskab.presentations import services
    from samskab.presentations.models import Presentation, Step
    from samskab.presentations.selectors import clip_candidates
    from samskab.recordings.models import Clip
    from samskab.webcasts.demo import PAST_ID
    from samskab.webcasts.models import Meeting, Slide

    existing = Presentation.objects.filter(slug=SLUG).first()
    if existing is not None:
        return clip_downloads_make(Clip.objects.filter(pk__in=_clip_ids(existing)))
    meeting = Meeting.objects.filter(external_id=PAST_ID).first()
    if meeting is None:
        return ["The demo has no recorded meeting; no presentation made."]
    editor = User.objects.filter(groups__name="editor").first()
    clips = []
    for row in clip_candidates(meeting_id=meeting.pk):
        arguments = row["arguments"]
        if arguments["source_kind"] != Clip.Source.ITEM:
            continue
        if "skole" not in arguments["title"].lower() and "cykel" not in arguments["title"].lower():
            continue
        clip, _created = Clip.objects.get_or_create(
            meeting=meeting,
            start_ms=arguments["start_ms"],
            end_ms=arguments["end_ms"],
            defaults={
                "title": arguments["title"],
                "source_kind": Clip.Source.ITEM,
                "agenda_item": arguments["agenda_item"],
            },
        )
        clips.append(clip)
    with transaction.atomic():
        presentation = services.presentation_create(
            title="Lokalplan for Vestbyen",
            summary=(
                "Sådan kan Vestbyen se ud med den nye lokalplan: skolen, parken og cykelstien. "
                "Se klip fra byrådets møde og sig din mening."
            ),
            by=editor,
        )
        presentation.slug = SLUG
        presentation.save(update_fields=["slug"])
        image = Image.objects.create(
            content_type=ContentType.objects.get_for_model(Presentation),
            object_id=presentation.pk,
            file=ContentFile(plan_picture(), name="lokalplan-vestbyen.png"),
            alt="Kort over planområdet: skolen, parken, vejen og den nye cykelsti mod syd",
        )

        def add(element: str) -> Step:
            return services.step_add(presentation=presentation, element=element, by=editor)

        intro = add("text")
        intro.title = "Velkommen"
        intro.body = (
            "Byrådet arbejder på en ny lokalplan for Vestbyen. På de næste sider kan du se, "
            "hvad planen går ud på, og til sidst sige din mening. Det tager cirka fem minutter."
        )
        intro.save()
        for clip in clips:
            add(f"clip:{clip.pk}")
        for slide in Slide.objects.filter(deck__agenda_item__meeting=meeting).order_by("number")[
            :2
        ]:
            add(f"slide:{slide.pk}")
        picture = add(f"image:{image.pk}")
        picture.title = "Planområdet"
        picture.body = "Den røde streg er den nye cykelsti langs Ringvejen."
        picture.save()
        question = add("question:single")
        question.title = "Støtter du planen for Vestbyen?"
        question.choices = [
            {"id": 1, "text": "Ja"},
            {"id": 2, "text": "Nej"},
            {"id": 3, "text": "Ved ikke"},
        ]
        question.required = True
        question.save()
        why = add("question:text")
        why.title = "Hvad skal vi ændre i planen?"
        why.body = "Skriv gerne, hvad der er vigtigt for dig."
        why.save()
        thanks = add("text")
        thanks.title = "Tak for din mening"
        thanks.body = "Byrådet behandler lokalplanen igen efter høringsperioden."
        thanks.save()
        # Those who support the plan skip the question of what to change.
        question.branches = {"1": thanks.key}
        question.save()
        services.presentation_publish(presentation=presentation, by=editor)
    lines = [f"Demo presentation “{presentation.title}” with {presentation.steps.count()} steps."]
    return lines + clip_downloads_make(clips)


def _clip_ids(presentation) -> set[int]:
    return {
        pk
        for pair in presentation.steps.values_list("clip_id", "narration_id")
        for pk in pair
        if pk is not None
    }


def clip_downloads_make(clips) -> list[str]:
    """Give the demo's clips their MP4 (the archive's own clip_render: a smart cut of the
    meeting's HLS package, real ffmpeg, a second or two a clip), so that exporting the
    demo presentation carries its videos. A clip that has its MP4 is left alone; one that
    fails is reported and the demo goes on without it."""
    from samskab.recordings import services as recordings
    from samskab.recordings import storage
    from samskab.recordings.models import Job

    made, failed = 0, []
    started = time.monotonic()
    for clip in clips:
        if (
            clip.mp4_status == Job.DONE
            and storage.clip_mp4_path(clip.meeting_id, clip.pk).is_file()
        ):
            continue
        recordings.clip_render(clip)
        clip.refresh_from_db(fields=["mp4_status", "mp4_error"])
        if clip.mp4_status == Job.DONE:
            made += 1
        else:
            failed.append(f"Demo clip “{clip.title}” has no MP4: {clip.mp4_error}")
    lines = []
    if made:
        lines.append(f"Demo clips' MP4 made: {made} in {time.monotonic() - started:.1f} s.")
    return lines + failed
