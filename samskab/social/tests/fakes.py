"""Small fakes of the social networks' APIs on loopback, speaking their documented wire format.

Each is a real HTTP server (threaded, a free port on 127.0.0.1): OAuth 2.0 authorization
(its /authorize answers at once with a redirect back, as if staff had approved), token
exchange and refresh, media upload, posting, and for YouTube and Facebook the live
broadcast lifecycle. A test makes them misbehave as the real ones do:

- `expire_tokens()`: every access token is refused as expired (401, or Bluesky's
  400 ExpiredToken, or Graph error 190), until the client renews it;
- `fail_next(method, path, status, body, headers)`: the next matching request gets this
  answer (a 429 with Retry-After, a 500, a refused picture);
- `down = True`: the server closes every connection without an answer.

What the fakes were asked is in `requests` (method, path, headers, body) for the tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, Any]
    json: Any
    files: dict[str, bytes] = field(default_factory=dict)
    raw: bytes = b""


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeAPI:
    name = "fake"

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.down = False
        self._faults: list[tuple[str, re.Pattern, Answer]] = []
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.codes: dict[str, dict[str, str]] = {}

    # Life cycle

    def start(self):
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reset(self) -> None:
        """Forget every request, token and record (the server keeps running)."""
        server = self._server
        type(self).__init__(self)
        self._server = server

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # Misbehaving

    def fail_next(
        self, method: str, path: str, status: int, body: Any = None, headers=None
    ) -> None:
        self._faults.append((method, re.compile(path), Answer(status, body, headers or {})))

    def expire_tokens(self) -> None:
        self.access_tokens.clear()

    # Tokens

    def issue(self, *, refresh: bool = True) -> dict[str, str]:
        access = "at-" + secrets.token_urlsafe(12)
        self.access_tokens.add(access)
        tokens = {"access_token": access}
        if refresh:
            tokens["refresh_token"] = "rt-" + secrets.token_urlsafe(12)
            self.refresh_tokens.add(tokens["refresh_token"])
        return tokens

    def bearer(self, seen: Seen) -> str:
        value = seen.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else ""

    def authorized(self, seen: Seen) -> bool:
        token = (
            self.bearer(seen) or seen.form.get("access_token") or seen.query.get("access_token", "")
        )
        return token in self.access_tokens

    def approve(self, seen: Seen) -> Answer:
        """/authorize: staff approved at once; back to the app with a code and the state."""
        code = "code-" + secrets.token_urlsafe(8)
        self.codes[code] = dict(seen.query)
        target = seen.query["redirect_uri"]
        joiner = "&" if "?" in target else "?"
        location = f"{target}{joiner}{urlencode({'code': code, 'state': seen.query['state']})}"
        return Answer(302, None, {"Location": location})

    def pkce_ok(self, code: str, verifier: str) -> bool:
        asked = self.codes.get(code, {})
        if "code_challenge" not in asked:
            return True
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == asked["code_challenge"]

    # To be written by each network

    def handle(self, seen: Seen) -> Answer:
        raise NotImplementedError

    def _dispatch(self, seen: Seen) -> Answer:
        with self._lock:
            self.requests.append(seen)
            for index, (method, pattern, answer) in enumerate(self._faults):
                if method == seen.method and pattern.search(seen.path):
                    del self._faults[index]
                    return answer
            return self.handle(seen)

    def asked(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.requests if s.method == method and re.search(path, s.path)]


def _handler_for(fake: FakeAPI):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _serve(self) -> None:
            if fake.down:
                self.close_connection = True
                return
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            ctype = self.headers.get("Content-Type", "")
            form: dict[str, Any] = {}
            files: dict[str, bytes] = {}
            body_json = None
            if ctype.startswith("application/json") and raw:
                body_json = json.loads(raw)
            elif ctype.startswith("application/x-www-form-urlencoded"):
                form = {
                    k: (v if k.endswith("[]") else v[0])
                    for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()
                }
            elif ctype.startswith("multipart/form-data"):
                message = BytesParser(policy=HTTP).parsebytes(
                    f"Content-Type: {ctype}\r\n\r\n".encode() + raw
                )
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    payload = part.get_payload(decode=True) or b""
                    if part.get_filename():
                        files[name] = payload
                    elif name.endswith("[]"):
                        form.setdefault(name, []).append(payload.decode())
                    else:
                        form[name] = payload.decode()
            seen = Seen(
                self.command,
                parts.path,
                {k: v[0] for k, v in parse_qs(parts.query).items()},
                {k.lower(): v for k, v in self.headers.items()},
                form,
                body_json,
                files,
                raw,
            )
            answer = fake._dispatch(seen)
            body = b""
            if answer.body is not None:
                body = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            if body:
                self.send_header("Content-Type", "application/json")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _serve

    return Handler


class FakeMastodon(FakeAPI):
    name = "mastodon"

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[dict] = []
        self.by_key: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        # What the server states of itself (GET /api/v2/instance), and enforces; None: an
        # old server without the v2 instance information.
        self.configuration: dict | None = {
            "statuses": {"max_characters": 500, "characters_reserved_per_url": 23},
            "media_attachments": {
                "image_size_limit": 16 * 1024 * 1024,
                "image_matrix_limit": 33_177_600,
            },
        }

    def _limit(self, section: str, key: str, default: int) -> int:
        return ((self.configuration or {}).get(section) or {}).get(key, default)

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path == "/api/v2/instance":
            if self.configuration is None:
                return Answer(404, {"error": "Record not found"})
            return Answer(200, {"domain": "mastodon.example", "configuration": self.configuration})
        if path == "/api/v1/apps":
            return Answer(
                200,
                {
                    "id": "1",
                    "name": seen.form["client_name"],
                    "client_id": "mastodon-client",
                    "client_secret": "mastodon-secret",
                    "redirect_uri": seen.form["redirect_uris"],
                },
            )
        if path == "/oauth/authorize":
            return self.approve(seen)
        if path == "/oauth/token":
            code = seen.form.get("code", "")
            if code not in self.codes or not self.pkce_ok(code, seen.form.get("code_verifier", "")):
                return Answer(400, {"error": "invalid_grant", "error_description": "bad code"})
            tokens = self.issue(refresh=False)
            return Answer(200, {**tokens, "token_type": "Bearer", "scope": seen.form["scope"]})
        if not self.authorized(seen):
            return Answer(401, {"error": "The access token is invalid"})
        if path == "/api/v1/accounts/verify_credentials":
            return Answer(200, {"id": "109", "username": "kommune", "acct": "kommune"})
        if path == "/api/v2/media":
            if len(seen.files.get("file", b"")) > self._limit(
                "media_attachments", "image_size_limit", 16 * 1024 * 1024
            ):
                return Answer(422, {"error": "Validation failed: File file size is too big"})
            media_id = str(len(self.media) + 1)
            self.media[media_id] = {"bytes": len(seen.files.get("file", b"")), **seen.form}
            return Answer(
                200, {"id": media_id, "type": "image", "description": seen.form.get("description")}
            )
        if path == "/api/v1/statuses":
            key = seen.headers.get("idempotency-key", "")
            if key and key in self.by_key:
                return Answer(200, self.by_key[key])
            text = seen.form["status"]
            most = self._limit("statuses", "max_characters", 500)
            if len(text) > most:
                return Answer(
                    422, {"error": f"Validation failed: Text character limit of {most} exceeded"}
                )
            status = {
                "id": str(1000 + len(self.statuses)),
                "url": f"{self.url}/@kommune/{1000 + len(self.statuses)}",
                "content": text,
                "media_ids": seen.form.get("media_ids[]", []),
            }
            self.statuses.append(status)
            if key:
                self.by_key[key] = status
            return Answer(200, status)
        return Answer(404, {"error": "Record not found"})


class FakeBluesky(FakeAPI):
    name = "bluesky"
    did = "did:plc:kommune123"

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, dict] = {}
        self.cids: dict[str, str] = {}
        self.blobs: list[int] = []
        self.uploaded: list[bytes] = []
        self.app_password = "abcd-efgh-ijkl-mnop"

    def _session(self) -> dict:
        tokens = self.issue()
        return {
            "accessJwt": tokens["access_token"],
            "refreshJwt": tokens["refresh_token"],
            "handle": "kommune.bsky.social",
            "did": self.did,
        }

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path == "/xrpc/com.atproto.server.createSession":
            if seen.json.get("password") != self.app_password:
                return Answer(
                    401,
                    {
                        "error": "AuthenticationRequired",
                        "message": "Invalid identifier or password",
                    },
                )
            return Answer(200, self._session())
        if path == "/xrpc/com.atproto.server.refreshSession":
            token = self.bearer(seen)
            if token not in self.refresh_tokens:
                return Answer(400, {"error": "ExpiredToken", "message": "Token has been revoked"})
            self.refresh_tokens.discard(token)
            return Answer(200, self._session())
        if not self.authorized(seen):
            return Answer(400, {"error": "ExpiredToken", "message": "Token has expired"})
        if path == "/xrpc/com.atproto.repo.uploadBlob":
            if len(seen.raw) > 50_000_000:  # the PDS's own upload limit, far above a post's
                return Answer(400, {"error": "BlobTooLarge", "message": "This file is too large"})
            self.blobs.append(len(seen.raw))
            self.uploaded.append(seen.raw)
            return Answer(
                200,
                {
                    "blob": {
                        "$type": "blob",
                        "ref": {"$link": "bafkrei" + secrets.token_hex(8)},
                        "mimeType": seen.headers.get("content-type"),
                        "size": len(seen.raw),
                    }
                },
            )
        if path == "/xrpc/com.atproto.repo.putRecord":
            # As the PDS does (bluesky-social/atproto, pds/.../repo/putRecord.ts): the same
            # record again changes nothing; another at an existing key with swapRecord null
            # is 400 InvalidSwap "Record was at <cid>".
            rkey = seen.json["rkey"]
            record = seen.json["record"]
            uri = f"at://{seen.json['repo']}/app.bsky.feed.post/{rkey}"
            if rkey in self.records:
                cid = self.cids[rkey]
                if self.records[rkey] == record:
                    return Answer(200, {"uri": uri, "cid": cid})
                swap = seen.json.get("swapRecord", cid)  # absent: overwrite whatever is there
                if swap != cid:
                    return Answer(400, {"error": "InvalidSwap", "message": f"Record was at {cid}"})
            if len(record["text"]) > 300:
                return Answer(
                    400,
                    {
                        "error": "InvalidRequest",
                        "message": "Invalid app.bsky.feed.post record: Record/text must not "
                        "be longer than 300 graphemes",
                    },
                )
            for image in record.get("embed", {}).get("images", []):
                if image["image"]["size"] > 2_000_000:  # app.bsky.embed.images maxSize
                    return Answer(
                        400,
                        {
                            "error": "InvalidRequest",
                            "message": "Invalid app.bsky.feed.post record: "
                            "Record/embed/images/0/image file too big (max 2000000 bytes)",
                        },
                    )
            self.records[rkey] = record
            self.cids[rkey] = "bafyrei" + secrets.token_hex(8)
            return Answer(200, {"uri": uri, "cid": self.cids[rkey]})
        return Answer(404, {"error": "MethodNotImplemented"})


class FakeX(FakeAPI):
    name = "x"

    def __init__(self) -> None:
        super().__init__()
        self.tweets: list[dict] = []
        self.media: dict[str, dict] = {}

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path == "/i/oauth2/authorize":
            return self.approve(seen)
        if path == "/2/oauth2/token":
            basic = seen.headers.get("authorization", "")
            if basic != "Basic " + base64.b64encode(b"x-client:x-secret").decode():
                return Answer(
                    401,
                    {
                        "error": "unauthorized_client",
                        "error_description": "Missing valid authorization header",
                    },
                )
            form = seen.form
            if form["grant_type"] == "authorization_code":
                code = form.get("code", "")
                if code not in self.codes or not self.pkce_ok(code, form.get("code_verifier", "")):
                    return Answer(
                        400,
                        {
                            "error": "invalid_request",
                            "error_description": "Value passed for the authorization code was invalid.",  # noqa: E501
                        },
                    )
                self.codes.pop(code)
            elif form.get("refresh_token") in self.refresh_tokens:
                self.refresh_tokens.discard(form["refresh_token"])  # X rotates refresh tokens
            else:
                return Answer(
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the token was invalid.",
                    },
                )
            return Answer(
                200,
                {
                    "token_type": "bearer",
                    "expires_in": 7200,
                    "scope": "tweet.write",
                    **self.issue(),
                },
            )
        if not self.authorized(seen):
            return Answer(
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
            )
        if path == "/2/users/me":
            return Answer(
                200, {"data": {"id": "2244994945", "name": "Kommunen", "username": "kommunen"}}
            )
        if path == "/2/media/upload":
            media_id = str(1880000000000000000 + len(self.media))
            data = seen.files.get("media", b"")
            if len(data) > 5 * 1024 * 1024:  # images up to 5 MB (X's media best practices)
                return Answer(
                    400, {"title": "Invalid Request", "detail": "File size exceeds 5242880 bytes."}
                )
            self.media[media_id] = {"bytes": len(data), "data": data}
            return Answer(200, {"data": {"id": media_id, "media_key": f"3_{media_id}"}})
        if path == "/2/media/metadata":
            # docs.x.com/x-api/media/create-media-metadata: the answer echoes the metadata.
            alt = seen.json["metadata"]["alt_text"]["text"]
            if len(alt) > 1000:
                return Answer(400, {"title": "Invalid Request", "detail": "alt_text too long"})
            self.media[seen.json["id"]]["alt"] = alt
            return Answer(200, {"data": {"associated_metadata": seen.json["metadata"]}})
        if path == "/2/tweets":
            text = seen.json["text"]
            if any(t["text"] == text for t in self.tweets):
                return Answer(
                    403,
                    {
                        "detail": "You are not allowed to create a Tweet with duplicate content.",
                        "type": "about:blank",
                        "title": "Forbidden",
                        "status": 403,
                    },
                )
            tweet = {
                "id": str(1445880548472328192 + len(self.tweets)),
                "text": text,
                "media": seen.json.get("media"),
            }
            self.tweets.append(tweet)
            return Answer(201, {"data": {"id": tweet["id"], "text": text}})
        return Answer(404, {"title": "Not Found Error", "status": 404})


class FakeFacebook(FakeAPI):
    name = "facebook"
    page_id = "1029384756"

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict] = []
        self.live_videos: dict[str, dict] = {}
        self.short_tokens: set[str] = set()
        # Where live videos take their feed (a test points them at an ingest on loopback).
        self.ingest_rtmp = "rtmp://127.0.0.1:1/rtmp"
        self.ingest_rtmps = "rtmps://127.0.0.1:1/rtmp"

    def _error(self, status: int, code: int, message: str) -> Answer:
        return Answer(
            status,
            {
                "error": {
                    "message": message,
                    "type": "OAuthException",
                    "code": code,
                    "fbtrace_id": "Afake",
                }
            },
        )

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path == "/dialog/oauth":
            return self.approve(seen)
        if path == "/oauth/access_token":
            query = seen.query
            if query.get("client_secret") != "fb-secret":
                return self._error(400, 1, "Error validating client secret.")
            if query.get("grant_type") == "fb_exchange_token":
                if query.get("fb_exchange_token") not in self.short_tokens:
                    return self._error(400, 190, "Invalid OAuth access token.")
                return Answer(
                    200,
                    {
                        "access_token": "long-user-token",
                        "token_type": "bearer",
                        "expires_in": 5183944,
                    },
                )
            if query.get("code") not in self.codes:
                return self._error(400, 100, "Invalid verification code format.")
            token = "short-" + secrets.token_urlsafe(6)
            self.short_tokens.add(token)
            return Answer(200, {"access_token": token, "token_type": "bearer", "expires_in": 5000})
        if path == "/me/accounts":
            if seen.query.get("access_token") != "long-user-token":
                return self._error(400, 190, "Invalid OAuth access token.")
            page_token = self.issue(refresh=False)["access_token"]
            return Answer(
                200,
                {"data": [{"id": self.page_id, "name": "Kommunen", "access_token": page_token}]},
            )
        if not self.authorized(seen):
            return self._error(400, 190, "Error validating access token: Session has expired.")
        # A photo's text is `caption` (Photo reference; `message` deprecated there), a feed
        # post's `message` (Page feed reference).
        message = seen.form.get("caption" if path.endswith("/photos") else "message", "")
        if path in (f"/{self.page_id}/photos", f"/{self.page_id}/feed"):
            if any(p["message"] == message for p in self.posts):
                return self._error(400, 506, "Duplicate status message")
            if path.endswith("/photos") and not seen.files.get("source"):
                return self._error(400, 324, "Requires upload file")
            if len(seen.files.get("source", b"")) >= 10_000_000:  # "less than 10MB"
                return self._error(400, 1366046, "Photo is too large")
            number = str(len(self.posts) + 1)
            post = {
                "id": f"{self.page_id}_{number}",
                "message": message,
                "alt": seen.form.get("alt_text_custom"),
            }
            self.posts.append(post)
            if path.endswith("/photos"):
                return Answer(200, {"id": f"photo{number}", "post_id": post["id"]})
            return Answer(200, {"id": post["id"]})
        if path == f"/{self.page_id}/live_videos":
            video_id = str(5550000 + len(self.live_videos))
            key = f"FB-{video_id}-0-Ab{secrets.token_hex(4)}"
            self.live_videos[video_id] = {
                "status": seen.form.get("status"),
                "title": seen.form.get("title"),
                "key": key,
            }
            return Answer(
                200,
                {
                    "id": video_id,
                    "stream_url": f"{self.ingest_rtmp}/{key}",
                    "secure_stream_url": f"{self.ingest_rtmps}/{key}",
                },
            )
        video_id = path.strip("/")
        if video_id in self.live_videos:
            video = self.live_videos[video_id]
            if seen.method == "GET":
                return Answer(
                    200,
                    {
                        "id": video_id,
                        "permalink_url": f"/{self.page_id}/videos/{video_id}/",
                        "status": video["status"],
                    },
                )
            if seen.form.get("end_live_video") == "true":
                video["status"] = "VOD"
            elif seen.form.get("status") == "LIVE_NOW":
                video["status"] = "LIVE"
            return Answer(200, {"id": video_id})
        return self._error(404, 803, "Some of the aliases you requested do not exist")


class FakeLinkedIn(FakeAPI):
    name = "linkedin"

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict] = []
        self.images: dict[str, int] = {}

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path == "/oauth/v2/authorization":
            return self.approve(seen)
        if path == "/oauth/v2/accessToken":
            form = seen.form
            if form.get("client_secret") != "li-secret":
                return Answer(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "Client authentication failed",
                    },
                )
            if form["grant_type"] == "authorization_code" and form.get("code") in self.codes:
                self.codes.pop(form["code"])
            elif (
                form["grant_type"] == "refresh_token"
                and form.get("refresh_token") in self.refresh_tokens
            ):
                pass
            else:
                return Answer(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The provided authorization grant is invalid",
                    },
                )
            return Answer(
                200, {**self.issue(), "expires_in": 5183999, "refresh_token_expires_in": 31535999}
            )
        if not self.authorized(seen):
            return Answer(
                401, {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
            )
        if path == "/rest/images" and seen.query.get("action") == "initializeUpload":
            urn = f"urn:li:image:C4E{len(self.images)}"
            self.images[urn] = 0
            return Answer(
                200,
                {
                    "value": {
                        "uploadUrlExpiresAt": 1,
                        "uploadUrl": f"{self.url}/upload/{urn}",
                        "image": urn,
                    }
                },
            )
        if path.startswith("/upload/") and seen.method == "PUT":
            self.images[path.removeprefix("/upload/")] = len(seen.raw)
            return Answer(201)
        if path == "/rest/posts":
            version = seen.headers.get("linkedin-version")
            if version is None:
                return Answer(400, {"message": "A version must be present", "status": 400})
            if version < "202512":  # versions live a year; older ones are sunset by now
                return Answer(426, {"message": "Requested version is not active", "status": 426})
            text = seen.json["commentary"]
            for post in self.posts:
                if post["commentary"] == text:
                    return Answer(
                        422, {"message": f"Content is a duplicate of {post['urn']}", "status": 422}
                    )
            urn = f"urn:li:share:{7000 + len(self.posts)}"
            self.posts.append({**seen.json, "urn": urn})
            return Answer(201, None, {"x-restli-id": urn})
        return Answer(404, {"message": "Not found", "status": 404})


class FakeYouTube(FakeAPI):
    """Google's OAuth 2.0 and the YouTube Data API's live resources."""

    name = "youtube"

    def __init__(self) -> None:
        super().__init__()
        self.broadcasts: dict[str, dict] = {}
        self.streams: dict[str, dict] = {}
        self.transitions: list[tuple[str, str]] = []
        # Where streams take their feed, and (when a test sets it) whether a stream's
        # ingest is receiving, by its stream name: the stream is "active" only then.
        self.ingest_rtmp = "rtmp://127.0.0.1:1/live2"
        self.ingest_rtmps = "rtmps://127.0.0.1:1/live2"
        self.receiving: Callable[[str], bool] | None = None

    def _error(self, status: int, reason: str, message: str) -> Answer:
        return Answer(
            status,
            {
                "error": {
                    "code": status,
                    "message": message,
                    "errors": [
                        {"message": message, "domain": "youtube.liveBroadcast", "reason": reason}
                    ],
                }
            },
        )

    def handle(self, seen: Seen) -> Answer:
        path = seen.path
        if path == "/auth":
            return self.approve(seen)
        if path == "/token":
            form = seen.form
            if form.get("client_secret") != "g-secret":
                return Answer(401, {"error": "invalid_client", "error_description": "Unauthorized"})
            if form["grant_type"] == "authorization_code":
                code = form.get("code", "")
                if code not in self.codes or not self.pkce_ok(code, form.get("code_verifier", "")):
                    return Answer(
                        400, {"error": "invalid_grant", "error_description": "Bad Request"}
                    )
                self.codes.pop(code)
                return Answer(
                    200,
                    {
                        **self.issue(),
                        "expires_in": 3599,
                        "token_type": "Bearer",
                        "scope": form.get("scope", ""),
                    },
                )
            if form.get("refresh_token") in self.refresh_tokens:
                tokens = self.issue(refresh=False)
                return Answer(200, {**tokens, "expires_in": 3599, "token_type": "Bearer"})
            return Answer(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
            )
        if not self.authorized(seen):
            return Answer(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials.",
                        "errors": [{"reason": "authError"}],
                    }
                },
            )
        if path == "/channels":
            return Answer(200, {"items": [{"id": "UCkommune", "snippet": {"title": "Kommunen"}}]})
        if path == "/liveBroadcasts" and seen.method == "POST":
            broadcast_id = f"bc{len(self.broadcasts) + 1}"
            self.broadcasts[broadcast_id] = {
                "id": broadcast_id,
                "snippet": seen.json["snippet"],
                "status": {"lifeCycleStatus": "created", **seen.json["status"]},
                "contentDetails": seen.json.get("contentDetails", {}),
                "stream": None,
            }
            return Answer(200, self.broadcasts[broadcast_id])
        if path == "/liveStreams" and seen.method == "POST":
            stream_id = f"st{len(self.streams) + 1}"
            self.streams[stream_id] = {
                "id": stream_id,
                "status": {"streamStatus": "ready"},
                "cdn": {
                    "ingestionType": "rtmp",
                    "ingestionInfo": {
                        "streamName": f"abcd-{stream_id}-efgh",
                        "ingestionAddress": self.ingest_rtmp,
                        "rtmpsIngestionAddress": self.ingest_rtmps,
                    },
                },
            }
            return Answer(200, self.streams[stream_id])
        if path == "/liveStreams" and seen.method == "GET":
            found = [
                self.streams[i] for i in seen.query.get("id", "").split(",") if i in self.streams
            ]
            if self.receiving is not None:
                for stream in found:
                    name = stream["cdn"]["ingestionInfo"]["streamName"]
                    active = self.receiving(name)
                    stream["status"]["streamStatus"] = "active" if active else "inactive"
            return Answer(200, {"items": [{"id": s["id"], "status": s["status"]} for s in found]})
        if path == "/liveBroadcasts/bind":
            broadcast = self.broadcasts[seen.query["id"]]
            broadcast["stream"] = seen.query["streamId"]
            broadcast["status"]["lifeCycleStatus"] = "ready"
            return Answer(200, broadcast)
        if path == "/liveBroadcasts/transition":
            broadcast = self.broadcasts.get(seen.query["id"])
            if broadcast is None:
                return self._error(404, "liveBroadcastNotFound", "Broadcast not found")
            target = seen.query["broadcastStatus"]
            now = broadcast["status"]["lifeCycleStatus"]
            allowed = {
                "testing": {"ready"},
                "live": {"testing", "ready"},
                "complete": {"testing", "live"},
            }
            if now == target:
                return self._error(403, "redundantTransition", "Redundant transition")
            if now not in allowed[target]:
                return self._error(403, "invalidTransition", "Invalid transition")
            monitor = broadcast["contentDetails"].get("monitorStream", {})
            if target == "testing" and not monitor.get("enableMonitorStream", True):
                return self._error(403, "invalidTransition", "Monitor stream is disabled")
            if (
                target in ("testing", "live")
                and self.streams[broadcast["stream"]]["status"]["streamStatus"] != "active"
            ):
                return self._error(403, "errorStreamInactive", "Stream is inactive")
            broadcast["status"]["lifeCycleStatus"] = target
            self.transitions.append((broadcast["id"], target))
            return Answer(200, broadcast)
        return self._error(404, "notFound", "Not found")

    def receive(self) -> None:
        """Our restreamer's feed arrives: every stream is active."""
        for stream in self.streams.values():
            stream["status"]["streamStatus"] = "active"
