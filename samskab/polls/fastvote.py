"""The fast vote path: the player's vote button, answered without the Django request cycle.

A vox pop takes thousands of votes in a minute. The common request is always the same: an
anonymous viewer with a signed viewer cookie POSTs the vote form with `X-Requested-With:
fetch` and gets the poll box back. This ASGI middleware, in front of Django (samskab/asgi.py),
takes exactly those requests when everything the normal path would check passes here:

- the host is allowed, no HTTPS redirect is due, no session cookie (no account, no staff);
- CSRF as CsrfViewMiddleware checks it: the Origin header (when sent) is this site or a
  trusted origin, or over HTTP without Origin; the cookie secret and the form's token (or
  the X-CSRFToken header) match;
- the viewer cookie's signature and age (django.core.signing, as request.get_signed_cookie);
- the form is small and URL-encoded; the language as LocaleMiddleware chooses it.

Then `votewriter` checks, in one transaction per batch, that the poll is open and its policy
is anyone-once-per-viewer, the option belongs to its one question, the rate limit, and one
vote per voter (the unique index). The answer is the same poll box, status and headers the
vote view gives.

Everything else, and every request that fails a check here, goes to Django unchanged (its
body replayed), and the normal view answers as it always has: the refusals with their own
pages (403 for CSRF, 409 for a missing or forged cookie, 400 for a closed poll or a foreign
option, 429), a form post without JavaScript (a redirect with a message), signed-in voters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from functools import lru_cache
from urllib.parse import unquote_plus

from django.conf import settings
from django.core import signing
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.middleware.csrf import InvalidTokenFormat, _check_token_format, _does_token_match
from django.middleware.csrf import _unmask_cipher_token as _unmask
from django.urls import reverse
from django.utils.translation import get_language_from_request

from samskab.core import requestid
from samskab.core.clientaddress import address_pseudonym, client_ip_from
from samskab.core.viewer import SALT, viewer_key
from samskab.polls.votewriter import FALL_THROUGH, Ticket, VoteWriter

MAX_BODY = 4096  # the vote form is about 150 bytes
CSRF_SECRET_LENGTH = 32


class _Config:
    """The settings the fast path reads, read once (settings are a lazy object, and a request
    here must cost as little as it can); rebuilt when a test changes a setting."""

    def __init__(self) -> None:
        example = reverse("polls:vote", args=[987654321])
        self.vote_path = re.compile(
            "^" + re.escape(example).replace("987654321", r"([0-9]{1,18})") + "$"
        )
        self.allowed_hosts = settings.ALLOWED_HOSTS
        if settings.DEBUG and not self.allowed_hosts:
            self.allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
        self.proxy_ssl_header = None
        if settings.SECURE_PROXY_SSL_HEADER:
            header, value = settings.SECURE_PROXY_SSL_HEADER
            self.proxy_ssl_header = (_header_name(header), value)
        self.ssl_redirect = settings.SECURE_SSL_REDIRECT
        # Requests Django treats in ways not repeated here go to Django.
        self.never = bool(
            settings.DISALLOWED_USER_AGENTS
            or settings.USE_X_FORWARDED_HOST
            or settings.CSRF_USE_SESSIONS
        )
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.csrf_cookie = settings.CSRF_COOKIE_NAME
        self.csrf_header = _header_name(settings.CSRF_HEADER_NAME)
        self.trusted_origins = frozenset(settings.CSRF_TRUSTED_ORIGINS)
        self.viewer_cookie = settings.VIEWER_COOKIE_NAME
        self.viewer_age = settings.VIEWER_COOKIE_AGE
        # As request.get_signed_cookie(name, salt=SALT) checks it (django.core.signing): the
        # current salt, then the legacy one while SIGNED_COOKIE_LEGACY_SALT_FALLBACK allows it;
        # every key, then the fallbacks. The HMAC keys Django derives per call are derived here
        # once. Another SIGNING_BACKEND: Django decides.
        self.never = self.never or settings.SIGNING_BACKEND != "django.core.signing.TimestampSigner"
        salts = [signing._cookie_signer_salt(self.viewer_cookie, SALT)]
        if getattr(settings, "SIGNED_COOKIE_LEGACY_SALT_FALLBACK", False):
            salts.append(signing._cookie_signer_legacy_salt(self.viewer_cookie, SALT))
        secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        self.viewer_keys = [
            [
                hashlib.sha256(
                    f"{salt}signer".encode() + signing._cookie_signer_key(secret)
                ).digest()
                for secret in secrets
            ]
            for salt in salts
        ]
        self.language_cookie = settings.LANGUAGE_COOKIE_NAME
        self.languages: dict[tuple[str | None, str], str] = {}

    def unsign_viewer(self, signed: str) -> str | None:
        """The token in a signed viewer cookie, or None (forged, malformed or too old)."""
        value, sep, signature = signed.rpartition(":")
        if not sep:
            return None
        message = value.encode()
        for keys in self.viewer_keys:
            for key in keys:
                expected = base64.urlsafe_b64encode(hmac.digest(key, message, "sha256"))
                if hmac.compare_digest(signature.encode(), expected.rstrip(b"=")):
                    token, sep, stamp = value.rpartition(":")
                    try:
                        age = time.time() - signing.b62_decode(stamp)
                    except (ValueError, IndexError):
                        return None
                    return token if sep and age <= self.viewer_age else None
        return None

    def language(self, cookies: dict[str, str], accept: str) -> str:
        key = (cookies.get(self.language_cookie), accept)
        found = self.languages.get(key)
        if found is None:
            found = get_language_from_request(_LanguageProbe(cookies, accept), check_path=False)
            if len(self.languages) > 500:
                self.languages.clear()
            self.languages[key] = found
        return found


_config: _Config | None = None


def config() -> _Config:
    global _config
    if _config is None:
        _config = _Config()
    return _config


@receiver(setting_changed)
def _forget_config(**_kwargs) -> None:
    global _config
    _config = None
    _static_headers.cache_clear()


class _LanguageProbe:
    """What get_language_from_request reads: the language cookie and Accept-Language."""

    def __init__(self, cookies: dict[str, str], accept: str):
        self.COOKIES = cookies
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept}


def _header_name(meta_name: str) -> bytes:
    # "HTTP_X_CSRFTOKEN" -> b"x-csrftoken"
    return meta_name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")


def _is_secure(conf: _Config, scope: dict, headers: dict[bytes, str]) -> bool:
    """As HttpRequest.is_secure()."""
    if conf.proxy_ssl_header is not None:
        header, secure_value = conf.proxy_ssl_header
        value = headers.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") == "https"


def _csrf_ok(conf: _Config, form, headers, cookies, host: str, secure: bool) -> bool:
    """CsrfViewMiddleware.process_view for a POST, answering only "passes" (True) or "let
    Django decide" (False)."""
    origin = headers.get(b"origin")
    if origin is not None:
        good = f"{'https' if secure else 'http'}://{host}"
        if origin != good and origin not in conf.trusted_origins:
            return False
    elif secure:
        return False  # the Referer check: Django's
    secret = cookies.get(conf.csrf_cookie)
    if not secret:
        return False
    token = form.get("csrfmiddlewaretoken", "")
    if token == "":
        token = headers.get(conf.csrf_header, "")
    try:
        _check_token_format(secret)
        _check_token_format(token)
    except InvalidTokenFormat:
        return False
    if len(secret) != CSRF_SECRET_LENGTH:
        secret = _unmask(secret)
    return _does_token_match(token, secret)


