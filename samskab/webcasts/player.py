"""What the meeting page, the embed and the text page show, read in a constant number of queries.

The archive index (agenda segments and speaker turns) comes from `selectors.meeting_index`;
this module adds what only the pages need: the moment a shared link points at, the slide
decks per item, the slides shown over time, the captions, and the share texts.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samskab.webcasts import recording
from samskab.webcasts.models import (
    AgendaItem,
    Captions,
    Document,
    Meeting,
    SlideDeck,
    TimelineMark,
)
from samskab.webcasts.selectors import (
    ItemEntry,
    MeetingIndex,
    TurnEntry,
    item_heading,
    meeting_index,
    meeting_state,
)

# The vendored hls.js (scripts/vendor_hls.py); the templates load it from here.
HLS_VERSION = "1.7.4"
HLS_SCRIPT = f"vendor/hls.js-{HLS_VERSION}/hls.light.min.js"
YOUTUBE_EMBED_ORIGIN = "https://www.youtube-nocookie.com"
FACEBOOK_EMBED_ORIGIN = "https://www.facebook.com"
# ?t= accepts seconds ("754"), or a clock ("12:34", "1:02:03"), or "1h2m3s".
CLOCK_RE = re.compile(r"^(?:(\d{1,2}):)?(\d{1,3}):(\d{1,2})$")
UNITS_RE = re.compile(r"^(?:(\d{1,2})h)?(?:(\d{1,3})m)?(?:(\d{1,5})s)?$")
MAX_SECONDS = 48 * 3600
EMBED_WIDTH = 960
EMBED_HEIGHT = 720
# How long an index version stays cached; a change makes a new version at once.
PLAYER_CACHE_SECONDS = 6 * 3600


def parse_t(value: str | None) -> int | None:
    """Seconds into the recording from a ?t= value, or None when absent or malformed."""
    if not value:
        return None
    value = value.strip().lower()
    seconds: int | None = None
    if value.isdigit():
        seconds = int(value[:7])
    elif match := CLOCK_RE.match(value):
        hours, minutes, secs = match.groups()
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
    elif (match := UNITS_RE.match(value)) and any(match.groups()):
        hours, minutes, secs = (int(part or 0) for part in match.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds is None or seconds > MAX_SECONDS:
        return None
    return seconds


@dataclass
class Moment:
    """What was going on at an offset: the agenda item and the speaker."""

    offset_ms: int
    item: AgendaItem | None = None
    turn: TurnEntry | None = None

    @property
    def seconds(self) -> int:
        return self.offset_ms // 1000


def moment_at(index: MeetingIndex, offset_ms: int) -> Moment:
    moment = Moment(offset_ms)
    for entry in index.items:
        for segment in entry.segments:
            end = segment.end_ms if segment.end_ms is not None else offset_ms + 1
            if segment.start_ms <= offset_ms < end:
                moment.item = entry.item
        if moment.item is entry.item:
            if not entry.item.is_public:
                return moment  # closed items name no speaker
            for turn in entry.turns:
                end = turn.end_ms if turn.end_ms is not None else offset_ms + 1
                if turn.start_ms <= offset_ms < end:
                    moment.turn = turn
            return moment
    for turn in index.turns_without_item:
        end = turn.end_ms if turn.end_ms is not None else offset_ms + 1
        if turn.start_ms <= offset_ms < end:
            moment.turn = turn
    return moment


@dataclass
class AgendaRow:
    """One agenda item as the pages list it."""

    entry: ItemEntry
    decks: list[SlideDeck] = field(default_factory=list)

    @property
    def item(self) -> AgendaItem:
        return self.entry.item

    @property
    def start_ms(self) -> int | None:
        return self.entry.start_ms


def slide_timeline(meeting: Meeting) -> list[dict]:
    """Every slide shown, in time order, for the archive player to follow the video."""
    marks = (
        TimelineMark.objects.filter(
            meeting=meeting, kind=TimelineMark.Kind.SLIDE, is_undone=False, slide__isnull=False
        )
        .select_related("slide__deck")
        .order_by("offset_ms", "pk")
    )
    return [
        {
            "offset_ms": mark.offset_ms,
            "image_url": mark.slide.image.url if mark.slide.image else "",
            "number": mark.slide.number,
            "deck_title": mark.slide.deck.title,
            "page_count": mark.slide.deck.page_count,
            "pdf_url": mark.slide.deck.pdf.url if mark.slide.deck.pdf else "",
            "item_id": mark.slide.deck.agenda_item_id,
        }
        for mark in marks
    ]


def decks_by_item(meeting: Meeting) -> dict[int, list[SlideDeck]]:
    decks: dict[int, list[SlideDeck]] = {}
    for deck in SlideDeck.objects.filter(agenda_item__meeting=meeting).order_by("pk"):
        decks.setdefault(deck.agenda_item_id, []).append(deck)
    return decks


def share_url(request: HttpRequest, meeting: Meeting, seconds: int | None) -> str:
    url = request.build_absolute_uri(meeting.get_absolute_url())
    if seconds:
        url += "?" + urlencode({"t": seconds})
    return url


def share_text(meeting: Meeting, moment: Moment | None) -> str:
    """One line naming who speaks on what, for share targets and link previews."""
    if moment is not None and moment.turn is not None:
        person = moment.turn.person
        name = person.shown_name
        if person.party and name == person.name:
            name = f"{name} ({person.party})"
        if moment.item is not None and moment.item.is_public:
            return _("%(name)s on %(item)s – %(meeting)s") % {
                "name": name,
                "item": moment.item.title,
                "meeting": meeting.title,
            }
        return _("%(name)s – %(meeting)s") % {"name": name, "meeting": meeting.title}
    if moment is not None and moment.item is not None:
        # A shared link is public whoever shares it: a closed item by its number only.
        return f"{item_heading(moment.item)} – {meeting.title}"
    return str(meeting.title)


def share_description(meeting: Meeting, moment: Moment | None) -> str:
    from django.utils import formats, timezone

    when = formats.date_format(timezone.localtime(meeting.starts_at), "DATE_FORMAT")
    parts = [str(meeting.body.name), when]
    if moment is not None and moment.turn is not None and moment.turn.person.role:
        person = moment.turn.person
        if person.shown_name == person.name:
            parts.insert(0, f"{person.shown_name}, {person.role}")
    if moment is not None and moment.item is not None and moment.item.is_public:
        parts.append(
            _("Agenda item %(number)s: %(title)s")
            % {
                "number": moment.item.number,
                "title": moment.item.title,
            }
        )
    elif moment is not None and moment.item is not None:
        parts.append(item_heading(moment.item))
    return ". ".join(parts)


def index_version(meeting: Meeting) -> str:
    """What the meeting's cached index is keyed on; changes whenever the index changes.

    `updated_at` moves on with every change to the meeting and, through webcasts.signals and
    the services, to its marks, turns, agenda, people, slides and captions. Status and length
    are added for writers that update the row without touching `updated_at`.
    """
    return (
        f"{meeting.pk}.{meeting.updated_at.timestamp():.6f}."
        f"{meeting.status}.{meeting.duration_ms}.{get_language()}"
    )


@dataclass
class PlayerData:
    """The per-meeting part of the player's context: the same for every viewer."""

    index: MeetingIndex
    rows: list[AgendaRow]
    captions: list[Captions]
    slides: list[dict]
    state: dict | None  # live meetings only
    documents: list[Document]


