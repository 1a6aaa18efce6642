"""The moderators' queue and log, citizens' "report this", and a place's moderation mode;
on any target registered with core.targets (addressed as "app_label.model" and a pk)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from samskab.core import targets
from samskab.core.clientaddress import request_address_pseudonym
from samskab.core.ratelimit import hit, too_many
from samskab.moderation import selectors, services
from samskab.moderation.forms import (
    BAN_DURATIONS,
    LiftBanForm,
    ModeForm,
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
    items = selectors.queue(limit=200)
    template = (
        "moderation/partials/queue_items.html"
        if request.headers.get("HX-Request") == "true"
        else "moderation/queue.html"
    )
    wanted = request.GET.get("focus", "")
    focus = next((item for item in items if item.key == wanted), None)
    if focus is None and wanted and items:
        focus = items[0]  # the named post is gone (handled by a colleague): the first
    return render(
        request,
        template,
        {"items": items, "durations": BAN_DURATIONS, "focus": focus.dom_id if focus else ""},
    )


@require_POST
def act(request: HttpRequest) -> HttpResponse:
    """One form for the whole queue: a per-item button (`one=approve:12`) or bulk buttons."""
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    moderator = request.user
    single = request.POST.get("one", "")
    if single:
        # "approve:comments.comment:12": the action, then the target's key.
        action, _sep, key = single.partition(":")
        keys = [key]
        reason = request.POST.get(f"reason-{key}", "")
    else:
        action = request.POST.get("bulk", "")
        keys = request.POST.getlist("selected")
        reason = request.POST.get("bulk_reason", "")
    items = [obj for obj in (targets.from_key(k) for k in keys[:200]) if obj is not None]
    if not items:
        messages.error(request, _("Choose at least one post."))
        return redirect("moderation:queue")
    try:
        if action in ("hold", "restore"):
            change = services.target_hold if action == "hold" else services.target_restore
            for target in items:
                change(target=target, moderator=moderator, reason=reason)
            messages.success(request, _("%(n)d posts handled.") % {"n": len(items)})
        elif action == "ban":
            target = items[0]
            key = targets.key_of(target)
            days = BAN_DURATIONS.get(request.POST.get(f"duration-{key}", ""), 1)
            until = timezone.now() + timedelta(days=days) if days else None
            services.ban_for_target(target=target, moderator=moderator, reason=reason, until=until)
            services.target_hide(target=target, moderator=moderator, reason=reason)
            messages.success(request, _("The author is banned and the post removed."))
        else:
            done = services.targets_bulk(
                items=items, action=action, moderator=moderator, reason=reason
            )
            messages.success(request, _("%(n)d posts handled.") % {"n": done})
    except services.ModerationError as error:
        messages.error(request, error.message)
    # Back to the queue at the post after the one just handled: moderation.js names it
    # (the next in the list, else the one before) and gives it focus after the reload.
    focus = targets.from_key(request.POST.get("focus_next", ""))
    query = f"?focus={targets.key_of(focus)}" if focus is not None else ""
    return redirect(reverse("moderation:queue") + query)


def _target(label: str, pk: int):
    """A target for staff: any registered object, seen or not (moderators see it all)."""
    obj = targets.from_key(f"{label}:{pk}")
    if obj is None:
        from django.http import Http404

        raise Http404
    return obj


def edit(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    target = _target(label, pk)
    post = selectors.item_of(target).post
    if post is None:
        raise PermissionDenied
    form = ModeratorEditForm(request.POST or None, initial={"body": post.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.target_moderate_edit(
                target=target,
                moderator=request.user,
                body=form.cleaned_data["body"],
                reason=form.cleaned_data["reason"],
            )
        except services.ModerationError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, _("The post is changed."))
            return redirect("moderation:queue")
    return render(request, "moderation/edit.html", {"form": form, "post": post})


@require_GET
def log(request: HttpRequest) -> HttpResponse:
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    entries = ModerationLogEntry.objects.select_related("moderator", "ban", "content_type")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "moderation/log.html", {"page": page})


REPORTS_PER_ADDRESS = "20/h"


def _anonymous_reporter(request: HttpRequest) -> str:
    """The viewer cookie the browser sent, else its address; a report never makes a cookie
    (a new one per report would make every report a new reporter)."""
    viewer = getattr(request, "viewer", None)
    if viewer is not None and viewer.from_cookie:
        return viewer.key
    return "address:" + request_address_pseudonym(request)


def report(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    # 404 for what the visitor may not see (a comment on a hidden meeting: security M5),
    # 403 when the target's own rule (`<app>.report_<model>`) says no.
    target = targets.resolve_allowed(label, pk, capability="report", user=request.user)
    item = selectors.item_of(target)
    if not item.is_published:
        from django.http import Http404

        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        # Without an account, at most REPORTS_PER_ADDRESS reports an hour from one address
        # (with accounts five times that, counted apart): reports without an account are a
        # signal for the moderators, never a takedown (services.report_create).
        if not hit(request, "report", "10/h", per_address=REPORTS_PER_ADDRESS):
            return too_many(request)
        if form.is_valid():
            try:
                services.report_create(
                    target=target,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                    anonymous_key=_anonymous_reporter(request),
                )
            except services.ModerationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Thank you. A moderator will look at it."))
            return redirect(item.where.url or "/")
    return render(
        request,
        "moderation/report.html",
        {"form": form, "item": item},
        status=400 if form.errors else 200,
    )


@require_GET
def published(request: HttpRequest) -> HttpResponse:
    """Published posts, newest first, each with a way to take it down."""
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.published_posts(search=search), 50).get_page(request.GET.get("page"))
    return render(request, "moderation/published.html", {"page": page, "search": search})


def take_down(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """Take a published post down, with a reason for the author and the log."""
    if (refusal := _moderator_only(request)) is not None:
        return refusal
    target = _target(label, pk)
    item = selectors.item_of(target)
    if item.post is None or not item.is_published:
        from django.http import Http404

        raise Http404
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    form = TakeDownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_take_down(
                target=target, moderator=request.user, reason=form.cleaned_data["reason"]
            )
        except services.ModerationError as error:
            form.add_error("reason", error.message)
        else:
            messages.success(request, _("The post is taken down and the author is told why."))
            return redirect(back or "moderation:published")
    return render(
        request,
        "moderation/take_down.html",
        {"form": form, "item": item, "next": back},
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


@require_POST
def mode(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """Choose a place's moderation mode from its own staff page (a meeting's, a budget's):
    moderators, and whoever the place's own rule `<app>.moderate_<model>` lets."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    place = _target(label, pk)
    if not selectors.may_set_mode(request.user, place):
        raise PermissionDenied
    form = ModeForm(request.POST)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = targets.where_of(place).url or reverse("moderation:queue")
    if not form.is_valid():
        messages.error(request, _("Choose a mode."))
        return redirect(back)
    services.policy_set(
        place=place,
        mode=form.cleaned_data["mode"],
        allow_anonymous=form.cleaned_data["allow_anonymous"],
        moderator=request.user,
    )
    messages.success(request, _("The moderation mode is saved."))
    return redirect(back)
