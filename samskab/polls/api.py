"""API for polls and surveys: read them, vote and answer under the same rules as the pages.

Survey results are for staff in the admin and are not in the API; poll results are
readable where the poll shows them (live while open if chosen, once closed if public).
"""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samskab.core.apischema import PROBLEMS, READ_PROBLEMS, Id, Line, Page, Problem
from samskab.core.ratelimit import hit
from samskab.polls.models import Poll
from samskab.polls.selectors import poll_tally, polls_public, voter_from_request
from samskab.polls.services import VoteInvalid, VoteRefused, vote_cast

router = Router(tags=["dialogue"])


class VoteIn(Schema):
    options: list[Id]


class AnswersIn(Schema):
    answers: dict[str, Any]


class AnswersRefused(Problem):
    errors: dict[str, str] = {}  # question id: why its answer was refused


class PollSummaryOut(Schema):
    id: int
    title: str
    status: str
    meeting: int | None

    @staticmethod
    def resolve_meeting(poll) -> int | None:
        return poll.meeting_id


class SurveySummaryOut(Schema):
    slug: str
    title: str
    meeting: int | None
    agenda_item: int | None
    one_per: str

    @staticmethod
    def resolve_meeting(survey) -> int | None:
        return survey.meeting_id

    @staticmethod
    def resolve_agenda_item(survey) -> int | None:
        return survey.agenda_item_id


def _poll_out(poll) -> dict:
    return {
        "id": poll.pk,
        "title": poll.title,
        "status": poll.status,
        "voter_policy": poll.voter_policy,
        "meeting": poll.meeting_id,
        "questions": [
            {
                "id": q.pk,
                "text": q.text,
                "options": [{"id": o.pk, "text": o.text} for o in q.options.all()],
            }
            for q in poll.questions.prefetch_related("options")
        ],
        "results": poll_tally(poll) if poll.results_visible else None,
    }


@router.get(
    "/polls",
    response={200: list[PollSummaryOut], **READ_PROBLEMS},
    summary="Open and closed polls, newest first",
)
@paginate(Page)
def poll_list(request, meeting: Id | None = None, status: Line | None = None):
    found = polls_public().order_by("-created_at", "-pk")
    if meeting is not None:
        found = found.filter(meeting_id=meeting)
    if status:
        found = found.filter(status=status)
    return found


@router.get(
    "/polls/{pk}",
    response={200: dict, **READ_PROBLEMS},
    summary="A poll, with its result where it is public",
)
def poll_detail(request, pk: Id):
    poll = get_object_or_404(polls_public(), pk=pk)
    # As the poll's page does: the viewer cookie a vote of anyone-once-per-browser needs.
    if poll.voter_policy == Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER and poll.is_open:
        request.viewer.token  # noqa: B018
    return _poll_out(poll)


@router.post(
    "/polls/{pk}/votes",
    response={201: dict, **PROBLEMS},
    summary="Vote: one option per question",
)
def poll_vote(request, pk: Id, payload: VoteIn):
    if not hit(request, "poll-vote", "20/m"):
        return Status(429, {"detail": _("Too many attempts; try again later.")})
    poll = get_object_or_404(polls_public(), pk=pk)
    try:
        vote_cast(poll=poll, voter=voter_from_request(request), options=payload.options)
    except VoteInvalid as invalid:
        return Status(400, {"detail": str(invalid)})
    except VoteRefused as refusal:
        poll.refresh_from_db(fields=["status"])  # it may have closed since it was read
        return Status((409 if poll.is_open else 400), {"detail": str(refusal)})
    return Status(201, {"detail": "counted"})


@router.get(
    "/surveys",
    response={200: list[SurveySummaryOut], **READ_PROBLEMS},
    summary="Open surveys, newest first",
)
@paginate(Page)
def survey_list(request):
    from samskab.surveys.selectors import surveys_open

    return surveys_open().order_by("-created_at", "-pk")


@router.get(
    "/surveys/{slug}", response={200: dict, **READ_PROBLEMS}, summary="An open survey's questions"
)
def survey_detail(request, slug: str):
    from samskab.surveys.models import Survey
    from samskab.surveys.selectors import survey_questions, survey_specs, surveys_open

    survey = get_object_or_404(surveys_open(), slug=slug)
    if survey.one_per == Survey.OnePer.VIEWER:  # as the survey's page: the cookie it needs
        request.viewer.token  # noqa: B018
    questions = survey_questions(survey)
    return {
        "slug": survey.slug,
        "title": survey.title,
        "intro": survey.intro,
        "one_per": survey.one_per,
        "questions": [
            {
                "id": q.id,
                "kind": str(q.kind),
                "text": q.label,
                "help": question.help,
                "section": question.section.title if question.section else None,
                "required": q.required,
                "choices": [{"id": pk, "text": text} for pk, text in q.choices],
                "rows": [{"id": pk, "text": text} for pk, text in q.rows],
                "minimum": q.minimum,
                "maximum": q.maximum,
                "show_if": {"question": q.show_if[0], "choice": q.show_if[1]}
                if q.show_if
                else None,
            }
            for question, q in zip(questions, survey_specs(survey, questions), strict=True)
        ],
    }


@router.post(
    "/surveys/{slug}/responses",
    response={201: dict, **PROBLEMS, 400: AnswersRefused},
    summary="Answer a survey (all answers at once; nothing is stored if any is refused)",
)
def survey_answer(request, slug: str, payload: AnswersIn):
    from samskab.surveys.models import Survey
    from samskab.surveys.selectors import participant_key
    from samskab.surveys.services import AnswerRefused, response_submit

    if not hit(request, "survey-answer", "10/m"):
        return Status(429, {"detail": _("Too many attempts; try again later.")})
    survey = get_object_or_404(Survey.objects.exclude(status=Survey.Status.DRAFT), slug=slug)
    viewer = getattr(request, "viewer", None)
    key = participant_key(
        survey,
        user=request.user,
        viewer_key=viewer.key if viewer is not None and viewer.has_token else None,
    )
    try:
        response_submit(survey=survey, participant_key=key, raw_answers=payload.answers)
    except AnswerRefused as refusal:
        errors = {str(pk): message for pk, message in refusal.errors.items()}
        return Status(400, {"detail": str(refusal), "errors": errors})
    return Status(201, {"detail": "saved"})
