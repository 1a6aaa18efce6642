"""What a MitID login (a broker, NemLog-in, or the demo's simulator) brings besides the person.

Every MitID path calls `login_facts_remember` while it still holds the verified answer:
- the CPR number, if released, is turned into the census's keyed hash at once and dropped;
- the level of assurance (NSIS Low, Substantial or High);
- the organisation (MitID Erhverv: CVR number and name), if the person acts for one.
The facts wait in the session, bound to the login's subject, until allauth has logged the
person in or created their account (`login_facts_apply`, from signals.py), and are then used
once: the census match verifies the person as a resident, the organisation is put on the
account, and the level is kept in the session for step-up checks (`session_assurance`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.accounts.census import hash_identifier
from samskab.accounts.mitid.levels import level_of

logger = logging.getLogger(__name__)

SESSION_PENDING = "samskab_login_facts"
SESSION_ASSURANCE = "samskab_assurance"
# NSIS levels, lowest first.
LEVELS = ("low", "substantial", "high")


@dataclass(frozen=True)
class LoginFacts:
    provider: str
    uid: str
    level: str  # one of LEVELS
    census_hash: str | None = None
    cvr: str | None = None
    organisation_name: str | None = None


def normalise_level(value: str | None) -> str:
    """The NSIS level a login names, however the IdP or broker writes it:
    'Substantial' (NemLog-in), 'https://data.gov.dk/concept/core/nsis/substantial' (NSIS
    URI), 'urn:grn:authn:dk:mitid:substantial' (Idura), 'loa:substantial' (Signicat)
    -> 'substantial'. Anything else -> ''."""
    return level_of(value)


def level_at_least(level: str | None, required: str) -> bool:
    level = normalise_level(level)
    return bool(level) and LEVELS.index(level) >= LEVELS.index(required)


def login_facts_remember(
    request: HttpRequest,
    *,
    provider: str,
    uid: str,
    level: str,
    cpr: str | None = None,
    cvr: str | None = None,
    organisation_name: str | None = None,
) -> LoginFacts:
    """Keep what the login says until the account is known; the CPR number only as a hash."""
    facts = LoginFacts(
        provider=provider,
        uid=uid,
        level=normalise_level(level),
        census_hash=hash_identifier(cpr, pepper=settings.CENSUS_PEPPER) if cpr else None,
        cvr=cvr,
        organisation_name=organisation_name,
    )
    request.session[SESSION_PENDING] = {
        "provider": facts.provider,
        "uid": facts.uid,
        "level": facts.level,
        "census_hash": facts.census_hash,
        "cvr": facts.cvr,
        "organisation_name": facts.organisation_name,
    }
    return facts


def _pending(request: HttpRequest, sociallogin) -> LoginFacts | None:
    data = request.session.get(SESSION_PENDING)
    if not isinstance(data, dict) or sociallogin is None:
        return None
    account = sociallogin.account
    # Only the login these facts came from may use them.
    if data.get("provider") != account.provider or data.get("uid") != account.uid:
        return None
    return LoginFacts(**{key: value for key, value in data.items() if key != "applied"})


def login_facts_apply(request: HttpRequest, user, sociallogin, *, logged_in: bool) -> None:
    """Use the facts of this login, once (signals.py, at sign-up and at login)."""
    from samskab.accounts import services

    if request is None or not hasattr(request, "session"):
        return
    facts = _pending(request, sociallogin)
    if facts is None:
        return
    data = request.session[SESSION_PENDING]
    if logged_in:
        request.session.pop(SESSION_PENDING, None)
        request.session[SESSION_ASSURANCE] = facts.level
    else:
        # Signed up: used now; the login that may follow in this request only takes the level.
        request.session[SESSION_PENDING] = {**data, "applied": True}
    if data.get("applied"):
        return
    if facts.cvr:
        services.account_set_organisation(
            user=user, cvr=facts.cvr, name=facts.organisation_name or ""
        )
    if facts.census_hash and not facts.cvr:
        _residence(request, user, facts)


def _residence(request: HttpRequest, user, facts: LoginFacts) -> None:
    from samskab.accounts import services
    from samskab.accounts.models import ResidenceVerification

    try:
        services.residence_verify_by_hash(
            user=user,
            identifier_hash=facts.census_hash or "",
            method=ResidenceVerification.Method.MITID,
        )
    except services.AlreadyVerified:
        return
    except services.CensusMismatch:
        logger.info("Residence from MitID: not in the census (account %s)", user.pk)
        messages.warning(
            request,
            _(
                "You are logged in, but the municipality's census does not have you as a "
                "resident, so you cannot yet vote where only residents may. If you have just "
                "moved here, the census may not have been updated yet."
            ),
        )
    except services.ResidenceClaimed:
        logger.warning(
            "Residence from MitID refused: used by another account (account %s)", user.pk
        )
        messages.error(request, residence_claimed_message())
    else:
        messages.success(
            request, _("MitID has confirmed that you live in the municipality. You can now vote.")
        )


def residence_claimed_message() -> str:
    from samskab.core.models import SiteSettings

    message = _(
        "Your residence is already used to verify another account, so this account has not "
        "been verified. Contact the municipality so they can help you."
    )
    contact = SiteSettings.current().contact_email
    if contact:
        message += " " + _("Write to %(email)s.") % {"email": contact}
    return message


def session_assurance(request: HttpRequest) -> str:
    """The level of assurance of this session's MitID login, or '' (e-mail login)."""
    if not hasattr(request, "session"):
        return ""
    return normalise_level(request.session.get(SESSION_ASSURANCE))


