"""The generic place page: say where a target is (its own `<app>.locate_<model>` decides)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samskab.core import targets
from samskab.core.ratelimit import ratelimit
from samskab.places.forms import PlaceForm
from samskab.places.maps import municipality_map
from samskab.places.selectors import place_of
from samskab.places.services import PlaceRefused, place_set


@require_http_methods(["GET", "POST"])
@login_required
@ratelimit("locate", "30/h")
def edit(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    target = targets.resolve_allowed(label, pk, capability="locate", user=request.user)
    place = place_of(target)
    initial = (
        {"address": place.address, "latitude": place.latitude, "longitude": place.longitude}
        if place
        else {}
    )
    form = PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place_set(
                target=target,
                user=request.user,
                latitude=data["latitude"],
                longitude=data["longitude"],
                address=data["address"],
                area=place.area if place else "",
            )
        except PlaceRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The place is saved."))
            absolute = getattr(target, "get_absolute_url", None)
            return redirect(absolute() if absolute else "home")
    return render(
        request,
        "places/edit.html",
        {"target": target, "form": form, "map": municipality_map()},
        status=400 if form.errors else 200,
    )
