"""NemLog-in as a SAML service provider (OIOSAML 3), on pysaml2 and the xmlsec1 binary.

No Django here: views.py passes the settings in. Everything cryptographic (signatures of
requests and assertions, decryption) is done by pysaml2 through xmlsec1; this module adds
what OIOSAML 3 and Samskab require on top: an encrypted and signed assertion, the NSIS level
of assurance, a pseudonymous subject, a response used once, and the CPR attribute taken out
before anything else sees the attributes.
"""

from __future__ import annotations

import base64
import functools
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import saml2.cryptography.asymmetric
from defusedxml import ElementTree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import StatusError, VerificationError
from saml2.saml import NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import SignatureError, get_xmlsec_binary, verify_redirect_signature
from saml2.validate import ResponseLifetimeExceed, ToEarly

from samskab.accounts.mitid.claims import is_cpr_like

# OIOSAML 3.0 attribute names (the NemLog-in "OIO SAML 3.0.3" profile).
ATTR_SPEC_VERSION = "https://data.gov.dk/model/core/specVersion"
ATTR_LOA = "https://data.gov.dk/concept/core/nsis/loa"
ATTR_CPR = "https://data.gov.dk/model/core/eid/cprNumber"
ATTR_CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
ATTR_ORG_NAME = "https://data.gov.dk/model/core/eid/professional/orgName"
LOA_CONTEXT = "https://data.gov.dk/concept/core/nsis/loa/"
# The NSIS levels in order; a login at a higher level satisfies a lower requirement.
LEVELS = ("Low", "Substantial", "High")
SAML_NS = "{urn:oasis:names:tc:SAML:2.0:assertion}"
SAMLP_NS = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SIGALG = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGALG = "http://www.w3.org/2001/04/xmlenc#sha256"
# Seconds of clock difference tolerated between NemLog-in and us.
CLOCK_SKEW = 60

# pysaml2 reads and checks the private keys again for every client it makes, and a login
# makes several (the login page's CSP, the request, the response): checking an RSA key is
# 30-100 ms of a core. A key is the same object for the same PEM text, so each is loaded once
# per process; a changed key file is other text, loaded afresh. (pysaml2 calls it through the
# module, saml2.sigver.import_rsa_key_from_file.)
saml2.cryptography.asymmetric.load_pem_private_key = functools.lru_cache(maxsize=16)(
    saml2.cryptography.asymmetric.load_pem_private_key
)


