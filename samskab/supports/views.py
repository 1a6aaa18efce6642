"""The one support button's endpoint: htmx gets the button back, a plain form a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskab.core import targets
from samskab.core.ratelimit import ratelimit
from samskab.supports import services
from samskab.supports.templatetags.supports import button_context


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
@ratelimit("support", "30/m")
def toggle(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    # 404 for what the visitor may not see; the target's own rule is asked by the service
    # (a refusal is a message, so the page can say why: a closed phase, not verified...).
    target = targets.resolve(label, pk, capability="support", user=request.user)
    adding = request.POST.get("support") != "0"
    withdraw = request.POST.get("withdraw", "1") != "0"
    try:
        if adding:
            services.support_add(target=target, user=request.user)
        elif withdraw:
            services.support_remove(target=target, user=request.user)
        else:
            raise services.SupportRefused(_("Supports can no longer be changed here."))
    except services.SupportRefused as refusal:
        if request.headers.get("HX-Request") != "true":
            messages.error(request, refusal.message)
            return _back(request, target)
        error = refusal.message
    else:
        error = ""
    if request.headers.get("HX-Request") == "true":
        data = button_context(
            request,
            target,
            support_text=request.POST.get("support_text", "")[:200],
            refused_text=request.POST.get("refused_text", "")[:300],
            next_url=request.POST.get("next", ""),
            withdraw=withdraw,
        )
        data["error"] = error
        return render(request, "supports/partials/support_button.html", data)
    if adding:
        messages.success(request, _("Thank you for your support."))
    else:
        messages.success(request, _("Your support is taken back."))
    return _back(request, target)
