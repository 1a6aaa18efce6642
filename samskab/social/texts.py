"""What a post says: the body's own text for each kind (or the built-in one), filled in,
and the share card picture with its alt text."""

from __future__ import annotations

import io
from string import Formatter

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from samskab.social import limits
from samskab.social.models import Kind, PostTemplate
from samskab.webcasts.models import AgendaItem, Meeting

FILL_INS = ("title", "body", "date", "time", "hours", "place", "link", "items", "chapters")
# How many agenda items and chapters a post names before "and N more".
ITEMS_SHOWN = 3


def default_text(kind: str) -> str:
    """The built-in text of a kind, in the active language."""
    texts = {
        Kind.PUBLISHED: _(
            "{body}: {title}, {date} at {time}.\n\nOn the agenda:\n{items}\n\n{link}"
        ),
        Kind.SOON: _("Today at {time}: {body}, {title}. Watch it live here: {link}"),
        Kind.LIVE: _("Live now: {body}, {title}. Watch and take part: {link}"),
        Kind.RECORDING: _(
            "The recording of {body}, {title} is ready, in chapters:\n{chapters}\n\n{link}"
        ),
    }
    return str(texts[Kind(kind)])


def template_text(*, meeting: Meeting, kind: str, language: str) -> str:
    own = (
        PostTemplate.objects.filter(kind=kind, language=language, body=meeting.body_id)
        .values_list("text", flat=True)
        .first()
    )
    if own is None:
        own = (
            PostTemplate.objects.filter(kind=kind, language=language, body=None)
            .values_list("text", flat=True)
            .first()
        )
    if own is not None:
        return own
    with translation.override(language):
        return default_text(kind)


def template_problem(text: str) -> str:
    """Why a template cannot be filled in ('' when it can)."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError:
        return _("A { or } is not closed. Write {{ or }} for the sign itself.")
    unknown = sorted(name for name in names if name not in FILL_INS)
    if unknown:
        return _("Unknown fill-in: %(names)s.") % {"names": ", ".join(unknown)}
    return ""


def meeting_link(meeting: Meeting) -> str:
    return f"{settings.SITE_URL}{meeting.get_absolute_url()}"


def _bullets(lines: list[str]) -> str:
    shown = [f"• {line}" for line in lines[:ITEMS_SHOWN]]
    if len(lines) > ITEMS_SHOWN:
        shown.append(_("… and %(count)s more") % {"count": len(lines) - ITEMS_SHOWN})
    return "\n".join(shown)


def _items(meeting: Meeting) -> str:
    items = AgendaItem.objects.filter(meeting=meeting, is_public=True).order_by("position", "pk")
    return _bullets([f"{item.number}. {item.title}" for item in items])


def _chapters(meeting: Meeting) -> str:
    from samskab.webcasts.selectors import meeting_chapters

    lines = []
    for chapter in meeting_chapters(meeting):
        seconds = chapter.start_ms // 1000
        stamp = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        lines.append(f"{stamp} {chapter.title}")
    return _bullets(lines)


def render(
    *,
    meeting: Meeting,
    kind: str,
    language: str,
    network: str,
    soon_hours: int,
    server: dict | None = None,
) -> str:
    """The post's text, filled in and fitted to the network's limits."""
    text = template_text(meeting=meeting, kind=kind, language=language)
    with translation.override(language):
        local = timezone.localtime(meeting.starts_at)
        link = meeting_link(meeting)
        values = {
            "title": meeting.title,
            "body": meeting.body.name,
            "date": formats.date_format(local, "j. F Y" if language == "da" else "j F Y"),
            "time": formats.time_format(local, "H:i"),
            "hours": soon_hours,
            "place": meeting.place,
            "link": link,
            "items": _items(meeting),
            "chapters": _chapters(meeting) if kind == Kind.RECORDING else "",
        }
        try:
            filled = text.format(**values)
        except (KeyError, ValueError, IndexError):
            filled = default_text(kind).format(**values)
    filled = "\n".join(line.rstrip() for line in filled.strip().splitlines())
    while "\n\n\n" in filled:
        filled = filled.replace("\n\n\n", "\n\n")
    return limits.fit(filled, network, server)


def picture_alt(meeting: Meeting, language: str) -> str:
    with translation.override(language):
        local = timezone.localtime(meeting.starts_at)
        return _("A card with the words: %(body)s, %(title)s, %(date)s at %(time)s.") % {
            "body": meeting.body.name,
            "title": meeting.title,
            "date": formats.date_format(local, "j. F Y" if language == "da" else "j F Y"),
            "time": formats.time_format(local, "H:i"),
        }


CARD_SIZE = (1200, 675)


def card_picture(meeting: Meeting, language: str) -> bytes:
    """A 16:9 JPEG share card: the body, the title and the time, in the site's colours."""
    from PIL import Image, ImageDraw, ImageFont

    from samskab.core.models import SiteSettings

    colour = SiteSettings.current().primary_colour or "#004993"
    try:
        background = Image.new("RGB", CARD_SIZE, colour)
    except ValueError:
        background = Image.new("RGB", CARD_SIZE, "#004993")
    draw = ImageDraw.Draw(background)
    big = ImageFont.load_default(size=64)
    small = ImageFont.load_default(size=40)
    with translation.override(language):
        local = timezone.localtime(meeting.starts_at)
        when = formats.date_format(local, "j. F Y, H:i" if language == "da" else "j F Y, H:i")
    y = 80
    draw.text((80, y), meeting.body.name, fill="white", font=small)
    y += 90
    for line in _wrap(meeting.title, 30)[:3]:
        draw.text((80, y), line, fill="white", font=big)
        y += 84
    draw.text((80, CARD_SIZE[1] - 130), when, fill="white", font=small)
    out = io.BytesIO()
    background.save(out, "JPEG", quality=85)
    return out.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines
