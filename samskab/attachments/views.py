"""The generic attachment pages: add a picture or document to a target, and take one down.
htmx gets the target's list back; a plain form gets the whole page or a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samskab.attachments import services
from samskab.attachments.forms import AttachmentForm
from samskab.attachments.models import Document, Image
from samskab.attachments.templatetags.attachments import list_context
from samskab.core import targets
from samskab.core.ratelimit import ratelimit

KINDS = {"billede": Image, "dokument": Document}


def _back(request: HttpRequest, target) -> HttpResponse:
    url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    absolute = getattr(target, "get_absolute_url", None)
    return redirect(absolute() if absolute else "home")


def _partial(request: HttpRequest, target) -> HttpResponse:
    data = list_context(request, target, next_url=request.POST.get("next", ""))
    return render(request, "attachments/partials/list.html", data)


@require_http_methods(["GET", "POST"])
@login_required
@ratelimit("attach", "20/h")
def add(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    target = targets.resolve_allowed(label, pk, capability="attach", user=request.user)
    posted = request.method == "POST"
    form = AttachmentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        limits=services.limits_of(target),
    )
    if posted and form.is_valid():
        if not (form.images() or form.documents()):
            form.add_error(None, _("Choose a picture or a document to add."))
        else:
            try:
                for image, alt in form.images():
                    services.image_add(target=target, user=request.user, image=image, alt=alt)
                for document, title in form.documents():
                    services.document_add(
                        target=target, user=request.user, document=document, title=title
                    )
            except services.AttachmentRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                if request.headers.get("HX-Request") == "true":
                    return _partial(request, target)
                messages.success(request, _("Thank you. It is added."))
                return _back(request, target)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    data = list_context(request, target, next_url=next_url)
    data.update(form=form, action=reverse("attachments:add", args=[label, pk]), next=next_url)
    if posted and request.headers.get("HX-Request") == "true":
        # A refused upload: the form comes back with its errors in its own place (htmx swaps
        # only answers below 400, so this one says 200 and where it goes).
        response = render(request, "attachments/partials/form.html", data)
        response["HX-Retarget"] = "this"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "attachments/add.html", data, status=400 if form.errors else 200)


@require_POST
@login_required
@ratelimit("attach-remove", "60/h")
def remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    attachment = get_object_or_404(model, pk=pk)
    target = attachment.target
    if target is None or not targets.is_visible(target, request.user):
        raise Http404
    try:
        services.attachment_remove(attachment=attachment, user=request.user)
    except services.AttachmentRefused as refusal:
        raise PermissionDenied(refusal.message) from None
    if request.headers.get("HX-Request") == "true":
        return _partial(request, target)
    messages.success(request, _("It is removed."))
    return _back(request, target)
