"""The one follow button's endpoint: htmx gets the button back, a plain form a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskab.core import targets
from samskab.core.ratelimit import ratelimit
from samskab.follows import services
from samskab.follows.templatetags.follows import button_context


def _back(request: HttpRequest, target) -> HttpResponse:
    url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    absolute = getattr(target, "get_absolute_url", None)
    return redirect(absolute() if absolute else "home")


@require_POST
@login_required
@ratelimit("follow", "30/m")
def toggle(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    target = targets.resolve_allowed(label, pk, capability="follow", user=request.user)
    following = request.POST.get("follow") != "0"
    try:
        if following:
            services.follow_add(target=target, user=request.user, language=request.LANGUAGE_CODE)
        else:
            services.follow_remove(target=target, user=request.user)
    except services.FollowRefused as error:
        messages.error(request, error.message)
        return _back(request, target)
    if request.headers.get("HX-Request") == "true":
        data = button_context(
            request,
            target,
            follow_text=request.POST.get("follow_text", ""),
            following_text=request.POST.get("following_text", ""),
            next_url=request.POST.get("next", ""),
        )
        return render(request, "follows/partials/follow_button.html", data)
    if following:
        messages.success(request, _("You follow it now. We tell you when it changes."))
    else:
        messages.success(request, _("You no longer follow it."))
    return _back(request, target)
