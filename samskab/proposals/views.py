"""Proposal pages: the list (filters, orders, search), the archive, the map, one proposal,
making one, supporting, the author's buttons and the staff's. htmx gets the support box
back; a plain form gets a redirect."""

import hashlib
import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskab.accounts.identity import step_up_redirect
from samskab.activity.selectors import history
from samskab.core.actions import act_and_return
from samskab.core.ratelimit import ratelimit
from samskab.debates.models import Area
from samskab.debates.selectors import debates_public
from samskab.places.geo import parse_geometry
from samskab.places.maps import municipality_map, svg_map
from samskab.places.selectors import place_of, points_of
from samskab.proposals import selectors, services
from samskab.proposals.forms import (
    AgendaForm,
    AnswerForm,
    HideForm,
    MessageForm,
    ProposalForm,
    RetireForm,
    VoteStartForm,
)
from samskab.proposals.models import Proposal, ProposalMessage
from samskab.supports.selectors import supports

PER_PAGE = 20
MAP_LIMIT = 500


def _orders() -> list[tuple[str, str]]:
    return [
        (selectors.Order.HOT, _("Hottest")),
        (selectors.Order.SUPPORTS, _("Most supported")),
        (selectors.Order.NEW, _("Newest")),
        (selectors.Order.COMMENTED, _("Most commented")),
    ]


def _states() -> list[tuple[str, str]]:
    return [
        ("open", _("Open for support")),
        ("successful", _("Successful")),
        ("evaluating", _("Being evaluated")),
        ("accepted", _("Accepted")),
        ("rejected", _("Rejected")),
        ("agenda", _("On the council's agenda")),
        ("retired", _("Retired")),
    ]


def _filters(request: HttpRequest) -> dict:
    order = request.GET.get("order", selectors.Order.HOT)
    if order not in selectors.Order.ALL:
        order = selectors.Order.HOT
    state = request.GET.get("state", "")
    area = None
    if request.GET.get("area", "").isdigit():
        area = Area.objects.filter(pk=int(request.GET["area"])).first()
    return {
        "order": order,
        "tag": request.GET.get("tag", "").strip().lower()[:40],
        "q": request.GET.get("q", "").strip()[: selectors.MAX_QUERY],
        "state": state if state in selectors.STATES else "",
        "area": area,
    }


def _position(request: HttpRequest) -> tuple[int | None, int | None]:
    """The proposal the page starts after, or ends before (keyset pages: ?after=, ?before=)."""
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    if after.isdigit() and len(after) < 19:
        return int(after), None
    if before.isdigit() and len(before) < 19:
        return None, int(before)
    return None, None


def _results(chosen: dict, *, archived: bool, position: tuple[int | None, int | None]) -> str:
    """The list's cards and pages, the same for every visitor: rendered once per
    `selectors.LIST_CACHE_S` for each filter, order, page and language, and again as soon
    as a proposal is saved (selectors.list_version). The counts on the cards may lag a
    support by those seconds; the proposal's own page shows its count as it is. Pages are
    read by keyset (selectors.page_of): no count of every match, and a late page costs what
    the first does."""
    area = chosen["area"]
    after, before = position
    key = (
        "proposals:list:"
        + hashlib.sha256(
            json.dumps(
                [
                    selectors.list_version(),
                    get_language(),
                    archived,
                    chosen["order"],
                    chosen["tag"],
                    area.pk if area else None,
                    chosen["state"],
                    chosen["q"],
                    after,
                    before,
                ]
            ).encode()
        ).hexdigest()
    )
    html = cache.get(key)
    if html is None:
        proposals = selectors.proposal_list(**chosen, archived=archived)
        page = selectors.page_of(
            proposals, chosen["order"], after=after, before=before, size=PER_PAGE
        )
        filtered = bool(chosen["tag"] or area or chosen["q"] or chosen["state"])
        html = render_to_string(
            "proposals/partials/results.html", {**chosen, "page": page, "filtered": filtered}
        )
        cache.set(key, html, selectors.LIST_CACHE_S)
    return mark_safe(html)  # noqa: S308  # our own template's output, escaped when rendered


def _list(request: HttpRequest, *, archived: bool) -> HttpResponse:
    chosen = _filters(request)
    return render(
        request,
        "proposals/list.html",
        {
            **chosen,
            "results": _results(chosen, archived=archived, position=_position(request)),
            "archived": archived,
            "orders": _orders(),
            "states": _states(),
            "areas": Area.objects.all(),
            "tags": selectors.tags_in_use(),
            "filtered": bool(chosen["tag"] or chosen["area"] or chosen["q"] or chosen["state"]),
            "threshold": services.threshold(),
            "may_add": request.user.has_perm("proposals.add_proposal"),
        },
    )


def proposal_list(request: HttpRequest) -> HttpResponse:
    return _list(request, archived=False)


def proposal_archive(request: HttpRequest) -> HttpResponse:
    return _list(request, archived=True)


def _bounds(points) -> str:
    """A rectangle around the points (with a margin), for a map without areas."""
    lons = [lon for _obj, lon, _lat in points]
    lats = [lat for _obj, _lon, lat in points]
    pad_lon = max(0.01, (max(lons) - min(lons)) * 0.1)
    pad_lat = max(0.005, (max(lats) - min(lats)) * 0.1)
    west, east = min(lons) - pad_lon, max(lons) + pad_lon
    south, north = min(lats) - pad_lat, max(lats) + pad_lat
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _map_of(proposals) -> object | None:
    points = points_of(proposals)
    if not points:
        return None
    # On the municipality's outline when staff gave one; else a box around the points.
    outline = municipality_map(points)
    if outline is not None and len(outline.points) == len(points):
        return outline
    return svg_map([(_("The proposals' places"), parse_geometry(_bounds(points)))], points)


def proposal_map(request: HttpRequest) -> HttpResponse:
    chosen = _filters(request)
    proposals = list(selectors.proposal_list(**chosen)[:MAP_LIMIT])
    located = points_of(proposals)
    return render(
        request,
        "proposals/map.html",
        {
            **chosen,
            "map": _map_of(proposals),
            "located": [obj for obj, _lon, _lat in located],
            "areas": Area.objects.all(),
            "states": _states(),
        },
    )


def _proposal(request: HttpRequest, pk: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("author", "area", "agenda_item__meeting"), pk=pk
    )
    if not request.user.has_perm("proposals.view_proposal", proposal):
        raise Http404  # a hidden proposal's existence is not given away
    return proposal


def _support_context(request: HttpRequest, proposal: Proposal) -> dict:
    needed = services.threshold()
    return {
        "proposal": proposal,
        "threshold": needed,
        "percent": min(100, round(100 * proposal.support_count / needed)),
        "supported": supports(request.user, proposal),
        "may_support": request.user.has_perm("proposals.support_proposal", proposal),
    }


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    user = request.user
    may_agenda = user.has_perm("proposals.agenda_proposal", proposal)
    items = services.agenda_items_open() if may_agenda else []
    place = place_of(proposal)
    vote = selectors.vote_of(proposal)
    return render(
        request,
        "proposals/detail.html",
        {
            **_support_context(request, proposal),
            "tags": list(proposal.tags.all()),
            "video": services.video_of(proposal.video_url),
            "place": place,
            "map": _map_of([proposal]) if place is not None and place.has_point else None,
            "related": selectors.related(proposal),
            "treatment": selectors.treatment(proposal),
            "messages_sent": selectors.messages_of(proposal),
            "events": [
                e
                for e in history(proposal)
                if e.kind in ("succeeded", "answered", "agenda", "vote", "vote_opened", "retired")
            ],
            "may_retire": user.has_perm("proposals.retire_proposal", proposal),
            "may_message": user.has_perm("proposals.message_proposal", proposal),
            "message_next_at": services.message_next_at(proposal, user)
            if user.is_authenticated
            else None,
            "may_answer": user.has_perm("proposals.answer_proposal", proposal),
            "may_agenda": may_agenda and bool(items),
            "may_locate": user.has_perm("proposals.locate_proposal", proposal),
            "may_start_vote": user.has_perm("proposals.start_vote_proposal", proposal),
            "vote": vote if vote is not None and user.has_perm("votes.view_vote", vote) else None,
            "vote_form": VoteStartForm(),
            "may_hide": user.has_perm("proposals.hide_proposal", proposal),
            "may_restore": user.has_perm("proposals.restore_proposal", proposal),
            "may_moderate": user.has_perm("proposals.moderate_proposal", proposal),
            "may_report": user.has_perm("proposals.report_proposal", proposal),
            "retire_form": RetireForm(),
            "message_form": MessageForm(),
            "answer_form": AnswerForm(initial={"answer": proposal.answer or "evaluating"}),
            "agenda_form": AgendaForm(items=items),
            "hide_form": HideForm(),
        },
    )


@login_required
@ratelimit("proposal-add", "5/h")
def proposal_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("proposals.add_proposal"):
        raise PermissionDenied
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_create(
                author=request.user,
                title=data["title"],
                summary=data["summary"],
                text=data["text"],
                video_url=data["video_url"],
                tags=data["tags"],
                area=data["area"],
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                language=get_language() or "",
            )
        except services.ProposalRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Your proposal is published. Add pictures or documents below if you like."),
            )
            return redirect(proposal)
    return render(
        request,
        "proposals/form.html",
        {"form": form, "threshold": services.threshold(), "map": municipality_map()},
    )


