"""The MitID login's two views (redirect to the broker, and its callback) and their adapter.

The callback verifies the ID token completely (tokens.py) before allauth sees any of it, and
hands allauth only claims without CPR numbers (claims.py).
"""

import logging
from urllib.parse import urlsplit

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.models import SocialApp, SocialToken
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from requests import RequestException

from samskab.accounts.identity import login_facts_remember
from samskab.accounts.mitid.claims import scrub_claims
from samskab.accounts.mitid.config import PROVIDER_ID
from samskab.accounts.mitid.levels import step_up_acr
from samskab.accounts.mitid.tokens import IdTokenRejected, verify_id_token

logger = logging.getLogger(__name__)

REFUSAL_MESSAGES = {
    "assurance": _(
        "Your MitID login was not at a high enough assurance level, so it was refused. "
        "Log in again with the MitID app or a MitID code device."
    ),
    "expired": _("Your MitID login took too long and has expired. Please log in again."),
    "organisation": _(
        "The login was on behalf of an organisation, but MitID did not tell us its CVR "
        "number, so it was refused. Please log in again or contact the municipality."
    ),
}
DEFAULT_REFUSAL_MESSAGE = _(
    "The answer from MitID could not be verified, so you have not been logged in and nothing "
    "was saved. Please try again. If it keeps happening, contact the municipality."
)


# Where the brokers put the CPR number and MitID Erhverv's organisation (Signaturgruppen's
# NemLog-in/MitID broker, Idura/Criipto).
# Signicat's eID Hub names it nin (and signicat.national_id), Nets eID Broker dk_ssn.
CPR_CLAIMS = (
    "dk.cpr",
    "mitid.cpr",
    "nemlogin.cpr",
    "cprNumberIdentifier",
    "cpr",
    "dk_ssn",
    "signicat.national_id",
    "nin",
)
CVR_CLAIMS = ("nemlogin.cvr", "dk:gov:saml:attribute:CvrNumberIdentifier", "cvr")
ORG_NAME_CLAIMS = ("nemlogin.org_name", "orgName", "organization_name", "org_name")


def _first(claims: dict, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


class LoginRefused(OAuth2Error):
    """A MitID login that reached us but fails a check. allauth renders it as an
    authentication error; our SocialAccountAdapter shows the visitor `message`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return str(REFUSAL_MESSAGES.get(self.reason, DEFAULT_REFUSAL_MESSAGE))


def broker_enabled() -> bool:
    """A MitID broker is configured (MITID_OIDC_SERVER_URL and its client)."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    return bool((providers.get(PROVIDER_ID) or {}).get("APPS"))


def accepted_acr(required_level: str | None) -> list[str]:
    """The acr values this login accepts: the site's, or for a step-up those at its level
    or higher (levels.py)."""
    if not required_level:
        return list(settings.MITID_ACCEPTED_ACR)
    _ask, accepted = step_up_acr(
        required_level, accepted=settings.MITID_ACCEPTED_ACR, broker=settings.MITID_OIDC_BROKER
    )
    return accepted


class MitIDOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    # Set by the callback view from the login's state before complete_login runs.
    expected_nonce: str | None = None
    required_level: str = ""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request, PROVIDER_ID)

    @property
    def openid_config(self) -> dict:
        config = super().openid_config
        # OpenID Connect Discovery 4.3: the issuer must be the URL we asked.
        configured = self.get_provider().app.settings["server_url"].split("/.well-known/")[0]
        if str(config.get("issuer", "")).rstrip("/") != configured.rstrip("/"):
            logger.warning(
                "MitID discovery names issuer %r, not %r", config.get("issuer"), configured
            )
            raise LoginRefused("discovery")
        return config

    def get_callback_url(self, request: HttpRequest, app: SocialApp) -> str:
        return build_absolute_uri(request, reverse("mitid_callback"), self.redirect_uri_protocol)

    def complete_login(self, request: HttpRequest, app: SocialApp, token: SocialToken, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise LoginRefused("no_id_token")
        try:
            claims = verify_id_token(
                id_token,
                jwks=self._fetch_jwks(),
                issuer=self.openid_config["issuer"],
                client_id=app.client_id,
                nonce=self.expected_nonce,
                accepted_acr=accepted_acr(self.required_level),
            )
        except IdTokenRejected as rejection:
            # The reason, never the token: it may hold personal data.
            logger.warning("MitID login refused: %s", rejection)
            raise LoginRefused(rejection.reason) from rejection
        data = {"id_token": scrub_claims(claims)}
        userinfo: dict = {}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            # OpenID Connect Core 5.3.2: userinfo must be about the token's subject.
            if userinfo.get("sub") != claims["sub"]:
                logger.warning("MitID login refused: userinfo is about another subject")
                raise LoginRefused("subject")
            data["userinfo"] = scrub_claims(userinfo)
        everything = {**userinfo, **claims}
        organisation = _first(everything, CVR_CLAIMS), _first(everything, ORG_NAME_CLAIMS)
        if organisation[1] and not organisation[0]:
            logger.warning("MitID login refused: organisation without CVR")
            raise LoginRefused("organisation")
        # The CPR number (released with the municipality's agreement) is hashed for the
        # census match here and goes no further (identity.py).
        login_facts_remember(
            request,
            provider=PROVIDER_ID,
            uid=str(claims["sub"]),
            level=str(claims.get("acr", "")),
            cpr=_first(everything, CPR_CLAIMS),
            cvr=organisation[0],
            organisation_name=organisation[1],
        )
        return self.get_provider().sociallogin_from_response(request, data)

    def _fetch_jwks(self) -> dict:
        with get_adapter().get_requests_session() as session:
            response = session.get(self.openid_config["jwks_uri"])
            response.raise_for_status()
            return response.json()


class MitIDCallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider):
        # allauth does not hand the login's state to complete_login; the nonce sent with
        # the authorisation request lives there, so pass it to the adapter here.
        state, response = super()._get_state(request, provider)
        if state is not None:
            self.adapter.expected_nonce = state.get("nonce")
            self.adapter.required_level = state.get("level") or ""
        return state, response


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    response = _run(request, OAuth2LoginView.adapter_view(MitIDOAuth2Adapter))
    if request.method == "GET" and response.status_code == 200:
        # The page's "Continue" form is answered with a redirect to the broker; the browser
        # follows a form's redirect only to origins the CSP's form-action allows.
        response._csp_update = {"form-action": [_authorize_origin(request)]}  # type: ignore[attr-defined]
    return response


def _authorize_origin(request: HttpRequest) -> str:
    """The origin of the broker's authorisation endpoint (from discovery; if the broker is
    unreachable now, its issuer's, which is where brokers serve it)."""
    adapter = MitIDOAuth2Adapter(request)
    try:
        url = adapter.authorize_url
    except (OAuth2Error, RequestException, KeyError, ValueError):
        url = adapter.get_provider().app.settings["server_url"]
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@login_not_required
def callback(request: HttpRequest) -> HttpResponse:
    return _run(request, MitIDCallbackView.adapter_view(MitIDOAuth2Adapter))


def _run(request: HttpRequest, view) -> HttpResponse:
    try:
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
    except (OAuth2Error, RequestException) as error:
        # allauth reads the broker's discovery document outside its own error handling;
        # a broker that is down or misconfigured gets the error page, not a server error.
        logger.warning("MitID broker unusable: %s", error)
        provider = get_adapter().get_provider(request, PROVIDER_ID)
        return render_authentication_error(request, provider, exception=error)
