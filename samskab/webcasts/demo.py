"""The demo's meetings: three bodies, their politicians, a recorded council meeting with its
timeline and captions, and coming meetings an operator can take live.

Idempotent: rows are found by their slug or demo id and refreshed; nothing is made twice.
A meeting an operator has taken live or ended is left as it is. The recorded meeting's
marks span DEMO_PAST_SECONDS, the length of the generated demo video (webcasts-ui).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from samskab.webcasts import vtt
from samskab.webcasts.models import (
    AgendaItem,
    Body,
    Document,
    Meeting,
    Person,
    TimelineMark,
)
from samskab.webcasts.services import captions_upload, speaker_turns_rebuild

DEMO_PAST_SECONDS = 300
PAST_ID = "demo-byraad-past"
UPCOMING_ID = "demo-tmu-upcoming"
UPCOMING_SCHOOL_ID = "demo-bsu-upcoming"

BODIES = [
    ("byraadet", "Byrådet", Body.Kind.COUNCIL, "Kommunens øverste politiske ledelse."),
    (
        "teknik-og-miljoeudvalget",
        "Teknik- og Miljøudvalget",
        Body.Kind.COMMITTEE,
        "Veje, natur, klima, affald og byggeri.",
    ),
    (
        "boerne-og-skoleudvalget",
        "Børne- og Skoleudvalget",
        Body.Kind.COMMITTEE,
        "Dagtilbud, skoler og fritid for børn og unge.",
    ),
]

# (slug, name, kind, party, role): invented people.
PEOPLE = [
    ("mette-lund", "Mette Lund", "politician", "Socialdemokratiet", "Borgmester"),
    ("jens-kjaer", "Jens Kjær", "politician", "Venstre", "Formand, Teknik- og Miljøudvalget"),
    ("sofie-nielsen", "Sofie Nielsen", "politician", "SF", "Formand, Børne- og Skoleudvalget"),
    ("ahmad-rahimi", "Ahmad Rahimi", "politician", "Enhedslisten", "Byrådsmedlem"),
    ("karin-holm", "Karin Holm", "politician", "Det Konservative Folkeparti", "Byrådsmedlem"),
    ("lars-eriksen", "Lars Eriksen", "politician", "Dansk Folkeparti", "Byrådsmedlem"),
    ("birgitte-mortensen", "Birgitte Mortensen", "staff", "", "Kommunaldirektør"),
]
# A citizen who asked a question without consenting to be named.
CITIZEN = ("borger-spoergetid", "Hanne Borger", "citizen", "", "")

PAST_AGENDA = [
    ("1", "Godkendelse af dagsorden", "", True),
    (
        "2",
        "Spørgetid for borgerne",
        "Spørgsmål fra borgere om trafikken ved Vestbyens skole.",
        True,
    ),
    (
        "3",
        "Skolestruktur 2031",
        "Forslag om at samle Vestbyens to skoler på én matrikel. Indstilling fra Børne- og "
        "Skoleudvalget.",
        True,
    ),
    ("4", "Cykelsti langs Ringvejen", "Anlægsbevilling på 12,5 mio. kr.", True),
    ("5", "Salg af grund på Havnevej", "Lukket punkt.", False),
    ("6", "Meddelelser", "", True),
]

# (seconds, kind, agenda number or person slug)
PAST_TIMELINE = [
    (0, "meeting_start", None),
    (5, "item", "1"),
    (8, "speaker", "mette-lund"),
    (30, "item", "2"),
    (32, "speaker", "mette-lund"),
    (40, "speaker", "borger-spoergetid"),
    (60, "speaker", "jens-kjaer"),
    (80, "item", "3"),
    (82, "speaker", "sofie-nielsen"),
    (110, "speaker", "ahmad-rahimi"),
    (130, "speaker", "lars-eriksen"),
    (150, "speaker", "sofie-nielsen"),
    (165, "break", None),
    (180, "item", "4"),
    (182, "speaker", "jens-kjaer"),
    (205, "speaker", "karin-holm"),
    (225, "item", "5"),
    (226, "speaker", "birgitte-mortensen"),
    (260, "item", "6"),
    (262, "speaker", "mette-lund"),
    (290, "meeting_end", None),
]

PAST_CAPTIONS = [
    (8, 14, "Velkommen til byrådets møde. Dagsordenen er godkendt."),
    (40, 50, "Jeg vil spørge om trafikken ved skolen om morgenen, den er farlig for børnene."),
    (60, 70, "Tak for spørgsmålet. Vi ser på en ny fodgængerovergang og lavere hastighed."),
    (82, 95, "Udvalget foreslår at samle skolerne i Vestbyen, så eleverne får et bedre miljø."),
    (110, 125, "Vi er imod lukningen. Lokalsamfundet har brug for sin skole."),
    (130, 140, "Hvad koster ombygningen, og hvornår er den færdig?"),
    (150, 160, "Ombygningen koster 48 millioner og står færdig i sommeren 2031."),
    (182, 195, "Cykelstien langs Ringvejen gør det sikrere at cykle til arbejde og skole."),
    (205, 215, "Vi støtter cykelstien, men vil have udgifterne holdt inden for budgettet."),
    (262, 280, "Til sidst en meddelelse: borgermødet om klimaplanen holdes den 12. juni."),
]

UPCOMING_AGENDA = [
    ("1", "Godkendelse af dagsorden", "", True),
    ("2", "Klimaplan 2030: høringssvar", "Gennemgang af 214 høringssvar.", True),
    ("3", "Affaldssortering i etageboliger", "Forsøg med ti fraktioner.", True),
    ("4", "Vejbelysning på landet", "Udskiftning til LED.", True),
    ("5", "Ekspropriation ved Møllevej", "Lukket punkt.", False),
]

SCHOOL_AGENDA = [
    ("1", "Godkendelse af dagsorden", "", True),
    ("2", "Skolestruktur 2031: næste skridt", "", True),
    ("3", "Åbningstider i dagtilbud", "", True),
]


@transaction.atomic
def demo_load() -> dict[str, Meeting]:
    bodies = _bodies()
    people = _people()
    now = timezone.localtime()
    past = _meeting(
        PAST_ID,
        body=bodies["byraadet"],
        title="Byrådsmøde",
        starts_at=_at(now - timedelta(days=14), 17),
        place="Rådhuset, byrådssalen",
        description="Ordinært møde i byrådet.",
    )
    _agenda(past, PAST_AGENDA)
    past.speakers.set(people.values())
    if past.status == Meeting.Status.PLANNED or not past.marks.exists():
        _past_timeline(past, people)
    _documents(past)

    upcoming = _meeting(
        UPCOMING_ID,
        body=bodies["teknik-og-miljoeudvalget"],
        title="Møde i Teknik- og Miljøudvalget",
        starts_at=_at(now + timedelta(days=3), 16),
        ends_at=_at(now + timedelta(days=3), 18),
        place="Rådhuset, mødelokale 2",
        description="Udvalgets ordinære møde.",
    )
    _agenda(upcoming, UPCOMING_AGENDA)
    upcoming.speakers.set(
        [people[slug] for slug in ("jens-kjaer", "karin-holm", "ahmad-rahimi", "lars-eriksen")]
    )
    school = _meeting(
        UPCOMING_SCHOOL_ID,
        body=bodies["boerne-og-skoleudvalget"],
        title="Møde i Børne- og Skoleudvalget",
        starts_at=_at(now + timedelta(days=10), 16),
        place="Rådhuset, mødelokale 1",
    )
    _agenda(school, SCHOOL_AGENDA)
    school.speakers.set([people[slug] for slug in ("sofie-nielsen", "ahmad-rahimi")])
    return {"past": past, "upcoming": upcoming, "school": school}


def _at(day: datetime, hour: int) -> datetime:
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _bodies() -> dict[str, Body]:
    bodies = {}
    for position, (slug, name, kind, description) in enumerate(BODIES):
        bodies[slug], _created = Body.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "kind": kind, "description": description, "position": position},
        )
    return bodies


def _people() -> dict[str, Person]:
    people = {}
    for slug, name, kind, party, role in [*PEOPLE, CITIZEN]:
        people[slug], _created = Person.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "party": party,
                "role": role,
                "consent_to_name": kind != Person.Kind.CITIZEN,
                "external_id": f"demo-{slug}",
            },
        )
    return people


def _meeting(external_id: str, *, body: Body, starts_at: datetime, **fields) -> Meeting:
    meeting, created = Meeting.objects.get_or_create(
        body=body, external_id=external_id, defaults={"starts_at": starts_at, **fields}
    )
    if not created:
        for name, value in fields.items():
            setattr(meeting, name, value)
        if meeting.status == Meeting.Status.PLANNED and external_id != PAST_ID:
            meeting.starts_at = starts_at  # coming meetings stay in the future
            meeting.ends_at = fields.get("ends_at")
        meeting.save()
    return meeting


def _agenda(meeting: Meeting, agenda) -> None:
    for position, (number, title, description, is_public) in enumerate(agenda, start=1):
        AgendaItem.objects.update_or_create(
            meeting=meeting,
            number=number,
            defaults={
                "title": title,
                "description": description,
                "is_public": is_public,
                "position": position,
            },
        )


def _documents(meeting: Meeting) -> None:
    item = meeting.agenda_items.get(number="3")
    Document.objects.update_or_create(
        meeting=meeting,
        title="Dagsorden (PDF)",
        defaults={"url": "https://example.org/dagsorden.pdf", "position": 0},
    )
    Document.objects.update_or_create(
        meeting=meeting,
        agenda_item=item,
        title="Bilag: Skoleanalyse Vestbyen",
        defaults={"url": "https://example.org/skoleanalyse.pdf", "position": 1},
    )


def _past_timeline(meeting: Meeting, people: dict[str, Person]) -> None:
    started = meeting.starts_at
    meeting.status = Meeting.Status.ENDED
    meeting.recording_started_at = started
    meeting.duration_ms = meeting.duration_ms or DEMO_PAST_SECONDS * 1000
    meeting.save()
    items = {item.number: item for item in meeting.agenda_items.all()}
    meeting.marks.all().delete()
    TimelineMark.objects.bulk_create(
        TimelineMark(
            meeting=meeting,
            kind=kind,
            offset_ms=seconds * 1000,
            at=started + timedelta(seconds=seconds),
            agenda_item=items[ref] if kind == "item" else None,
            person=people[ref] if kind == "speaker" else None,
        )
        for seconds, kind, ref in PAST_TIMELINE
    )
    speaker_turns_rebuild(meeting=meeting)
    text = vtt.captions_vtt(
        (start * 1000, end * 1000, words) for start, end, words in PAST_CAPTIONS
    )
    captions_upload(
        meeting=meeting, language="da", file=ContentFile(text.encode(), name="da.vtt"), by=None
    )


def webcasts_demo_part(context: dict) -> None:
    """The demo's part (core.demo): the meetings, and the live blog's moderation."""
    from samskab.moderation.demo import moderation_demo_load

    meetings = demo_load()
    moderation_demo_load(meetings["upcoming"])
    context["meetings"] = meetings


def webcasts_media_part(context: dict) -> list[str]:
    from samskab.webcasts.media_demo import demo_media_load

    return demo_media_load()
