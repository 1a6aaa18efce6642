"""Staff pages: the social accounts (administrators) and a meeting's posts and live
broadcasts (editors)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samskab.social import broadcasts, limits, selectors, services
from samskab.social.forms import AccountForm, BlueskyForm, MeetingAccountsForm, PostForm
from samskab.social.http import NetworkError, endpoint
from samskab.social.models import Account, Broadcast, Network, Post
from samskab.webcasts.models import Meeting


def _require(request: HttpRequest, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def redirect_uri() -> str:
    """The address each network sends staff back to (registered in each app, docs/social.md)."""
    return f"{settings.SITE_URL}{reverse('social:callback')}"


AUTHORIZE_ENDPOINTS = {
    Network.X: "x_authorize",
    Network.FACEBOOK: "facebook_dialog",
    Network.LINKEDIN: "linkedin_oauth",
    Network.YOUTUBE: "google_authorize",
}


def approval_origins(accounts: list[Account]) -> list[str]:
    """Where the Connect buttons' forms lead (through our redirect): the CSP's form-action
    must allow the networks' approval pages, or the browser stops at the redirect."""
    origins = set()
    for account in accounts:
        if account.network == Network.MASTODON:
            url = account.server_url
        elif account.network in AUTHORIZE_ENDPOINTS:
            url = endpoint(AUTHORIZE_ENDPOINTS[account.network])
        else:
            continue
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


@require_GET
@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    _require(request, "social.manage_accounts")
    listed = list(Account.objects.prefetch_related("bodies"))
    response = render(
        request, "social/accounts.html", {"accounts": listed, "redirect_uri": redirect_uri()}
    )
    origins = approval_origins(listed)
    if origins:
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


@require_http_methods(["GET", "POST"])
@login_required
def account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(request, "social.manage_accounts")
    account = get_object_or_404(Account, pk=pk) if pk else None
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if form.cleaned_data.get("client_secret"):
                services.account_set_secret(
                    account=saved, secret=form.cleaned_data["client_secret"]
                )
            saved.save()
            form.save_m2m()
        messages.success(request, _("Saved. Now connect the account."))
        return redirect("social:accounts")
    return render(request, "social/account_form.html", {"form": form, "account": account})


@require_POST
@login_required
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "social.manage_accounts")
    account = get_object_or_404(Account, pk=pk)
    account.delete()
    messages.success(request, _("The account is removed; its posts' log goes with it."))
    return redirect("social:accounts")


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def account_connect(request: HttpRequest, pk: int) -> HttpResponse:
    """Bluesky: the app password form. Every other network: off to its approval page."""
    _require(request, "social.manage_accounts")
    account = get_object_or_404(Account, pk=pk)
    if account.network == Network.BLUESKY:
        form = BlueskyForm(request.POST or None, initial={"identifier": account.handle})
        if request.method == "POST" and form.is_valid():
            try:
                services.account_connect_bluesky(
                    account=account,
                    identifier=form.cleaned_data["identifier"],
                    password=form.cleaned_data["password"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(name)s is connected.") % {"name": account.name})
                return redirect("social:accounts")
        return render(request, "social/bluesky.html", {"form": form, "account": account})
    if request.method != "POST":
        return redirect("social:accounts")
    try:
        url = services.account_connect_start(account=account, redirect_uri=redirect_uri())
    except NetworkError as error:
        messages.error(
            request, _("The network could not be reached: %(reason)s") % {"reason": error.reason}
        )
        return redirect("social:accounts")
    return redirect(url)


@never_cache
@require_GET
@login_required
def callback(request: HttpRequest) -> HttpResponse:
    """Where the network sends staff back, with a code (or an error) and our state."""
    _require(request, "social.manage_accounts")
    try:
        account = services.account_connect_finish(
            state=request.GET.get("state", "")[:100],
            code=request.GET.get("code", "")[:2000],
            redirect_uri=redirect_uri(),
            now=timezone.now(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is connected.") % {"name": account.name})
    return redirect("social:accounts")


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    _require(request, "social.manage_posts", meeting)
    return meeting


@require_GET
@login_required
def meeting_posts(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    return render(request, "social/meeting.html", _meeting_context(meeting))


def _meeting_context(meeting: Meeting, forms: dict | None = None) -> dict:
    posts = selectors.meeting_posts(meeting)
    rows = []
    for post in posts:
        form = (forms or {}).get(post.pk) or PostForm(post=post)
        rows.append(
            {
                "post": post,
                "form": form,
                "open": post.status in (Post.Status.SCHEDULED, Post.Status.RETRY),
                "length": limits.length(post.text, post.account.network, post.account.server_limits)
                if post.account.network in limits.LIMITS
                else len(post.text),
                "limit": limits.of(post.account.network, post.account.server_limits).length
                if post.account.network in limits.LIMITS
                else None,
            }
        )
    choice_rows = selectors.meeting_accounts(meeting)
    turned_off = {row["account"].pk for row in choice_rows if not row["used"]}
    for row in rows:
        row["held"] = row["open"] and row["post"].account_id in turned_off
    return {
        "meeting": meeting,
        "rows": rows,
        "choice_form": (forms or {}).get("choice") or MeetingAccountsForm(rows=choice_rows),
        "broadcasts": selectors.meeting_broadcasts(meeting),
        "has_accounts": Account.objects.exists(),
    }


@require_POST
@login_required
def post_edit(request: HttpRequest, pk: int, post_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    post = get_object_or_404(Post.objects.select_related("account"), pk=post_pk, meeting=meeting)
    form = PostForm(request.POST, post=post)
    if form.is_valid():
        try:
            services.post_edit(
                post=post,
                text=form.cleaned_data["text"],
                picture_alt=form.cleaned_data["picture_alt"],
                with_picture=form.cleaned_data["with_picture"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The post is changed."))
            return redirect(reverse("social:meeting", args=[meeting.pk]) + f"#post-{post.pk}")
    context = _meeting_context(meeting, {post.pk: form})
    return render(request, "social/meeting.html", context, status=400)


@require_POST
@login_required
def post_action(request: HttpRequest, pk: int, post_pk: int, action: str) -> HttpResponse:
    meeting = _meeting(request, pk)
    post = get_object_or_404(Post, pk=post_pk, meeting=meeting)
    try:
        if action == "cancel":
            services.post_cancel(post=post)
            messages.success(request, _("The post is cancelled."))
        else:
            services.post_try_again(post=post, now=timezone.now())
            messages.success(request, _("The post will be tried again within a minute."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("social:meeting", args=[meeting.pk]) + f"#post-{post.pk}")


@require_POST
@login_required
def broadcast_cancel(request: HttpRequest, pk: int, broadcast_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    broadcast = get_object_or_404(Broadcast, pk=broadcast_pk, meeting=meeting)
    try:
        broadcasts.broadcast_cancel(broadcast=broadcast)
        messages.success(request, _("The live broadcast is cancelled."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("social:meeting", pk=meeting.pk)


@require_POST
@login_required
def meeting_accounts(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor's choice of the accounts used for this meeting."""
    meeting = _meeting(request, pk)
    form = MeetingAccountsForm(request.POST, rows=selectors.meeting_accounts(meeting))
    if not form.is_valid():
        context = _meeting_context(meeting, {"choice": form})
        return render(request, "social/meeting.html", context, status=400)
    changed = services.meeting_accounts_set(
        meeting=meeting, used=set(form.cleaned_data["accounts"])
    )
    if changed:
        messages.success(request, _("The accounts for this meeting are saved."))
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect(reverse("social:meeting", args=[meeting.pk]) + "#social-accounts")
