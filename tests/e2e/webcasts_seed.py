"""Seed the e2e site's database (run as a script with the site's environment).

Prints one JSON line: the demo's upcoming and past meetings and staff sessions.
Uses the demo's meetings when the demo has them; creates its own otherwise.
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")

import django

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.utils import timezone  # noqa: E402

from samskab.accounts.models import User  # noqa: E402
from samskab.webcasts import slides  # noqa: E402
from samskab.webcasts.media_demo import demo_video_make  # noqa: E402
from samskab.webcasts.models import (  # noqa: E402
    AgendaItem,
    Body,
    Meeting,
    Person,
    SlideDeck,
    TimelineMark,
)
from samskab.webcasts.services import speaker_turns_rebuild  # noqa: E402

Kind = TimelineMark.Kind


def session_for(email: str) -> str:
    user = User.objects.get(email=email)
    # Staff pages need a second factor on the account; the browser test signs in by session.
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {}}
    )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["samskab_session_started"] = int(time.time())
    store.create()
    return store.session_key


def people() -> list[Person]:
    rows = [
        ("Anne Andersen", "anne-andersen", "Socialdemokratiet", "Borgmester"),
        ("Bo Berg", "bo-berg", "Venstre", "Formand for Teknik- og Miljøudvalget"),
        ("Cecilie Cortsen", "cecilie-cortsen", "SF", "Byrådsmedlem"),
        ("Dan Dahl", "dan-dahl", "Konservative", "Byrådsmedlem"),
    ]
    return [
        Person.objects.update_or_create(
            slug=slug, defaults={"name": name, "party": party, "role": role}
        )[0]
        for name, slug, party, role in rows
    ]


def own_meetings() -> tuple[Meeting, Meeting]:
    body, _ = Body.objects.get_or_create(
        slug="e2e-byraadet", defaults={"name": "Byrådet", "kind": Body.Kind.COUNCIL}
    )
    speakers = people()
    now = timezone.now()
    upcoming, _ = Meeting.objects.update_or_create(
        body=body,
        external_id="e2e-upcoming",
        defaults={
            "title": "Byrådsmøde (kommende)",
            "starts_at": now + timedelta(minutes=5),
            "place": "Byrådssalen",
            "status": Meeting.Status.PLANNED,
        },
    )
    titles = ["Godkendelse af dagsorden", "Budget 2031", "Cykelstier", "Vejbelysning", "Lukket"]
    for number, title in enumerate(titles, 1):
        AgendaItem.objects.get_or_create(
            meeting=upcoming,
            number=str(number),
            defaults={"title": title, "position": number, "is_public": number != 5},
        )
    upcoming.speakers.set(speakers)
    past, _ = Meeting.objects.update_or_create(
        body=body,
        external_id="e2e-past",
        defaults={
            "title": "Byrådsmøde (arkiv)",
            "starts_at": now - timedelta(days=7),
            "place": "Byrådssalen",
            "status": Meeting.Status.ENDED,
            "recording_started_at": now - timedelta(days=7),
        },
    )
    return upcoming, past


def archive(past: Meeting) -> None:
    """A 60-second recording with three items, speakers and a slide, if not indexed yet."""
    demo_video_make(meeting=past, seconds=60)
    if past.marks.filter(kind=Kind.ITEM).exists():
        return
    speakers = people()
    items = []
    for number, title in enumerate(["Meddelelser", "Ny skole i Vestbyen", "Lukket punkt"], 1):
        item, _ = AgendaItem.objects.get_or_create(
            meeting=past,
            number=str(number),
            defaults={"title": title, "position": number, "is_public": number != 3},
        )
        items.append(item)
    deck = SlideDeck.objects.filter(agenda_item=items[1]).first()
    if deck is None:
        pdf = slides.sample_deck_pdf(title="Ny skole", pages=["Baggrund", "Økonomi", "Tidsplan"])
        deck = SlideDeck(agenda_item=items[1], title="Ny skole i Vestbyen")
        deck.pdf.save("ny-skole.pdf", ContentFile(pdf), save=True)
        slides.slide_deck_render(deck=deck)
    start = past.recording_started_at
    plan = [
        (Kind.MEETING_START, 0, {}),
        (Kind.ITEM, 2_000, {"agenda_item": items[0]}),
        (Kind.SPEAKER, 3_000, {"person": speakers[0]}),
        (Kind.ITEM, 15_000, {"agenda_item": items[1]}),
        (Kind.SPEAKER, 16_000, {"person": speakers[1]}),
        (Kind.SLIDE, 18_000, {"slide": deck.slides.get(number=2)}),
        (Kind.SPEAKER, 30_000, {"person": speakers[2]}),
        (Kind.ITEM, 45_000, {"agenda_item": items[2]}),
        (Kind.MEETING_END, 58_000, {}),
    ]
    for kind, offset, refs in plan:
        TimelineMark.objects.create(
            meeting=past,
            kind=kind,
            offset_ms=offset,
            at=start + timedelta(milliseconds=offset),
            **refs,
        )
    speaker_turns_rebuild(meeting=past)


def main() -> None:
    upcoming, past = own_meetings()
    archive(past)
    print(
        json.dumps(
            {
                "upcoming": upcoming.pk,
                "past": past.pk,
                "operator": session_for("operator@demo.samskab.dk"),
                "editor": session_for("redaktor@demo.samskab.dk"),
            }
        )
    )


if __name__ == "__main__":
    main()
