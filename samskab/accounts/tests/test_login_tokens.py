"""The ID token check on its own, for attacks the fake broker does not stage. Pure."""

import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from samskab.accounts.mitid.tokens import IdTokenRejected, verify_id_token
from samskab.accounts.tests.fake_oidc import KEY_ID, SUBSTANTIAL, broker_key

ISSUER = "https://broker.example"
CLIENT = "samskab"
NONCE = "n-0123456789abcdef0123456789abcdef"


def jwks() -> dict:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(broker_key().public_key()))
    return {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}


def claims(**changes) -> dict:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "sub": "pseudonym-1",
        "aud": CLIENT,
        "exp": now + 300,
        "iat": now,
        "nonce": NONCE,
        "acr": SUBSTANTIAL,
    }
    return {**base, **changes}


def verify(token: str) -> dict:
    return verify_id_token(
        token, jwks=jwks(), issuer=ISSUER, client_id=CLIENT, nonce=NONCE, accepted_acr=[SUBSTANTIAL]
    )


def test_it_accepts_a_good_token():
    token = jwt.encode(claims(), broker_key(), algorithm="RS256", headers={"kid": KEY_ID})
    assert verify(token)["sub"] == "pseudonym-1"


def test_it_refuses_an_unsigned_token():
    token = jwt.encode(claims(), None, algorithm="none", headers={"kid": KEY_ID})
    with pytest.raises(IdTokenRejected) as refusal:
        verify(token)
    assert refusal.value.reason == "signature"


def test_it_refuses_a_token_signed_with_the_public_key_as_an_hmac_secret():
    public_pem = (
        broker_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = jwt.utils.base64url_encode(b'{"alg":"HS256","kid":"%s"}' % KEY_ID.encode())
    body = jwt.utils.base64url_encode(json.dumps(claims()).encode())
    signature = hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest()
    token = (header + b"." + body + b"." + jwt.utils.base64url_encode(signature)).decode()
    with pytest.raises(IdTokenRejected) as refusal:
        verify(token)
    assert refusal.value.reason == "signature"


def test_it_refuses_a_token_issued_in_the_future():
    future = int(time.time()) + 3600
    token = jwt.encode(
        claims(iat=future, exp=future + 300),
        broker_key(),
        algorithm="RS256",
        headers={"kid": KEY_ID},
    )
    with pytest.raises(IdTokenRejected):
        verify(token)


def test_it_refuses_garbage():
    with pytest.raises(IdTokenRejected) as refusal:
        verify("not.a.token")
    assert refusal.value.reason == "malformed"
