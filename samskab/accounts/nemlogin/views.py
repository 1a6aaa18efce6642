"""NemLog-in's pages: the login, the assertion consumer, metadata, single logout, and the
demo's fake NemLog-in ("MitID (demo)").

The assertion consumer service receives NemLog-in's POST, which comes from another site, so
the browser does not send our (SameSite=Lax) session cookie with it: the answer is kept for a
few minutes under a random key and the browser is sent on to `acs_finish`, where the session
is present and the answer is checked against the request this browser made.
"""

from __future__ import annotations

import functools
import importlib
import logging
import secrets
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.internal import statekit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as django_logout
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from samskab.accounts.identity import login_facts_remember
from samskab.accounts.nemlogin.config import PROVIDER_ID


class _ImportedWhenUsed:
    """Stands for the module `name`, imported when one of its attributes is first read.

    pysaml2 takes half a second of a core to import (it builds its XML schemas), and this
    module is imported with the URLs by every web process, worker and management command,
    most of which never see a NemLog-in login. (importlib's own LazyLoader is not safe
    for two threads at once before Python 3.12; `import_module` is.)"""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


if TYPE_CHECKING:
    from samskab.accounts.nemlogin import saml
    from samskab.accounts.nemlogin import simulator as fake
    from samskab.accounts.nemlogin.simulator import FakeNemLogIn
else:
    saml = _ImportedWhenUsed("samskab.accounts.nemlogin.saml")
    fake = _ImportedWhenUsed("samskab.accounts.nemlogin.simulator")

logger = logging.getLogger(__name__)

SESSION_SAML = "nemlogin_session"  # subject and session index, for single logout
SESSION_LOGOUT = "nemlogin_logout"  # LogoutRequests sent and not yet answered: {id: time}
LOGOUT_SECONDS = 10 * 60
MAX_LOGOUTS = 5
CACHE_ANSWER = "nemlogin:answer:"
CACHE_USED = "nemlogin:used:"
ANSWER_SECONDS = 300
# Response and assertion ids are remembered this long (longer than any assertion lives).
USED_SECONDS = 2 * 60 * 60
MAX_ANSWER = 300_000  # characters of base64; NemLog-in's answers are a few kilobytes

REFUSAL_MESSAGES = {
    "assurance": _(
        "Your MitID login was not at a high enough assurance level, so it was refused. "
        "Log in again with the MitID app or a MitID code device."
    ),
    "expired": _("Your MitID login took too long and has expired. Please log in again."),
    "replayed": _(
        "This answer from MitID has already been used. For your safety it cannot be used "
        "again. Please log in again."
    ),
    "unsolicited": _(
        "This answer from MitID does not belong to a login started here, or it took too "
        "long. Please log in again."
    ),
    "organisation": _(
        "The login was on behalf of an organisation, but MitID did not tell us its CVR "
        "number, so it was refused. Please log in again or contact the municipality."
    ),
    "simulator": _(
        "The demo MitID with made-up people cannot be used on this site. Log in with your "
        "own MitID."
    ),
}
DEFAULT_REFUSAL_MESSAGE = _(
    "The answer from MitID could not be verified, so you have not been logged in and nothing "
    "was saved. Please try again. If it keeps happening, contact the municipality."
)


def enabled() -> bool:
    return bool(settings.NEMLOGIN_IDP_METADATA) or settings.NEMLOGIN_SIMULATOR


def simulator_allowed() -> bool:
    return settings.NEMLOGIN_SIMULATOR and not getattr(settings, "PRODUCTION", False)


def _keys() -> tuple[saml.KeyPair, ...]:
    if settings.NEMLOGIN_SP_KEY_FILE and settings.NEMLOGIN_SP_CERT_FILE:
        keys = [saml.KeyPair(settings.NEMLOGIN_SP_KEY_FILE, settings.NEMLOGIN_SP_CERT_FILE)]
        if settings.NEMLOGIN_SP_NEXT_KEY_FILE and settings.NEMLOGIN_SP_NEXT_CERT_FILE:
            keys.append(
                saml.KeyPair(
                    settings.NEMLOGIN_SP_NEXT_KEY_FILE, settings.NEMLOGIN_SP_NEXT_CERT_FILE
                )
            )
        return tuple(keys)
    if simulator_allowed():
        return (fake.SP_KEY, fake.SP_NEXT_KEY)  # TEST-ONLY keys, for the demo's fake NemLog-in only
    raise ImproperlyConfigured("NemLog-in needs NEMLOGIN_SP_KEY_FILE and NEMLOGIN_SP_CERT_FILE")


def service_provider() -> saml.ServiceProvider:
    return _service_provider(
        settings.SITE_URL,
        settings.NEMLOGIN_ENTITY_ID,
        _keys(),
        settings.NEMLOGIN_IDP_METADATA if not simulator_allowed() else "",
        tuple(settings.NEMLOGIN_ACCEPTED_LOA),
    )


@functools.lru_cache(maxsize=8)
def _service_provider(site, entity_id, keys, idp_metadata_file, levels) -> saml.ServiceProvider:
    sp = saml.ServiceProvider(
        entity_id=entity_id,
        acs_url=site + reverse("nemlogin_acs"),
        sls_url=site + reverse("nemlogin_slo"),
        keys=keys,
        idp_metadata="",
        accepted_levels=levels,
        name="Samskab",
    )
    if idp_metadata_file:
        return replace(sp, idp_metadata=Path(idp_metadata_file).read_text())
    idp = _simulator(site)
    sp = replace(sp, idp_metadata=idp.metadata())
    from saml2.metadata import entity_descriptor  # (pysaml2 when used, above)

    idp.sp_metadata = [str(entity_descriptor(saml.sp_config(sp)))]
    return sp


@functools.lru_cache(maxsize=8)
def _simulator(site: str) -> FakeNemLogIn:
    base = site + reverse("nemlogin_demo_sso").removesuffix("sso/")
    return fake.FakeNemLogIn(entity_id=base, base_url=base, sp_metadata=[])


def simulator() -> FakeNemLogIn:
    """The demo's fake NemLog-in, set up with our metadata."""
    service_provider()
    return _simulator(settings.SITE_URL)


def _provider(request: HttpRequest):
    if not enabled():
        raise Http404
    try:
        return get_adapter().get_provider(request, PROVIDER_ID)
    except SocialApp.DoesNotExist:
        raise Http404 from None


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    # The reason only: never the answer, the subject or an attribute (personal data).
    logger.warning("NemLog-in login refused: %s", reason)
    message = REFUSAL_MESSAGES.get(reason, DEFAULT_REFUSAL_MESSAGE)
    return render(
        request,
        "accounts/login_refused.html",
        {"provider": {"name": "MitID"}, "message": str(message)},
        status=403,
    )


def start_login(
    request: HttpRequest, *, process=AuthProcess.LOGIN, next_url=None, level=None, **kwargs
) -> HttpResponse:
    provider = _provider(request)
    if level and level not in saml.LEVELS:
        level = None
    request_id, url = saml.authn_request(service_provider(), relay_state="", level=level)
    # The request id is the state's key: the answer must be to this very request.
    provider.stash_redirect_state(request, process, next_url, state_id=request_id, level=level)
    return HttpResponseRedirect(url)


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    if request.method != "POST":
        response = render(
            request,
            "nemlogin/login.html",
            {
                "provider": provider,
                "next": request.GET.get("next", ""),
                "level": request.GET.get("level", ""),
                "process": request.GET.get("process", ""),
                "demo": simulator_allowed(),
            },
        )
        # The form's answer redirects to NemLog-in: the browser follows a form's redirect
        # only to origins the CSP's form-action allows.
        response._csp_update = {"form-action": [saml.sso_origin(service_provider())]}  # type: ignore[attr-defined]
        return response
    kwargs = provider.get_redirect_from_request_kwargs(request)
    level = request.POST.get("level") or None
    return start_login(request, level=level, **kwargs)


@csrf_exempt  # NemLog-in posts here; the answer is bound to this browser's request instead
@login_not_required
@require_POST
def acs(request: HttpRequest) -> HttpResponse:
    _provider(request)
    answer = request.POST.get("SAMLResponse", "")
    if not answer or len(answer) > MAX_ANSWER:
        return _refused(request, "invalid")
    key = secrets.token_urlsafe(24)
    cache.set(CACHE_ANSWER + key, answer, ANSWER_SECONDS)
    return HttpResponseRedirect(reverse("nemlogin_acs_finish") + "?" + urlencode({"t": key}))


