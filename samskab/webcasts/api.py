"""The meetings API (/api/v1/...): open data to read, and marks for conference systems.

Reading needs no account and shows only published meetings; closed agenda items appear by
number only, without the speakers and slides inside them. Writing marks needs an API token
(`Authorization: Bearer smk_...`) of a user in the webcast operator role, so a chamber's
conference system can drive the index: a microphone switched on becomes a speaker mark.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samskab.accounts.roles import Role, has_role
from samskab.api.auth import api_token_auth
from samskab.core.apischema import PROBLEMS, READ_PROBLEMS, Id, Line, Page
from samskab.webcasts import services
from samskab.webcasts.models import (
    AgendaItem,
    Body,
    Meeting,
    Person,
    Slide,
    SpeakerTurn,
    TimelineMark,
)
from samskab.webcasts.selectors import (
    item_data,
    meeting_index,
    meeting_state,
    meetings_published,
    person_data,
)

router = Router(tags=["meetings"])


# --- schemas -------------------------------------------------------------------------


class BodyOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    description: str
    calendar_url: str


class PersonOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    party: str
    role: str
    website_url: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj["name"] if isinstance(obj, dict) else obj.shown_name


class MeetingOut(Schema):
    id: int
    body: str
    body_name: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    status: str
    url: str

    @staticmethod
    def resolve_body(obj) -> str:
        return obj["body"] if isinstance(obj, dict) else obj.body.slug

    @staticmethod
    def resolve_body_name(obj) -> str:
        return obj["body_name"] if isinstance(obj, dict) else obj.body.name

    @staticmethod
    def resolve_url(obj, context) -> str:
        if isinstance(obj, dict):
            return obj["url"]
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class SegmentOut(Schema):
    start_ms: int
    end_ms: int | None


class TurnOut(Schema):
    person: dict
    agenda_item_id: int | None
    start_ms: int
    end_ms: int | None
    url: str


class AgendaItemOut(Schema):
    id: int
    number: str
    title: str
    description: str
    is_public: bool
    start_ms: int | None
    segments: list[SegmentOut]


class MarkOut(Schema):
    id: int
    kind: str
    offset_ms: int
    agenda_item_id: int | None
    person_id: int | None
    slide_id: int | None


class VideoOut(Schema):
    kind: str
    url: str


class MeetingDetailOut(MeetingOut):
    description: str
    video: VideoOut
    duration_ms: int | None
    chapters_url: str
    speakers_url: str
    agenda_items: list[AgendaItemOut]
    speakers: list[PersonOut]
    speaker_turns: list[TurnOut]
    marks: list[MarkOut]
    state: dict


class MarkIn(Schema):
    kind: Line
    agenda_item_id: Id | None = None
    agenda_item_number: Line | None = None
    person_id: Id | None = None
    person_external_id: Line | None = None
    slide_id: Id | None = None
    at: datetime | None = None


class MarkWritten(Schema):
    mark: MarkOut
    state: dict


# --- reading -------------------------------------------------------------------------


def _body_out(body: Body) -> dict:
    return {
        "id": body.pk,
        "slug": body.slug,
        "name": body.name,
        "kind": body.kind,
        "description": body.description,
        "calendar_url": reverse("webcasts:body_calendar", kwargs={"body_slug": body.slug}),
    }


def _person_out(person: Person) -> dict:
    return {
        "id": person.pk,
        "slug": person.slug,
        "name": person.shown_name,
        "kind": person.kind,
        "party": person.party,
        "role": person.role,
        "website_url": person.website_url,
    }


def _meeting_out(request, meeting: Meeting) -> dict:
    return {
        "id": meeting.pk,
        "body": meeting.body.slug,
        "body_name": meeting.body.name,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "status": meeting.status,
        "url": request.build_absolute_uri(meeting.get_absolute_url()),
    }


def _mark_out(mark: TimelineMark) -> dict:
    return {
        "id": mark.pk,
        "kind": mark.kind,
        "offset_ms": mark.offset_ms,
        "agenda_item_id": mark.agenda_item_id,
        "person_id": mark.person_id,
        "slide_id": mark.slide_id,
    }


@router.get(
    "/bodies",
    response={200: list[BodyOut], **READ_PROBLEMS},
    summary="Councils and committees that meet",
)
def bodies(request):
    return [_body_out(body) for body in Body.objects.filter(is_active=True)]


def _people():
    # Citizens who did not consent to being named are not listed as people at all.
    return Person.objects.filter(is_active=True).exclude(
        kind=Person.Kind.CITIZEN, consent_to_name=False
    )


@router.get(
    "/people",
    response={200: list[PersonOut], **READ_PROBLEMS},
    summary="Politicians and others who speak",
)
@paginate(Page)
def people(request, party: Line | None = None):
    found = _people()
    if party:
        found = found.filter(party__iexact=party)
    return found


@router.get("/people/{person_id}", response={200: PersonOut, **READ_PROBLEMS}, summary="One person")
def person(request, person_id: Id):
    return _person_out(get_object_or_404(_people(), pk=person_id))


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **READ_PROBLEMS},
    summary="Meetings, newest first",
)
@paginate(Page)
def meetings(
    request,
    body: Line | None = None,
    status: Meeting.Status | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: Line | None = None,
):
    found = meetings_published().order_by("-starts_at")
    if body:
        found = found.filter(body__slug=body)
    if status:
        found = found.filter(status=status)
    if date_from:
        found = found.filter(starts_at__date__gte=date_from)
    if date_to:
        found = found.filter(starts_at__date__lte=date_to)
    if q:
        found = found.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return found


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingDetailOut, **READ_PROBLEMS},
    summary="A meeting with its agenda, speakers, speaker turns and timeline marks",
)
def meeting_detail(request, meeting_id: Id):
    meeting = get_object_or_404(meetings_published().prefetch_related("speakers"), pk=meeting_id)
    result = meeting_index(meeting)
    closed = {entry.item.pk for entry in result.items if not entry.is_public}
    page = request.build_absolute_uri(meeting.get_absolute_url())
    turns = [
        {
            "person": person_data(turn.person),
            "agenda_item_id": item.pk if item else None,
            "start_ms": turn.start_ms,
            "end_ms": turn.end_ms,
            "url": f"{page}?t={turn.start_ms // 1000}",
        }
        for item, turn in result.turns
        if item is None or item.is_public
    ]
    hidden_marks = set(
        SpeakerTurn.objects.filter(meeting=meeting, agenda_item__in=closed).values_list(
            "mark_id", flat=True
        )
    )
    closed_slides = set(
        Slide.objects.filter(deck__agenda_item__in=closed).values_list("pk", flat=True)
    )
    marks = [
        _mark_out(mark)
        for mark in TimelineMark.objects.filter(meeting=meeting, is_undone=False)
        if mark.pk not in hidden_marks and mark.slide_id not in closed_slides
    ]
    return {
        **_meeting_out(request, meeting),
        "description": meeting.description,
        "video": {"kind": meeting.video_kind, "url": meeting.video_url},
        "duration_ms": meeting.duration_ms,
        "chapters_url": request.build_absolute_uri(
            reverse("webcasts:chapters_vtt", kwargs={"pk": meeting.pk})
        ),
        "speakers_url": request.build_absolute_uri(
            reverse("webcasts:speakers_vtt", kwargs={"pk": meeting.pk})
        ),
        "agenda_items": [
            {
                **item_data(entry.item),
                "description": entry.item.description if entry.is_public else "",
                "start_ms": entry.start_ms,
                "segments": [
                    {"start_ms": segment.start_ms, "end_ms": segment.end_ms}
                    for segment in entry.segments
                ],
            }
            for entry in result.items
        ],
        "speakers": [_person_out(speaker) for speaker in meeting.speakers.all()],
        "speaker_turns": turns,
        "marks": marks,
        "state": meeting_state(meeting),
    }


@router.get(
    "/meetings/{meeting_id}/state",
    response={200: dict, **READ_PROBLEMS},
    summary="What is happening now",
)
def state(request, meeting_id: Id):
    return meeting_state(get_object_or_404(meetings_published(), pk=meeting_id))


# --- writing marks (operators, by API token) -----------------------------------------


def _refusal(error: ValidationError) -> Status:
    return Status(400, {"detail": error.messages})


@router.post(
    "/meetings/{meeting_id}/marks",
    auth=api_token_auth,
    response={201: MarkWritten, **PROBLEMS},
    summary="Set a mark now (operators)",
    description=(
        "kind is one of meeting_start (takes the meeting live), item, speaker, slide, break, "
        "meeting_end, closed_start and closed_end (the closed session: the public stream "
        "shows a slate in between). An item is named by agenda_item_id or agenda_item_number, "
        "a speaker by person_id or person_external_id (the id in the conference system). "
        "`at` defaults to now; for meeting_start it may differ from now by at most 5 minutes."
    ),
)
def mark_create(request, meeting_id: Id, payload: MarkIn):
    if not has_role(request.user, Role.OPERATOR):
        return Status(403, {"detail": _("The token's user is not a webcast operator.")})
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    try:
        if payload.kind == TimelineMark.Kind.MEETING_START:
            mark = services.meeting_go_live(meeting=meeting, by=request.user, at=payload.at)
        elif payload.kind == TimelineMark.Kind.MEETING_END:
            mark = services.meeting_end(meeting=meeting, by=request.user, at=payload.at)
        elif payload.kind in (TimelineMark.Kind.CLOSED_START, TimelineMark.Kind.CLOSED_END):
            mark = services.closed_session_set(
                meeting=meeting,
                closed=payload.kind == TimelineMark.Kind.CLOSED_START,
                by=request.user,
                at=payload.at,
            )
        else:
            mark = services.mark_add(
                meeting=meeting,
                kind=payload.kind,
                by=request.user,
                agenda_item=_agenda_item(meeting, payload),
                person=_person(payload),
                slide=_slide(payload),
                at=payload.at,
            )
    except ValidationError as error:
        return _refusal(error)
    return Status(201, {"mark": _mark_out(mark), "state": meeting_state(meeting)})


@router.post(
    "/meetings/{meeting_id}/marks/undo",
    auth=api_token_auth,
    response={200: MarkWritten, **PROBLEMS},
    summary="Undo the last mark this token's user set (operators)",
)
def mark_undo(request, meeting_id: Id):
    if not has_role(request.user, Role.OPERATOR):
        return Status(403, {"detail": _("The token's user is not a webcast operator.")})
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    try:
        mark = services.mark_undo(meeting=meeting, by=request.user)
    except ValidationError as error:
        return _refusal(error)
    return Status(200, {"mark": _mark_out(mark), "state": meeting_state(meeting)})


def _agenda_item(meeting: Meeting, payload: MarkIn) -> AgendaItem | None:
    if payload.agenda_item_id is not None:
        # Any meeting's item: the service refuses one of another meeting with a clear word.
        item = AgendaItem.objects.filter(pk=payload.agenda_item_id).first()
    elif payload.agenda_item_number:
        item = AgendaItem.objects.filter(meeting=meeting, number=payload.agenda_item_number).first()
    else:
        return None
    if item is None:
        raise ValidationError(_("No such agenda item."), code="no_item")
    return item


def _person(payload: MarkIn) -> Person | None:
    if payload.person_id is not None:
        found = Person.objects.filter(pk=payload.person_id).first()
    elif payload.person_external_id:
        found = Person.objects.filter(external_id=payload.person_external_id).first()
    else:
        return None
    if found is None:
        raise ValidationError(_("No such person."), code="no_person")
    return found


def _slide(payload: MarkIn) -> Slide | None:
    if payload.slide_id is None:
        return None
    found = Slide.objects.select_related("deck__agenda_item").filter(pk=payload.slide_id).first()
    if found is None:
        raise ValidationError(_("No such slide."), code="no_slide")
    return found