class ResponseRefused(Exception):
    """The IdP's answer fails a check. `reason` says which, for the log and the message."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class KeyPair:
    key_file: str
    cert_file: str


@dataclass(frozen=True)
class ServiceProvider:
    """What we are at NemLog-in: an entity id, our endpoints and our keys."""

    entity_id: str
    acs_url: str  # AssertionConsumerService, HTTP-POST
    sls_url: str  # SingleLogoutService, HTTP-Redirect
    keys: tuple[KeyPair, ...]  # the signing key first; a second one during a key rollover
    idp_metadata: str  # NemLog-in's metadata, as XML
    accepted_levels: Collection[str] = ("Substantial", "High")
    name: str = "Samskab"
    organisation: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Identity:
    """A verified NemLog-in login. `cpr` is there only for the census match and is dropped
    by the caller at once (views.py); it is never stored."""

    subject: str
    level: str
    session_index: str
    assertion_id: str
    not_on_or_after: datetime | None
    cpr: str | None = None
    cvr: str | None = None
    organisation_name: str | None = None

    @property
    def is_organisation(self) -> bool:
        return self.cvr is not None


def xmlsec_binary() -> str:
    return shutil.which("xmlsec1") or get_xmlsec_binary(["/usr/bin", "/usr/local/bin"])


def sp_config(sp: ServiceProvider) -> SPConfig:
    signing = sp.keys[0]
    config: dict[str, Any] = {
        "entityid": sp.entity_id,
        "xmlsec_binary": xmlsec_binary(),
        "key_file": signing.key_file,
        "cert_file": signing.cert_file,
        # Key rollover: the next key is published beside the current one, and both decrypt.
        "additional_cert_files": [pair.cert_file for pair in sp.keys[1:]],
        "encryption_keypairs": [
            {"key_file": pair.key_file, "cert_file": pair.cert_file} for pair in sp.keys
        ],
        "metadata": {"inline": [sp.idp_metadata]},
        "accepted_time_diff": CLOCK_SKEW,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": sp.name,
                "endpoints": {
                    "assertion_consumer_service": [(sp.acs_url, BINDING_HTTP_POST)],
                    "single_logout_service": [(sp.sls_url, BINDING_HTTP_REDIRECT)],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "signing_algorithm": SIGALG,
                "digest_algorithm": DIGALG,
            }
        },
    }
    if sp.organisation:
        config["organization"] = {
            "name": sp.organisation.get("name", sp.name),
            "display_name": sp.organisation.get("name", sp.name),
            "url": sp.organisation.get("url", ""),
        }
        if sp.organisation.get("email"):
            config["contact_person"] = [
                {"contact_type": "technical", "email_address": sp.organisation["email"]}
            ]
    conf = SPConfig()
    conf.load(config)
    return conf


def client(sp: ServiceProvider) -> Saml2Client:
    return Saml2Client(sp_config(sp))


def metadata_xml(sp: ServiceProvider) -> str:
    """Our metadata, signed, for registration at NemLog-in (both keys during a rollover)."""
    conf = sp_config(sp)
    descriptor = entity_descriptor(conf)
    from saml2.sigver import security_context

    security = security_context(conf)
    from saml2.metadata import sign_entity_descriptor

    _eid, xml = sign_entity_descriptor(descriptor, None, security)
    return str(xml)


def idp_entity_id(sp: ServiceProvider) -> str:
    root = ElementTree.fromstring(sp.idp_metadata)
    return root.attrib["entityID"]


def minimum_level(levels: Collection[str]) -> str:
    return min(levels, key=LEVELS.index)


def sso_origin(sp: ServiceProvider) -> str:
    """The origin (scheme://host) of the IdP's single sign-on service (HTTP-Redirect), where
    the login page's form leads through our redirect: the CSP's form-action must allow it."""
    saml = client(sp)
    location = saml.metadata.single_sign_on_service(idp_entity_id(sp), BINDING_HTTP_REDIRECT)[0][
        "location"
    ]
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}"


def authn_request(
    sp: ServiceProvider, *, relay_state: str, level: str | None = None
) -> tuple[str, str]:
    """A signed AuthnRequest (HTTP-Redirect). Returns (request id, the IdP's URL)."""
    requested = level or minimum_level(sp.accepted_levels)
    saml = client(sp)
    request_id, info = saml.prepare_for_authenticate(
        entityid=idp_entity_id(sp),
        relay_state=relay_state,
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIGALG,
        digest_alg=DIGALG,
        requested_authn_context=RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=LOA_CONTEXT + requested)],
            comparison="minimum",
        ),
    )
    location = dict(info["headers"])["Location"]
    return request_id, location


