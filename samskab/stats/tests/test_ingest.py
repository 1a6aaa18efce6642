"""The ingest: what it keeps, and every kind of bad input dropped and counted (issue 25)."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.test import override_settings
from django.urls import reverse

from samskab.stats import ingest
from samskab.stats.models import Dropped, Event, StatsSettings, stats_settings_changed
from samskab.stats.tests.helpers import archived_meeting, beacon

pytestmark = pytest.mark.django_db


def dropped(reason: str) -> int:
    row = Dropped.objects.filter(reason=reason).first()
    return row.count if row else 0


def post(client, data, **headers):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(reverse("stats:beacon"), body, content_type="text/plain", **headers)


def test_a_heartbeat_is_kept_without_the_person(client):
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    response = post(
        client,
        beacon(ticket, "hb", 1, p=120, w=15, l=False),
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 204
    event = Event.objects.get()
    assert (event.kind, event.meeting_id, event.position_s, event.watched_s) == (
        "hb",
        meeting.pk,
        120,
        15,
    )
    assert event.device == "mobile"
    assert event.live is False
    # No address, no browser string, no ticket: only the day's pseudonyms.
    stored = json.dumps(list(Event.objects.values()), default=str)
    assert "203.0.113" not in stored and "iPhone" not in stored and ticket not in stored
    assert len(event.viewer) == 16 and len(event.session) == 16
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_the_pseudonyms_change_every_day():
    from datetime import date

    assert ingest.day_pseudonym("x", date(2030, 1, 1)) != ingest.day_pseudonym(
        "x", date(2030, 1, 2)
    )


def test_a_forged_ticket_is_dropped(client):
    meeting = archived_meeting()
    forged = f"{meeting.pk}.abc:forged"
    post(client, beacon(forged, "hb", 1, p=1, w=15))
    # Signed with another key, or a meeting that does not exist or is unpublished.
    other = signing.TimestampSigner(key="not-our-key", salt=ingest.TICKET_SALT).sign(
        f"{meeting.pk}.n"
    )
    post(client, beacon(other, "hb", 1, p=1, w=15))
    post(client, beacon(ingest.ticket_issue(999_999), "hb", 1, p=1, w=15))
    assert Event.objects.count() == 0
    assert dropped("forged") == 3


def test_a_replayed_heartbeat_is_dropped(client):
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    post(client, beacon(ticket, "hb", 1, p=10, w=15))
    post(client, beacon(ticket, "hb", 1, p=10, w=15))  # the same again
    post(client, beacon(ticket, "hb", 2, p=25, w=15))
    post(client, beacon(ticket, "hb", 2, p=25, w=15))
    assert Event.objects.count() == 2
    assert dropped("replayed") == 2


def test_positions_beyond_the_recording_are_dropped(client):
    meeting = archived_meeting(duration_s=600)
    ticket = ingest.ticket_issue(meeting.pk)
    post(client, beacon(ticket, "hb", 1, p=600 + ingest.POSITION_SLACK_S + 1, w=15))
    post(client, beacon(ticket, "hb", 2, p=-5, w=15))
    post(client, beacon(ticket, "hb", 3, p=590, w=15))
    assert Event.objects.count() == 1
    assert dropped("position") == 2


def test_a_live_position_cannot_be_later_than_now(client):
    from datetime import timedelta

    from django.utils import timezone

    from samskab.webcasts.tests.factories import live_meeting

    meeting = live_meeting(started=timezone.now() - timedelta(minutes=10))
    ticket = ingest.ticket_issue(meeting.pk)
    post(client, beacon(ticket, "hb", 1, p=3600, w=15, l=True))
    post(client, beacon(ticket, "hb", 2, p=590, w=15, l=True))
    assert Event.objects.count() == 1
    assert dropped("position") == 1


def test_a_flood_from_one_viewer_is_dropped(client):
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    for seq in range(1, ingest.PER_MINUTE + 11):
        post(client, beacon(ticket, "hb", seq, p=seq, w=1))
    assert Event.objects.count() == ingest.PER_MINUTE
    assert dropped("flood") == 10


def test_unknown_kinds_and_malformed_input_are_dropped(client):
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    post(client, beacon(ticket, "vote", 1))  # only the server records votes
    post(client, beacon(ticket, "nonsense", 2))
    post(client, b"not json")
    post(client, b"[1, 2]")
    post(client, b"x" * 5000)
    post(client, beacon(ticket, "hb", 3, p=1, w=999))  # more watched than possible
    post(client, beacon(ticket, "share", 4, d="myspace"))
    post(client, beacon(ticket, "embed", 5, d="javascript:alert(1)"))
    post(client, beacon(ticket, "jump", 6, d="drop table"))
    post(client, beacon(ticket, "hb", "7", p=1, w=1))
    assert Event.objects.count() == 0
    assert dropped("kind") == 2
    assert dropped("malformed") == 8


def test_events_keep_only_their_detail(client):
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    post(client, beacon(ticket, "play", 1, p=0))
    post(client, beacon(ticket, "jump", 2, p=0, d=meeting.second_item.pk))
    post(client, beacon(ticket, "share", 3, p=1800, d="bluesky"))
    post(client, beacon(ticket, "embed", 4, d="https://www.lokalavis.dk"))
    assert list(Event.objects.order_by("id").values_list("kind", "detail")) == [
        ("play", ""),
        ("jump", str(meeting.second_item.pk)),
        ("share", "bluesky"),
        ("embed", "www.lokalavis.dk"),
    ]


def test_nothing_is_counted_when_the_site_turns_it_off(client):
    meeting = archived_meeting()
    StatsSettings.objects.update_or_create(pk=1, defaults={"enabled": False})
    stats_settings_changed()
    try:
        post(client, beacon(ingest.ticket_issue(meeting.pk), "hb", 1, p=1, w=15))
        assert Event.objects.count() == 0
        page = client.get(meeting.get_absolute_url())
        assert b"data-stats-beacon" not in page.content
    finally:
        stats_settings_changed()


def test_the_meeting_page_carries_a_ticket_and_the_script(client):
    meeting = archived_meeting()
    page = client.get(meeting.get_absolute_url())
    assert b"data-stats-beacon" in page.content
    assert b"samskab/stats/beacon.js" in page.content
    embed = client.get(reverse("webcasts:meeting_embed", args=[meeting.pk]))
    assert b'data-embed="1"' in embed.content


def test_the_beacon_takes_only_post(client):
    assert client.get(reverse("stats:beacon")).status_code == 405


def test_the_privacy_page_describes_the_statistics(client):
    page = client.get("/privatliv/").content.decode()
    assert "Statistics of watching meetings" in page
    assert "changes every day" in page
    StatsSettings.objects.update_or_create(pk=1, defaults={"enabled": False})
    stats_settings_changed()
    assert "turned the statistics of watching off" in client.get("/privatliv/").content.decode()


def test_a_ticket_read_before_still_expires_after_a_day(client):
    meeting = archived_meeting()
    with time_machine.travel(datetime(2031, 5, 1, 12, 0, tzinfo=UTC), tick=False) as traveller:
        ticket = ingest.ticket_issue(meeting.pk)
        post(client, beacon(ticket, "hb", 1, p=1, w=15))
        traveller.shift(timedelta(seconds=ingest.TICKET_MAX_AGE_S))
        post(client, beacon(ticket, "hb", 2, p=2, w=15))  # a day old: still good
        traveller.shift(timedelta(seconds=1))
        post(client, beacon(ticket, "hb", 3, p=3, w=15))
    assert Event.objects.count() == 2
    assert dropped("forged") == 1


def test_a_ticket_read_before_does_not_vouch_for_an_altered_one(client):
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    post(client, beacon(ticket, "hb", 1, p=1, w=15))
    _value, stamp, signature = ticket.rsplit(":", 2)
    other = ingest.ticket_issue(meeting.pk).rsplit(":", 2)[0]
    post(client, beacon(f"{other}:{stamp}:{signature}", "hb", 1, p=1, w=15))
    assert Event.objects.count() == 1
    assert dropped("forged") == 1


@override_settings(STATS_FLUSH_EVENTS=100)
def test_events_are_stored_as_they_were_taken_in():
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    at = datetime(2031, 5, 1, 22, 30, 15, 250_000, tzinfo=UTC)  # 00:30 the next day here
    ingest.accept(beacon(ticket, "hb", 1, p=60, w=15, l=True), viewer_key="k1", now=at)
    ingest.accept(beacon(ticket, "play", 2, p=0), viewer_key=None, user_agent="iPad", now=at)
    ingest.record("visit", process="budget:7", now=at)
    assert Event.objects.count() == 0  # waiting in the buffer
    assert ingest.flush() == 3
    heartbeat, play, visit = Event.objects.order_by("id")
    assert (heartbeat.at, heartbeat.day, heartbeat.minute) == (at, date(2031, 5, 2), 32_257_350)
    assert (heartbeat.kind, heartbeat.meeting_id, heartbeat.position_s) == ("hb", meeting.pk, 60)
    assert (heartbeat.watched_s, heartbeat.live, heartbeat.device) == (15, True, "desktop")
    assert heartbeat.viewer != heartbeat.session == play.session == play.viewer
    assert (play.kind, play.watched_s, play.live, play.device) == ("play", 0, None, "tablet")
    assert (visit.kind, visit.process, visit.meeting_id) == ("visit", "budget:7", None)
    assert (visit.position_s, visit.live, visit.device, visit.viewer) == (None, None, "", "")
