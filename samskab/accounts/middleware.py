"""Session lifetime and the second factor required of staff."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

SESSION_STARTED = "samskab_session_started"


class SessionTimeoutMiddleware:
    """End a session SESSION_ABSOLUTE_TIMEOUT seconds after login, however active it is.

    The idle timeout is the session cookie's age, renewed on every request
    (SESSION_SAVE_EVERY_REQUEST).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                messages.info(request, _("You have been logged out. Please log in again."))
                return redirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)


# Staff may reach these without a second factor: to set one up, to log out, to read help.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/konto/", "/static/", "/i18n/", "/healthz")


class StaffMFAMiddleware:
    """A staff account without TOTP is sent to set it up before any staff page opens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not staff_has_totp(user)
        ):
            messages.warning(
                request, _("Staff accounts need a second factor. Set up an authenticator app.")
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def staff_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
