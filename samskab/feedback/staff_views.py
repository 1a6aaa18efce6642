"""The feedback inbox for staff (/feedback/indbakke/): a list with filters, and one page per
message where it is given a status, assigned to a colleague and answered by e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samskab.feedback import selectors, services
from samskab.feedback.forms import AssignForm, InboxFilterForm, ReplyForm, StatusForm
from samskab.feedback.models import FeedbackMessage

PER_PAGE = 50


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("feedback.view_inbox"):
        raise PermissionDenied
    handlers = list(selectors.handlers())
    form = InboxFilterForm(
        request.GET,
        meetings=selectors.meetings_with_feedback(),
        people=selectors.people_with_feedback(),
        handlers=handlers,
    )
    found = selectors.inbox(user=request.user, **form.filters())
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(form.filters().values()) if form.is_valid() else False,
    }
    return render(request, "feedback/inbox.html", context)


@login_required
def message(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not user.has_perm("feedback.view_inbox"):
        raise PermissionDenied
    feedback = get_object_or_404(
        FeedbackMessage.objects.select_related("meeting", "person", "assigned_to"), pk=pk
    )
    handlers = list(selectors.handlers())
    status_form = StatusForm(initial={"status": feedback.status}, prefix="status")
    assign_form = AssignForm(
        initial={"assignee": str(feedback.assigned_to_id or "")}, handlers=handlers, prefix="assign"
    )
    reply_form = ReplyForm(prefix="reply")
    here = reverse("feedback:message", args=[feedback.pk])
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "status":
            status_form = StatusForm(request.POST, prefix="status")
            if status_form.is_valid():
                services.feedback_set_status(
                    feedback=feedback, status=status_form.cleaned_data["status"], by=user
                )
                messages.success(
                    request,
                    _("The status is now “%(status)s”.")
                    % {"status": feedback.get_status_display()},
                )
                return redirect(here + "#case")
        elif action == "assign":
            assign_form = AssignForm(request.POST, handlers=handlers, prefix="assign")
            if assign_form.is_valid():
                assignee = assign_form.chosen()
                services.feedback_assign(feedback=feedback, assignee=assignee, by=user)
                if assignee is None:
                    messages.success(request, _("The message is now assigned to nobody."))
                else:
                    messages.success(
                        request,
                        _("The message is now assigned to %(name)s.")
                        % {"name": assignee.display_name or assignee.email},
                    )
                return redirect(here + "#case")
        elif action == "reply":
            if not user.has_perm("feedback.reply_feedback", feedback):
                raise PermissionDenied
            reply_form = ReplyForm(request.POST, prefix="reply")
            if reply_form.is_valid():
                reply = services.feedback_reply(
                    feedback=feedback, text=reply_form.cleaned_data["text"], by=user
                )
                if reply.mailed_at:
                    messages.success(
                        request,
                        _("Your answer was e-mailed to %(address)s and the message is answered.")
                        % {"address": feedback.email},
                    )
                else:
                    messages.error(
                        request,
                        _(
                            "Your answer is kept on the message, but it could not be e-mailed. "
                            "Try again later."
                        ),
                    )
                return redirect(here + "#replies")
        elif action == "resend":
            reply = get_object_or_404(
                feedback.replies, pk=request.POST.get("reply") or 0, mailed_at__isnull=True
            )
            if services.feedback_reply_resend(reply=reply, by=user):
                messages.success(request, _("The answer was e-mailed."))
            else:
                messages.error(request, _("The answer could not be e-mailed. Try again later."))
            return redirect(here + "#replies")
        else:
            return redirect(here)
    context = {
        "feedback": feedback,
        "replies": feedback.replies.select_related("author"),
        "status_form": status_form,
        "assign_form": assign_form,
        "reply_form": reply_form,
        "may_reply": user.has_perm("feedback.reply_feedback", feedback),
        "next_new": selectors.next_new(feedback),
    }
    return render(
        request, "feedback/message.html", context, status=400 if request.method == "POST" else 200
    )
