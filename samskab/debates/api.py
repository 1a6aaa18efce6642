"""API for debates: the list in each order and one debate to read (hidden ones are not
there), and a signed-in person's vote, through the same services as the pages, so every
rule and refusal (closed, the cap on unverified votes) is the same."""

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samskab.api.auth import signed_in
from samskab.core.apischema import PROBLEMS, READ_PROBLEMS, Id, Line, Page
from samskab.core.ratelimit import hit
from samskab.debates import selectors
from samskab.debates.models import Area, Debate, DebateVote
from samskab.debates.services import DebateRefused, debate_vote

router = Router(tags=["debates"])


class DebateOut(Schema):
    id: int
    title: str
    url: str
    author: str
    status: str
    featured: bool
    area: str | None
    tags: list[str]
    agree: int
    disagree: int
    comments: int
    hot_score: float
    created_at: datetime

    # Read from a Debate row (the list returns a queryset, so a page is sliced in the database).
    @staticmethod
    def resolve_url(debate: Debate) -> str:
        return debate.get_absolute_url()

    @staticmethod
    def resolve_author(debate: Debate) -> str:
        return debate.author.public_name

    @staticmethod
    def resolve_featured(debate: Debate) -> bool:
        return debate.is_featured

    @staticmethod
    def resolve_area(debate: Debate) -> str | None:
        return debate.area.name if debate.area else None

    @staticmethod
    def resolve_tags(debate: Debate) -> list[str]:
        return [tag.name for tag in debate.tags.all()]

    @staticmethod
    def resolve_agree(debate: Debate) -> int:
        return debate.agree_count

    @staticmethod
    def resolve_disagree(debate: Debate) -> int:
        return debate.disagree_count

    @staticmethod
    def resolve_comments(debate: Debate) -> int:
        return debate.comment_count


class DebateDetailOut(DebateOut):
    text: str
    text_html: str
    my_vote: Literal["agree", "disagree"] | None

    @staticmethod
    def resolve_my_vote(debate: Debate, context) -> str | None:
        return _NAMES.get(selectors.vote_of(debate, context["request"].user))


class DebateVoteIn(Schema):
    value: Literal["agree", "disagree"]


class DebateVoteOut(Schema):
    my_vote: Literal["agree", "disagree"] | None
    agree: int
    disagree: int


_VALUES = {"agree": DebateVote.Value.AGREE, "disagree": DebateVote.Value.DISAGREE}
_NAMES = {value: name for name, value in _VALUES.items()}


@router.get(
    "/debates",
    response={200: list[DebateOut], **READ_PROBLEMS},
    summary="Debates: hot (default), new, active or commented; by tag, area or words",
)
@paginate(Page)
def debate_list(
    request,
    order: Literal["hot", "new", "active", "commented"] = "hot",
    tag: Line | None = None,
    area: Id | None = None,
    q: Line | None = None,
):
    found_area = get_object_or_404(Area, pk=area) if area else None
    debates = selectors.debate_list(
        order=order, tag=(tag or "").lower(), area=found_area, q=(q or "")[:200]
    )
    return debates


def _public(pk: int) -> Debate:
    return get_object_or_404(
        selectors.debates_public().select_related("author", "area").prefetch_related("tags"),
        pk=pk,
    )


def _vote_out(debate: Debate, user) -> dict:
    return {
        "my_vote": _NAMES.get(selectors.vote_of(debate, user)),
        "agree": debate.agree_count,
        "disagree": debate.disagree_count,
    }


@router.get("/debates/{pk}", response={200: DebateDetailOut, **READ_PROBLEMS}, summary="One debate")
def debate_detail(request, pk: Id):
    return _public(pk)


def _vote(request, pk: int, value: int | None):
    if not hit(request, "debate-vote", "60/m"):
        return Status(429, {"detail": _("Too many attempts; try again later.")})
    debate = _public(pk)
    try:
        debate_vote(debate=debate, user=request.user, value=value)
    except DebateRefused as refusal:
        # A closed debate is a conflict with its state; the cap is a refusal of this person.
        return Status(409 if not debate.is_open else 403, {"detail": refusal.message})
    debate.refresh_from_db()
    return Status(200, _vote_out(debate, request.user))


@router.put(
    "/debates/{pk}/vote",
    response={200: DebateVoteOut, **PROBLEMS},
    auth=signed_in,
    summary="Agree or disagree; a second vote replaces the first",
)
def debate_vote_put(request, pk: Id, payload: DebateVoteIn):
    return _vote(request, pk, _VALUES[payload.value])


@router.delete(
    "/debates/{pk}/vote",
    response={200: DebateVoteOut, **PROBLEMS},
    auth=signed_in,
    summary="Take one's vote back",
)
def debate_vote_delete(request, pk: Id):
    return _vote(request, pk, None)
