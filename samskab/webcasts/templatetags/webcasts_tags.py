"""Template filters for the meeting pages: offsets as clock times and ?t= seconds."""

import html

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def clock(offset_ms: int | None) -> str:
    """12345678 -> '3:25:45'; under an hour '25:45'. Empty for None."""
    if offset_ms is None or offset_ms == "":
        return ""
    seconds = int(offset_ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


@register.filter
def iso_duration(offset_ms: int | None) -> str:
    """For <time datetime="...">: 'PT1H2M3S'."""
    if offset_ms is None or offset_ms == "":
        return ""
    seconds = int(offset_ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{seconds}S"


@register.filter
def seconds(offset_ms: int | None) -> int:
    """Whole seconds for ?t= links, rounded down so the jump lands on the start."""
    if offset_ms is None or offset_ms == "":
        return 0
    return int(offset_ms) // 1000


# A long meeting lists hundreds of speaker turns; one include per turn costs more than the
# rest of the page together, so the rows are written here (escaped by format_html).


def _person_parts(person) -> tuple[str, str, str]:
    """Name, party and role as the pages may show them (not for an unnamed citizen)."""
    name = person.shown_name
    if name != person.name:
        return name, "", ""
    return name, person.party, person.role


@register.simple_tag
def speaker_turn(turn, page_url: str, can_seek: bool, clip_url: str = "") -> str:
    """<li> of one speaker turn in the player's agenda, with data for player.js.

    Every value goes through html.escape (plain, not Django's lazy-aware escape: this runs
    hundreds of times per page). `clip_url` (staff only: the agenda passes it to staff
    alone) adds a "Clip" link to the clip page with this turn chosen.
    """
    name, party, role = (html.escape(part) for part in _person_parts(turn.person))
    start = int(turn.start_ms)
    end = "" if turn.end_ms is None else str(int(turn.end_ms))
    party_html = f' <span class="speaker-party">({party})</span>' if party else ""
    if can_seek:
        label = (
            f'<a class="speaker-jump" href="{html.escape(page_url)}?t={start // 1000}" '
            f'data-offset="{start}">{name}{party_html}</a>'
        )
    else:
        label = f'<span class="speaker-name">{name}{party_html}</span>'
    return mark_safe(  # noqa: S308  # every part above is escaped
        f'<li class="speaker-turn" data-start="{start}" data-end="{end}" data-name="{name}" '
        f'data-party="{party}" data-role="{role}">{label} '
        f'<time class="speaker-time" datetime="{iso_duration(start)}">{clock(start)}</time>'
        f"{_turn_clip_link(turn, clip_url, name)}</li>"
    )


def _turn_clip_link(turn, clip_url: str, name: str) -> str:
    """The staff's "Clip" link on a turn; `name` is already escaped."""
    if not clip_url:
        return ""
    which = html.escape(_("the turn of %(name)s at %(time)s") % {"name": "\0", "time": "\1"})
    which = which.replace("\0", name).replace("\1", clock(int(turn.start_ms)))
    return (
        f' <a class="clip-link" href="{html.escape(clip_url)}#turn-{int(turn.mark_id)}">'
        f'{html.escape(_("Clip"))}<span class="sr-only"> {which}</span></a>'
    )


@register.simple_tag
def text_turn(turn, meeting_url: str) -> str:
    """One speaker turn on the text-only page: time (a link into the video), name, party, role."""
    name, party, role = _person_parts(turn.person)
    details = (f" ({party})" if party else "") + (f", {role}" if role else "")
    return format_html(
        '<a href="{}?t={}"><time datetime="{}">{}</time></a> {}{}',
        meeting_url,
        seconds(turn.start_ms),
        iso_duration(turn.start_ms),
        clock(turn.start_ms),
        name,
        details,
    )


@register.filter
def said_in(transcript, item) -> list:
    """`{{ transcript|said_in:item }}`: the caption cues said during an agenda item."""
    if transcript is None:
        return []
    return transcript.by_item.get(item.pk, [])


# Languages whose names are written in lower case inside a sentence ("på dansk").
LOWER_CASE_LANGUAGE_NAMES = {"da"}


@register.filter
def language_in_text(code: str) -> str:
    """A language's name as it reads inside a sentence in the active language."""
    from django.templatetags.i18n import language_name_translated
    from django.utils.translation import get_language

    name = language_name_translated(code)
    if (get_language() or "")[:2] in LOWER_CASE_LANGUAGE_NAMES:
        return name.lower()
    return name
