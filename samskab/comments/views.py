"""Posting, replying, voting, editing and deleting; every view works without JavaScript.

A request from our scripts (header HX-Request) gets a partial; a plain form post is
redirected back to the thread with a message.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from samskab.comments import challenges, selectors, services
from samskab.comments.forms import AnonymousCommentForm, CommentForm, EditForm
from samskab.comments.models import Comment
from samskab.core import targets
from samskab.core.ratelimit import hit, too_many
from samskab.moderation.selectors import place_rules


def _is_partial(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back_url(request: HttpRequest, target) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        url = reverse("comments:thread", args=[targets.label_of(target), target.pk])
    return url


def _back(request: HttpRequest, target, anchor: str = "") -> HttpResponse:
    url = _back_url(request, target)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, target, message: str, status: int = 400) -> HttpResponse:
    if _is_partial(request):
        return render(request, "comments/partials/error.html", {"message": message}, status=status)
    messages.error(request, message)
    return _back(request, target)


@require_GET
def thread(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    target = targets.resolve(label, pk, capability="comment", user=request.user)
    template = (
        "comments/partials/thread_body.html" if _is_partial(request) else "comments/page.html"
    )
    return render(request, template, {"target": target})


@require_POST
def post(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    target = targets.resolve_allowed(label, pk, capability="comment", user=request.user)
    signed_in = request.user.is_authenticated
    rate = "10/m" if signed_in else "3/m"
    # Counted before the viewer cookie is made: a browser without one is its address, so
    # dropping the cookie does not open a new count.
    if not hit(request, "comment", rate, per_address="120/h") or not hit(
        request, "comment-hour", "60/h", per_address="240/h"
    ):
        return too_many(request)
    viewer_key = request.viewer.key
    form_class = CommentForm if signed_in else AnonymousCommentForm
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        errors = "; ".join(str(e) for field in form.errors.values() for e in field)
        return _refused(request, target, errors)
    data = form.cleaned_data
    if not signed_in:
        if not place_rules(target).allow_anonymous:
            return _refused(request, target, _("Sign in to comment here."), status=403)
        if not challenges.verify(
            place=f"{label}:{pk}", challenge=data["challenge"], nonce=data["nonce"]
        ):
            return _refused(
                request,
                target,
                _(
                    "Your browser must finish a small calculation before posting. "
                    "Turn on JavaScript or sign in, and try again."
                ),
            )
    parent = None
    if data.get("parent"):
        parent = get_object_or_404(Comment, pk=data["parent"])
    try:
        comment = services.comment_post(
            target=target,
            body=data["body"],
            author=request.user if signed_in else None,
            author_name=data.get("author_name", ""),
            viewer_key=viewer_key,
            parent=parent,
            image=data.get("image"),
            image_alt=data.get("image_alt", ""),
            language=get_language() or "",
        )
    except services.CommentError as error:
        return _refused(request, target, error.message)
    if comment.status == Comment.Status.PENDING:
        notice = _("Thank you. Your comment will be shown when a moderator has approved it.")
    else:
        notice = _("Your comment is posted.")
    if _is_partial(request):
        return render(
            request,
            "comments/partials/posted.html",
            {
                "comment": comment,
                "notice": notice,
                "node": selectors.Node(
                    comment=comment, is_own_pending=comment.status == Comment.Status.PENDING
                ),
            },
        )
    messages.success(request, notice)
    return _back(request, target, comment.anchor)


@require_POST
def vote(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=comment_id)
    target = comment.target
    if not hit(request, "comment-vote", "30/m", per_address="300/h"):
        return too_many(request)
    try:
        value = int(request.POST.get("value", "0"))
    except ValueError:
        value = 0
    try:
        services.comment_vote(
            comment=comment,
            value=value,
            user=request.user if request.user.is_authenticated else None,
            viewer_key=request.viewer.key,
        )
    except services.CommentError as error:
        return _refused(request, target, error.message, status=409)
    if _is_partial(request):
        return render(
            request, "comments/partials/votes.html", {"comment": comment, "my_vote": value}
        )
    return _back(request, target, comment.anchor)


def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=comment_id)
    if not request.user.has_perm("comments.edit_comment", comment):
        raise PermissionDenied
    target = comment.target
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST":
        if not hit(request, "comment", "10/m", per_address="120/h"):
            return too_many(request)
        if form.is_valid():
            try:
                services.comment_edit(comment=comment, body=form.cleaned_data["body"])
            except services.CommentError as error:
                form.add_error("body", error.message)
            else:
                return _back(request, target, comment.anchor)
    return render(
        request,
        "comments/edit.html",
        {"form": form, "comment": comment},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Asks first (GET), deletes on the answer (POST): a deleted comment cannot come back."""
    comment = get_object_or_404(Comment, pk=comment_id)
    if not request.user.has_perm("comments.edit_comment", comment):
        raise PermissionDenied
    if request.method == "GET":
        return render(
            request,
            "comments/delete.html",
            {"comment": comment, "next": _back_url(request, comment.target)},
        )
    services.comment_delete(comment=comment)
    messages.success(request, _("Your comment is deleted."))
    return _back(request, comment.target, comment.anchor)


@require_GET
def challenge(request: HttpRequest, label: str, pk: int) -> JsonResponse:
    targets.resolve(label, pk, capability="comment", user=request.user)
    if not hit(request, "comment-challenge", "30/m"):
        return JsonResponse({"error": _("Too many requests.")}, status=429)
    response = JsonResponse(challenges.issue(f"{label}:{pk}"))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def liveblog(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """The live blog's posts and form, fetched by liveblog.js into the player's section."""
    from django.middleware.csrf import get_token

    from samskab.comments.templatetags.comments import liveblog_context

    target = targets.resolve(label, pk, capability="comment", user=request.user)
    data = liveblog_context({"request": request, "csrf_token": get_token(request)}, target)
    # Forms in the live blog come back to the player, not to this fragment.
    back = getattr(target, "get_absolute_url", None)
    data["next"] = back() if back else data["thread_url"]
    response = render(request, "comments/partials/liveblog_body.html", data)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def since(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """The live blog's fallback when server push is unavailable: posts after an id."""
    target = targets.resolve(label, pk, capability="comment", user=request.user)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    posts = selectors.published_after(target, after_id=after)
    return render(request, "comments/partials/live_posts.html", {"posts": posts})