# The newest few versions are also kept in this process as they are: unpickling an index
# of hundreds of turns from the cache costs more than the rest of the page. The key holds
# the version read from the database, so a copy here is never stale. Read-only for callers.
_RECENT: OrderedDict[str, PlayerData] = OrderedDict()
_RECENT_SIZE = 32
_RECENT_LOCK = threading.Lock()


def player_data(meeting: Meeting) -> PlayerData:
    """The meeting's index, slides, captions and live state: read once per version."""
    key = f"webcasts:player:{index_version(meeting)}"
    with _RECENT_LOCK:
        data = _RECENT.get(key)
        if data is not None:
            _RECENT.move_to_end(key)
            return data
    data = cache.get(key)
    if data is None:
        index = meeting_index(meeting)
        decks = decks_by_item(meeting)
        data = PlayerData(
            index=index,
            rows=[AgendaRow(entry, decks.get(entry.item.pk, [])) for entry in index.items],
            captions=list(Captions.objects.filter(meeting=meeting).order_by("language")),
            slides=slide_timeline(meeting),
            state=meeting_state(meeting) if meeting.status == Meeting.Status.LIVE else None,
            documents=list(
                meeting.documents.select_related("agenda_item").order_by("position", "pk")
            ),
        )
        cache.set(key, data, PLAYER_CACHE_SECONDS)
    with _RECENT_LOCK:
        _RECENT[key] = data
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
    return data


