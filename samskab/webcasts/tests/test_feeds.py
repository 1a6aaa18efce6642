"""Calendars, the RSS/Atom feed, the WebVTT tracks and the links that announce them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template

from samskab.accounts.roles import Role
from samskab.webcasts import ical
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    MeetingFactory,
    PersonFactory,
    mark,
)
from samskab.webcasts.tests.ui_helpers import staff

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
Kind = TimelineMark.Kind


# --- the iCalendar writer (no database) ---


def event(**fields):
    defaults = {
        "uid": "meeting-1@example.org",
        "starts_at": datetime(2030, 3, 4, 16, 0, tzinfo=UTC),
        "ends_at": datetime(2030, 3, 4, 18, 0, tzinfo=UTC),
        "summary": "Byrådet: Møde",
        "stamp": NOW,
    }
    return ical.Event(**{**defaults, **fields})


def test_the_calendar_uses_crlf_and_utc_times():
    text = ical.calendar([event()], name="Møder")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20300304T160000Z\r\n" in text
    assert "DTEND:20300304T180000Z\r\n" in text
    assert "DTSTAMP:20300301T120000Z\r\n" in text
    assert "UID:meeting-1@example.org\r\n" in text


def test_text_values_are_escaped():
    text = ical.calendar(
        [event(summary="Udvalg; budget, del 1\\2", description="Linje 1\nLinje 2")], name="M"
    )
    assert "SUMMARY:Udvalg\\; budget\\, del 1\\\\2\r\n" in text
    assert "DESCRIPTION:Linje 1\\nLinje 2\r\n" in text


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    summary = "Æblerne på Østervej " * 10
    text = ical.calendar([event(summary=summary)], name="M")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    unfolded = text.replace("\r\n ", "")
    assert f"SUMMARY:{summary}\r\n" in unfolded


def test_a_meeting_without_an_expected_end_has_no_dtend():
    assert "DTEND" not in ical.calendar([event(ends_at=None)], name="M")


def test_control_characters_are_dropped_from_text():
    assert "\x07" not in ical.calendar([event(summary="Bip\x07")], name="M")


# --- the views ---


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_calendar_lists_upcoming_published_meetings_and_cancelled_ones_as_cancelled(client):
    council = BodyFactory(name="Byrådet", slug="byraadet")
    upcoming = MeetingFactory(body=council, title="Budgetmøde", place="Rådhuset, sal 1")
    cancelled = MeetingFactory(body=council, title="Aflyst", status=Meeting.Status.CANCELLED)
    MeetingFactory(body=council, title="Hemmeligt", is_published=False)
    MeetingFactory(body=council, title="Gammelt", starts_at=NOW - timedelta(days=90))
    response = client.get("/moeder/kalender.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode().replace("\r\n ", "")
    assert f"UID:meeting-{upcoming.pk}@" in text
    assert "SUMMARY:Byrådet: Budgetmøde" in text
    assert "LOCATION:Rådhuset\\, sal 1" in text
    assert f"URL:http://testserver/moeder/{upcoming.pk}/" in text
    assert f"UID:meeting-{cancelled.pk}@" in text
    assert "STATUS:CANCELLED" in text
    assert "Hemmeligt" not in text
    assert "Gammelt" not in text


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_body_calendar_holds_only_that_bodys_meetings(client):
    school = BodyFactory(slug="boerne-og-skoleudvalget")
    MeetingFactory(body=school, title="Skolemøde")
    MeetingFactory(title="Andet møde")
    text = client.get("/moeder/boerne-og-skoleudvalget/kalender.ics").content.decode()
    assert "Skolemøde" in text
    assert "Andet møde" not in text


@pytest.mark.django_db
def test_an_unknown_or_inactive_body_has_no_calendar(client):
    BodyFactory(slug="nedlagt", is_active=False)
    assert client.get("/moeder/findes-ikke/kalender.ics").status_code == 404
    assert client.get("/moeder/nedlagt/kalender.ics").status_code == 404


@pytest.mark.django_db
def test_the_rss_feed_lists_published_meetings_with_their_agenda(client):
    meeting = MeetingFactory(title="Byrådsmøde marts")
    AgendaItemFactory(meeting=meeting, number="1", title="Godkendelse af dagsorden")
    AgendaItemFactory(meeting=meeting, number="2", title="Salg af grund", is_public=False)
    MeetingFactory(title="Upubliceret", is_published=False)
    response = client.get("/moeder/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    text = response.content.decode()
    assert "Byrådsmøde marts" in text
    assert "Godkendelse af dagsorden" in text
    assert "Salg af grund" not in text
    assert "Upubliceret" not in text
    assert f"http://testserver/moeder/{meeting.pk}/" in text


@pytest.mark.django_db
def test_the_atom_feed_is_served_too(client):
    MeetingFactory(title="Atommøde")
    response = client.get("/moeder/feed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Atommøde" in response.content.decode()


def ended_meeting():
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED, duration_ms=100_000, recording_started_at=NOW
    )
    open_item = AgendaItemFactory(meeting=meeting, number="1", title="Trafik")
    closed = AgendaItemFactory(meeting=meeting, number="2", title="Personsag", is_public=False)
    mark(meeting, Kind.ITEM, 0, agenda_item=open_item)
    mark(meeting, Kind.SPEAKER, 1000, person=PersonFactory(name="Anna"))
    mark(meeting, Kind.ITEM, 50_000, agenda_item=closed)
    mark(meeting, Kind.SPEAKER, 51_000, person=PersonFactory(name="Hemmelig"))
    mark(meeting, Kind.MEETING_END, 90_000)
    from samskab.webcasts.services import speaker_turns_rebuild

    speaker_turns_rebuild(meeting=meeting)
    return meeting


@pytest.mark.django_db
def test_the_chapters_track_names_public_items_and_only_numbers_closed_ones(client):
    meeting = ended_meeting()
    response = client.get(f"/moeder/{meeting.pk}/kapitler.vtt")
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    text = response.content.decode()
    assert "00:00:00.000 --> 00:00:50.000\n1. Trafik" in text
    assert "00:00:50.000 --> 00:01:30.000\n2. Closed item" in text
    assert "Personsag" not in text


@pytest.mark.django_db
def test_the_speakers_track_leaves_out_turns_in_closed_items(client):
    meeting = ended_meeting()
    text = client.get(f"/moeder/{meeting.pk}/talere.vtt").content.decode()
    assert "00:00:01.000 --> 00:00:50.000" in text
    assert '"name":"Anna"' in text
    assert "Hemmelig" not in text


@pytest.mark.django_db
def test_tracks_of_planned_or_unpublished_meetings_are_not_found(client):
    planned = MeetingFactory()
    hidden = MeetingFactory(status=Meeting.Status.ENDED, is_published=False)
    assert client.get(f"/moeder/{planned.pk}/kapitler.vtt").status_code == 404
    assert client.get(f"/moeder/{hidden.pk}/talere.vtt").status_code == 404


@pytest.mark.django_db
def test_the_template_tag_announces_calendars_and_feeds():
    body = BodyFactory(name="Byrådet", slug="byraadet")
    html = Template("{% load webcasts_feeds %}{% webcasts_feed_links body %}").render(
        Context({"body": body})
    )
    assert '<link rel="alternate" type="text/calendar"' in html
    assert 'href="/moeder/byraadet/kalender.ics"' in html
    assert 'href="/moeder/kalender.ics"' in html
    assert 'type="application/rss+xml"' in html and 'href="/moeder/feed/"' in html


@pytest.mark.django_db
def test_the_meetings_list_announces_and_offers_the_calendars_and_feeds(client):
    body = BodyFactory(name="Teknik- og Miljøudvalget", slug="teknik")

    everything = client.get("/moeder/").content.decode()
    one_body = client.get("/moeder/", {"body": "teknik"}).content.decode()

    for html in (everything, one_body):
        assert '<link rel="alternate" type="text/calendar"' in html
        assert 'href="/moeder/kalender.ics"' in html
        assert 'type="application/atom+xml"' in html and 'href="/moeder/feed/atom/"' in html
        assert "Subscribe to the calendar of all meetings (iCal)" in html
    assert 'href="/moeder/teknik/kalender.ics"' in one_body
    assert f"Subscribe to the calendar of {body.name} (iCal)" in one_body
    assert "/moeder/teknik/kalender.ics" not in everything


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["", "tekst/"])
def test_every_meeting_page_announces_its_body_s_calendar_and_the_feeds(client, page):
    body = BodyFactory(name="Byrådet", slug="byraadet")
    meeting = MeetingFactory(body=body, status=Meeting.Status.ENDED)

    html = client.get(f"/moeder/{meeting.pk}/{page}").content.decode()

    assert re.search(
        r'<link rel="alternate" type="text/calendar" title="[^"]*Byrådet" '
        r'href="/moeder/byraadet/kalender.ics">',
        html,
    )
    assert '<link rel="alternate" type="text/calendar"' in html
    assert 'href="/moeder/kalender.ics"' in html
    assert 'type="application/rss+xml"' in html
    if not page:  # the visible link beside "Other meetings of ..."
        assert '<a href="/moeder/byraadet/kalender.ics" data-calendar-link>' in html


@pytest.mark.django_db
def test_an_inactive_body_s_meeting_offers_only_the_calendar_of_all_meetings(client):
    meeting = MeetingFactory(body=BodyFactory(slug="nedlagt", is_active=False))
    meeting.status = Meeting.Status.ENDED
    meeting.save()
    client.force_login(staff(Role.EDITOR))  # the public may not see it at all
    html = client.get(f"/moeder/{meeting.pk}/").content.decode()

    assert "/moeder/nedlagt/kalender.ics" not in html
    assert 'href="/moeder/kalender.ics"' in html
