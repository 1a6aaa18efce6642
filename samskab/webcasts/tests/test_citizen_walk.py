"""What a citizen met in the December walk (walk-citizen.md findings 14, 18, 19, 24, 28):
a coming meeting's page, the calendar and feed details, the transcript on the text page,
one way of writing times, and the size of a shared link's picture."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.services import captions_upload, speaker_turns_rebuild
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    mark,
)

pytestmark = pytest.mark.django_db
Kind = TimelineMark.Kind
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)

CUES = """WEBVTT

00:00:05.000 --> 00:00:08.000
Godaften og velkommen.

00:01:05.000 --> 00:01:09.000
Vi skal tale om skolerne i Vestbyen.

00:02:05.000 --> 00:02:09.000
Prisen på grunden er fortrolig.
"""


@pytest.fixture
def recorded():
    """An ended meeting: item 1 public from 0:30, item 2 closed from 2:00, with captions."""
    meeting = MeetingFactory(
        title="Byrådsmøde marts",
        status=Meeting.Status.ENDED,
        recording_started_at=datetime(2030, 3, 4, 16, tzinfo=UTC),
        starts_at=datetime(2030, 3, 4, 16, tzinfo=UTC),
        duration_ms=200_000,
    )
    schools = AgendaItemFactory(meeting=meeting, number="1", title="Skolestruktur")
    land = AgendaItemFactory(meeting=meeting, number="2", title="Grundsalg", is_public=False)
    mark(meeting, Kind.ITEM, 30_000, agenda_item=schools)
    mark(meeting, Kind.SPEAKER, 60_000, person=PersonFactory(name="Anna Hansen"))
    mark(meeting, Kind.ITEM, 120_000, agenda_item=land)
    mark(meeting, Kind.MEETING_END, 180_000)
    speaker_turns_rebuild(meeting=meeting)
    captions_upload(
        meeting=meeting, language="da", file=SimpleUploadedFile("da.vtt", CUES.encode()), by=None
    )
    return meeting


# --- finding 19: the text page has what was said ---


def test_the_text_page_shows_what_was_said_under_its_item_and_nothing_from_a_closed_one(
    client, recorded
):
    html = client.get(f"/moeder/{recorded.pk}/tekst/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What was said" in html
    assert "Vi skal tale om skolerne i Vestbyen." in html
    assert f'href="/moeder/{recorded.pk}/?t=65"' in html  # each line links to its moment
    assert "Godaften og velkommen." in html  # before the first item
    assert "fortrolig" not in html  # said during the closed item
    assert "Captions in Danish (WebVTT)" in html


def test_the_danish_text_page_names_the_language_in_lower_case(client, recorded):
    html = client.get(f"/moeder/{recorded.pk}/tekst/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Undertekster på dansk (WebVTT)" in html
    assert "Hvad der blev sagt" in html


# --- finding 24: times as the player writes them ---


def test_search_hits_give_their_moment_as_a_clock_time(client, recorded):
    html = client.get("/moeder/soeg/", {"q": "skolerne"}, HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert ">at 1:05</a>" in text
    assert " s</a>" not in text


# --- finding 14: a coming meeting ---


@time_machine.travel(NOW, tick=False)
def test_a_coming_meeting_says_its_date_offers_a_calendar_file_and_hides_the_empty_now_box(
    client,
):
    meeting = MeetingFactory(starts_at=datetime(2030, 3, 4, 15, 0, tzinfo=UTC))
    html = client.get(f"/moeder/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The broadcast starts on March 4, 2030 at 16:00." in html
    assert f'href="/moeder/{meeting.pk}/moede.ics"' in html
    now_box = html[html.index('class="now"') - 10 : html.index('id="now-heading"')]
    assert " hidden data-until-live" in now_box
    danish = client.get(f"/moeder/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Udsendelsen starter 4. marts 2030 kl. 16:00." in danish


def test_a_live_or_recorded_meeting_shows_its_now_box(client, recorded):
    html = client.get(f"/moeder/{recorded.pk}/").content.decode()
    assert "data-until-live" not in html
    assert "moede.ics" not in html


@time_machine.travel(NOW, tick=False)
def test_one_meeting_as_a_calendar_file(client):
    meeting = MeetingFactory(title="Budgetmøde", starts_at=NOW + timedelta(days=3), ends_at=None)
    MeetingFactory(title="Et andet møde")
    response = client.get(f"/moeder/{meeting.pk}/moede.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == 1 and "Budgetmøde" in text
    assert "DTEND:20300304T140000Z" in text  # no end entered: two hours are assumed
    hidden = MeetingFactory(is_published=False)
    assert client.get(f"/moeder/{hidden.pk}/moede.ics").status_code == 404


# --- finding 18: calendar and feed details ---


@time_machine.travel(NOW, tick=False)
def test_every_meeting_in_the_calendar_has_an_end(client):
    recorded = MeetingFactory(
        title="Optaget",
        starts_at=NOW - timedelta(days=1),
        ends_at=None,
        recording_started_at=NOW - timedelta(days=1),
        duration_ms=5_400_000,
        status=Meeting.Status.ENDED,
    )
    MeetingFactory(title="Kommende", starts_at=NOW + timedelta(days=2), ends_at=None)
    text = client.get("/moeder/kalender.ics").content.decode()
    assert text.count("BEGIN:VEVENT") == 2
    assert text.count("DTEND:") == 2
    assert "DTEND:20300228T133000Z" in text  # as long as its recording
    assert recorded.pk


def test_the_feeds_link_to_the_meetings_page_and_name_closed_items_as_the_page_does(client):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, number="2", title="Salg af grund", is_public=False)
    rss = client.get("/moeder/feed/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<link>http://testserver/moeder/</link>" in rss
    assert 'href="http://testserver/moeder/feed/" rel="self"' in rss
    assert "Closed item" in rss and "Salg af grund" not in rss
    atom = client.get("/moeder/feed/atom/").content.decode()
    assert '<link href="http://testserver/moeder/" rel="alternate"' in atom
    assert '<link href="http://testserver/moeder/feed/atom/" rel="self"' in atom


# --- finding 28: the shared picture's size ---


def test_a_shared_link_states_the_size_of_its_picture(client, recorded, monkeypatch):
    from samskab.webcasts import thumbnails

    monkeypatch.setattr(thumbnails, "thumbnail_available", lambda meeting: True)
    html = client.get(f"/moeder/{recorded.pk}/?t=65").content.decode()
    assert '<meta property="og:image:width" content="1280">' in html
    assert '<meta property="og:image:height" content="720">' in html
    assert "scale=1280:720" in thumbnails.SCALE
