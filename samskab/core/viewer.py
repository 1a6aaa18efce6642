"""Visitors without an account: a random token in a signed cookie, hashed at rest.

The token identifies a browser, not a person: one vote per viewer in a vox pop, one
answer per viewer in a survey, a rate-limit key for a town hall behind one address.
Only `viewer_key` (a keyed hash) is ever written to the database.
"""

import functools
import hashlib
import hmac
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from samskab.core.clientaddress import request_address_pseudonym

SALT = "samskab.viewer"


def new_token() -> str:
    return secrets.token_urlsafe(24)


@functools.lru_cache(maxsize=4)
def _hmac_key(secret: str) -> bytes:
    return hashlib.sha256(f"{secret}:{SALT}".encode()).digest()


def viewer_key(token: str) -> str:
    """The at-rest form of a viewer token: HMAC-SHA256 with a key derived from SECRET_KEY."""
    return hmac.new(_hmac_key(settings.SECRET_KEY), token.encode(), hashlib.sha256).hexdigest()


def read_token(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(
        settings.VIEWER_COOKIE_NAME, default=None, salt=SALT, max_age=settings.VIEWER_COOKIE_AGE
    )


def set_token(response: HttpResponse, token: str) -> None:
    response.set_signed_cookie(
        settings.VIEWER_COOKIE_NAME,
        token,
        salt=SALT,
        max_age=settings.VIEWER_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class Viewer:
    """Who is looking: an account if signed in, and always a browser token.

    The token is created lazily: a visitor who only reads gets no cookie. One address is
    given at most VIEWER_TOKENS_PER_ADDRESS new tokens; beyond that, a browser without a
    cookie is given none, and in this request it is the address (every such browser behind
    it is the same viewer), so a script that throws its cookies away gains nothing.
    """

    def __init__(self, request: HttpRequest):
        self._request = request
        self._token = read_token(request)
        self.from_cookie = self._token is not None
        self.token_is_new = False
        self.refused = False

    @property
    def token(self) -> str:
        if self._token is None:
            if _may_issue(self._request):
                self._token = new_token()
                self.token_is_new = True
            else:
                self.refused = True
                self._token = "address:" + request_address_pseudonym(self._request)
        return self._token

    @property
    def key(self) -> str:
        return viewer_key(self.token)

    @property
    def has_token(self) -> bool:
        """True if the browser sent a cookie or has just been given one."""
        return self.from_cookie or self.token_is_new


def _may_issue(request: HttpRequest) -> bool:
    from samskab.core.ratelimit import hit_key

    address = request_address_pseudonym(request)
    return hit_key(
        "viewer-token",
        "ip:" + address,
        settings.VIEWER_TOKENS_PER_ADDRESS,
        address=address,
        per_address=settings.VIEWER_TOKENS_PER_ADDRESS,
    )
