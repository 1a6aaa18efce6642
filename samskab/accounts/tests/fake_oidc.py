"""A small OpenID Connect provider on loopback that behaves like a MitID broker.

A real HTTP server (threaded, on a free port on 127.0.0.1) speaking the wire format of
OpenID Connect Core and Discovery: discovery document, JWKS, /authorize (redirects back with
code and state), /token (client_secret_post, PKCE S256, a signed RS256 ID token echoing the
nonce) and /userinfo. A test changes what it answers through the attributes below.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

SUBSTANTIAL = "https://data.gov.dk/concept/core/nsis/substantial"
HIGH = "https://data.gov.dk/concept/core/nsis/high"
LOW = "https://data.gov.dk/concept/core/nsis/low"
KEY_ID = "fake-broker-1"
# Put as a claim's value in id_token_claims to leave the claim out of the token.
OMIT = object()


@cache
def broker_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def stranger_key() -> rsa.RSAPrivateKey:
    """Another key, for tokens the broker did not sign."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeOIDCProvider:
    def __init__(self, *, client_id: str = "samskab-test", client_secret: str = "test-secret"):
        self.client_id = client_id
        self.client_secret = client_secret
        self.subject = str(uuid.uuid4())
        self.acr = SUBSTANTIAL
        # When true, the broker authenticates at the level asked for (the first acr_values
        # value), as real brokers do; else always at `acr`.
        self.acr_as_asked = False
        # Claims replacing or adding to the ID token's (OMIT removes one).
        self.id_token_claims: dict[str, Any] = {}
        # Extra claims in the userinfo answer (its sub can be replaced too).
        self.userinfo_claims: dict[str, Any] = {}
        self.sign_with_stranger_key = False
        self.header_overrides: dict[str, Any] = {}
        # What the broker was asked, for the test to inspect.
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.refusals: list[str] = []
        self._codes: dict[str, dict[str, str]] = {}
        self._server: ThreadingHTTPServer | None = None

    # Life cycle

    def start(self) -> "FakeOIDCProvider":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def issuer(self) -> str:
        assert self._server is not None, "start() the provider first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # The broker's answers

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": [LOW, SUBSTANTIAL, HIGH],
        }

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(broker_key().public_key()))
        public.update(kid=KEY_ID, alg="RS256", use="sig")
        return {"keys": [public]}

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """The status and Location of the answer to an authorisation request."""
        self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            self.refusals.append("authorize: unknown client or response type")
            return 400, ""
        code = secrets.token_urlsafe(16)
        self._codes[code] = query
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        return 302, f"{query['redirect_uri']}?{urlencode(params)}"

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        request = self._codes.pop(form.get("code", ""), None)  # a code is good once
        problem = self._token_problem(form, request)
        if problem:
            self.refusals.append(f"token: {problem}")
            return 400, {"error": "invalid_grant", "error_description": problem}
        assert request is not None
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(
                nonce=request.get("nonce"),
                acr=(request.get("acr_values") or "").split()[0]
                if self.acr_as_asked and request.get("acr_values")
                else None,
            ),
        }

    def _token_problem(self, form: dict[str, str], request: dict[str, str] | None) -> str:
        if request is None:
            return "unknown or used code"
        if form.get("grant_type") != "authorization_code":
            return "grant type"
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return "client authentication"
        if form.get("redirect_uri") != request.get("redirect_uri"):
            return "redirect_uri differs from the authorisation request"
        challenge = request.get("code_challenge")
        verifier = form.get("code_verifier", "")
        if not challenge or request.get("code_challenge_method") != "S256":
            return "no PKCE challenge"
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
            return "PKCE verifier does not match"
        return ""

    def id_token(self, *, nonce: str | None, acr: str | None = None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": self.subject,
            "aud": self.client_id,
            "exp": now + 300,
            "iat": now,
            "auth_time": now,
            "acr": acr or self.acr,
            "idp": "mitid",
        }
        if nonce is not None:
            claims["nonce"] = nonce
        claims.update(self.id_token_claims)
        claims = {key: value for key, value in claims.items() if value is not OMIT}
        key = stranger_key() if self.sign_with_stranger_key else broker_key()
        headers = {"kid": KEY_ID, **self.header_overrides}
        return jwt.encode(claims, key, algorithm="RS256", headers=headers)

    def userinfo(self) -> dict[str, Any]:
        return {"sub": self.subject, **self.userinfo_claims}


def _handler_for(provider: FakeOIDCProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                status, location = provider.authorize(query)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif url.path == "/userinfo":
                if not self.headers.get("Authorization", "").startswith("Bearer "):
                    self._json(401, {"error": "invalid_token"})
                else:
                    self._json(200, provider.userinfo())
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
            if urlsplit(self.path).path == "/token":
                status, answer = provider.token(form)
                self._json(status, answer)
            else:
                self._json(404, {"error": "not_found"})

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler
