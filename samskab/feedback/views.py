"""The feedback form of a meeting (also embedded in the player) and where it posts."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samskab.core.ratelimit import hit
from samskab.feedback.forms import FeedbackForm
from samskab.feedback.services import FeedbackRefused, feedback_send
from samskab.webcasts.models import Meeting


def meeting_feedback(request: HttpRequest, meeting_pk: int) -> HttpResponse:
    """The form's own page; with `X-Requested-With: fetch` (feedback.js, from the player)
    only the form comes back, so the video plays on while the message is sent."""
    meeting = get_object_or_404(Meeting, pk=meeting_pk, is_published=True)
    inline = request.headers.get("X-Requested-With") == "fetch"
    form = FeedbackForm(request.POST or None, meeting=meeting)
    # Where the form was sent from (the player): kept when the form comes back with an
    # error, so the viewer returns there once it is sent.
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    status = 200
    if request.method == "POST" and not hit(request, "feedback", "5/10m", per_address="30/h"):
        # The form comes back with what the viewer wrote, so the message is not lost.
        form.is_valid()
        form.add_error(
            None,
            _(
                "You have sent several messages in a short while. Wait a few minutes, "
                "then send this one again."
            ),
        )
        status = 429
    elif request.method == "POST":
        if form.is_valid():
            try:
                feedback_send(
                    meeting=meeting,
                    person=form.chosen_person(),
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    message=form.cleaned_data["message"],
                    language=get_language() or "",
                )
            except FeedbackRefused as refusal:
                form.add_error("message", str(refusal))
            else:
                if inline:  # a fresh form, for another message, under the thanks
                    context = {
                        "meeting": meeting,
                        "feedback_form": FeedbackForm(meeting=meeting),
                        "feedback_next": target,
                        "feedback_sent": True,
                        "feedback_inline": True,
                    }
                    return render(request, "feedback/form.html", context)
                messages.success(request, _("Thank you. Your message has been sent."))
                return redirect(target or request.path)
        status = 400
    context = {
        "meeting": meeting,
        "feedback_form": form,
        "feedback_next": target,
        "back_url": target or meeting.get_absolute_url(),
        "feedback_inline": inline,
    }
    template = "feedback/form.html" if inline else "feedback/page.html"
    return render(request, template, context, status=status)
