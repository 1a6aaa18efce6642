"""The quick start's mailbox for staff (/personale/post/): the mails the site sent, when no
mail server is set up (EMAIL_URL=mailbox://, core.mailbox), so a newcomer can read sign-up
and notification mails in the browser. Not found anywhere a real mail server is set."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from samskab.accounts.roles import holds_staff_power
from samskab.core import mailbox


def _allowed(request: HttpRequest) -> None:
    if not mailbox.mailbox_in_use():
        raise Http404
    if not holds_staff_power(request.user):
        raise PermissionDenied


@require_GET
@login_required
def mails(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return render(request, "staff/mailbox.html", {"mails": mailbox.mails()})


@require_GET
@login_required
def mail(request: HttpRequest, name: str) -> HttpResponse:
    _allowed(request)
    found = mailbox.mail(name)
    if found is None:
        raise Http404
    return render(request, "staff/mail.html", {"mail": found})
