"""The moderators' queue and log, and citizens' "report this"."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samskab.comments.models import Comment
from samskab.core.ratelimit import hit, too_many
from samskab.moderation import selectors, services
from samskab.moderation.forms import (
    BAN_DURATIONS,
    LiftBanForm,
    ModeratorEditForm,
    ReportForm,
    TakeDownForm,
)
from samskab.moderation.models import Ban, ModerationLogEntry


def _moderator_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("moderation.view_queue"):
        raise PermissionDenied
    return None


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    items = list(selectors.queue()[:200])
    template = (
        "moderation/partials/queue_items.html"
        if request.headers.get("HX-Request") == "true"
        else "moderation/queue.html"
    )
    return render(request, template, {"items": items, "durations": BAN_DURATIONS})


@require_POST
def act(request: HttpRequest) -> HttpResponse:
    """One form for the whole queue: a per-item button (`one=approve:12`) or bulk buttons."""
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    moderator = request.user
    single = request.POST.get("one", "")
    if single:
        action, _sep, raw_id = single.partition(":")
        ids = [raw_id]
        reason = request.POST.get(f"reason-{raw_id}", "")
    else:
        action = request.POST.get("bulk", "")
        ids = request.POST.getlist("selected")
        reason = request.POST.get("bulk_reason", "")
    comments = list(Comment.objects.filter(pk__in=[i for i in ids if i.isdigit()]))
    if not comments:
        messages.error(request, _("Choose at least one post."))
        return redirect("moderation:queue")
    try:
        if action == "ban":
            comment = comments[0]
            days = BAN_DURATIONS.get(request.POST.get(f"duration-{comment.pk}", ""), 1)
            until = timezone.now() + timedelta(days=days) if days else None
            services.ban_for_comment(
                comment=comment, moderator=moderator, reason=reason, until=until
            )
            services.comment_reject(comment=comment, moderator=moderator, reason=reason)
            messages.success(request, _("The author is banned and the post removed."))
        else:
            done = services.comments_bulk(
                comments=comments, action=action, moderator=moderator, reason=reason
            )
            messages.success(request, _("%(n)d posts handled.") % {"n": done})
    except services.ModerationError as error:
        messages.error(request, error.message)
    return redirect("moderation:queue")


def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    comment = get_object_or_404(Comment, pk=comment_id)
    form = ModeratorEditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_moderate_edit(
                comment=comment,
                moderator=request.user,
                body=form.cleaned_data["body"],
                reason=form.cleaned_data["reason"],
            )
        except services.ModerationError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, _("The post is changed."))
            return redirect("moderation:queue")
    return render(request, "moderation/edit.html", {"form": form, "comment": comment})


@require_GET
def log(request: HttpRequest) -> HttpResponse:
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    entries = ModerationLogEntry.objects.select_related("moderator", "comment", "ban")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "moderation/log.html", {"page": page})


def report(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=comment_id, status=Comment.Status.PUBLISHED)
    from django.http import Http404

    from samskab.core.targets import is_visible

    if not is_visible(comment.target, request.user):
        raise Http404  # a comment on what the visitor may not see (security M5)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if not hit(request, "report", "10/h"):
            return too_many(request)
        if form.is_valid():
            key = f"user:{request.user.pk}" if request.user.is_authenticated else request.viewer.key
            try:
                services.report_create(
                    comment=comment,
                    reporter_key=key,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except services.ModerationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Thank you. A moderator will look at it."))
            from samskab.core import targets

            target = comment.target
            return redirect(
                reverse("comments:thread", args=[targets.label_of(target), target.pk])
                + f"#{comment.anchor}"
            )
    return render(
        request,
        "moderation/report.html",
        {"form": form, "comment": comment},
        status=400 if form.errors else 200,
    )


@require_GET
def published(request: HttpRequest) -> HttpResponse:
    """Published posts, newest first, each with a way to take it down."""
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.published_posts(search=search), 50).get_page(request.GET.get("page"))
    prefetch_related_objects(page.object_list, "target")
    for comment in page.object_list:
        comment.thread_url = _thread_url(comment)
    return render(request, "moderation/published.html", {"page": page, "search": search})


def _thread_url(comment: Comment) -> str:
    from samskab.core import targets

    target = comment.target
    if target is None:
        return ""
    return (
        reverse("comments:thread", args=[targets.label_of(target), target.pk])
        + f"#{comment.anchor}"
    )


def take_down(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Take a published post down, with a reason for the author and the log."""
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    comment = get_object_or_404(Comment, pk=comment_id, status=Comment.Status.PUBLISHED)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    form = TakeDownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_take_down(
                comment=comment, moderator=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ModerationError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, _("The post is taken down and the author is told why."))
            return redirect(back or "moderation:published")
    return render(
        request,
        "moderation/take_down.html",
        {"form": form, "comment": comment, "next": back},
        status=400 if form.errors else 200,
    )


@require_GET
def bans(request: HttpRequest) -> HttpResponse:
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    return render(
        request,
        "moderation/bans.html",
        {"bans": list(selectors.bans_in_force()[:500]), "form": LiftBanForm()},
    )


@require_POST
def ban_lift(request: HttpRequest, ban_id: int) -> HttpResponse:
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    ban = get_object_or_404(Ban, pk=ban_id)
    form = LiftBanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for lifting the ban."))
        return redirect("moderation:bans")
    try:
        services.ban_lift(ban=ban, moderator=request.user, reason=form.cleaned_data["reason"])
    except services.ModerationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The ban is lifted."))
    return redirect("moderation:bans")