def player_context(
    request: HttpRequest, meeting: Meeting, *, t: int | None, embed: bool = False
) -> dict:
    """Everything the player templates need; a constant number of queries however long.

    The per-meeting part comes from `player_data` (cached per `index_version`); the agenda
    fragment is cached by the template under the same version.
    """
    data = player_data(meeting)
    index = data.index
    # A closed item's title, documents and slides are for the staff who prepare the meeting,
    # never in an embed (another site's page) and never for the public (review M3).
    sees_closed = not embed and request.user.has_perm("webcasts.view_closed_items", meeting)
    documents, slides = data.documents, data.slides
    if not sees_closed:
        closed = {row.item.pk for row in data.rows if not row.item.is_public}
        documents = [doc for doc in documents if doc.agenda_item_id not in closed]
        slides = [slide for slide in slides if slide["item_id"] not in closed]
    is_live = meeting.status == Meeting.Status.LIVE
    state = data.state if is_live else None
    moment = moment_at(index, t * 1000) if t is not None else None
    rows = data.rows
    youtube = (
        recording.youtube_id(meeting.video_url)
        if meeting.video_kind == Meeting.VideoKind.YOUTUBE
        else ""
    )
    current_item_id = None
    if state and state.get("item"):
        current_item_id = state["item"]["id"]
    elif moment is not None and moment.item is not None:
        current_item_id = moment.item.pk
    url = share_url(request, meeting, t)
    text = share_text(meeting, moment)
    return {
        "meeting": meeting,
        "page_url": reverse(
            "webcasts:meeting_embed" if embed else "webcasts:meeting", kwargs={"pk": meeting.pk}
        ),
        "is_embed": embed,
        "index": index,
        "agenda": rows,
        "is_live": is_live,
        "is_archive": meeting.status == Meeting.Status.ENDED,
        "state": state,
        "t": t,
        "moment": moment,
        "current_item_id": current_item_id,
        "hls_url": recording.hls_url(meeting),
        "hls_script": HLS_SCRIPT,
        "youtube_id": youtube,
        "youtube_embed": f"{YOUTUBE_EMBED_ORIGIN}/embed/{youtube}" if youtube else "",
        "facebook_embed": facebook_embed_url(meeting),
        "captions": data.captions,
        "slides": slides,
        "documents": documents,
        "sees_closed": sees_closed,
        "index_version": index_version(meeting),
        "player_cache_seconds": PLAYER_CACHE_SECONDS,
        "canonical_url": share_url(request, meeting, None),
        "share_url": url,
        "share_text": text,
        "share_targets": share_targets(url, text),
        "mastodon_template": MASTODON_TEMPLATE,
        "share_text_templates": share_text_templates(),
        "share_description": share_description(meeting, moment),
        # YouTube seeks by reloading its frame at ?start=; Facebook's player cannot seek.
        "can_seek": meeting.video_kind
        in (Meeting.VideoKind.HLS, Meeting.VideoKind.UPLOAD, Meeting.VideoKind.YOUTUBE),
    }


def facebook_embed_url(meeting: Meeting) -> str:
    if meeting.video_kind != Meeting.VideoKind.FACEBOOK or not meeting.video_url:
        return ""
    query = urlencode({"href": meeting.video_url, "show_text": "false"})
    return f"{FACEBOOK_EMBED_ORIGIN}/plugins/video.php?{query}"


def player_csp(meeting: Meeting) -> dict[str, list[str]]:
    """CSP additions for this meeting's video: third-party frames only where they are used."""
    if meeting.video_kind == Meeting.VideoKind.YOUTUBE:
        return {"frame-src": [YOUTUBE_EMBED_ORIGIN]}
    if meeting.video_kind == Meeting.VideoKind.FACEBOOK:
        return {"frame-src": [FACEBOOK_EMBED_ORIGIN]}
    if meeting.video_kind == Meeting.VideoKind.HLS:
        origin = recording.external_origin(meeting.video_url)
        if origin:
            # hls.js fetches playlists and segments, then plays them from a blob: source.
            return {"connect-src": [origin], "media-src": [origin]}
    return {}


