"""The networks' APIs for connecting an account and posting, behind one Publisher interface.

Every client speaks its network's documented wire format over httpx (docs/social.md says
why httpx rather than each network's own library): OAuth 2.0 authorization code and refresh
(Mastodon, X with PKCE, Facebook, LinkedIn, Google), the AT Protocol's sessions (Bluesky),
media upload with alt text, and the post. Answers become Tokens and Posted; refusals a
http.NetworkError of the right kind.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from samskab.social import limits
from samskab.social.http import ErrorKind, NetworkError, client, endpoint, json_of, send

MASTODON_SCOPES = "write:statuses write:media"
X_SCOPES = "tweet.read tweet.write users.read media.write offline.access"
# Live video on a Page needs a Page token with pages_read_engagement and pages_manage_posts
# (publish_video is for a person's own profile), and the app the "Live Video API" feature:
# https://developers.facebook.com/documentation/live-video-api/guides/streaming
FACEBOOK_SCOPES = "pages_show_list,pages_read_engagement,pages_manage_posts"
LINKEDIN_SCOPES = "w_organization_social r_organization_social"
YOUTUBE_SCOPES = "https://www.googleapis.com/auth/youtube"
# LinkedIn's monthly API versions live at least a year; 202501 was sunset in 2026.
# https://learn.microsoft.com/en-us/linkedin/marketing/versioning (202603 is supported
# until 16 March 2027, per .../marketing/integrations/migrations).
LINKEDIN_VERSION = "202603"


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str = ""
    expires_in: int | None = None  # seconds, None when the token does not expire
    # What the network told us of the account: handle, external_id, name.
    about: dict[str, str] = field(default_factory=dict)
    # Mastodon: the limits the account's server states (limits.server_limits).
    server: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Picture:
    data: bytes
    alt: str
    content_type: str = "image/jpeg"
    width: int = 1280
    height: int = 720

    @property
    def filename(self) -> str:
        return "card.png" if self.content_type == "image/png" else "card.jpg"


@dataclass(frozen=True)
class Posted:
    remote_id: str
    url: str


class AccountLike(Protocol):
    network: str
    server_url: str
    handle: str
    external_id: str
    client_id: str
    language: str

    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str: ...
    @property
    def client_secret(self) -> str: ...


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _token_error(response, network: str) -> NetworkError:
    data = json_of(response)
    error = data.get("error")
    if isinstance(error, dict):  # Facebook's Graph API
        message = str(error.get("message", ""))
    else:
        message = str(data.get("error_description") or data.get("message") or error or "")
    return NetworkError(
        f"{network} refused the authorization: {message or response.status_code}",
        kind=ErrorKind.AUTH,
        status=response.status_code,
    )


def _tokens(data: dict, about: dict[str, str] | None = None) -> Tokens:
    expires = data.get("expires_in")
    return Tokens(
        access=str(data.get("access_token", "")),
        refresh=str(data.get("refresh_token", "")),
        expires_in=int(expires) if expires else None,
        about=about or {},
    )


class Publisher:
    """One network. Subclasses say how to connect, refresh and post."""

    network = ""
    posts = True

    def authorize_url(
        self, account: AccountLike, *, redirect_uri: str, state: str, verifier: str
    ) -> str:
        raise NotImplementedError

    def exchange(
        self, account: AccountLike, *, code: str, redirect_uri: str, verifier: str
    ) -> Tokens:
        raise NotImplementedError

    def refresh(self, account: AccountLike) -> Tokens:
        raise NetworkError(
            "This connection cannot be renewed; connect the account again.", kind=ErrorKind.AUTH
        )

    def post(
        self, account: AccountLike, *, text: str, picture: Picture | None, idempotency_key: str
    ) -> Posted:
        raise NotImplementedError

    # Helpers

    def _check(self, response, *, duplicate_words: tuple[str, ...] = ()) -> dict:
        """The answer's JSON, or the NetworkError the answer means."""
        if response.status_code < 400:
            return json_of(response)
        data = json_of(response)
        message = self._message(data) or f"HTTP {response.status_code}"
        lowered = message.lower()
        if duplicate_words and any(word in lowered for word in duplicate_words):
            raise NetworkError(message, kind=ErrorKind.DUPLICATE, status=response.status_code)
        if response.status_code == 401:
            raise NetworkError(message, kind=ErrorKind.AUTH, status=401)
        raise NetworkError(message, kind=ErrorKind.PERMANENT, status=response.status_code)

    def _message(self, data: dict) -> str:
        for key in ("error_description", "detail", "message", "error", "title"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value
        return ""


class Mastodon(Publisher):
    """Any Mastodon server: an app registered on it, then OAuth 2.0 (with PKCE)."""

    network = "mastodon"

    def register_app(self, server_url: str, *, redirect_uri: str) -> tuple[str, str]:
        with client() as http:
            response = send(
                http,
                "POST",
                f"{server_url.rstrip('/')}/api/v1/apps",
                data={
                    "client_name": "Samskab",
                    "redirect_uris": redirect_uri,
                    "scopes": MASTODON_SCOPES,
                },
            )
            data = self._check(response)
        return str(data["client_id"]), str(data["client_secret"])

    def authorize_url(self, account, *, redirect_uri, state, verifier):
        query = urlencode(
            {
                "response_type": "code",
                "client_id": account.client_id,
                "redirect_uri": redirect_uri,
                "scope": MASTODON_SCOPES,
                "state": state,
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{account.server_url.rstrip('/')}/oauth/authorize?{query}"

    def exchange(self, account, *, code, redirect_uri, verifier):
        base = account.server_url.rstrip("/")
        with client() as http:
            response = send(
                http,
                "POST",
                f"{base}/oauth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "client_id": account.client_id,
                    "client_secret": account.client_secret,
                    "redirect_uri": redirect_uri,
                    "scope": MASTODON_SCOPES,
                    "code_verifier": verifier,
                },
            )
            if response.status_code >= 400:
                raise _token_error(response, "Mastodon")
            tokens = _tokens(response.json())
            me = send(
                http,
                "GET",
                f"{base}/api/v1/accounts/verify_credentials",
                headers={"Authorization": f"Bearer {tokens.access}"},
            )
            about = self._check(me)
            server = self._server_limits(http, base)
        return Tokens(
            tokens.access,
            tokens.refresh,
            tokens.expires_in,
            {"handle": str(about.get("acct", "")), "external_id": str(about.get("id", ""))},
            server,
        )

    def _server_limits(self, http, base: str) -> dict[str, dict[str, int]]:
        """What the server says it takes (its instance information; /api/v1/instance on
        servers older than Mastodon 4.0). A server that says nothing keeps the defaults."""
        for path in ("/api/v2/instance", "/api/v1/instance"):
            try:
                response = send(http, "GET", f"{base}{path}")
            except NetworkError:
                return {}
            if response.status_code == 200:
                try:
                    configuration = response.json().get("configuration")
                except (ValueError, AttributeError):
                    return {}
                return limits.server_limits(configuration or {})
            if response.status_code != 404:
                return {}
        return {}

    def post(self, account, *, text, picture, idempotency_key):
        base = account.server_url.rstrip("/")
        with client(account.access_token) as http:
            media_ids = []
            if picture is not None:
                response = send(
                    http,
                    "POST",
                    f"{base}/api/v2/media",
                    files={"file": (picture.filename, picture.data, picture.content_type)},
                    data={"description": picture.alt},
                )
                media_ids.append(str(self._check(response)["id"]))
            response = send(
                http,
                "POST",
                f"{base}/api/v1/statuses",
                data={
                    "status": text,
                    "media_ids[]": media_ids,
                    "visibility": "public",
                    "language": account.language,
                },
                headers={"Idempotency-Key": idempotency_key},
            )
            data = self._check(response)
        return Posted(str(data["id"]), str(data.get("url") or ""))


def bluesky_tid(micros: int, clock_id: int) -> str:
    """An AT Protocol TID (a record key): 53 bits of microseconds and 10 of clock id, in
    base32-sortable. Made from the post's own time and key, so a retry reuses it."""
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 1023)
    out = ""
    for _ in range(13):
        out = alphabet[value & 31] + out
        value >>= 5
    return out


class Bluesky(Publisher):
    """Bluesky (AT Protocol): a session made with an app password, renewed with its
    refresh token; the password itself is not kept."""

    network = "bluesky"

    def _base(self, account) -> str:
        return (account.server_url or endpoint("bluesky")).rstrip("/")

    def create_session(self, account, *, identifier: str, password: str) -> Tokens:
        with client() as http:
            response = send(
                http,
                "POST",
                f"{self._base(account)}/xrpc/com.atproto.server.createSession",
                json={"identifier": identifier, "password": password},
            )
            if response.status_code >= 400:
                raise _token_error(response, "Bluesky")
        return self._session(response.json())

    def refresh(self, account):
        with client(account.refresh_token) as http:
            response = send(
                http, "POST", f"{self._base(account)}/xrpc/com.atproto.server.refreshSession"
            )
            if response.status_code >= 400:
                raise _token_error(response, "Bluesky")
        return self._session(response.json())

    def _session(self, data: dict) -> Tokens:
        # The access JWT lives about two hours; we renew it before, as other tokens.
        return Tokens(
            str(data["accessJwt"]),
            str(data["refreshJwt"]),
            7200,
            {"handle": str(data.get("handle", "")), "external_id": str(data.get("did", ""))},
        )

    def _check(self, response, *, duplicate_words=()):
        data = json_of(response)
        if response.status_code >= 400 and data.get("error") in ("ExpiredToken", "InvalidToken"):
            raise NetworkError(
                self._message(data) or str(data["error"]), kind=ErrorKind.AUTH, status=401
            )
        return super()._check(response, duplicate_words=duplicate_words)

    def _message(self, data):
        return str(data.get("message") or data.get("error") or "")

    def post(self, account, *, text, picture, idempotency_key):
        base = self._base(account)
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "langs": [account.language],
        }
        facets = link_facets(text)
        if facets:
            record["facets"] = facets
        with client(account.access_token) as http:
            if picture is not None:
                response = send(
                    http,
                    "POST",
                    f"{base}/xrpc/com.atproto.repo.uploadBlob",
                    content=picture.data,
                    headers={"Content-Type": picture.content_type},
                )
                blob = self._check(response)["blob"]
                record["embed"] = {
                    "$type": "app.bsky.embed.images",
                    "images": [
                        {
                            "alt": picture.alt,
                            "image": blob,
                            "aspectRatio": {"width": picture.width, "height": picture.height},
                        }
                    ],
                }
            # putRecord with our own record key and swapRecord null ("there is no record
            # at this key yet"): the PDS answers an existing key with 400 InvalidSwap
            # ("Record was at <cid>"), or with success and no change when the record is
            # the same. createRecord is no good for this: an existing key fails deep in
            # the repository (MST "There is already a value at key") and comes back as a
            # bare 500 InternalServerError, which looks like a network to try again.
            # Source: bluesky-social/atproto, lexicons/com/atproto/repo/putRecord.json
            # (swapRecord nullable; errors InvalidSwap), packages/pds/src/api/com/atproto/
            # repo/putRecord.ts and createRecord.ts, packages/repo/src/mst/mst.ts (add).
            response = send(
                http,
                "POST",
                f"{base}/xrpc/com.atproto.repo.putRecord",
                json={
                    "repo": account.external_id,
                    "collection": "app.bsky.feed.post",
                    "rkey": idempotency_key,
                    "record": record,
                    "swapRecord": None,
                },
            )
            if response.status_code == 400 and json_of(response).get("error") == "InvalidSwap":
                # The record key is ours: the post is there from an earlier attempt.
                data = {"uri": f"at://{account.external_id}/app.bsky.feed.post/{idempotency_key}"}
            else:
                data = self._check(response)
        uri = str(data["uri"])
        rkey = uri.rsplit("/", 1)[-1]
        return Posted(uri, f"https://bsky.app/profile/{account.handle}/post/{rkey}")


