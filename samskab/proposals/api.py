"""API for proposals: the list (orders, filters, search, the archive) and one proposal to
read (hidden ones are not there), and a verified resident's support, through the same
services as the pages, so every rule and refusal is the same."""

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from samskab.accounts.identity import assurance_missing, step_up_message
from samskab.api.auth import signed_in
from samskab.core.apischema import PROBLEMS, READ_PROBLEMS, Id, Line, Page
from samskab.core.ratelimit import hit
from samskab.debates.models import Area
from samskab.proposals import selectors, services
from samskab.proposals.models import Proposal
from samskab.supports.selectors import supports

router = Router(tags=["proposals"])


class ProposalOut(Schema):
    id: int
    title: str
    summary: str
    url: str
    author: str
    state: str
    area: str | None
    tags: list[str]
    supports: int
    comments: int
    successful: bool
    archived: bool
    created_at: datetime

    @staticmethod
    def resolve_url(proposal: Proposal) -> str:
        return proposal.get_absolute_url()

    @staticmethod
    def resolve_author(proposal: Proposal) -> str:
        return proposal.author.public_name

    @staticmethod
    def resolve_area(proposal: Proposal) -> str | None:
        return proposal.area.name if proposal.area else None

    @staticmethod
    def resolve_tags(proposal: Proposal) -> list[str]:
        return [tag.name for tag in proposal.tags.all()]

    @staticmethod
    def resolve_supports(proposal: Proposal) -> int:
        return proposal.support_count

    @staticmethod
    def resolve_comments(proposal: Proposal) -> int:
        return proposal.comment_count

    @staticmethod
    def resolve_successful(proposal: Proposal) -> bool:
        return proposal.is_successful


class ProposalDetailOut(ProposalOut):
    text: str
    text_html: str
    video_url: str
    answer: str
    answer_html: str
    supports_needed: int
    i_support: bool
    agenda_meeting: str | None

    @staticmethod
    def resolve_supports_needed(proposal: Proposal) -> int:
        return services.threshold()

    @staticmethod
    def resolve_i_support(proposal: Proposal, context) -> bool:
        return supports(context["request"].user, proposal)

    @staticmethod
    def resolve_agenda_meeting(proposal: Proposal) -> str | None:
        if proposal.agenda_item_id is None:
            return None
        return proposal.agenda_item.meeting.get_absolute_url()  # type: ignore[union-attr]


class SupportOut(Schema):
    i_support: bool
    supports: int
    supports_needed: int
    successful: bool


@router.get(
    "/proposals",
    response={200: list[ProposalOut], **READ_PROBLEMS},
    summary="Proposals: hot (default), supports, new or commented; by tag, area, state or words",
)
@paginate(Page)
def proposal_list(
    request,
    order: Literal["hot", "supports", "new", "commented"] = "hot",
    tag: Line | None = None,
    area: Id | None = None,
    state: Literal["open", "successful", "evaluating", "accepted", "rejected", "agenda", "retired"]
    | None = None,
    q: Line | None = None,
    archived: bool = False,
):
    found_area = get_object_or_404(Area, pk=area) if area else None
    return selectors.proposal_list(
        order=order,
        tag=(tag or "").lower(),
        area=found_area,
        state=state or "",
        q=(q or "")[:200],
        archived=archived,
    )


def _public(pk: int) -> Proposal:
    return get_object_or_404(
        selectors.proposals_public()
        .select_related("author", "area", "agenda_item__meeting")
        .prefetch_related("tags"),
        pk=pk,
    )


@router.get(
    "/proposals/{pk}", response={200: ProposalDetailOut, **READ_PROBLEMS}, summary="One proposal"
)
def proposal_detail(request, pk: Id):
    return _public(pk)


@router.post(
    "/proposals/{pk}/support",
    response={200: SupportOut, **PROBLEMS},
    auth=signed_in,
    summary="Support a proposal (verified residents; once; not archived or retired)",
)
def proposal_support(request, pk: Id):
    if not hit(request, "support", "30/m"):
        return Status(429, {"detail": _("Too many attempts; try again later.")})
    proposal = _public(pk)
    missing = assurance_missing(request, selectors.support_assurance())
    if missing:
        return Status(403, {"detail": step_up_message(missing)})
    try:
        services.proposal_support(proposal=proposal, user=request.user)
    except services.ProposalRefused as refusal:
        # A person not verified is refused; a proposal that takes no supports conflicts.
        status = 403 if proposal.is_supportable else 409
        if supports(request.user, proposal):
            status = 409
        return Status(status, {"detail": refusal.message})
    proposal.refresh_from_db()
    return Status(
        200,
        {
            "i_support": True,
            "supports": proposal.support_count,
            "supports_needed": services.threshold(),
            "successful": proposal.is_successful,
        },
    )
