"""People (/konto/personale/): administrators search accounts, see each one's roles as
badges, and invite a colleague; the colleague's invitation link (/konto/invitation/...)."""

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from samskab.accounts import selectors, services
from samskab.accounts.forms import InviteForm, PeopleSearchForm
from samskab.accounts.models import User
from samskab.accounts.roles import ROLE_DESCRIPTIONS, Role, role_label
from samskab.core.ratelimit import ratelimit

PER_PAGE = 50


@require_GET
@login_required
def people(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.view_people"):
        raise PermissionDenied
    form = PeopleSearchForm(request.GET)
    search = form.search()
    page = Paginator(selectors.people(**search), PER_PAGE).get_page(request.GET.get("page"))
    for person in page:
        person.role_labels = [role_label(group.name) for group in person.groups.all()]
        person.invitation_open = services.invitation_open(person)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "search": search}
    return render(request, "accounts/people.html", context)


@login_required
@ratelimit("invite", "30/h")
def invite(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.invite_staff"):
        raise PermissionDenied
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_invite(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                roles=[Role(value) for value in form.cleaned_data["roles"]],
                by=request.user,
            )
        except services.InvitationRefused as refusal:
            form.add_error("email", refusal.message)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is invited. The e-mail to %(email)s has a link to choose a "
                    "password; it works once, for three days."
                )
                % {"name": user.display_name, "email": user.email},
            )
            return redirect(reverse("accounts:people") + f"?q={user.email}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "roles": [(r.label, ROLE_DESCRIPTIONS[r]) for r in Role]}
    return render(request, "accounts/invite.html", context, status=status)


@require_POST
@login_required
@ratelimit("invite", "30/h")
def invite_again(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("accounts.invite_staff"):
        raise PermissionDenied
    colleague = get_object_or_404(User, pk=pk)
    try:
        services.invitation_send(user=colleague, by=request.user)
    except services.InvitationRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("The invitation was sent again to %(email)s.") % {"email": colleague.email},
        )
    return redirect(reverse("accounts:people") + f"?q={colleague.email}")


@never_cache  # the page's address holds the one-time token
@ratelimit("invitation", "20/h")
def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invited colleague chooses a password, is logged in, and goes on to set up the
    authenticator app (staff must have one: StaffMFAMiddleware)."""
    user = services.invitation_user(uidb64, token)
    if user is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.user.is_authenticated and request.user.pk != user.pk:
        return render(request, "accounts/invitation_logged_in.html", status=409)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_accept(user=user, password=form.cleaned_data["new_password1"])
        perform_login(request, user, redirect_url=reverse("mfa_activate_totp"))
        # The password was typed just now: activating the authenticator need not ask for it
        # again (allauth asks for a recent password before changing the second factor).
        from allauth.account.internal.flows.login import record_authentication

        record_authentication(request, user, method="password", reauthenticated=True)
        messages.success(
            request,
            _(
                "Your password is saved. Now set up the second factor: staff log in with "
                "a code from an authenticator app as well."
            ),
        )
        return redirect("mfa_activate_totp")
    context = {"form": form, "invited": user}
    return render(request, "accounts/invitation.html", context, status=400 if form.errors else 200)