def link_facets(text: str) -> list[dict]:
    """Bluesky shows a link only where a facet marks it, by UTF-8 byte offsets."""
    from samskab.social.limits import LINK_RE

    facets = []
    for match in LINK_RE.finditer(text):
        start = len(text[: match.start()].encode())
        end = start + len(match.group().encode())
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group()}],
            }
        )
    return facets


class X(Publisher):
    """X: OAuth 2.0 with PKCE (a confidential client), API v2 posts and media."""

    network = "x"

    def authorize_url(self, account, *, redirect_uri, state, verifier):
        query = urlencode(
            {
                "response_type": "code",
                "client_id": account.client_id,
                "redirect_uri": redirect_uri,
                "scope": X_SCOPES,
                "state": state,
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{endpoint('x_authorize')}?{query}"

    def _token(self, account, form: dict) -> Tokens:
        with client() as http:
            response = send(
                http,
                "POST",
                f"{endpoint('x_api')}/2/oauth2/token",
                data={**form, "client_id": account.client_id},
                auth=(account.client_id, account.client_secret),
            )
            if response.status_code >= 400:
                raise _token_error(response, "X")
            tokens = _tokens(response.json())
            me = send(
                http,
                "GET",
                f"{endpoint('x_api')}/2/users/me",
                headers={"Authorization": f"Bearer {tokens.access}"},
            )
            about = self._check(me).get("data", {})
        return Tokens(
            tokens.access,
            tokens.refresh,
            tokens.expires_in,
            {"handle": str(about.get("username", "")), "external_id": str(about.get("id", ""))},
        )

    def exchange(self, account, *, code, redirect_uri, verifier):
        return self._token(
            account,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
        )

    def refresh(self, account):
        return self._token(
            account, {"grant_type": "refresh_token", "refresh_token": account.refresh_token}
        )

    def post(self, account, *, text, picture, idempotency_key):
        api = endpoint("x_api")
        body: dict[str, Any] = {"text": text}
        with client(account.access_token) as http:
            if picture is not None:
                response = send(
                    http,
                    "POST",
                    f"{api}/2/media/upload",
                    files={"media": (picture.filename, picture.data, picture.content_type)},
                    data={"media_category": "tweet_image", "media_type": picture.content_type},
                )
                media_id = str(self._check(response)["data"]["id"])
                response = send(
                    http,
                    "POST",
                    f"{api}/2/media/metadata",
                    json={"id": media_id, "metadata": {"alt_text": {"text": picture.alt}}},
                )
                self._check(response)
                body["media"] = {"media_ids": [media_id]}
            response = send(http, "POST", f"{api}/2/tweets", json=body)
            data = self._check(response, duplicate_words=("duplicate",)).get("data", {})
        post_id = str(data["id"])
        return Posted(post_id, f"https://x.com/{account.handle or 'i/web'}/status/{post_id}")


class Facebook(Publisher):
    """A Facebook Page through the Graph API: a Page token from the Login dialog."""

    network = "facebook"
    # Graph API error codes: 190 a token expired or revoked; 4, 17, 32, 613 rate limits;
    # 506 a duplicate status; 368 blocked for policy.
    RATE_CODES = {4, 17, 32, 613, 80001}

    def authorize_url(self, account, *, redirect_uri, state, verifier):
        query = urlencode(
            {
                "client_id": account.client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": FACEBOOK_SCOPES,
                "response_type": "code",
            }
        )
        return f"{endpoint('facebook_dialog')}?{query}"

    def exchange(self, account, *, code, redirect_uri, verifier):
        graph = endpoint("facebook_graph")
        with client() as http:
            response = send(
                http,
                "GET",
                f"{graph}/oauth/access_token",
                params={
                    "client_id": account.client_id,
                    "client_secret": account.client_secret,
                    "redirect_uri": redirect_uri,
                    "code": code,
                },
            )
            if response.status_code >= 400:
                raise _token_error(response, "Facebook")
            short = response.json()["access_token"]
            # A long-lived user token gives Page tokens that do not expire.
            response = send(
                http,
                "GET",
                f"{graph}/oauth/access_token",
                params={
                    "grant_type": "fb_exchange_token",
                    "client_id": account.client_id,
                    "client_secret": account.client_secret,
                    "fb_exchange_token": short,
                },
            )
            if response.status_code >= 400:
                raise _token_error(response, "Facebook")
            long_lived = response.json()["access_token"]
            response = send(
                http,
                "GET",
                f"{graph}/me/accounts",
                params={"fields": "id,name,access_token", "access_token": long_lived},
            )
            pages = self._check(response).get("data", [])
        page = next(
            (p for p in pages if not account.external_id or p["id"] == account.external_id), None
        )
        if page is None:
            raise NetworkError(
                "The Facebook user who approved is not an administrator of this Page.",
                kind=ErrorKind.AUTH,
            )
        return Tokens(
            str(page["access_token"]),
            "",
            None,
            {"handle": str(page.get("name", "")), "external_id": str(page["id"])},
        )

    def _check(self, response, *, duplicate_words=()):
        if response.status_code < 400:
            return json_of(response)
        error = json_of(response).get("error") or {}
        message = str(error.get("message") or f"HTTP {response.status_code}")
        code = error.get("code")
        if code == 190 or response.status_code == 401:
            raise NetworkError(message, kind=ErrorKind.AUTH, status=response.status_code)
        if code in self.RATE_CODES:
            raise NetworkError(message, kind=ErrorKind.TEMPORARY, status=response.status_code)
        if code == 506:
            raise NetworkError(message, kind=ErrorKind.DUPLICATE, status=response.status_code)
        raise NetworkError(message, kind=ErrorKind.PERMANENT, status=response.status_code)

    def post(self, account, *, text, picture, idempotency_key):
        graph = endpoint("facebook_graph")
        page = account.external_id
        with client() as http:
            if picture is not None:
                response = send(
                    http,
                    "POST",
                    f"{graph}/{page}/photos",
                    files={"source": (picture.filename, picture.data, picture.content_type)},
                    # Graph API Photo reference, "Creating": `caption` is the text (`message`
                    # is deprecated there), `alt_text_custom` the alt text, and a photo must
                    # be under 10 MB. https://developers.facebook.com/docs/graph-api/reference/photo/
                    data={
                        "caption": text,
                        "alt_text_custom": picture.alt,
                        "access_token": account.access_token,
                    },
                )
                data = self._check(response)
                post_id = str(data.get("post_id") or data["id"])
            else:
                response = send(
                    http,
                    "POST",
                    f"{graph}/{page}/feed",
                    data={"message": text, "access_token": account.access_token},
                )
                post_id = str(self._check(response)["id"])
        return Posted(post_id, f"https://www.facebook.com/{post_id}")


class LinkedIn(Publisher):
    """A LinkedIn organisation page: OAuth 2.0, the versioned Posts and Images APIs."""

    network = "linkedin"

    def authorize_url(self, account, *, redirect_uri, state, verifier):
        query = urlencode(
            {
                "response_type": "code",
                "client_id": account.client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": LINKEDIN_SCOPES,
            }
        )
        return f"{endpoint('linkedin_oauth')}/authorization?{query}"

    def _token(self, account, form: dict) -> Tokens:
        with client() as http:
            response = send(
                http,
                "POST",
                f"{endpoint('linkedin_oauth')}/accessToken",
                data={
                    **form,
                    "client_id": account.client_id,
                    "client_secret": account.client_secret,
                },
            )
            if response.status_code >= 400:
                raise _token_error(response, "LinkedIn")
        return _tokens(response.json())

    def exchange(self, account, *, code, redirect_uri, verifier):
        return self._token(
            account,
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        )

    def refresh(self, account):
        if not account.refresh_token:
            return super().refresh(account)
        return self._token(
            account, {"grant_type": "refresh_token", "refresh_token": account.refresh_token}
        )

    def post(self, account, *, text, picture, idempotency_key):
        api = endpoint("linkedin_api")
        owner = account.external_id
        headers = {"LinkedIn-Version": LINKEDIN_VERSION, "X-Restli-Protocol-Version": "2.0.0"}
        body: dict[str, Any] = {
            "author": owner,
            "commentary": text,
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        with client(account.access_token) as http:
            if picture is not None:
                response = send(
                    http,
                    "POST",
                    f"{api}/rest/images",
                    params={"action": "initializeUpload"},
                    json={"initializeUploadRequest": {"owner": owner}},
                    headers=headers,
                )
                value = self._check(response)["value"]
                response = send(
                    http,
                    "PUT",
                    str(value["uploadUrl"]),
                    content=picture.data,
                    headers={"Content-Type": "application/octet-stream"},
                )
                self._check(response)
                body["content"] = {"media": {"id": value["image"], "altText": picture.alt}}
            response = send(http, "POST", f"{api}/rest/posts", json=body, headers=headers)
            self._check(response, duplicate_words=("duplicate",))
        urn = response.headers.get("x-restli-id", "")
        return Posted(urn, f"https://www.linkedin.com/feed/update/{urn}/" if urn else "")


class YouTube(Publisher):
    """A YouTube channel through Google's OAuth 2.0 (with PKCE); it takes no posts, only
    live broadcasts (livevideo.py)."""

    network = "youtube"
    posts = False

    def authorize_url(self, account, *, redirect_uri, state, verifier):
        query = urlencode(
            {
                "response_type": "code",
                "client_id": account.client_id,
                "redirect_uri": redirect_uri,
                "scope": YOUTUBE_SCOPES,
                "state": state,
                "access_type": "offline",
                "prompt": "consent",
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return f"{endpoint('google_authorize')}?{query}"

    def _token(self, account, form: dict, *, keep_refresh: str = "") -> Tokens:
        with client() as http:
            response = send(
                http,
                "POST",
                endpoint("google_token"),
                data={
                    **form,
                    "client_id": account.client_id,
                    "client_secret": account.client_secret,
                },
            )
            if response.status_code >= 400:
                raise _token_error(response, "Google")
            tokens = _tokens(response.json())
            response = send(
                http,
                "GET",
                f"{endpoint('youtube_api')}/channels",
                params={"part": "snippet", "mine": "true"},
                headers={"Authorization": f"Bearer {tokens.access}"},
            )
            items = json_of(response).get("items") or [{}]
        channel = items[0]
        return Tokens(
            tokens.access,
            tokens.refresh or keep_refresh,
            tokens.expires_in,
            {
                "handle": str(channel.get("snippet", {}).get("title", "")),
                "external_id": str(channel.get("id", "")),
            },
        )

    def exchange(self, account, *, code, redirect_uri, verifier):
        return self._token(
            account,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
        )

    def refresh(self, account):
        # Google answers a refresh without a new refresh token: the old one stays.
        return self._token(
            account,
            {"grant_type": "refresh_token", "refresh_token": account.refresh_token},
            keep_refresh=account.refresh_token,
        )


PUBLISHERS: dict[str, Publisher] = {
    each.network: each for each in (Mastodon(), Bluesky(), X(), Facebook(), LinkedIn(), YouTube())
}


def publisher(network: str) -> Publisher:
    return PUBLISHERS[network]