def read_response(
    sp: ServiceProvider,
    saml_response: str,
    *,
    request_id: str | None,
    required_level: str | None = None,
) -> Identity:
    """The identity in a POSTed SAMLResponse, once every check has passed.

    `request_id` is the id of the AuthnRequest this browser sent (kept in its session); an
    answer to another request, or to none (unsolicited), is refused.
    """
    if not request_id:
        raise ResponseRefused("unsolicited")
    _require_encrypted_assertion(saml_response)
    saml = client(sp)
    try:
        response = saml.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
        )
    except ResponseLifetimeExceed as error:
        raise ResponseRefused("expired") from error
    except ToEarly as error:
        raise ResponseRefused("not_yet_valid") from error
    except SignatureError as error:
        raise ResponseRefused("signature", str(error)[:200]) from error
    except StatusError as error:
        raise ResponseRefused("status", type(error).__name__) from error
    except VerificationError as error:
        raise ResponseRefused("verification", str(error)[:200]) from error
    except Exception as error:  # pysaml2 raises many kinds; every one is a refusal
        raise ResponseRefused("invalid", f"{type(error).__name__}: {str(error)[:200]}") from error
    if response is None:
        # pysaml2 answers None for an audience or destination not ours, among others.
        raise ResponseRefused("audience")
    assertion = response.assertion
    if assertion is None or (assertion.signature is None and not response.response.signature):
        raise ResponseRefused("signature", "assertion not signed")
    if assertion.signature is None:
        raise ResponseRefused("signature", "assertion not signed")
    if response.in_response_to != request_id:
        raise ResponseRefused("unsolicited")
    _check_audience(assertion, sp.entity_id)
    attributes = response.get_identity()
    level = _level(assertion, attributes)
    accepted = set(sp.accepted_levels)
    if required_level is not None:
        accepted = {lv for lv in accepted if LEVELS.index(lv) >= LEVELS.index(required_level)}
    if level not in accepted:
        raise ResponseRefused("assurance", f"level {level!r}")
    name_id = response.name_id
    subject = (getattr(name_id, "text", "") or "").strip()
    if not subject:
        raise ResponseRefused("subject", "empty subject")
    if is_cpr_like(subject) or is_cpr_like(subject.rsplit("/", 1)[-1].rsplit(":", 1)[-1]):
        raise ResponseRefused("subject", "subject is a CPR number")
    cvr = _single(attributes, ATTR_CVR)
    org_name = _single(attributes, ATTR_ORG_NAME)
    if org_name and not cvr:
        raise ResponseRefused("organisation", "organisation without CVR")
    if cvr is not None and not (cvr.isdigit() and len(cvr) == 8):
        raise ResponseRefused("organisation", "CVR is not eight digits")
    session_index = ""
    if assertion.authn_statement:
        session_index = assertion.authn_statement[0].session_index or ""
    return Identity(
        subject=subject,
        level=level,
        session_index=session_index,
        assertion_id=assertion.id,
        not_on_or_after=_not_on_or_after(assertion),
        cpr=_single(attributes, ATTR_CPR),
        cvr=cvr,
        organisation_name=org_name,
    )


def _root(saml_response: str):
    try:
        xml = base64.b64decode(saml_response, validate=False)
        root = ElementTree.fromstring(xml)
    except Exception as error:
        raise ResponseRefused("invalid", "not a SAML response") from error
    if root.tag != f"{SAMLP_NS}Response":
        raise ResponseRefused("invalid", "not a SAML response")
    return root


def envelope(saml_response: str) -> tuple[str, str]:
    """The Response's ID and InResponseTo, read before any check (to find the login's state
    and to refuse a replayed answer); nothing else in it is trusted until read_response."""
    root = _root(saml_response)
    response_id = root.attrib.get("ID", "")
    if not response_id:
        raise ResponseRefused("invalid", "no ID")
    return response_id, root.attrib.get("InResponseTo", "")


def _require_encrypted_assertion(saml_response: str) -> None:
    root = _root(saml_response)
    if root.find(f"{SAML_NS}Assertion") is not None:
        # OIOSAML 3: the assertion is always encrypted for us.
        raise ResponseRefused("unencrypted")
    if root.find(f"{SAML_NS}EncryptedAssertion") is None:
        status = root.find(f"{SAMLP_NS}Status/{SAMLP_NS}StatusCode")
        value = status.attrib.get("Value", "") if status is not None else ""
        if value and not value.endswith(":Success"):
            raise ResponseRefused("status", value.rsplit(":", 1)[-1])
        raise ResponseRefused("invalid", "no assertion")


def _check_audience(assertion, entity_id: str) -> None:
    conditions = assertion.conditions
    audiences = [
        audience.text
        for restriction in (conditions.audience_restriction if conditions else [])
        for audience in restriction.audience
    ]
    if entity_id not in audiences:
        raise ResponseRefused("audience")


def _level(assertion, attributes: Mapping[str, list[str]]) -> str:
    level = _single(attributes, ATTR_LOA)
    if level is None and assertion.authn_statement:
        context = assertion.authn_statement[0].authn_context
        ref = getattr(getattr(context, "authn_context_class_ref", None), "text", "") or ""
        if ref.startswith(LOA_CONTEXT):
            level = ref[len(LOA_CONTEXT) :]
    return level or ""


