"""API for hearings: the published processes with their phases, a version of the draft with
its anchored paragraphs and comment counts, the passages with comments, the published
answers, and a signed-in person's comment on a passage (through the same service as the
page, so every phase rule and refusal is the same). Unpublished processes are not there."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from samskab.api.auth import signed_in
from samskab.core.apischema import PROBLEMS, READ_PROBLEMS, Id, Line, Page, Text
from samskab.core.ratelimit import hit
from samskab.hearings import selectors
from samskab.hearings.models import Passage, Process
from samskab.hearings.services import HearingRefused, passage_comment

router = Router(tags=["hearings"])


class PhaseOut(Schema):
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    open: bool


class ProcessOut(Schema):
    id: int
    title: str
    url: str
    phase: str | None
    phases: list[PhaseOut]
    version: int | None

    @staticmethod
    def resolve_url(process: Process) -> str:
        return process.get_absolute_url()

    @staticmethod
    def resolve_phase(process: Process) -> str | None:
        return selectors.current_phase(process)

    @staticmethod
    def resolve_phases(process: Process) -> list[dict]:
        return [
            {"kind": p.kind, "starts_at": p.starts_at, "ends_at": p.ends_at, "open": p.is_open()}
            for p in process.phases.all()
        ]

    @staticmethod
    def resolve_version(process: Process) -> int | None:
        latest = selectors.latest_version(process)
        return latest.number if latest else None


class ProcessDetailOut(ProcessOut):
    summary_html: str


class ParagraphOut(Schema):
    anchor: str
    label: str
    kind: str
    text: str
    comments: int


class DraftOut(Schema):
    version: int
    published_at: datetime
    changelog: str
    locked: list[str]
    paragraphs: list[ParagraphOut]


class PassageOut(Schema):
    id: int
    url: str
    version: int
    anchor: str
    start: int
    end: int
    quote: str
    state: str
    comments: int


class AnswerOut(Schema):
    number: int
    name: str
    organisation: str
    organisation_cvr: str = Field(
        description="The organisation's CVR number when it answered with its own login "
        "(MitID Erhverv); empty for a person's answer"
    )
    text: str
    submitted_at: datetime
    themes: list[str]


class PassageCommentIn(Schema):
    anchor: Line
    start: int | None = None
    end: int | None = None
    first_sentence: int | None = None
    last_sentence: int | None = None
    body: Text


def _published(pk: int) -> Process:
    return get_object_or_404(Process.objects.filter(is_published=True), pk=pk)


@router.get(
    "/hearings",
    response={200: list[ProcessOut], **READ_PROBLEMS},
    summary="Published hearings, newest first",
)
@paginate(Page)
def process_list(request):
    return Process.objects.filter(is_published=True).prefetch_related("phases")


@router.get(
    "/hearings/{pk}", response={200: ProcessDetailOut, **READ_PROBLEMS}, summary="One hearing"
)
def process_detail(request, pk: Id):
    return _published(pk)


@router.get(
    "/hearings/{pk}/draft",
    response={200: DraftOut, **READ_PROBLEMS},
    summary="A version of the draft (the newest by default) with its anchored paragraphs",
)
def draft(request, pk: Id, version: Id | None = None):
    process = _published(pk)
    found = selectors.version_of(process, version)
    if found is None:
        return Status(404, {"detail": _("Not found.")})
    shown, _earlier = selectors.draft_view(found, latest_per_paragraph=0)
    return {
        "version": found.number,
        "published_at": found.published_at,
        "changelog": found.changelog,
        "locked": found.locked,
        "paragraphs": [
            {
                "anchor": s.paragraph.anchor,
                "label": s.paragraph.label,
                "kind": s.paragraph.kind,
                "text": s.paragraph.text,
                "comments": s.count,
            }
            for s in shown
        ],
    }


def _passage_out(passage: Passage) -> dict:
    return {
        "id": passage.pk,
        "url": passage.get_absolute_url(),
        "version": passage.current_version.number,
        "anchor": passage.current_anchor,
        "start": passage.current_start,
        "end": passage.current_end,
        "quote": passage.quote,
        "state": passage.state,
        "comments": passage.comment_count,
    }


@router.get(
    "/hearings/{pk}/passages",
    response={200: list[PassageOut], **READ_PROBLEMS},
    summary="The passages with comments, where they are now",
)
@paginate(Page)
def passages(request, pk: Id):
    process = _published(pk)
    return [
        _passage_out(p)
        for p in process.passages.filter(comment_count__gt=0).select_related("current_version")
    ]


@router.post(
    "/hearings/{pk}/passages",
    response={201: PassageOut, **PROBLEMS},
    auth=signed_in,
    summary="Comment on a passage of the newest version: by offsets or by sentences",
)
def passage_comment_post(request, pk: Id, payload: PassageCommentIn):
    if not hit(request, "comment", "10/m"):
        return Status(429, {"detail": _("Too many attempts; try again later.")})
    process = _published(pk)
    version = selectors.latest_version(process)
    if version is None:
        return Status(404, {"detail": _("Not found.")})
    try:
        passage, _comment = passage_comment(
            version=version,
            user=request.user,
            body=payload.body,
            language=get_language() or "",
            anchor=payload.anchor,
            start=payload.start,
            end=payload.end,
            first_sentence=payload.first_sentence,
            last_sentence=payload.last_sentence,
        )
    except HearingRefused as refusal:
        return Status(400, {"detail": refusal.message})
    passage.refresh_from_db()
    return Status(201, _passage_out(passage))


@router.get(
    "/hearings/{pk}/answers",
    response={200: list[AnswerOut], **READ_PROBLEMS},
    summary="The hearing answers whose authors agreed to publication",
)
@paginate(Page)
def answers(request, pk: Id):
    return [
        {
            "number": a.number,
            "name": a.name,
            "organisation": a.organisation,
            "organisation_cvr": a.organisation_cvr,
            "text": a.text,
            "submitted_at": a.submitted_at,
            "themes": [t.name for t in a.themes.all()],
        }
        for a in selectors.answers_public(_published(pk))
    ]
