"""Debate pages: the list with its orders and filters, one debate, opening one, voting, and
the staff's buttons. htmx gets the vote box back; a plain form gets a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskab.activity.selectors import history
from samskab.core.actions import act_and_return
from samskab.core.ratelimit import ratelimit
from samskab.debates import selectors, services
from samskab.debates.forms import CloseForm, DebateForm, HideForm
from samskab.debates.models import Area, Debate, DebateVote

PER_PAGE = 20


def debate_list(request: HttpRequest) -> HttpResponse:
    order = request.GET.get("order", selectors.Order.HOT)
    if order not in selectors.Order.ALL:
        order = selectors.Order.HOT
    tag = request.GET.get("tag", "").strip().lower()[:40]
    q = request.GET.get("q", "").strip()[: selectors.MAX_QUERY]
    area = None
    if request.GET.get("area", "").isdigit():
        area = Area.objects.filter(pk=int(request.GET["area"])).first()
    debates = selectors.debate_list(order=order, tag=tag, area=area, q=q)
    page = Paginator(debates, PER_PAGE).get_page(request.GET.get("page"))
    filtered = bool(tag or area or q)
    return render(
        request,
        "debates/list.html",
        {
            "page": page,
            "order": order,
            "orders": [
                (selectors.Order.HOT, _("Hottest")),
                (selectors.Order.NEW, _("Newest")),
                (selectors.Order.ACTIVE, _("Most active")),
                (selectors.Order.COMMENTED, _("Most commented")),
            ],
            "tag": tag,
            "q": q,
            "area": area,
            "areas": Area.objects.all(),
            "tags": selectors.tags_in_use(),
            "featured": [] if filtered or page.number > 1 else selectors.featured(),
            "filtered": filtered,
            "may_open": request.user.has_perm("debates.open_debate"),
        },
    )


def _debate(request: HttpRequest, pk: int) -> Debate:
    debate = get_object_or_404(Debate.objects.select_related("author", "area"), pk=pk)
    if not request.user.has_perm("debates.view_debate", debate):
        raise Http404  # a hidden debate's existence is not given away
    return debate


def _vote_context(request: HttpRequest, debate: Debate) -> dict:
    return {
        "debate": debate,
        "my_vote": selectors.vote_of(debate, request.user),
        "may_vote": request.user.has_perm("debates.vote_debate", debate),
        "agree": DebateVote.Value.AGREE,
        "disagree": DebateVote.Value.DISAGREE,
    }


def debate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    debate = _debate(request, pk)
    user = request.user
    return render(
        request,
        "debates/detail.html",
        {
            **_vote_context(request, debate),
            "tags": list(debate.tags.all()),
            "events": [e for e in history(debate) if e.kind in ("closed", "reopened")],
            "may_feature": user.has_perm("debates.feature_debate", debate),
            "may_close": user.has_perm("debates.close_debate", debate),
            "may_reopen": user.has_perm("debates.reopen_debate", debate),
            "may_hide": user.has_perm("debates.hide_debate", debate),
            "may_restore": user.has_perm("debates.restore_debate", debate),
            "hide_form": HideForm(),
            "close_form": CloseForm(),
        },
    )


@login_required
@ratelimit("debate-open", "5/h")
def debate_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("debates.open_debate"):
        raise PermissionDenied
    form = DebateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            debate = services.debate_open(
                author=request.user,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                tags=form.cleaned_data["tags"],
                area=form.cleaned_data["area"],
                language=get_language() or "",
            )
        except services.DebateRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your debate is open. Others can now vote and comment."))
            return redirect(debate)
    return render(request, "debates/form.html", {"form": form})


@require_POST
@login_required
@ratelimit("debate-vote", "60/m")
def debate_vote(request: HttpRequest, pk: int) -> HttpResponse:
    debate = _debate(request, pk)
    try:
        wanted = int(request.POST.get("value", ""))
    except ValueError:
        wanted = 0
    if wanted not in DebateVote.Value.values:
        return HttpResponse(_("Choose agree or disagree."), status=400)
    # The button you already chose takes your vote back; the other one changes it.
    value = None if selectors.vote_of(debate, request.user) == wanted else wanted
    refusal = ""
    try:
        services.debate_vote(debate=debate, user=request.user, value=value)
    except services.DebateRefused as error:
        refusal = error.message
    debate.refresh_from_db()
    if request.headers.get("HX-Request") == "true":
        context = _vote_context(request, debate) | {"refusal": refusal}
        return render(request, "debates/partials/vote.html", context)
    if refusal:
        messages.error(request, refusal)
    elif value is None:
        messages.success(request, _("Your vote is taken back."))
    else:
        messages.success(request, _("Your vote is counted."))
    return redirect(debate)


def _staff_action(request: HttpRequest, pk: int, action) -> HttpResponse:
    return act_and_return(request, _debate(request, pk), action, refused=services.DebateRefused)


@require_POST
@login_required
def debate_feature(request: HttpRequest, pk: int) -> HttpResponse:
    featured = request.POST.get("featured") != "0"

    def act(debate: Debate) -> str:
        services.debate_feature(debate=debate, user=request.user, featured=featured)
        return _("The debate is featured.") if featured else _("The debate is no longer featured.")

    return _staff_action(request, pk, act)


@require_POST
@login_required
def debate_close(request: HttpRequest, pk: int) -> HttpResponse:
    form = CloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""

    def act(debate: Debate) -> str:
        services.debate_close(debate=debate, user=request.user, note=note)
        return _("The debate is closed: no new votes or comments.")

    return _staff_action(request, pk, act)


@require_POST
@login_required
def debate_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def act(debate: Debate) -> str:
        services.debate_reopen(debate=debate, user=request.user)
        return _("The debate is open again.")

    return _staff_action(request, pk, act)


@require_POST
@login_required
def debate_hide(request: HttpRequest, pk: int) -> HttpResponse:
    form = HideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def act(debate: Debate) -> str:
        services.debate_hide(debate=debate, user=request.user, reason=reason)
        return _("The debate is hidden from the public.")

    return _staff_action(request, pk, act)


@require_POST
@login_required
def debate_restore(request: HttpRequest, pk: int) -> HttpResponse:
    def act(debate: Debate) -> str:
        services.debate_restore(debate=debate, user=request.user)
        return _("The debate is shown again.")

    return _staff_action(request, pk, act)
