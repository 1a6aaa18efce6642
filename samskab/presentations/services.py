"""Every write to presentations: building (add, edit, move, reorder, remove), versions,
publishing, playings and anonymous answers. Keyword-only, each in a transaction, never a
request. Each builder save moves the presentation's revision on and keeps a version."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from types import EllipsisType

from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samskab import live
from samskab.attachments.models import Image
from samskab.core.text import clean_text
from samskab.presentations import flow
from samskab.presentations.models import (
    CHOICE_KINDS,
    END,
    QUESTION_KINDS,
    Answer,
    DeckPage,
    Job,
    Participation,
    Presentation,
    Step,
    Version,
    Video,
    Visit,
)
from samskab.recordings.models import Clip
from samskab.surveys.schema import Kind, QuestionSpec, check_answers
from samskab.webcasts.models import Slide

MAX_STEPS = 200
MAX_CHOICES = 20
VERSIONS_KEPT = 200
SNAPSHOT_FORMAT = 1
# The fields a step's snapshot holds (the ids of its elements and its own texts).
STEP_FIELDS = (
    "key", "kind", "title", "body", "clip", "video", "in_ms", "out_ms", "slide", "deck_page",
    "narration", "narration_video", "image", "question_kind", "choices", "required",
    "next_key", "branches",
)  # fmt: skip
ELEMENT_FIELDS: dict[str, type[models.Model]] = {
    "clip": Clip,
    "video": Video,
    "slide": Slide,
    "deck_page": DeckPage,
    "narration": Clip,
    "narration_video": Video,
    "image": Image,
}


class Refused(Exception):
    """A change the builder cannot make, with the message to show."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


# --- Snapshots ------------------------------------------------------------------------


def step_snapshot(step: Step) -> dict:
    data = {}
    for name in STEP_FIELDS:
        if name in ELEMENT_FIELDS:
            data[name] = getattr(step, f"{name}_id")
        else:
            data[name] = getattr(step, name)
    return data


def snapshot_of(presentation: Presentation) -> dict:
    return {
        "format": SNAPSHOT_FORMAT,
        "title": presentation.title,
        "summary": presentation.summary,
        "steps": [step_snapshot(step) for step in presentation.steps.order_by("position", "pk")],
    }


def _new_key(taken: set[str]) -> str:
    while True:
        key = secrets.token_hex(4)
        if key not in taken and key != END:
            return key


# The live channel `presentation:<id>` (builders only): after every save, its revision, so
# the builder's preview (and another editor's) shows the draft as it is now.
LIVE_EVENTS = {"saved": {"revision": int}}


def live_channel(presentation_id: int) -> str:
    return f"presentation:{presentation_id}"


def builder_may_listen(user, viewer, key: str) -> bool:
    return bool(
        key.isdigit()
        and user is not None
        and user.is_authenticated
        and user.has_perm("presentations.build_presentation")
    )


