"""The notification centre, the settings, and one-click unsubscribe (RFC 8058)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from samskab.activity import kinds
from samskab.core.ratelimit import ratelimit
from samskab.notifications import selectors, services
from samskab.notifications.models import Mode


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("side"))
    items = selectors.describe(page.object_list)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "items": items, "unread": services.unread_count(request.user)},
    )


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_read(user=request.user, pk=pk)
    return redirect("notifications:list")


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    if services.notifications_read_all(user=request.user):
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in sorted(kinds.registered(), key=lambda k: str(k.title)):
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.title,
                choices=Mode.choices,
                initial=current.get(kind.key, Mode.IMMEDIATELY),
                widget=forms.RadioSelect,
                required=False,  # a kind left out stays as it was
            )


@login_required
@ratelimit("notification-settings", "30/h")
def preferences(request: HttpRequest) -> HttpResponse:
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        for key, mode in form.cleaned_data.items():
            if mode and current.get(key) != mode:
                services.preference_set(user=request.user, kind=key, mode=mode)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


@csrf_exempt  # RFC 8058: the mail client posts without a session; the signed token is the key
@ratelimit("unsubscribe", "30/m")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page that asks (link checkers and previews must not unsubscribe anyone).
    POST (the mail client's one click, or the page's button): that kind is off."""
    found = services.unsubscribe_read(token)
    if found is None:
        raise Http404
    user_id, key = found
    kind = kinds.by_key(key)
    if key != services.DIGEST and kind is None:
        raise Http404
    context = {"kind": kind, "is_digest": key == services.DIGEST, "token": token}
    if request.method == "POST":
        if services.unsubscribe(user_id=user_id, kind=key) is None:
            raise Http404
        return render(request, "notifications/unsubscribed.html", context)
    if request.method != "GET":
        return HttpResponse(status=405)
    with translation.override(translation.get_language()):
        return render(request, "notifications/unsubscribe.html", context)
