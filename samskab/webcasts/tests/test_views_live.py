"""Live meetings: pages follow `meeting:<id>`, marks reach followers, only visible meetings."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory, live_meeting
from samskab.webcasts.tests.ui_helpers import staff

DURING = datetime(2030, 3, 4, 16, 5, tzinfo=UTC)


def poll(client, meeting, after=""):
    return client.get(reverse("live:poll", args=[meeting.channel]), {"after": after})


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["planned", "live"])
def test_a_coming_or_live_meeting_page_follows_its_channel(client, status):
    meeting = MeetingFactory(status=status)

    html = client.get(meeting.get_absolute_url()).content.decode()

    assert f'data-live-channel="meeting:{meeting.pk}"' in html
    assert f'data-live-url="/live/meeting:{meeting.pk}/"' in html
    assert "samskab/live.js" in html


@pytest.mark.django_db
def test_an_archived_meeting_page_opens_no_stream(client):
    meeting = MeetingFactory(status="ended")

    html = client.get(meeting.get_absolute_url()).content.decode()

    assert "data-live-channel" not in html
    assert "samskab/live.js" not in html


@pytest.mark.django_db
def test_anyone_may_follow_a_published_meeting_but_not_an_unpublished_one(client):
    published = MeetingFactory()
    hidden = MeetingFactory(is_published=False)

    assert poll(client, published).status_code == 200
    assert poll(client, hidden).status_code == 403
    assert client.get(reverse("live:poll", args=["meeting:abc"])).status_code == 403
    client.force_login(staff(Role.EDITOR))
    assert poll(client, hidden).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_mark_set_in_the_console_reaches_the_meeting_s_followers(client, time_machine):
    time_machine.move_to(DURING, tick=False)
    meeting = live_meeting()
    opening = AgendaItemFactory(meeting=meeting, number="1", title="Dagsorden")
    item = AgendaItemFactory(meeting=meeting, number="2", title="Havnebadet")
    client.force_login(staff(Role.OPERATOR))
    mark_url = reverse("webcasts:console_mark", kwargs={"pk": meeting.pk})
    client.post(mark_url, {"kind": "item", "item": opening.pk})
    position = poll(client, meeting).json()["last_id"]  # a follower who saw the first mark

    client.post(mark_url, {"kind": "item", "item": item.pk})

    events = poll(client, meeting, after=position).json()["events"]
    assert [event["event"] for event in events] == ["mark"]
    assert events[0]["data"]["item"]["title"] == "Havnebadet"
    assert events[0]["data"]["mark"]["kind"] == "item"


@pytest.mark.django_db
def test_the_console_shows_how_many_are_watching(client, time_machine):
    time_machine.move_to(DURING, tick=False)
    meeting = live_meeting()
    client.force_login(staff(Role.OPERATOR))

    html = client.get(reverse("webcasts:console", kwargs={"pk": meeting.pk})).content.decode()

    assert "Viewers" in html
    assert "data-console-viewers>0<" in html
    assert f'data-viewers-url="/live/meeting:{meeting.pk}/viewers/"' in html


@pytest.mark.django_db(transaction=True)
def test_unpublishing_a_meeting_closes_the_live_streams_of_it_and_its_polls(client):
    """Review I5: authorisation is checked when a stream opens, so unpublishing ends the
    open streams; the public's reconnection is then refused (staff may follow on)."""
    from samskab import live
    from samskab.polls.selectors import poll_tally
    from samskab.polls.tests.factories import make_poll

    meeting = live_meeting()
    vox_pop = make_poll(meeting=meeting)
    client.force_login(staff(Role.EDITOR))
    poll_channel = reverse("live:poll", args=[vox_pop.channel])
    # Followers who have seen one event on each channel (any broker knows where they are).
    live.publish(meeting.channel, "comment_removed", {"id": 1})
    live.publish(vox_pop.channel, "tally", poll_tally(vox_pop))
    meeting_position = poll(client, meeting).json()["last_id"]
    poll_position = client.get(poll_channel).json()["last_id"]

    meeting.title = "Renamed while published"
    meeting.save()  # not an unpublishing: nothing closes
    meeting.is_published = False
    meeting.save()
    meeting.save()  # saved again while unpublished: closed once only

    events = poll(client, meeting, after=meeting_position).json()["events"]
    assert [event["event"] for event in events] == ["close"]
    events = client.get(poll_channel, {"after": poll_position}).json()["events"]
    assert [event["event"] for event in events] == ["close"]
    client.logout()
    assert poll(client, meeting).status_code == 403
    assert client.get(poll_channel).status_code == 403
