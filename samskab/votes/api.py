"""API for binding votes: the votes, one vote with its questions and answers, and its
published results (404 until then), the same JSON the results page and the CSV show.
Casting a ballot is on the web page only: its receipt is shown once, there."""

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samskab.core.apischema import READ_PROBLEMS, Id, Line, Page
from samskab.votes import selectors
from samskab.votes.models import BindingVote

router = Router(tags=["votes"])


class BindingAnswerOut(Schema):
    id: int
    text: str
    description: str
    video_url: str


class BindingQuestionOut(Schema):
    id: int
    text: str
    kind: str
    max_choices: int
    method: str
    answers: list[BindingAnswerOut]

    @staticmethod
    def resolve_answers(question) -> list:
        return list(question.answers.all())


class BindingVoteOut(Schema):
    id: int
    title: str
    url: str
    status: str
    commitment: str
    opens_at: datetime | None
    closes_at: datetime | None
    min_age: int | None
    postal_codes: list[str]

    @staticmethod
    def resolve_url(vote: BindingVote) -> str:
        return vote.get_absolute_url()

    @staticmethod
    def resolve_postal_codes(vote: BindingVote) -> list[str]:
        return vote.postal_code_list


class VoteDetailOut(BindingVoteOut):
    description: str
    questions: list[BindingQuestionOut]

    @staticmethod
    def resolve_questions(vote: BindingVote) -> list:
        return selectors.questions_of(vote)


class BindingResultsOut(Schema):
    vote: int
    questions: list[dict[str, Any]]
    turnout: dict[str, Any]
    counted_receipts: list[str]


class BindingReceiptOut(Schema):
    counted: bool


@router.get(
    "/votes", response={200: list[BindingVoteOut], **READ_PROBLEMS}, summary="Binding votes"
)
@paginate(Page)
def vote_list(request):
    return BindingVote.objects.exclude(status=BindingVote.Status.DRAFT)


def _public(pk: int) -> BindingVote:
    return get_object_or_404(BindingVote.objects.exclude(status=BindingVote.Status.DRAFT), pk=pk)


@router.get("/votes/{pk}", response={200: VoteDetailOut, **READ_PROBLEMS}, summary="One vote")
def vote_detail(request, pk: Id):
    return _public(pk)


@router.get(
    "/votes/{pk}/results",
    response={200: BindingResultsOut, **READ_PROBLEMS},
    summary="The published results (404 before they are published)",
)
def vote_results(request, pk: Id):
    vote = get_object_or_404(BindingVote, pk=pk, status=BindingVote.Status.PUBLISHED)
    results = vote.results or {}
    return {
        "vote": vote.pk,
        "questions": results.get("questions", []),
        "turnout": results.get("turnout", {}),
        "counted_receipts": selectors.counted_receipts(vote),
    }


@router.get(
    "/votes/{pk}/receipt",
    response={200: BindingReceiptOut, **READ_PROBLEMS},
    summary="Whether the ballot with this receipt code was counted",
)
def vote_receipt(request, pk: Id, code: Line):
    vote = get_object_or_404(BindingVote, pk=pk, status=BindingVote.Status.PUBLISHED)
    return Status(200, {"counted": bool(selectors.receipt_counted(vote, code))})
