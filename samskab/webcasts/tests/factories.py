"""Factories for the webcasts tests (and the ui helper's)."""

from datetime import UTC, datetime, timedelta

import factory
from django.contrib.auth.models import Group

from samskab.accounts.models import User
from samskab.accounts.roles import Role, roles_sync
from samskab.webcasts.models import (
    AgendaItem,
    Body,
    Captions,
    Document,
    Meeting,
    Person,
    Slide,
    SlideDeck,
    TimelineMark,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "a-fine-password")


def user_with_role(role: Role | None, **fields) -> User:
    """A staff member in one role (or a citizen when role is None)."""
    user = UserFactory(is_staff=role is not None, **fields)
    user.save()
    if role is not None:
        roles_sync()
        user.groups.add(Group.objects.get(name=role.value))
        # Staff pages need a second factor (StaffMFAMiddleware); its presence is what counts.
        from allauth.mfa.models import Authenticator

        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    return user


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"Udvalg {n}")
    slug = factory.Sequence(lambda n: f"udvalg-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Politiker {n}")
    slug = factory.Sequence(lambda n: f"politiker-{n}")
    party = "Socialdemokratiet"
    role = "Medlem"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Møde {n}")
    starts_at = factory.LazyFunction(lambda: datetime(2030, 3, 4, 16, 0, tzinfo=UTC))


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Punkt {n + 1}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    meeting = factory.SubFactory(MeetingFactory)
    title = "Bilag"
    url = "https://example.org/bilag.pdf"


class SlideDeckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlideDeck

    agenda_item = factory.SubFactory(AgendaItemFactory)
    title = "Oplæg"
    pdf = factory.django.FileField(filename="oplaeg.pdf", data=b"%PDF-1.4\n")
    page_count = 2


class SlideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slide

    deck = factory.SubFactory(SlideDeckFactory)
    number = factory.Sequence(lambda n: n + 1)
    image = factory.django.ImageField(filename="side.png", width=16, height=9)


class CaptionsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Captions

    meeting = factory.SubFactory(MeetingFactory)
    language = "da"
    vtt = factory.django.FileField(filename="da.vtt", data=b"WEBVTT\n\n")


def live_meeting(*, started: datetime | None = None, **fields) -> Meeting:
    """A meeting that is live, its recording started at `started`, with a start mark at 0."""
    started = started or datetime(2030, 3, 4, 16, 0, tzinfo=UTC)
    meeting = MeetingFactory(status=Meeting.Status.LIVE, recording_started_at=started, **fields)
    TimelineMark.objects.create(
        meeting=meeting, kind=TimelineMark.Kind.MEETING_START, at=started, offset_ms=0
    )
    return meeting


def mark(meeting: Meeting, kind: str, offset_ms: int, **refs) -> TimelineMark:
    """A mark written directly (no service), for setting up an index to read."""
    started = meeting.recording_started_at or meeting.starts_at
    return TimelineMark.objects.create(
        meeting=meeting,
        kind=kind,
        offset_ms=offset_ms,
        at=started + timedelta(milliseconds=offset_ms),
        **refs,
    )