def parse_form(text: str) -> dict[str, str]:
    """An URL-encoded body as request.POST reads it (the last value of a name wins). Only
    the values the fast path reads are decoded: the CSRF token and the q<question> fields."""
    form: dict[str, str] = {}
    for part in text.split("&"):
        if not part:
            continue
        name, _eq, value = part.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if (name[:1] == "q" or name == "csrfmiddlewaretoken") and ("%" in value or "+" in value):
            value = unquote_plus(value)
        form[name] = value
    return form


def ticket_for(scope: dict, headers: dict[bytes, str], body: bytes, poll_pk: int) -> Ticket | None:
    """The vote as the writer takes it, or None when Django should answer this request."""
    conf = config()
    if conf.never or scope.get("root_path"):
        return None
    secure = _is_secure(conf, scope, headers)
    if conf.ssl_redirect and not secure:
        return None  # SecurityMiddleware redirects
    host = headers.get(b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, conf.allowed_hosts):
        return None
    cookies = parse_cookie(headers.get(b"cookie", ""))
    if conf.session_cookie in cookies:
        return None  # perhaps signed in: the normal path knows who
    try:
        form = parse_form(body.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if not _csrf_ok(conf, form, headers, cookies, host, secure):
        return None
    signed = cookies.get(conf.viewer_cookie)
    token = conf.unsign_viewer(signed) if signed else None
    if token is None:
        return None
    language = conf.language(cookies, headers.get(b"accept-language", ""))
    client = scope.get("client") or ("", 0)
    address = address_pseudonym(client_ip_from(client[0], headers.get(b"x-forwarded-for", "")))
    return Ticket(
        poll_pk=poll_pk,
        fields=form,
        viewer_key=viewer_key(token),
        language=language,
        address=address,
    )


# --- the response ------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _static_headers(secure: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The headers the middleware stack adds to the vote view's fragment."""
    from csp.utils import build_policy

    headers: list[tuple[bytes, bytes]] = []
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append((b"strict-transport-security", value.encode()))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"x-content-type-options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        if not isinstance(policy, str):
            policy = ",".join(policy)
        headers.append((b"referrer-policy", policy.encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(
            (b"cross-origin-opener-policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode())
        )
    headers.append((b"x-frame-options", settings.X_FRAME_OPTIONS.upper().encode()))
    csp = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    if csp:
        headers.append((b"content-security-policy", build_policy().encode()))
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    if report_only:
        headers.append(
            (b"content-security-policy-report-only", build_policy(report_only=True).encode())
        )
    return tuple(headers)


def response_headers(
    language: str, secure: bool, length: int, request_id: str = ""
) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"text/html; charset=utf-8"),
        # As core.metrics.RequestMiddleware answers every other request.
        (b"x-request-id", (request_id or requestid.accept_or_make(None)).encode()),
        (b"content-length", str(length).encode()),
        (b"vary", b"Accept-Language, Cookie"),
        (b"content-language", language.encode()),
        *_static_headers(secure),
    ]


# --- the ASGI middleware -----------------------------------------------------------------


class VoteFastPath:
    """Wraps the Django ASGI application; see the module's docstring."""

    def __init__(self, app, writer: VoteWriter | None = None):
        self.app = app
        self.writer = writer or VoteWriter()
        self.started = False

    async def __call__(self, scope, receive, send):
        if not self.started and scope["type"] == "http":
            self.started = True
            self.writer.start()  # with the first request, long before a vox pop's burst
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        match = config().vote_path.match(scope["path"])
        if match is None:
            return await self.app(scope, receive, send)
        headers: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in headers:  # repeated headers: Django's rules for joining them
                return await self.app(scope, receive, send)
            headers[name] = value.decode("latin-1")
        content_type = headers.get(b"content-type", "")
        length = headers.get(b"content-length", "")
        if (
            headers.get(b"x-requested-with") != "fetch"
            or not content_type.startswith("application/x-www-form-urlencoded")
            or not length.isdigit()
            or int(length) > MAX_BODY
        ):
            return await self.app(scope, receive, send)

        body, receive = await _read_body(receive, int(length))
        if body is None:
            return await self.app(scope, receive, send)
        ticket = ticket_for(scope, headers, body, int(match.group(1)))
        if ticket is not None:
            outcome = await self.writer.submit(ticket)
            if outcome.kind != FALL_THROUGH:
                secure = _is_secure(config(), scope, headers)
                await send(
                    {
                        "type": "http.response.start",
                        "status": outcome.status,
                        "headers": response_headers(
                            ticket.language,
                            secure,
                            len(outcome.html),
                            requestid.accept_or_make(headers.get(b"x-request-id")),
                        ),
                    }
                )
                await send({"type": "http.response.body", "body": outcome.html})
                return None
        return await self.app(scope, _replay(body, receive), send)


async def _read_body(receive, limit: int):
    """The whole body, or None (with a receive that replays what was read) when the client
    sends more than it announced or disconnects."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None, _replay_messages([message], receive)
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None, _replay(b"".join(chunks), receive, more=True)
        if not message.get("more_body", False):
            return b"".join(chunks), receive


def _replay(body: bytes, receive, *, more: bool = False):
    return _replay_messages([{"type": "http.request", "body": body, "more_body": more}], receive)


def _replay_messages(messages: list[dict], receive):
    waiting = list(messages)

    async def replayed():
        if waiting:
            return waiting.pop(0)
        return await receive()

    return replayed
