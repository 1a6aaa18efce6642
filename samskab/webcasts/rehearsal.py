"""The console's rehearsal: before a meeting goes live the operator tries the agenda, speaker,
slide and break buttons, and sees what viewers would see.

A rehearsal publishes nothing and writes nothing to the meeting: its marks live only in the
operator's own session, are shown only on that operator's console, and are discarded when the
rehearsal ends or the meeting goes live (the recording's time zero is fixed by "Go live", so
a rehearsal mark could not have a place in the archive anyway).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.webcasts.models import AgendaItem, Meeting, Person, Slide, TimelineMark
from samskab.webcasts.services import mark_check

Kind = TimelineMark.Kind
# A session is not a log: a long rehearsal keeps its latest marks only.
MAX_MARKS = 100


def _key(meeting: Meeting) -> str:
    return f"webcasts:rehearsal:{meeting.pk}"


def is_rehearsing(session, meeting: Meeting) -> bool:
    return meeting.status == Meeting.Status.PLANNED and _key(meeting) in session


def rehearsal_start(session, meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(
            _("A rehearsal is for a meeting that has not gone live yet."), code="not_planned"
        )
    session[_key(meeting)] = {"started": timezone.now().timestamp(), "marks": []}


def rehearsal_end(session, meeting: Meeting) -> None:
    """Discard the rehearsal and its marks (also called when the meeting goes live)."""
    session.pop(_key(meeting), None)


def rehearsal_mark(
    session,
    meeting: Meeting,
    *,
    kind: str,
    agenda_item: AgendaItem | None = None,
    person: Person | None = None,
    slide: Slide | None = None,
) -> dict:
    """Note a rehearsal mark in the session (the same checks as a live mark, nothing stored)."""
    if not is_rehearsing(session, meeting):
        raise ValidationError(_("The rehearsal has ended."), code="not_rehearsing")
    mark_check(meeting, kind, agenda_item=agenda_item, person=person, slide=slide)
    data = session[_key(meeting)]
    entry = {
        "kind": kind,
        "seconds": round(timezone.now().timestamp() - data["started"], 1),
        "item": agenda_item.pk if agenda_item else None,
        "person": person.pk if person else None,
        "slide": slide.pk if slide else None,
        "undone": False,
    }
    data["marks"] = [*data["marks"], entry][-MAX_MARKS:]
    session[_key(meeting)] = data  # reassigned, so the session is saved
    return entry


def rehearsal_undo(session, meeting: Meeting) -> dict:
    if not is_rehearsing(session, meeting):
        raise ValidationError(_("The rehearsal has ended."), code="not_rehearsing")
    data = session[_key(meeting)]
    for entry in reversed(data["marks"]):
        if not entry["undone"]:
            entry["undone"] = True
            session[_key(meeting)] = data
            return entry
    raise ValidationError(_("You have no mark to undo."), code="nothing_to_undo")


def rehearsal_view(session, meeting: Meeting) -> tuple[dict, list[dict]]:
    """What viewers would see (shaped as selectors.meeting_state) and the latest marks."""
    data = session.get(_key(meeting)) or {"marks": []}
    marks = [entry for entry in data["marks"] if not entry["undone"]]
    items = {item.pk: item for item in AgendaItem.objects.filter(meeting=meeting)}
    people = {
        person.pk: person
        for person in Person.objects.filter(
            pk__in={e["person"] for e in data["marks"] if e["person"]}
        )
    }
    slides = {
        slide.pk: slide
        for slide in Slide.objects.filter(
            pk__in={e["slide"] for e in marks if e["slide"]}
        ).select_related("deck")
    }
    state: dict = {"item": None, "speaker": None, "slide": None, "on_break": False}
    for entry in marks:
        if entry["kind"] == Kind.ITEM and entry["item"] in items:
            item = items[entry["item"]]
            state.update(
                item={
                    "id": item.pk,
                    "number": item.number,
                    "title": item.title,
                    "is_public": item.is_public,
                },
                speaker=None,
                slide=None,
                on_break=False,
            )
        elif entry["kind"] == Kind.SPEAKER and entry["person"] in people:
            person = people[entry["person"]]
            state.update(
                speaker={
                    "id": person.pk,
                    "name": person.shown_name,
                    "party": person.party,
                    "role": person.role,
                },
                on_break=False,
            )
        elif entry["kind"] == Kind.SLIDE and entry["slide"] in slides:
            slide = slides[entry["slide"]]
            state["slide"] = {
                "deck": slide.deck_id,
                "number": slide.number,
                "deck_title": slide.deck.title,
            }
        elif entry["kind"] == Kind.BREAK:
            state.update(on_break=True, speaker=None)
    log = []
    for entry in reversed(data["marks"][-8:]):
        what = str(Kind(entry["kind"]).label)
        if entry["item"] in items:
            what += f": {items[entry['item']].number}. {items[entry['item']].title}"
        elif entry["person"] in people:
            what += f": {people[entry['person']].shown_name}"
        log.append({"seconds": entry["seconds"], "what": what, "undone": entry["undone"]})
    return state, log
