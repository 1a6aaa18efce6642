"""Session lifetime and the second factor required of staff."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from samskab.accounts.roles import MFA_PENDING, holds_staff_power

# When the session's person logged in (seconds since the epoch); set by signals.py at login.
SESSION_STARTED = "samskab_session_started"
# The pk of the staff member whose second factor this session has seen; cached so that a
# staff page does not cost a query per request.
SESSION_STAFF_MFA = "samskab_staff_mfa"


class SessionTimeoutMiddleware:
    """End a session SESSION_ABSOLUTE_TIMEOUT seconds after login, however active it is.

    The idle timeout is the session's age (SESSION_COOKIE_AGE), renewed on every request
    (SESSION_SAVE_EVERY_REQUEST); the session store forgets an idle session by itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = int(time.time())
            if not isinstance(started, int):
                # A session from before this middleware, or a test's force_login.
                request.session[SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                # Only this session: the person may be active elsewhere on a newer login.
                logout(request)
                messages.info(
                    request, _("For your security you have been logged out. Please log in again.")
                )
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


# What staff without a second factor may still open: allauth's pages (to log in and out, set
# up the authenticator, re-authenticate), the language switch, and files and probes that
# hold nothing of the staff's.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/theme.css")


class StaffMFAMiddleware:
    """A staff account must have TOTP before any other page opens, and the admin's own
    password-only login form is replaced by allauth's, which asks for the code.

    A staff account is one that holds any power: a role group, superuser, or the staff flag
    (roles.holds_staff_power). On the exempt pages such a session may still open, its roles
    count for nothing (roles.MFA_PENDING), so no staff power is used before the code.

    allauth asks a user with TOTP for the code at every login (its MFA login stage), so
    having TOTP means this session passed it. Logins must go through allauth; the admin
    login is the one other login form Django has, and it is sent there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._admin_login_path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if request.path == self.admin_login_path:
            if not user.is_authenticated:
                return redirect_to_login(
                    request.GET.get("next") or reverse("admin:index"), reverse("account_login")
                )
            if not user.is_staff:
                # Django's admin would offer its own login form to a logged-in citizen.
                raise PermissionDenied
        if user.is_authenticated and holds_staff_power(user) and not staff_mfa_ok(request):
            if not request.path.startswith(MFA_EXEMPT_PREFIXES):
                messages.warning(
                    request,
                    _("Staff accounts need a second factor. Set up an authenticator app."),
                )
                return redirect("mfa_activate_totp")
            setattr(user, MFA_PENDING, True)
        return self.get_response(request)

    @property
    def admin_login_path(self) -> str:
        if self._admin_login_path is None:
            self._admin_login_path = reverse("admin:login")
        return self._admin_login_path


def staff_mfa_ok(request: HttpRequest) -> bool:
    if request.session.get(SESSION_STAFF_MFA) == request.user.pk:
        return True
    if not staff_has_totp(request.user):
        return False
    request.session[SESSION_STAFF_MFA] = request.user.pk
    return True


def staff_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