@require_POST
@login_required
@ratelimit("support", "30/m")
def proposal_support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    step_up = step_up_redirect(
        request, selectors.support_assurance(), next_url=proposal.get_absolute_url()
    )
    if step_up is not None:
        return step_up
    refusal = ""
    try:
        services.proposal_support(proposal=proposal, user=request.user)
    except services.ProposalRefused as error:
        refusal = error.message
    proposal.refresh_from_db()
    if request.headers.get("HX-Request") == "true":
        context = _support_context(request, proposal) | {"refusal": refusal}
        return render(request, "proposals/partials/support.html", context)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, _("Thank you for your support. You now follow the proposal."))
    return redirect(proposal)


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    return act_and_return(request, _proposal(request, pk), action, refused=services.ProposalRefused)


def _field(form, name: str) -> str:
    return form.cleaned_data[name] if form.is_valid() else ""


@require_POST
@login_required
def proposal_retire(request: HttpRequest, pk: int) -> HttpResponse:
    reason = _field(RetireForm(request.POST), "reason")

    def act(proposal: Proposal) -> str:
        services.proposal_retire(proposal=proposal, user=request.user, reason=reason)
        return _("The proposal is retired. Its supporters are told why.")

    return _act(request, pk, act)


@require_POST
@login_required
@ratelimit("proposal-message", "10/h")
def proposal_message(request: HttpRequest, pk: int) -> HttpResponse:
    text = _field(MessageForm(request.POST), "text")

    def act(proposal: Proposal) -> str:
        services.proposal_message(proposal=proposal, user=request.user, text=text)
        return _("Your message is on its way to the supporters.")

    return _act(request, pk, act)


@require_POST
@login_required
def message_hide(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    def act(proposal: Proposal) -> str:
        message = get_object_or_404(ProposalMessage, pk=message_pk, proposal=proposal)
        services.message_hide(message=message, user=request.user)
        return _("The message is hidden.")

    return _act(request, pk, act)


@require_POST
@login_required
def proposal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    form = AnswerForm(request.POST)
    answer, text = _field(form, "answer"), _field(form, "text")

    def act(proposal: Proposal) -> str:
        services.proposal_answer(proposal=proposal, user=request.user, answer=answer, text=text)
        return _("The answer is published; the author and the followers are told.")

    return _act(request, pk, act)


@require_POST
@login_required
def proposal_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    items = services.agenda_items_open()
    form = AgendaForm(request.POST, items=items)

    def act(proposal: Proposal) -> str:
        if not form.is_valid():
            raise services.ProposalRefused(_("Choose an agenda item."))
        item = next(i for i in items if i.pk == form.cleaned_data["agenda_item"])
        services.proposal_to_agenda(proposal=proposal, user=request.user, agenda_item=item)
        return _("The proposal is on the agenda; the author and the followers are told.")

    return _act(request, pk, act)


@require_POST
@login_required
def proposal_vote_start(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = VoteStartForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ProposalRefused(
                _("Say what the municipality commits to do with the result of the vote.")
            )
        vote = services.proposal_vote_start(
            proposal=proposal, user=request.user, commitment=form.cleaned_data["commitment"]
        )
    except services.ProposalRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(proposal)
    messages.success(
        request,
        _("The vote is started and linked to the proposal. Add its questions, then open it."),
    )
    return redirect(vote)


@require_POST
@login_required
def proposal_hide(request: HttpRequest, pk: int) -> HttpResponse:
    reason = _field(HideForm(request.POST), "reason")

    def act(proposal: Proposal) -> str:
        services.proposal_hide(proposal=proposal, user=request.user, reason=reason)
        return _("The proposal is hidden from the public.")

    return _act(request, pk, act)


@require_POST
@login_required
def proposal_restore(request: HttpRequest, pk: int) -> HttpResponse:
    def act(proposal: Proposal) -> str:
        services.proposal_restore(proposal=proposal, user=request.user)
        return _("The proposal is shown again.")

    return _act(request, pk, act)


def author_page(request: HttpRequest, user_pk: int) -> HttpResponse:
    """A person's public page: their proposals and debates (nothing else of them)."""
    author = get_object_or_404(
        get_user_model(), pk=user_pk, is_active=True, deleted_at__isnull=True
    )
    proposals = list(selectors.by_author(author)[:50])
    debates = list(debates_public().filter(author=author).select_related("author", "area")[:50])
    if not proposals and not debates:
        raise Http404
    return render(
        request,
        "proposals/author.html",
        {"author": author, "proposals": proposals, "debates": debates},
    )
