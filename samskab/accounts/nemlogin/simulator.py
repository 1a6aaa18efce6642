"""A fake NemLog-in identity provider: the "MitID (demo)" button and the tests' IdP.

It signs and encrypts like NemLog-in (pysaml2's IdP, the TEST-ONLY keys in testkeys/), so the
service provider's real code checks what it sends. Its identities are the demo's made-up
people. It is refused in production (settings.py and views.py): anything it signs proves
nothing, since its key is public.

No Django here; the demo's pages are in views.py. The attributes `wrong_*` let the tests make
it misbehave the way a broken or hostile IdP would.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

from samskab.accounts.nemlogin import saml

KEYS = Path(__file__).parent / "testkeys"
IDP_KEY = saml.KeyPair(str(KEYS / "idp.key"), str(KEYS / "idp.crt"))
SP_KEY = saml.KeyPair(str(KEYS / "sp.key"), str(KEYS / "sp.crt"))
SP_NEXT_KEY = saml.KeyPair(str(KEYS / "sp-next.key"), str(KEYS / "sp-next.crt"))
OTHER_KEY = saml.KeyPair(str(KEYS / "other.key"), str(KEYS / "other.crt"))
PERSON_PREFIX = "https://data.gov.dk/model/core/eid/person/uuid/"
PROFESSIONAL_PREFIX = "https://data.gov.dk/model/core/eid/professional/uuid/"


@dataclass(frozen=True)
class DemoIdentity:
    """A made-up person in the simulator (the numbers are the demo census's, all invented)."""

    key: str
    name: str
    uuid: str
    cpr: str | None = None
    cvr: str | None = None
    organisation_name: str | None = None
    level: str = "Substantial"
    in_census: bool = False

    @property
    def subject(self) -> str:
        prefix = PROFESSIONAL_PREFIX if self.cvr else PERSON_PREFIX
        return prefix + self.uuid


# The demo census (accounts/demo.py) has these numbers; "Ny tilflytter" is not in it.
DEMO_IDENTITIES = (
    DemoIdentity(
        "anna",
        "Anna Demo",
        "6f1c1f4e-0c4e-4b0a-9a51-3d8b2f3e0a01",
        cpr="0101901234",
        in_census=True,
    ),
    DemoIdentity(
        "bo", "Bo Demo", "6f1c1f4e-0c4e-4b0a-9a51-3d8b2f3e0a02", cpr="1502854321", in_census=True
    ),
    DemoIdentity(
        "carl",
        "Carl Demo (høj sikringsgrad)",
        "6f1c1f4e-0c4e-4b0a-9a51-3d8b2f3e0a03",
        cpr="3112705678",
        level="High",
        in_census=True,
    ),
    DemoIdentity(
        "ny",
        "Ny tilflytter (ikke i folkeregisterudtrækket)",
        "6f1c1f4e-0c4e-4b0a-9a51-3d8b2f3e0a04",
        cpr="0202029999",
    ),
    DemoIdentity(
        "forening",
        "Dorte Demo for Grundejerforeningen Søbakken (MitID Erhverv)",
        "6f1c1f4e-0c4e-4b0a-9a51-3d8b2f3e0a05",
        cvr="12345678",
        organisation_name="Grundejerforeningen Søbakken",
    ),
)


def demo_identity(key: str) -> DemoIdentity | None:
    return next((identity for identity in DEMO_IDENTITIES if identity.key == key), None)


class FakeNemLogIn:
    """The IdP. `metadata()` is what the service provider is configured with."""

    def __init__(self, *, entity_id: str, base_url: str, sp_metadata: list[str]):
        self.entity_id = entity_id
        self.sso_url = base_url.rstrip("/") + "/sso/"
        self.slo_url = base_url.rstrip("/") + "/slo/"
        self.sp_metadata = sp_metadata
        # Misbehaviour for the tests.
        self.wrong_audience: str | None = None
        self.sign_assertion = True
        self.encrypt_assertion = True
        self.signing_key = IDP_KEY
        self.lifetime_minutes = 5

    def _config(self, key: saml.KeyPair) -> IdPConfig:
        config: dict[str, Any] = {
            "entityid": self.entity_id,
            "xmlsec_binary": saml.xmlsec_binary(),
            "key_file": key.key_file,
            "cert_file": key.cert_file,
            "metadata": {"inline": self.sp_metadata},
            "allow_unknown_attributes": True,
            "service": {
                "idp": {
                    "name": "Fake NemLog-in (TEST ONLY)",
                    "endpoints": {
                        "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(self.slo_url, BINDING_HTTP_REDIRECT)],
                    },
                    "want_authn_requests_signed": True,
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": self.lifetime_minutes},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
        }
        conf = IdPConfig()
        conf.load(config)
        return conf

    def server(self, key: saml.KeyPair | None = None) -> Server:
        return Server(config=self._config(key or self.signing_key))

    def metadata(self) -> str:
        return str(entity_descriptor(self._config(IDP_KEY)))

    def read_authn_request(self, url: str):
        """The AuthnRequest in the redirect URL our SP sent; its signature is checked."""
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        server = self.server(IDP_KEY)
        # pysaml2 checks the redirect binding's signature against the SP's metadata.
        request = server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        return request.message, query.get("RelayState", "")

    def response(
        self,
        authn_request,
        identity: DemoIdentity,
        *,
        level: str | None = None,
    ) -> str:
        """A base64 SAMLResponse to POST to the SP's assertion consumer service."""
        server = self.server()
        sp_entity_id = self.wrong_audience or authn_request.issuer.text
        attributes = {
            saml.ATTR_SPEC_VERSION: ["OIO-SAML-3.0"],
            saml.ATTR_LOA: [level or identity.level],
        }
        if identity.cpr:
            attributes[saml.ATTR_CPR] = [identity.cpr]
        if identity.cvr:
            attributes[saml.ATTR_CVR] = [identity.cvr]
        if identity.organisation_name:
            attributes[saml.ATTR_ORG_NAME] = [identity.organisation_name]
        acs = (
            authn_request.assertion_consumer_service_url
            or server.metadata.assertion_consumer_service(
                authn_request.issuer.text, BINDING_HTTP_POST
            )[0]["location"]
        )
        encryption_cert = _cert_body(SP_KEY.cert_file)
        response = server.create_authn_response(
            attributes,
            in_response_to=authn_request.id,
            destination=acs,
            sp_entity_id=sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=identity.subject),
            authn={
                "class_ref": saml.LOA_CONTEXT + (level or identity.level),
                "authn_instant": None,
            },
            sign_assertion=self.sign_assertion,
            sign_response=False,
            encrypt_assertion=self.encrypt_assertion,
            encrypt_assertion_self_contained=True,
            encrypt_cert_assertion=encryption_cert if self.encrypt_assertion else None,
            sign_alg=saml.SIGALG,
            digest_alg=saml.DIGALG,
            session_not_on_or_after=None,
        )
        return base64.b64encode(str(response).encode()).decode()

    def logout(self, query: dict[str, str]) -> str:
        """Answer the SP's signed LogoutRequest (HTTP-Redirect); returns the answer's URL."""
        server = self.server(IDP_KEY)
        request = server.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        response = server.create_logout_response(
            request.message, [BINDING_HTTP_REDIRECT], sign=False
        )
        destination = server.metadata.single_logout_service(
            request.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            query.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=saml.SIGALG,
        )
        return dict(info["headers"])["Location"]

    def logout_request_for(self, subject: str) -> str:
        """An IdP-initiated logout of `subject` (another service ended the MitID session)."""
        server = self.server(IDP_KEY)
        sp_entity_id = _entity_id(self.sp_metadata[0])
        destination = server.metadata.single_logout_service(
            sp_entity_id, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        _request_id, request = server.create_logout_request(
            destination,
            sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            sign=False,
        )
        info = server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, "", sign=True, sigalg=saml.SIGALG
        )
        return dict(info["headers"])["Location"]


def _entity_id(metadata: str) -> str:
    from defusedxml import ElementTree

    return ElementTree.fromstring(metadata).attrib["entityID"]


def _cert_body(path: str) -> str:
    lines = Path(path).read_text().strip().splitlines()
    return "".join(line for line in lines if "CERTIFICATE" not in line)
