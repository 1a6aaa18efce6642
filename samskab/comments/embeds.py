"""Video links in a comment (YouTube, Vimeo, our own meeting clips) found from plain text.

The thread shows third-party videos as a click-to-load box: nothing is fetched from the
video site until the visitor agrees, so the page itself makes no third-party request.
A link to one of our own meetings (`https://<our host>/moeder/42/?t=300`, the share link
of a moment) is shown at once in our own embedded player: no third party, no consent.
No Django here.
"""

import re
from dataclasses import dataclass

_YOUTUBE = re.compile(
    r"https?://(?:www\.|m\.)?(?:youtube\.com/watch\?(?:[^\s#]*&)?v=|youtu\.be/|youtube\.com/shorts/)"
    r"([A-Za-z0-9_-]{11})"
)
_VIMEO = re.compile(r"https?://(?:www\.)?vimeo\.com/(\d{1,12})(?![\w/])")
_CLIP = r"https?://{host}/moeder/(\d{{1,12}})/(?:\?(?:[^\s#]*&)?t=(\d{{1,6}}))?(?![\w/])"


@dataclass(frozen=True)
class VideoLink:
    provider: str  # "youtube", "vimeo" or "clip" (one of our meetings)
    video_id: str
    start: int = 0  # seconds into one of our meetings

    @property
    def is_own(self) -> bool:
        return self.provider == "clip"

    @property
    def embed_url(self) -> str:
        if self.provider == "clip":
            return f"/moeder/{self.video_id}/embed/" + (f"?t={self.start}" if self.start else "")
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}"
        return f"https://player.vimeo.com/video/{self.video_id}?dnt=1"

    @property
    def page_url(self) -> str:
        if self.provider == "clip":
            return f"/moeder/{self.video_id}/" + (f"?t={self.start}" if self.start else "")
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"

    @property
    def provider_name(self) -> str:
        return {"youtube": "YouTube", "vimeo": "Vimeo", "clip": ""}[self.provider]


def video_links(text: str, *, limit: int = 3, own_host: str = "") -> list[VideoLink]:
    """The videos a text links to; `own_host` (e.g. "samskab.kommune.dk") finds our clips."""
    found: list[VideoLink] = []
    if own_host:
        clip = re.compile(_CLIP.format(host=re.escape(own_host)))
        for match in clip.finditer(text or ""):
            found.append(VideoLink("clip", match.group(1), int(match.group(2) or 0)))
    for match in _YOUTUBE.finditer(text or ""):
        found.append(VideoLink("youtube", match.group(1)))
    for match in _VIMEO.finditer(text or ""):
        found.append(VideoLink("vimeo", match.group(1)))
    unique = list(dict.fromkeys(found))
    return unique[:limit]
