"""allauth adapters: how sign-up, logout, social login and MFA fit Samskab's accounts."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from samskab.accounts.addresses import request_address_pseudonym
from samskab.accounts.roles import holds_staff_power
from samskab.accounts.sessions import end_all_sessions


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth keys its rate limits and its list of sessions by this; the list is stored.
        return request_address_pseudonym(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Staff land on their staff home, with their tools; citizens on their account
        # (a ?next= address still wins). Named by URL, so accounts imports nothing above it.
        if holds_staff_power(request.user):
            return reverse("staff:home")
        return super().get_login_redirect_url(request)

    def logout(self, request: HttpRequest) -> None:
        # Logging out from the logout page ends the person's sessions on every device.
        # allauth also logs out on its own (a login as someone else, a reset link for
        # another account, ending chosen sessions); those end only this session.
        user = request.user
        everywhere = user.is_authenticated and _is_logout_page(request)
        kept = {} if _is_logout_page(request) else _login_in_progress(request)
        super().logout(request)
        # allauth logs the current account out before a MitID login of an account (the same
        # one too, a step-up): that login's facts (its level, residence, organisation) and
        # its single-logout data must outlive it.
        if kept:
            request.session.update(kept)
        if everywhere:
            end_all_sessions(user)
        # A single logout through NemLog-in: its answer must be to the request we sent.
        from samskab.accounts.nemlogin.views import logout_request_remember

        logout_request_remember(request)

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        # Asked before the logout. Logged in through NemLog-in: end that session too (single
        # logout) by sending the person on to NemLog-in with a signed LogoutRequest.
        from samskab.accounts.nemlogin.views import SESSION_SAML, logout_redirect_url

        saml_session = request.session.get(SESSION_SAML) if hasattr(request, "session") else None
        if saml_session and request.user.is_authenticated and _is_logout_page(request):
            url = logout_redirect_url(request, saml_session)
            if url:
                return url
        return super().get_logout_redirect_url(request)


def _login_in_progress(request: HttpRequest) -> dict:
    """The session's MitID login facts and, when they are that login's, its single-logout data."""
    from samskab.accounts.identity import SESSION_PENDING
    from samskab.accounts.nemlogin.views import SESSION_SAML

    session = getattr(request, "session", None)
    pending = session.get(SESSION_PENDING) if session is not None else None
    if not isinstance(pending, dict):
        return {}
    kept = {SESSION_PENDING: pending}
    saml_session = session.get(SESSION_SAML)
    if isinstance(saml_session, dict) and saml_session.get("subject") == pending.get("uid"):
        kept[SESSION_SAML] = saml_session
    return kept


def _is_logout_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "account_logout"


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin) -> None:
        """A person already logged in who logs in with MitID (a step-up before a vote, or to
        verify residence) stays on their own account.

        allauth would log them out and, for a MitID not yet on any account, start a new
        account: their step-up, their ballot and their residence would land on a stranger.
        So a MitID new to the site is added to the account that is logged in, through
        allauth's connect (which asks for the password again when the last login is not
        recent, and then applies the login's level and census match: signals.py); a MitID
        of this very account logs in again as allauth does; a MitID of another account is
        refused."""
        user = request.user
        if not user.is_authenticated or sociallogin.state.get("process") != AuthProcess.LOGIN:
            return
        if not sociallogin.is_existing:
            sociallogin.state["process"] = AuthProcess.CONNECT
            return
        if sociallogin.user.pk == user.pk:
            return
        raise ImmediateHttpResponse(
            render(
                request,
                "accounts/login_refused.html",
                {
                    "provider": sociallogin.account.get_provider(),
                    "message": _(
                        "This MitID is already used by another account here, so it cannot "
                        "confirm this one. Log out and log in with MitID to use that "
                        "account, or contact the municipality."
                    ),
                },
                status=403,
            )
        )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        from samskab.accounts.mitid.views import LoginRefused

        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )
        if isinstance(exception, LoginRefused):
            # A refusal the visitor can act on (log in at a higher level, try again) gets
            # its own message instead of allauth's general "third-party login failure".
            raise ImmediateHttpResponse(
                render(
                    request,
                    "accounts/login_refused.html",
                    {"provider": provider, "message": exception.message},
                    status=403,
                )
            )


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Staff must keep their second factor (StaffMFAMiddleware); one who has lost it is
        # helped by an administrator, who removes it in the admin so a new one can be set up.
        if authenticator.type == Authenticator.Type.TOTP and holds_staff_power(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