def stricter(*levels: str | None) -> str:
    """The highest of these levels ('' when none asks for one)."""
    known = [normalise_level(level) for level in levels]
    known = [level for level in known if level]
    return max(known, key=LEVELS.index) if known else ""


def step_up_route() -> str:
    """Which MitID login a step-up goes through: 'nemlogin', 'broker', or '' (none set up).

    settings.MITID_STEP_UP_VIA chooses; left empty, NemLog-in (or the demo's simulator) when
    it is set up, else the OpenID Connect broker when one is configured."""
    from samskab.accounts.mitid.views import broker_enabled
    from samskab.accounts.nemlogin.views import enabled as nemlogin_enabled

    chosen = getattr(settings, "MITID_STEP_UP_VIA", "")
    if chosen == "nemlogin":
        return "nemlogin" if nemlogin_enabled() else ""
    if chosen == "broker":
        return "broker" if broker_enabled() else ""
    if nemlogin_enabled():
        return "nemlogin"
    return "broker" if broker_enabled() else ""


def assurance_missing(request: HttpRequest, level: str | None) -> str:
    """The level this action asks for and this session lacks, or '' when none is missing.

    A site with no MitID login set up (neither NemLog-in nor a broker) cannot step up: the
    requirement is logged and not enforced (an installation without MitID keeps working;
    docs/nemlog-in.md says so)."""
    level = normalise_level(level)
    if not level or level_at_least(session_assurance(request), level):
        return ""
    if not step_up_route():
        logger.warning("Step-up to %s asked for, but no MitID login is set up", level)
        return ""
    return level


def step_up_url(level: str, next_url: str) -> str:
    from django.urls import reverse
    from django.utils.http import urlencode

    if step_up_route() == "broker":
        query = urlencode({"level": level, "next": next_url})
        return f"{reverse('mitid_login')}?{query}"
    query = urlencode({"level": level.capitalize(), "next": next_url})
    return f"{reverse('nemlogin_login')}?{query}"


def step_up_message(level: str) -> str:
    return _("This asks you to log in with MitID at assurance level %(level)s first.") % {
        "level": LEVEL_NAMES[level]
    }


def step_up_notice(request: HttpRequest, level: str | None, *, next_url: str) -> dict | None:
    """What a page says before a person starts an action that asks for MitID at `level`:
    None when the action asks for no level (or no MitID login is set up); else the level's
    name, whether this session already has it, and where to log in if not."""
    level = normalise_level(level)
    if not level or not step_up_route():
        return None
    missing = bool(assurance_missing(request, level))
    return {
        "level": level,
        "name": LEVEL_NAMES[level],
        "missing": missing,
        "url": step_up_url(level, next_url) if missing else "",
    }


def step_up_redirect(
    request: HttpRequest, level: str | None, *, next_url: str | None = None
) -> HttpResponse | None:
    """None if this session's MitID login is at `level` or higher; else the way to a MitID
    login at that level, coming back to `next_url` (default: this page).

    htmx requests are sent there with HX-Redirect, so the whole page goes, not a fragment."""
    from django.shortcuts import redirect

    missing = assurance_missing(request, level)
    if not missing:
        return None
    messages.info(request, step_up_message(missing))
    url = step_up_url(missing, next_url or request.get_full_path())
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


LEVEL_NAMES = {
    "low": gettext_lazy("low"),
    "substantial": gettext_lazy("substantial"),
    "high": gettext_lazy("high"),
}
