"""Check a MitID broker's ID token. Pure: PyJWT and the broker's keys, no Django.

allauth's generic OpenID Connect provider skips the signature when the token came straight
from the token endpoint, sends no nonce, and knows nothing of assurance levels, so the whole
check is done here, following OpenID Connect Core 1.0 section 3.1.3.7.
"""

import hmac
import json
from collections.abc import Collection, Mapping
from typing import Any

import jwt

from samskab.accounts.mitid.claims import is_cpr_like

# The only algorithm accepted, whatever the token's header says (no "none", no HS256 made
# with the public key as secret).
ALGORITHM = "RS256"
# Seconds of clock difference tolerated between the broker and us.
LEEWAY = 60


class IdTokenRejected(Exception):
    """The ID token fails a check. `reason` says which, for the log and the visitor's message."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def verify_id_token(
    token: str,
    *,
    jwks: Mapping[str, Any],
    issuer: str,
    client_id: str,
    nonce: str | None,
    accepted_acr: Collection[str],
    leeway: int = LEEWAY,
) -> dict[str, Any]:
    """The token's claims if it is signed by the broker, for us, now, for this login, at an
    accepted assurance level, and names a pseudonymous subject. Otherwise IdTokenRejected."""
    key = _signing_key(token, jwks)
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[ALGORITHM],
            audience=client_id,
            issuer=issuer,
            leeway=leeway,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise IdTokenRejected("expired") from error
    except jwt.InvalidAudienceError as error:
        raise IdTokenRejected("audience") from error
    except jwt.InvalidIssuerError as error:
        raise IdTokenRejected("issuer") from error
    except jwt.InvalidSignatureError as error:
        raise IdTokenRejected("signature") from error
    except jwt.PyJWTError as error:
        raise IdTokenRejected("malformed", str(error)) from error

    _check_authorized_party(claims, client_id)
    _check_nonce(claims, nonce)
    if claims.get("acr") not in accepted_acr:
        raise IdTokenRejected("assurance", f"acr {claims.get('acr')!r}")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject.strip():
        raise IdTokenRejected("subject", "empty subject")
    if is_cpr_like(subject):
        # A broker configured to use the CPR number as subject: refuse rather than store it.
        raise IdTokenRejected("subject", "subject is a CPR number")
    return claims


def _signing_key(token: str, jwks: Mapping[str, Any]) -> Any:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise IdTokenRejected("malformed", str(error)) from error
    if header.get("alg") != ALGORITHM:
        raise IdTokenRejected("signature", f"algorithm {header.get('alg')!r}")
    keys = [
        key
        for key in jwks.get("keys", [])
        if isinstance(key, Mapping)
        and key.get("kty") == "RSA"
        and key.get("use", "sig") == "sig"
        and key.get("alg", ALGORITHM) == ALGORITHM
    ]
    kid = header.get("kid")
    if kid is not None:
        keys = [key for key in keys if key.get("kid") == kid]
    if len(keys) != 1:
        # No key, or several and the token does not say which: refuse rather than guess.
        raise IdTokenRejected("signature", f"no single signing key for kid {kid!r}")
    try:
        return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(keys[0]))
    except (jwt.PyJWTError, ValueError, KeyError) as error:
        raise IdTokenRejected("signature", "unusable key") from error


def _check_authorized_party(claims: Mapping[str, Any], client_id: str) -> None:
    audience = claims["aud"]
    several = isinstance(audience, list) and len(audience) > 1
    authorized_party = claims.get("azp")
    if several and authorized_party is None:
        raise IdTokenRejected("audience", "several audiences and no azp")
    if authorized_party is not None and authorized_party != client_id:
        raise IdTokenRejected("audience", "azp is another client")


def _check_nonce(claims: Mapping[str, Any], expected: str | None) -> None:
    received = claims.get("nonce")
    if not expected or not isinstance(received, str):
        raise IdTokenRejected("nonce", "missing")
    if not hmac.compare_digest(received.encode(), expected.encode()):
        raise IdTokenRejected("nonce", "does not match this login")
