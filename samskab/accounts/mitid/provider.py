"""The MitID provider: allauth's OpenID Connect provider with MitID's checks added.

What it adds to allauth's openid_connect provider:
- a nonce in every authorisation request, checked against the ID token (views.py);
- PKCE always, acr_values from settings, and no scope or parameter chosen by the visitor;
- the account's uid is the verified ID token's pseudonymous subject, never userinfo's;
- claims that are or look like a CPR number are never kept (claims.py).
"""

import secrets

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.utils import get_request_param
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from samskab.accounts.identity import normalise_level
from samskab.accounts.mitid.claims import scrub_claims
from samskab.accounts.mitid.config import PROVIDER_ID
from samskab.accounts.mitid.levels import step_up_acr
from samskab.accounts.mitid.views import MitIDOAuth2Adapter


class MitIDAccount(ProviderAccount):
    def to_str(self) -> str:
        # The subject is a meaningless pseudonym and names are not kept: show the scheme.
        return "MitID"


class MitIDProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "MitID"
    account_class = MitIDAccount
    oauth2_adapter_class = MitIDOAuth2Adapter
    # A posted ID token carries no nonce of ours, so it cannot be checked: redirect flow only.
    supports_token_authentication = False
    pkce_enabled_default = True

    def get_login_url(self, request: HttpRequest, **kwargs) -> str:
        url = reverse("mitid_login")
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def get_callback_url(self) -> str:
        return reverse("mitid_callback")

    def get_oauth2_adapter(self, request: HttpRequest) -> MitIDOAuth2Adapter:
        return MitIDOAuth2Adapter(request)

    def get_default_scope(self) -> list[str]:
        return ["openid"]

    def get_scope_from_request(self, request: HttpRequest) -> list[str]:
        # allauth lets ?scope= add scopes; a visitor has no business widening them.
        return self.get_scope()

    def get_auth_params(self) -> dict:
        params = super().get_auth_params()
        if settings.MITID_ACCEPTED_ACR:
            params["acr_values"] = " ".join(settings.MITID_ACCEPTED_ACR)
        return params

    def get_auth_params_from_request(self, request: HttpRequest, action) -> dict:
        # Nor may ?auth_params= lower the requested assurance level.
        return self.get_auth_params()

    def get_redirect_from_request_kwargs(self, request: HttpRequest) -> dict:
        kwargs = super().get_redirect_from_request_kwargs(request)
        # A step-up (identity.step_up_url) names the level the action needs. A visitor can
        # only raise it: the accepted levels never go below MITID_ACCEPTED_ACR.
        kwargs["level"] = normalise_level(get_request_param(request, "level"))
        return kwargs

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        auth_params["nonce"] = nonce
        level = kwargs.pop("level", "") or ""
        if level:
            # Ask the broker for that level, in its own words (levels.py).
            auth_params["acr_values"], _accepted = step_up_acr(
                level, accepted=settings.MITID_ACCEPTED_ACR, broker=settings.MITID_OIDC_BROKER
            )
        # The nonce and the level are kept in the login's state (in the session) and
        # checked in views.py.
        return super().redirect(
            request,
            process,
            next_url,
            data,
            auth_params=auth_params,
            nonce=nonce,
            level=level,
            **kwargs,
        )

    def verify_token(self, request: HttpRequest, token):
        raise NotImplementedError("MitID logins go through the redirect flow only")

    def extract_uid(self, data: dict) -> str:
        return str(data["id_token"]["sub"])

    def extract_extra_data(self, data: dict) -> dict:
        # Already scrubbed in views.py; scrubbed again so no path can store a CPR number.
        return {part: scrub_claims(claims) for part, claims in data.items()}

    def extract_common_fields(self, data: dict) -> dict:
        # Names from MitID are not copied: a citizen chooses their own display name.
        return {"email": self._claims(data).get("email")}

    def extract_email_addresses(self, data: dict) -> list[EmailAddress]:
        email = self._claims(data).get("email")
        # A MitID broker vouches for a person, not for an e-mail address: always verify it.
        return [EmailAddress(email=email, verified=False, primary=True)] if email else []

    @staticmethod
    def _claims(data: dict) -> dict:
        return {**data.get("id_token", {}), **data.get("userinfo", {})}


provider_classes = [MitIDProvider]
