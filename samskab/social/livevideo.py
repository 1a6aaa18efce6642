"""Live broadcasts on YouTube (Data API v3: liveBroadcasts and liveStreams) and on a
Facebook Page (Graph API: live_videos), each one lifecycle behind one interface.

create: the broadcast and where to send the feed (an RTMP(S) server and key for the
restreamer); start: the broadcast goes public once its stream receives; end: it closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from samskab.social.http import ErrorKind, NetworkError, client, endpoint, send
from samskab.social.networks import AccountLike, Facebook, YouTube


@dataclass(frozen=True)
class Created:
    broadcast_id: str
    stream_id: str
    server_url: str
    stream_key: str
    public_url: str


class NotReceiving(NetworkError):
    """The platform has not yet received our feed: try again in a moment."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, kind=ErrorKind.TEMPORARY)


def split_stream_url(url: str) -> tuple[str, str]:
    """'rtmps://host:443/rtmp/KEY?s=..' -> ('rtmps://host:443/rtmp', 'KEY?s=..')."""
    parts = urlsplit(url)
    path, _, key = parts.path.rpartition("/")
    if parts.query:
        key = f"{key}?{parts.query}"
    return f"{parts.scheme}://{parts.netloc}{path}", key


class YouTubeLive(YouTube):
    def _call(self, account: AccountLike, method: str, path: str, **kwargs) -> dict:
        with client(account.access_token) as http:
            response = send(http, method, f"{endpoint('youtube_api')}{path}", **kwargs)
        return self._check(response)

    def _check(self, response, *, duplicate_words=()):
        if response.status_code < 400:
            return super()._check(response)
        error = (response.json() if response.content else {}).get("error") or {}
        reasons = [each.get("reason", "") for each in error.get("errors", [])]
        message = str(error.get("message") or f"HTTP {response.status_code}")
        if "redundantTransition" in reasons:
            return {"redundant": True}
        if response.status_code == 401:
            raise NetworkError(message, kind=ErrorKind.AUTH, status=401)
        # The Live Streaming API's errors (developers.google.com/youtube/v3/live/docs/errors):
        # rate limits have the detail userRequestsExceedRateLimit; the Data API's quota is
        # quotaExceeded. A transition refused for the stream's state is invalidTransition
        # or errorStreamInactive (liveBroadcasts.transition: testing and live need the
        # bound stream's status.streamStatus to be active).
        limited = {"rateLimitExceeded", "userRateLimitExceeded", "userRequestsExceedRateLimit"}
        if (limited | {"quotaExceeded"}) & set(reasons):
            raise NetworkError(message, kind=ErrorKind.TEMPORARY, status=response.status_code)
        if {"invalidTransition", "errorStreamInactive"} & set(reasons):
            raise NotReceiving(message)
        raise NetworkError(message, kind=ErrorKind.PERMANENT, status=response.status_code)

    def create(
        self, account: AccountLike, *, title: str, description: str, starts_at: datetime
    ) -> Created:
        broadcast = self._call(
            account,
            "POST",
            "/liveBroadcasts",
            params={"part": "snippet,status,contentDetails"},
            json={
                "snippet": {
                    "title": title[:100],
                    "description": description[:5000],
                    "scheduledStartTime": starts_at.isoformat(),
                },
                "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False},
                # testing needs the monitor stream (liveBroadcasts.transition).
                "contentDetails": {
                    "enableAutoStart": False,
                    "enableAutoStop": False,
                    "monitorStream": {"enableMonitorStream": True},
                },
            },
        )
        stream = self._call(
            account,
            "POST",
            "/liveStreams",
            params={"part": "snippet,cdn,contentDetails"},
            json={
                "snippet": {"title": title[:100]},
                "cdn": {"frameRate": "variable", "ingestionType": "rtmp", "resolution": "variable"},
                "contentDetails": {"isReusable": False},
            },
        )
        self._call(
            account,
            "POST",
            "/liveBroadcasts/bind",
            params={"id": broadcast["id"], "part": "id,contentDetails", "streamId": stream["id"]},
        )
        info = stream["cdn"]["ingestionInfo"]
        server = info.get("rtmpsIngestionAddress") or info["ingestionAddress"]
        return Created(
            str(broadcast["id"]),
            str(stream["id"]),
            str(server),
            str(info["streamName"]),
            f"https://www.youtube.com/watch?v={broadcast['id']}",
        )

    def start(self, account: AccountLike, *, created: tuple[str, str], state: str) -> str:
        """One step towards live: 'testing' once the stream is active, then 'live'."""
        broadcast_id, stream_id = created
        streams = self._call(
            account, "GET", "/liveStreams", params={"part": "status", "id": stream_id}
        ).get("items", [])
        status = streams[0]["status"]["streamStatus"] if streams else ""
        if status != "active":
            raise NotReceiving(f"YouTube has not received the feed yet ({status or 'no stream'}).")
        target = "live" if state == "testing" else "testing"
        self._call(
            account,
            "POST",
            "/liveBroadcasts/transition",
            params={"broadcastStatus": target, "id": broadcast_id, "part": "status"},
        )
        return target

    def end(self, account: AccountLike, *, broadcast_id: str) -> None:
        self._call(
            account,
            "POST",
            "/liveBroadcasts/transition",
            params={"broadcastStatus": "complete", "id": broadcast_id, "part": "status"},
        )


class FacebookLive(Facebook):
    def _call(self, account: AccountLike, method: str, path: str, **data) -> dict:
        data["access_token"] = account.access_token
        with client() as http:
            if method == "GET":
                response = send(http, method, f"{endpoint('facebook_graph')}{path}", params=data)
            else:
                response = send(http, method, f"{endpoint('facebook_graph')}{path}", data=data)
        return self._check(response)

    def create(
        self, account: AccountLike, *, title: str, description: str, starts_at: datetime
    ) -> Created:
        video = self._call(
            account,
            "POST",
            f"/{account.external_id}/live_videos",
            status="UNPUBLISHED",
            title=title[:255],
            description=description,
        )
        server, key = split_stream_url(str(video.get("secure_stream_url") or video["stream_url"]))
        link = self._call(account, "GET", f"/{video['id']}", fields="permalink_url")
        permalink = str(link.get("permalink_url") or "")
        if permalink.startswith("/"):
            permalink = f"https://www.facebook.com{permalink}"
        return Created(str(video["id"]), "", server, key, permalink)

    def start(self, account: AccountLike, *, created: tuple[str, str], state: str) -> str:
        self._call(account, "POST", f"/{created[0]}", status="LIVE_NOW")
        return "live"

    def end(self, account: AccountLike, *, broadcast_id: str) -> None:
        self._call(account, "POST", f"/{broadcast_id}", end_live_video="true")


LIVE_APIS: dict[str, YouTubeLive | FacebookLive] = {
    "youtube": YouTubeLive(),
    "facebook": FacebookLive(),
}
