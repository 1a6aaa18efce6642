"""Video links in a comment (YouTube, Vimeo) found from plain text. No Django here.

The thread shows them as a click-to-load box: nothing is fetched from the video site
until the visitor agrees, so the page itself makes no third-party request.
"""

import re
from dataclasses import dataclass

_YOUTUBE = re.compile(
    r"https?://(?:www\.|m\.)?(?:youtube\.com/watch\?(?:[^\s#]*&)?v=|youtu\.be/|youtube\.com/shorts/)"
    r"([A-Za-z0-9_-]{11})"
)
_VIMEO = re.compile(r"https?://(?:www\.)?vimeo\.com/(\d{1,12})(?![\w/])")


@dataclass(frozen=True)
class VideoLink:
    provider: str  # "youtube" or "vimeo"
    video_id: str

    @property
    def embed_url(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}"
        return f"https://player.vimeo.com/video/{self.video_id}?dnt=1"

    @property
    def page_url(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"

    @property
    def provider_name(self) -> str:
        return {"youtube": "YouTube", "vimeo": "Vimeo"}[self.provider]


def video_links(text: str, *, limit: int = 3) -> list[VideoLink]:
    found: list[VideoLink] = []
    for match in _YOUTUBE.finditer(text or ""):
        found.append(VideoLink("youtube", match.group(1)))
    for match in _VIMEO.finditer(text or ""):
        found.append(VideoLink("vimeo", match.group(1)))
    unique = list(dict.fromkeys(found))
    return unique[:limit]
