"""Poll pages, the vote endpoint behind the vox pop, and the operator's open/close buttons."""

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samskab.core.ratelimit import hit, too_many
from samskab.polls.forms import QuickPollForm, VoteForm
from samskab.polls.models import Poll
from samskab.polls.selectors import (
    poll_recount,
    poll_tally,
    poll_visible,
    polls_public,
    voter_from_request,
    voter_has_voted,
)
from samskab.polls.services import (
    PollStateError,
    VoteRefused,
    policy_refusal,
    poll_close,
    poll_open,
    poll_quick_create,
    vote_cast,
)
from samskab.polls.votewriter import RATE, RATE_GROUP, RATE_PER_ADDRESS
from samskab.webcasts.models import Meeting
from samskab.webcasts.rehearsal import is_rehearsing


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _wants_fragment(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def poll_context(
    request: HttpRequest, poll: Poll, form: VoteForm | None = None, *, page: str = ""
) -> dict:
    """`page`: the page the box is shown on, where a vote without JavaScript returns (by
    default the page being rendered; the box and the vote's answer are fragments of it)."""
    # Touching the token makes the middleware set the viewer cookie this vote will need.
    if poll.voter_policy == Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER and poll.is_open:
        request.viewer.token  # noqa: B018
    voter = voter_from_request(request)
    page_url = (page or request.get_full_path()).split("#", 1)[0]
    has_voted = voter_has_voted(poll, voter)
    # Who may not vote here is told so, and how to, instead of a form that refuses them.
    refusal = sign_in_url = verify_url = None
    if (
        poll.is_open
        and not has_voted
        and poll.voter_policy != Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER
    ):
        refusal = policy_refusal(poll, voter)
        if refusal and not voter.is_authenticated:
            sign_in_url = f"{reverse('account_login')}?{urlencode({'next': page_url})}"
        elif refusal:
            verify_url = reverse("accounts:residence_verify")
    return {
        "poll": poll,
        "page_url": page_url,
        "form": form or (VoteForm(poll=poll) if poll.is_open else None),
        "has_voted": has_voted,
        "refusal": refusal,
        "sign_in_url": sign_in_url,
        "verify_url": verify_url,
        "tally": poll_tally(poll) if poll.results_visible else None,
    }


def visible_poll(request: HttpRequest, pk: int) -> Poll:
    """The poll if this visitor may see it: drafts and polls of an unpublished meeting are
    404 to the public (the meeting's staff still see the latter, but cannot vote in it)."""
    poll = get_object_or_404(Poll.objects.select_related("meeting"), pk=pk)
    if not poll_visible(poll, request.user):
        raise Http404
    return poll


@require_GET
def poll_list(request: HttpRequest) -> HttpResponse:
    return render(request, "polls/list.html", {"polls": polls_public()})


@require_GET
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = visible_poll(request, pk)
    return render(request, "polls/detail.html", poll_context(request, poll))


@require_GET
def poll_box(request: HttpRequest, pk: int) -> HttpResponse:
    """The poll's box alone: the player fetches it when the operator opens or closes a vox
    pop, so it appears and disappears without a reload (polls.js)."""
    poll = visible_poll(request, pk)
    context = poll_context(request, poll, page=_next_or(request, poll.get_absolute_url()))
    context["heading"] = True
    return render(request, "polls/partials/poll_box.html", context)


@require_GET
def staff_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The result for staff: counted now, whether or not the public may read it yet, with
    the votes recounted from the raw rows beside the live counters."""
    poll = get_object_or_404(Poll.objects.select_related("meeting__body"), pk=pk)
    if not request.user.has_perm("polls.view_results", poll):
        raise PermissionDenied
    tally = poll_tally(poll)
    recounted = poll_recount(poll)
    agrees = all(
        recounted.get(option["id"], 0) == option["votes"]
        for question in tally["questions"]
        for option in question["options"]
    )
    return render(
        request,
        "polls/staff_results.html",
        {
            "poll": poll,
            "tally": tally,
            "agrees": agrees,
            "may_operate": request.user.has_perm("polls.operate_poll", poll),
            "public": poll_visible(poll, AnonymousUser()),
        },
    )


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    poll = visible_poll(request, pk)
    form = VoteForm(request.POST, poll=poll)
    status = 200
    has_voted = False
    if not hit(request, RATE_GROUP, RATE, per_address=RATE_PER_ADDRESS):
        if not _wants_fragment(request):
            return too_many(request)
        # The player shows this in the box, instead of leaving the meeting for a page.
        messages.error(
            request, _("You have done this too many times in a short while. Try again later.")
        )
        status = 429
    elif form.is_valid():
        try:
            vote_cast(poll=poll, voter=voter_from_request(request), options=form.chosen_options())
        except VoteRefused as refusal:
            messages.error(request, str(refusal))
            # The poll may have closed since it was read: answer (and show) it as it is now.
            poll.refresh_from_db(fields=["status", "closed_at"])
            status = 409 if poll.is_open else 400
        else:
            messages.success(request, _("Thank you, your vote is counted."))
            has_voted = True
    else:
        messages.error(
            request, _("Your vote was not counted: choose one option for every question.")
        )
        status = 400
    if _wants_fragment(request):
        if has_voted:
            # The vote just counted: no form, and the result the vote itself read back.
            context = {
                "poll": poll,
                "form": None,
                "has_voted": True,
                "tally": getattr(poll, "last_tally", None) if poll.results_visible else None,
            }
            if poll.results_visible and context["tally"] is None:
                context["tally"] = poll_tally(poll)
        else:
            context = poll_context(
                request,
                poll,
                form if status in (400, 429) else None,
                page=_next_or(request, poll.get_absolute_url()),
            )
        context["fragment"] = True
        return render(request, "polls/partials/poll_box.html", context, status=status)
    return redirect(_next_or(request, poll.get_absolute_url()))


def _operate(request: HttpRequest, pk: int, action) -> HttpResponse:
    poll = get_object_or_404(Poll, pk=pk)
    if not request.user.has_perm("polls.operate_poll", poll):
        raise PermissionDenied
    fallback = poll.meeting.get_absolute_url() if poll.meeting_id else poll.get_absolute_url()
    if poll.meeting_id and is_rehearsing(request.session, poll.meeting):
        # An open vox pop is public: a rehearsal publishes nothing.
        messages.error(
            request, _("A vox pop cannot be opened in a rehearsal: viewers would see it.")
        )
        return redirect(_next_or(request, fallback))
    try:
        action(poll=poll)
    except PollStateError as error:
        messages.error(request, str(error))
    return redirect(_next_or(request, fallback))


@require_POST
def operate_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _operate(request, pk, poll_open)


@require_POST
def operate_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _operate(request, pk, poll_close)


@require_POST
def operate_quick(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """A vox pop made (and opened) from the operator console."""
    meeting = get_object_or_404(Meeting, pk=meeting_pk)
    if not request.user.has_perm("polls.operate_poll"):
        raise PermissionDenied
    back = _next_or(request, reverse("webcasts:console", args=[meeting.pk]))
    form = QuickPollForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
            break
        return redirect(back)
    try:
        poll = poll_quick_create(
            meeting=meeting,
            question=form.cleaned_data["question"],
            options=form.option_texts(),
            voter_policy=form.cleaned_data["voter_policy"],
            # An open vox pop is public: a rehearsal makes it and leaves it prepared.
            open_now=form.cleaned_data["open_now"] and not is_rehearsing(request.session, meeting),
        )
    except PollStateError as error:
        messages.error(request, str(error))
        return redirect(back)
    if poll.status == Poll.Status.OPEN:
        messages.success(request, _("The vox pop “%(title)s” is open.") % {"title": poll.title})
    else:
        messages.success(
            request, _("The vox pop “%(title)s” is ready to open.") % {"title": poll.title}
        )
    return redirect(back)