def _saved(presentation: Presentation, *, by, note: str) -> None:
    """After a change: move the revision on, keep a version, drop the oldest versions, and
    tell the builders' previews (once the transaction commits)."""
    Presentation.objects.filter(pk=presentation.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    presentation.refresh_from_db(fields=["revision", "updated_at"])
    live.publish_on_commit(
        live_channel(presentation.pk), "saved", {"revision": presentation.revision}
    )
    last = presentation.versions.aggregate(n=Max("number"))["n"] or 0
    Version.objects.create(
        presentation=presentation,
        number=last + 1,
        snapshot=snapshot_of(presentation),
        note=note[:200],
        created_by=by if by is not None and by.is_authenticated else None,
    )
    stale = presentation.versions.order_by("-number").values_list("pk", flat=True)[VERSIONS_KEPT:]
    if stale:
        Version.objects.filter(pk__in=list(stale)).delete()


def _check_revision(presentation: Presentation, revision: int | None) -> None:
    if revision is not None and revision != presentation.revision:
        raise Refused(
            _(
                "Someone else saved this presentation since you opened it. Reload the page "
                "to see their changes, then make yours again."
            )
        )


def _locked(presentation: Presentation) -> Presentation:
    return Presentation.objects.select_for_update().get(pk=presentation.pk)


# --- Presentations --------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "praesentation"
    slug, n = base, 2
    while Presentation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def presentation_create(*, title: str, summary: str = "", by) -> Presentation:
    title = clean_text(title).strip()[:200]
    if not title:
        raise Refused(_("Give the presentation a title."))
    with transaction.atomic():
        presentation = Presentation.objects.create(
            title=title,
            slug=_unique_slug(title),
            summary=clean_text(summary).strip()[:1000],
            created_by=by if by is not None and by.is_authenticated else None,
        )
        _saved(presentation, by=by, note=_("Created"))
    return presentation


def presentation_update(*, presentation: Presentation, title: str, summary: str, by) -> None:
    title = clean_text(title).strip()[:200]
    if not title:
        raise Refused(_("Give the presentation a title."))
    with transaction.atomic():
        presentation = _locked(presentation)
        presentation.title = title
        presentation.summary = clean_text(summary).strip()[:1000]
        presentation.save(update_fields=["title", "summary", "updated_at"])
        _saved(presentation, by=by, note=_("Title and summary changed"))


# --- Elements (what the catalogue offers) ---------------------------------------------


def element_parse(element: str) -> tuple[str, dict]:
    """A catalogue element ("clip:12", "image:4", "text", "question:single") as the step's
    kind and fields. Refuses what is not there."""
    name, _sep, value = element.partition(":")
    if name == "text":
        return Step.Kind.TEXT, {"title": _("Text")}
    if name == "question":
        if value not in {kind for kind, _label in QUESTION_KINDS}:
            raise Refused(_("That kind of question cannot be asked in a presentation."))
        fields: dict = {"question_kind": value, "title": _("Your question")}
        if value in CHOICE_KINDS:
            fields["choices"] = [{"id": 1, "text": _("Yes")}, {"id": 2, "text": _("No")}]
        return Step.Kind.QUESTION, fields
    if not value.isdigit():
        raise Refused(_("Choose an element from the catalogue."))
    pk = int(value)
    if name == "clip":
        clip = Clip.objects.select_related("meeting").filter(pk=pk).first()
        if clip is None:
            raise Refused(_("That clip has been removed."))
        return Step.Kind.VIDEO, {
            "clip": clip,
            "title": clip.title,
            "in_ms": 0,
            "out_ms": clip.duration_ms,
        }
    if name == "video":
        video = Video.objects.filter(pk=pk).first()
        if video is None:
            raise Refused(_("That video has been removed."))
        return Step.Kind.VIDEO, {
            "video": video,
            "title": video.title,
            "in_ms": 0,
            "out_ms": video.duration_ms,
        }
    if name == "slide":
        slide = Slide.objects.select_related("deck").filter(pk=pk).first()
        if slide is None:
            raise Refused(_("That slide has been removed."))
        return Step.Kind.SLIDE, {"slide": slide, "title": f"{slide.deck.title} ({slide.number})"}
    if name == "page":
        page = DeckPage.objects.select_related("document").filter(pk=pk).first()
        if page is None:
            raise Refused(_("That slide has been removed."))
        return Step.Kind.SLIDE, {
            "deck_page": page,
            "title": f"{page.document.title} ({page.number})",
        }
    if name == "image":
        image = Image.objects.filter(pk=pk).first()
        if image is None:
            raise Refused(_("That picture has been removed."))
        return Step.Kind.PICTURE, {"image": image, "title": "", "body": image.alt}
    raise Refused(_("Choose an element from the catalogue."))


# --- Steps ------------------------------------------------------------------------------


def _ordered(presentation: Presentation) -> list[Step]:
    return list(presentation.steps.order_by("position", "pk"))


def _renumber(steps: list[Step]) -> None:
    changed = []
    for position, step in enumerate(steps):
        if step.position != position:
            step.position = position
            changed.append(step)
    if changed:
        Step.objects.bulk_update(changed, ["position"])


def step_add(
    *,
    presentation: Presentation,
    element: str,
    after_key: str | None = None,
    by,
    revision: int | None = None,
) -> Step:
    """Add an element as a step after `after_key` ("" = first, None = last)."""
    kind, fields = element_parse(element)
    with transaction.atomic():
        presentation = _locked(presentation)
        _check_revision(presentation, revision)
        steps = _ordered(presentation)
        if len(steps) >= MAX_STEPS:
            raise Refused(_("A presentation has at most %(count)d steps.") % {"count": MAX_STEPS})
        index = len(steps)
        if after_key == "":
            index = 0
        elif after_key is not None:
            keys = [step.key for step in steps]
            if after_key not in keys:
                raise Refused(_("The step to insert after is not there any more. Reload the page."))
            index = keys.index(after_key) + 1
        step = Step(
            presentation=presentation,
            key=_new_key({s.key for s in steps}),
            kind=kind,
            position=index,
            **fields,
        )
        step.save()
        steps.insert(index, step)
        _renumber(steps)
        _saved(presentation, by=by, note=_("Step added: %(step)s") % {"step": step})
    return step


def step_move(*, step: Step, direction: str, by, revision: int | None = None) -> None:
    with transaction.atomic():
        presentation = _locked(step.presentation)
        _check_revision(presentation, revision)
        steps = _ordered(presentation)
        keys = [s.key for s in steps]
        index = keys.index(step.key)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(steps):
            return
        steps[index], steps[target] = steps[target], steps[index]
        _renumber(steps)
        _saved(presentation, by=by, note=_("Step moved: %(step)s") % {"step": step})


def steps_reorder(
    *, presentation: Presentation, keys: Sequence[str], by, revision: int | None = None
) -> None:
    """Put the steps in the order of `keys` (drag and drop): every step, each once."""
    with transaction.atomic():
        presentation = _locked(presentation)
        _check_revision(presentation, revision)
        steps = {step.key: step for step in _ordered(presentation)}
        if sorted(keys) != sorted(steps) or len(set(keys)) != len(keys):
            raise Refused(_("The order sent does not match the steps. Reload the page."))
        _renumber([steps[key] for key in keys])
        _saved(presentation, by=by, note=_("Steps reordered"))


def step_remove(*, step: Step, by, revision: int | None = None) -> None:
    with transaction.atomic():
        presentation = _locked(step.presentation)
        _check_revision(presentation, revision)
        step.delete()
        _renumber(_ordered(presentation))
        _saved(presentation, by=by, note=_("Step removed: %(step)s") % {"step": step})


def choices_from_lines(lines: str, old: list[dict]) -> list[dict]:
    """Options from one per line; an option whose text is unchanged keeps its id (so its
    answers and branch stay), a new one gets the next free id."""
    by_text = {choice["text"]: choice["id"] for choice in old}
    next_id = max([choice["id"] for choice in old] or [0]) + 1
    result: list[dict] = []
    for line in clean_text(lines).splitlines():
        text = line.strip()[:300]
        if not text or any(c["text"] == text for c in result):
            continue
        pk = by_text.get(text)
        if pk is None:
            pk, next_id = next_id, next_id + 1
        result.append({"id": pk, "text": text})
    return result[:MAX_CHOICES]


def _check_range(step: Step) -> None:
    if step.kind != Step.Kind.VIDEO:
        return
    length: int | None = None
    if step.clip is not None:
        length = step.clip.duration_ms
    elif step.video is not None:
        length = step.video.duration_ms
    start = step.in_ms or 0
    end = step.out_ms if step.out_ms is not None else length
    if end is not None and end <= start:
        raise Refused(_("The out point must come after the in point."))
    if length is not None and end is not None and end > length:
        raise Refused(
            _("The out point lies outside the video, which is %(seconds)s seconds long.")
            % {"seconds": f"{length / 1000:.1f}".replace(".", ",")}
        )


def step_update(
    *,
    step: Step,
    title: str,
    body: str,
    in_ms: int | None = None,
    out_ms: int | None = None,
    choices: str | None = None,
    required: bool = False,
    next_key: str = "",
    branches: dict[str, str] | None = None,
    narration: str | EllipsisType | None = ...,
    by,
    revision: int | None = None,
) -> Step:
    """Change a step's texts and settings. `narration` (a slide's narration video: "clip:12"
    for a clip of a meeting, "video:4" for an uploaded video, None for none) is left as it
    is when not given."""
    with transaction.atomic():
        presentation = _locked(step.presentation)
        _check_revision(presentation, revision)
        step.title = clean_text(title).strip()[:200]
        step.body = clean_text(body).strip()[:5000]
        keys = set(presentation.steps.values_list("key", flat=True))
        if next_key and next_key != END and next_key not in keys:
            raise Refused(_("The step to go to next is not there any more."))
        step.next_key = next_key
        if step.kind == Step.Kind.VIDEO:
            step.in_ms, step.out_ms = in_ms, out_ms
            _check_range(step)
        if step.kind == Step.Kind.SLIDE and narration is not ...:
            step.narration_id, step.narration_video_id = _narration_of(narration)
        if step.kind == Step.Kind.QUESTION:
            step.required = required
            if choices is not None and step.question_kind in CHOICE_KINDS:
                step.choices = choices_from_lines(choices, step.choices)
                if not step.choices:
                    raise Refused(_("A choice question needs at least one option."))
            ids = {str(choice["id"]) for choice in step.choices}
            clean = {}
            for option, target in (branches or {}).items():
                if not target or option not in ids:
                    continue
                if target != END and target not in keys:
                    raise Refused(_("An answer leads to a step that is not there any more."))
                clean[option] = target
            step.branches = clean
        step.save()
        _saved(presentation, by=by, note=_("Step changed: %(step)s") % {"step": step})
    return step


def _narration_of(ref: str | None) -> tuple[int | None, int | None]:
    """A narration as the step's two fields (clip, uploaded video): at most one is set."""
    if ref is None:
        return None, None
    name, _sep, value = ref.partition(":")
    pk = int(value) if value.isdigit() else 0
    if name == "clip":
        if not Clip.objects.filter(pk=pk).exists():
            raise Refused(_("That clip has been removed. Choose another narration."))
        return pk, None
    if name == "video":
        video = Video.objects.filter(pk=pk).only("status").first()
        if video is None:
            raise Refused(_("That video has been removed. Choose another narration."))
        if video.status == Job.FAILED:
            raise Refused(
                _("That video could not be prepared for playing. Choose another narration.")
            )
        return None, pk
    raise Refused(_("Choose a narration video from the list."))


# --- Checking and publishing ------------------------------------------------------------


def flow_steps(steps: Sequence[dict]) -> list[flow.FlowStep]:
    result: list[flow.FlowStep] = []
    for step in steps:
        choices = step.get("choices") or []
        branches = step.get("branches") or {}
        all_branched = bool(
            step.get("kind") == Step.Kind.QUESTION
            and step.get("question_kind") == Kind.SINGLE
            and step.get("required")
            and choices
            and all(str(c["id"]) in branches for c in choices)
        )
        result.append(
            flow.FlowStep(
                key=step["key"],
                next_key=step.get("next_key") or "",
                branches=branches,
                all_branched=all_branched,
            )
        )
    return result


def missing_element(step: dict) -> bool:
    """A step whose element has been removed (its id is gone, or was never there)."""
    kind = step["kind"]
    if kind == Step.Kind.VIDEO:
        return step.get("clip") is None and step.get("video") is None
    if kind == Step.Kind.SLIDE:
        return all(step.get(name) is None for name in ("slide", "deck_page", "image"))
    if kind == Step.Kind.PICTURE:
        return step.get("image") is None
    return False


def problems_of(snapshot: dict) -> list[str]:
    """What keeps the presentation from being published, in words for the editor."""
    steps = snapshot.get("steps", [])
    if not steps:
        return [_("The presentation has no steps yet.")]
    titles = {
        step["key"]: f"{number}. {step.get('title') or step['kind']}"
        for number, step in enumerate(steps, start=1)
    }
    found = []
    for step in steps:
        if missing_element(step):
            found.append(
                _(
                    "Step %(step)s shows an element that has been removed. Choose another "
                    "or remove the step."
                )
                % {"step": titles[step["key"]]}
            )
        if (
            step["kind"] == Step.Kind.QUESTION
            and step.get("question_kind") in CHOICE_KINDS
            and not step.get("choices")
        ):
            found.append(
                _("Step %(step)s asks a choice question without options.")
                % {"step": titles[step["key"]]}
            )
    for problem in flow.problems(flow_steps(steps)):
        if problem.kind == flow.MISSING:
            found.append(
                _("Step %(step)s leads to a step that is not there. Choose where it goes.")
                % {"step": titles[problem.key]}
            )
        else:
            found.append(
                _(
                    "Step %(step)s is in a loop with no way out: a citizen there can never "
                    "reach the end. Let one of its steps go on to a later step or the end."
                )
                % {"step": titles[problem.key]}
            )
    return found


def _with_live_elements(snapshot: dict) -> dict:
    """The snapshot with the ids of elements removed since set to None."""
    for name, model in ELEMENT_FIELDS.items():
        ids = {step[name] for step in snapshot["steps"] if step.get(name) is not None}
        if not ids:
            continue
        present = set(model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        for step in snapshot["steps"]:
            if step.get(name) is not None and step[name] not in present:
                step[name] = None
    return snapshot


def presentation_publish(*, presentation: Presentation, by) -> Presentation:
    with transaction.atomic():
        presentation = _locked(presentation)
        snapshot = _with_live_elements(snapshot_of(presentation))
        problems = problems_of(snapshot)
        if problems:
            raise Refused(_("The presentation cannot be published yet."), problems)
        presentation.published = snapshot
        presentation.status = Presentation.Status.PUBLISHED
        presentation.published_at = timezone.now()
        presentation.save(update_fields=["published", "status", "published_at", "updated_at"])
        _saved(presentation, by=by, note=_("Published"))
    return presentation


def presentation_unpublish(*, presentation: Presentation, by) -> None:
    with transaction.atomic():
        presentation = _locked(presentation)
        presentation.status = Presentation.Status.DRAFT
        presentation.save(update_fields=["status", "updated_at"])
        _saved(presentation, by=by, note=_("Unpublished"))


def version_restore(*, version: Version, by) -> None:
    """Make the steps what they were in `version` (a removed element stays a notice)."""
    with transaction.atomic():
        presentation = _locked(version.presentation)
        steps_replace(presentation=presentation, snapshot=version.snapshot)
        _saved(
            presentation, by=by, note=_("Version %(number)d restored") % {"number": version.number}
        )


def steps_replace(*, presentation: Presentation, snapshot: dict) -> None:
    """Replace every step with those of a snapshot (restore, import). In a transaction."""
    snapshot = _with_live_elements({"steps": [dict(s) for s in snapshot.get("steps", [])]})
    presentation.steps.all().delete()
    steps = []
    for position, data in enumerate(snapshot["steps"][:MAX_STEPS]):
        fields = {name: data.get(name) for name in STEP_FIELDS if name not in ELEMENT_FIELDS}
        fields["choices"] = fields.get("choices") or []
        fields["branches"] = fields.get("branches") or {}
        for name in ("title", "body", "question_kind", "next_key"):
            fields[name] = fields.get(name) or ""
        fields["required"] = bool(fields.get("required"))
        elements = {f"{name}_id": data.get(name) for name in ELEMENT_FIELDS}
        steps.append(Step(presentation=presentation, position=position, **fields, **elements))
    Step.objects.bulk_create(steps)


# --- Citizens: playings and answers -----------------------------------------------------


def visit_start(*, presentation: Presentation, first_key: str) -> Visit:
    return Visit.objects.create(
        presentation=presentation, started_on=date.today(), last_key=first_key
    )


def visit_progress(*, presentation: Presentation, visit_id: str, key: str, completed: bool) -> None:
    """A playing went on: to the step `key`, or (`completed`) to the end. Called only from
    the citizen's POSTs (Next, an answer), never from a page's GET. A completed playing
    stays as it is."""
    Visit.objects.filter(pk=visit_id, presentation=presentation, completed=False).update(
        last_key=key if not completed else F("last_key"),
        steps_seen=F("steps_seen") + (0 if completed else 1),
        completed=completed,
    )


def question_spec(step: dict) -> QuestionSpec:
    return QuestionSpec(
        id=1,
        kind=Kind(step["question_kind"]),
        label=step.get("title") or "",
        required=bool(step.get("required")),
        choices=[(c["id"], c["text"]) for c in step.get("choices") or []],
    )


def answer_submit(
    *, presentation: Presentation, step: dict, participant_key: str | None, raw: object
) -> Answer | None:
    """Store one answer to a question step of the published presentation; None when it was
    left empty (allowed for an optional question). Once per viewer (a unique index)."""
    if not presentation.is_published:
        raise Refused(_("This presentation is not published."))
    if participant_key is None:
        raise Refused(
            _(
                "Your browser did not keep the token that lets it answer once. Allow cookies "
                "for this site, or open the presentation again from its start."
            )
        )
    checked = check_answers([question_spec(step)], {"1": raw})
    if not checked.ok:
        from samskab.surveys.services import error_messages

        raise Refused(error_messages()[checked.errors[1]])
    if "1" not in checked.answers:
        return None
    try:
        with transaction.atomic():
            Participation.objects.create(
                presentation=presentation, step_key=step["key"], participant_key=participant_key
            )
            return Answer.objects.create(
                presentation=presentation,
                step_key=step["key"],
                value=checked.answers["1"],
                submitted_at=timezone.now().replace(minute=0, second=0, microsecond=0),
            )
    except IntegrityError:
        raise Refused(_("You have already answered this question. Thank you.")) from None