def with_player_csp(response: HttpResponse, meeting: Meeting) -> HttpResponse:
    """django-csp's csp_update, chosen per meeting (its decorator sets the same attribute)."""
    update = player_csp(meeting)
    if update:
        response._csp_update = update  # type: ignore[attr-defined]
    return response


def oembed_discovery_url(request: HttpRequest, meeting: Meeting) -> str:
    target = request.build_absolute_uri(meeting.get_absolute_url())
    return (
        request.build_absolute_uri(reverse("oembed"))
        + "?"
        + urlencode({"url": target, "format": "json"})
    )


# Where the share control sends a link. {url} and {text} are filled in URL-encoded, by the
# server for the page's moment and by share.js when the viewer picks another moment.
SHARE_TARGETS = [
    ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("x", "X", "https://x.com/intent/post?text={text}&url={url}"),
    ("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    ("bluesky", "Bluesky", "https://bsky.app/intent/compose?text={text}%20{url}"),
    ("email", "E-mail", "mailto:?subject={text}&body={url}"),
]
# Mastodon has no central site: the viewer names their own server (remembered by share.js).
MASTODON_TEMPLATE = "https://{instance}/share?text={text}%20{url}"


def share_text_templates() -> dict[str, str]:
    """share_text()'s sentences with {name}, {item}, {meeting} left for share.js to fill."""
    slots = {"name": "{name}", "item": "{item}", "meeting": "{meeting}"}
    return {
        "speaker_item": _("%(name)s on %(item)s – %(meeting)s") % slots,
        "speaker": _("%(name)s – %(meeting)s") % slots,
        "item": "{item} – {meeting}",
    }


def share_targets(url: str, text: str) -> list[dict[str, str]]:
    from urllib.parse import quote

    filled = {"url": quote(url, safe=""), "text": quote(text, safe="")}
    return [
        {
            "name": name,
            "label": str(_("E-mail")) if name == "email" else label,
            "href": template.format(**filled),
            "template": template,
        }
        for name, label, template in SHARE_TARGETS
    ]


def embed_iframe(
    request: HttpRequest,
    meeting: Meeting,
    *,
    width: int = EMBED_WIDTH,
    height: int = EMBED_HEIGHT,
    t: int | None = None,
) -> str:
    """The HTML a website pastes to show the meeting's player (also oEmbed's html)."""
    src = request.build_absolute_uri(reverse("webcasts:meeting_embed", kwargs={"pk": meeting.pk}))
    if t:
        src += "?" + urlencode({"t": t})
    return format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" allow="fullscreen; autoplay" '
        'allowfullscreen loading="lazy"></iframe>',
        src,
        width,
        height,
        meeting.title,
    )


# The sizes a website may choose for the embed code: the largest width it may grow to. The
# player keeps the embed page's proportions (4:3: the title, the 16:9 video and the agenda
# beneath) at any width, and shrinks with a phone's screen.
EMBED_SIZES = [
    ("large", _("Large: up to 960 pixels wide"), 960),
    ("medium", _("Medium: up to 640 pixels wide"), 640),
    ("small", _("Small: up to 480 pixels wide"), 480),
]


def embed_snippets(request: HttpRequest, meeting: Meeting) -> list[dict[str, str]]:
    """Responsive embed codes, one per size: an aspect-ratio box the iframe fills.

    The style is inline because the code is pasted into other sites (our CSP rules our own
    pages, where it is only shown as text)."""
    src = request.build_absolute_uri(reverse("webcasts:meeting_embed", kwargs={"pk": meeting.pk}))
    return [
        {
            "key": key,
            "label": label,
            "code": format_html(
                '<div style="position:relative;width:100%;max-width:{}px;aspect-ratio:{}/{}">'
                '<iframe src="{}" title="{}" allow="fullscreen; autoplay" allowfullscreen '
                'loading="lazy" style="position:absolute;inset:0;width:100%;height:100%;border:0">'
                "</iframe></div>",
                width,
                EMBED_WIDTH,
                EMBED_HEIGHT,
                src,
                meeting.title,
            ),
        }
        for key, label, width in EMBED_SIZES
    ]