def _single(attributes: Mapping[str, list[str]], name: str) -> str | None:
    values = attributes.get(name) or []
    value = str(values[0]).strip() if values else ""
    return value or None


def _not_on_or_after(assertion) -> datetime | None:
    text = getattr(assertion.conditions, "not_on_or_after", None)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def logout_request(
    sp: ServiceProvider, *, subject: str, session_index: str, relay_state: str
) -> tuple[str, str]:
    """A signed LogoutRequest for the IdP (HTTP-Redirect). Returns (request id, URL)."""
    from saml2.saml import NameID

    saml = client(sp)
    idp = idp_entity_id(sp)
    destination = saml.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")[0][
        "location"
    ]
    request_id, request = saml.create_logout_request(
        destination,
        idp,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
        session_indexes=[session_index] if session_index else None,
        sign=False,  # the redirect binding signs the query instead
    )
    info = saml.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(request),
        destination,
        relay_state,
        sign=True,
        sigalg=SIGALG,
    )
    return request_id, dict(info["headers"])["Location"]


def _verify_redirect(saml: Saml2Client, query: Mapping[str, str], kind: str) -> None:
    """The HTTP-Redirect binding's signature (in the query), by a key in the IdP's metadata."""
    if not query.get("Signature") or query.get("SigAlg") != SIGALG:
        raise ResponseRefused("logout", "unsigned")
    message = {
        key: query[key] for key in (kind, "RelayState", "SigAlg", "Signature") if key in query
    }
    idp = next(iter(saml.metadata.identity_providers()), None)
    certs = saml.metadata.certs(idp, "idpsso", "signing") if idp else []
    try:
        verified = any(
            verify_redirect_signature(message, saml.sec.sec_backend, cert) for _name, cert in certs
        )
    except Exception as error:
        raise ResponseRefused("logout", type(error).__name__) from error
    if not verified:
        raise ResponseRefused("logout", "bad signature")


def read_logout_response(
    sp: ServiceProvider, query: Mapping[str, str], *, request_ids: Collection[str]
) -> bool:
    """True if the IdP confirms our logout (the redirect's signature is checked).

    `request_ids` are the LogoutRequests this browser sent and has not seen answered: the
    answer's InResponseTo must be one of them, so an answer to another browser's logout, to
    none, or one seen before is refused."""
    saml = client(sp)
    _verify_redirect(saml, query, "SAMLResponse")
    try:
        response = saml.parse_logout_request_response(query["SAMLResponse"], BINDING_HTTP_REDIRECT)
    except Exception as error:
        raise ResponseRefused("logout", type(error).__name__) from error
    if response is None:
        raise ResponseRefused("logout", "unreadable")
    in_response_to = getattr(response, "in_response_to", None) or ""
    if not in_response_to or in_response_to not in request_ids:
        raise ResponseRefused("unsolicited", "logout answer to no request of ours")
    issuer = getattr(getattr(response.response, "issuer", None), "text", "")
    if issuer != idp_entity_id(sp):
        raise ResponseRefused("logout", "not from our IdP")
    return response.status_ok()


def read_logout_request(sp: ServiceProvider, query: Mapping[str, str]) -> tuple[str, str]:
    """An IdP-initiated logout: (the subject it is about, our signed answer's URL)."""
    saml = client(sp)
    _verify_redirect(saml, query, "SAMLRequest")
    try:
        request = saml.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
    except Exception as error:
        raise ResponseRefused("logout", type(error).__name__) from error
    if request is None or request.message.issuer.text != idp_entity_id(sp):
        raise ResponseRefused("logout", "not from our IdP")
    subject = request.message.name_id.text if request.message.name_id is not None else ""
    response = saml.create_logout_response(request.message, [BINDING_HTTP_REDIRECT], sign=False)
    destination = saml.metadata.single_logout_service(
        request.message.issuer.text, BINDING_HTTP_REDIRECT, "idpsso"
    )[0]["location"]
    info = saml.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        query.get("RelayState", ""),
        response=True,
        sign=True,
        sigalg=SIGALG,
    )
    return subject, dict(info["headers"])["Location"]
