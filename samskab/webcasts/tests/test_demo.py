"""The demo's meetings: complete enough to show every feature, and loaded twice safely."""

import pytest

from samskab.accounts.roles import Role
from samskab.webcasts import services
from samskab.webcasts.demo import DEMO_PAST_SECONDS, demo_load
from samskab.webcasts.models import (
    AgendaItem,
    Body,
    CaptionCue,
    Meeting,
    Person,
    SpeakerTurn,
    TimelineMark,
)
from samskab.webcasts.search import archive_search
from samskab.webcasts.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def counts():
    return [
        model.objects.count()
        for model in (Body, Person, Meeting, AgendaItem, TimelineMark, SpeakerTurn, CaptionCue)
    ]


def test_the_demo_has_a_recorded_meeting_indexed_by_item_and_speaker():
    past = demo_load()["past"]
    assert set(Body.objects.values_list("name", flat=True)) == {
        "Byrådet",
        "Teknik- og Miljøudvalget",
        "Børne- og Skoleudvalget",
    }
    assert past.status == Meeting.Status.ENDED
    assert past.agenda_items.count() == 6
    assert past.agenda_items.filter(is_public=False).count() == 1
    assert past.speaker_turns.count() >= 10
    assert past.marks.filter(kind="meeting_end").get().offset_ms <= DEMO_PAST_SECONDS * 1000
    assert Person.objects.exclude(party="").count() >= 6
    assert any(hit.kind == "captions" for hit in archive_search(q="cykelstien"))


def test_an_operator_can_take_the_coming_meeting_live():
    upcoming = demo_load()["upcoming"]
    assert upcoming.status == Meeting.Status.PLANNED
    assert upcoming.agenda_items.count() >= 4
    assert upcoming.speakers.count() >= 3
    services.meeting_go_live(meeting=upcoming, by=user_with_role(Role.OPERATOR))
    assert Meeting.objects.get(pk=upcoming.pk).status == Meeting.Status.LIVE


def test_loading_the_demo_twice_creates_nothing_twice_and_leaves_a_live_meeting_alone():
    first = demo_load()
    before = counts()
    services.meeting_go_live(meeting=first["upcoming"], by=user_with_role(Role.OPERATOR))
    second = demo_load()
    assert counts()[:4] == before[:4]
    assert counts()[5:] == before[5:]
    assert second["past"].pk == first["past"].pk
    assert Meeting.objects.get(pk=first["upcoming"].pk).status == Meeting.Status.LIVE


def test_the_site_demo_loads_the_meetings():
    from samskab.core.demo import demo_load as site_demo_load

    site_demo_load()
    assert Meeting.objects.filter(status=Meeting.Status.ENDED).exists()