@login_not_required
@require_GET
def acs_finish(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    key = CACHE_ANSWER + request.GET.get("t", "")[:64]
    answer = cache.get(key)
    cache.delete(key)
    if not answer:
        return _refused(request, "unsolicited")
    try:
        response_id, in_response_to = saml.envelope(answer)
        if not cache.add(CACHE_USED + response_id, True, USED_SECONDS):
            raise saml.ResponseRefused("replayed")
        if not in_response_to or in_response_to not in statekit.get_states(request):
            raise saml.ResponseRefused("unsolicited")
        try:
            state = provider.unstash_redirect_state(request, in_response_to)
        except PermissionDenied:  # the login was started too long ago
            raise saml.ResponseRefused("unsolicited") from None
        identity = saml.read_response(
            service_provider(),
            answer,
            request_id=in_response_to,
            required_level=state.get("level"),
        )
        if not cache.add(CACHE_USED + identity.assertion_id, True, USED_SECONDS):
            raise saml.ResponseRefused("replayed")
    except saml.ResponseRefused as refusal:
        return _refused(request, refusal.reason)
    login_facts_remember(
        request,
        provider=PROVIDER_ID,
        uid=identity.subject,
        level=identity.level,
        cpr=identity.cpr,  # hashed for the census match here and dropped
        cvr=identity.cvr,
        organisation_name=identity.organisation_name,
    )
    request.session[SESSION_SAML] = {
        "subject": identity.subject,
        "session_index": identity.session_index,
    }
    data = {"subject": identity.subject, "level": identity.level}
    del identity
    sociallogin = provider.sociallogin_from_response(request, data)
    sociallogin.state = state
    return complete_social_login(request, sociallogin)


@login_not_required
@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    _provider(request)
    return HttpResponse(saml.metadata_xml(service_provider()), content_type="application/xml")


def logout_redirect_url(request: HttpRequest, saml_session: dict) -> str | None:
    """Where to send a person who logged out locally, so NemLog-in ends its session too.

    The LogoutRequest's id is kept on the request and, once the logout has emptied the
    session, in the new one (`logout_request_remember`): NemLog-in's answer must be to it."""
    if not enabled():
        return None
    try:
        request_id, url = saml.logout_request(
            service_provider(),
            subject=saml_session.get("subject", ""),
            session_index=saml_session.get("session_index", ""),
            relay_state="",
        )
    except Exception as error:  # an IdP without single logout, or a broken configuration
        logger.warning("NemLog-in single logout not started: %s", type(error).__name__)
        return None
    request._nemlogin_logout_request = request_id  # type: ignore[attr-defined]
    return url


def logout_request_remember(request: HttpRequest) -> None:
    """After the logout (adapters.py): the LogoutRequest sent, in the browser's new session."""
    request_id = getattr(request, "_nemlogin_logout_request", None)
    if request_id and hasattr(request, "session"):
        sent = _logout_requests(request)
        sent[request_id] = int(time.time())
        request.session[SESSION_LOGOUT] = dict(list(sent.items())[-MAX_LOGOUTS:])


def _logout_requests(request: HttpRequest) -> dict[str, int]:
    """This browser's LogoutRequests still waiting for an answer, and when each was sent."""
    sent = request.session.get(SESSION_LOGOUT)
    if not isinstance(sent, dict):
        return {}
    now = time.time()
    return {
        str(key): int(at)
        for key, at in sent.items()
        if isinstance(at, int) and now - at < LOGOUT_SECONDS
    }


@login_not_required
@require_GET
def slo(request: HttpRequest) -> HttpResponse:
    _provider(request)
    sp = service_provider()
    query = request.GET.dict()
    try:
        if "SAMLResponse" in query:
            waiting = _logout_requests(request)
            try:
                saml.read_logout_response(sp, query, request_ids=waiting)
            finally:
                # Each request is answered once; what is left keeps waiting.
                request.session.pop(SESSION_LOGOUT, None)
            messages.info(request, _("You have also been logged out of MitID."))
            return redirect("home")
        if "SAMLRequest" in query:
            subject, url = saml.read_logout_request(sp, query)
            ours = request.session.get(SESSION_SAML) or {}
            if request.user.is_authenticated and ours.get("subject") == subject:
                django_logout(request)
            return HttpResponseRedirect(url)
    except saml.ResponseRefused as refusal:
        logger.warning("NemLog-in logout refused: %s", refusal.reason)
    return render(
        request,
        "accounts/login_refused.html",
        {
            "provider": {"name": "MitID"},
            "message": str(_("The logout message from MitID could not be verified.")),
        },
        status=400,
    )


# The demo's fake NemLog-in ------------------------------------------------------------


def _simulator_or_refuse(request: HttpRequest) -> FakeNemLogIn | HttpResponse:
    if not simulator_allowed():
        logger.warning("NemLog-in simulator refused: not allowed on this site")
        return _refused(request, "simulator")
    return simulator()


@login_not_required
def demo_sso(request: HttpRequest) -> HttpResponse:
    """The demo's MitID: pick a made-up person, and the answer is posted back to us."""
    idp = _simulator_or_refuse(request)
    if isinstance(idp, HttpResponse):
        return idp
    try:
        authn_request, relay_state = idp.read_authn_request(request.get_full_path())
    except Exception as error:
        logger.warning("NemLog-in simulator: unusable request (%s)", type(error).__name__)
        return _refused(request, "invalid")
    requested = authn_request.requested_authn_context
    wanted = ""
    if requested is not None and requested.authn_context_class_ref:
        wanted = requested.authn_context_class_ref[0].text.removeprefix(saml.LOA_CONTEXT)
    if request.method == "POST":
        identity = fake.demo_identity(request.POST.get("identity", ""))
        if identity is not None:
            level = request.POST.get("level") or identity.level
            if level not in saml.LEVELS:
                level = identity.level
            answer = idp.response(authn_request, identity, level=level)
            return render(
                request,
                "nemlogin/demo_post.html",
                {
                    "acs": authn_request.assertion_consumer_service_url,
                    "answer": answer,
                    "relay_state": relay_state,
                },
            )
    return render(
        request,
        "nemlogin/demo_idp.html",
        {"identities": fake.DEMO_IDENTITIES, "wanted": wanted, "levels": saml.LEVELS},
    )


@login_not_required
@require_GET
def demo_slo(request: HttpRequest) -> HttpResponse:
    idp = _simulator_or_refuse(request)
    if isinstance(idp, HttpResponse):
        return idp
    try:
        url = idp.logout(request.GET.dict())
    except Exception as error:
        logger.warning("NemLog-in simulator: unusable logout (%s)", type(error).__name__)
        return _refused(request, "invalid")
    return HttpResponseRedirect(url)
