"""Editors choose the networks per meeting on its "Social media posts" page: ticked as each
account's councils and committees say, changed for this meeting only. Announcements and
live broadcasts follow the choice."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.social.models import Broadcast, Kind, MeetingChoice, Post
from samskab.social.tasks import tick
from samskab.social.tests import helpers
from samskab.streaming.models import Destination
from samskab.webcasts.services import meeting_go_live
from samskab.webcasts.tests.factories import BodyFactory, MeetingFactory, user_with_role

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _ticked(page: str) -> set[int]:
    """The account ids ticked in the page's choice of networks."""
    inputs = re.findall(r'<input[^>]*name="choice-accounts"[^>]*>', page)
    return {int(re.search(r'value="(\d+)"', tag).group(1)) for tag in inputs if "checked" in tag}


def _choose(client, meeting, accounts) -> None:
    response = client.post(
        reverse("social:meeting_accounts", args=[meeting.pk]),
        {"choice-accounts": [account.pk for account in accounts]},
    )
    assert response.status_code == 302, response.content.decode()


def test_an_editor_turns_networks_on_and_off_for_one_meeting(client, nets):
    council, committee = BodyFactory(name="Byrådet"), BodyFactory(name="Teknisk udvalg")
    meeting = MeetingFactory(body=council, starts_at=NOW + timedelta(days=2))
    other = MeetingFactory(body=council, starts_at=NOW + timedelta(days=3))
    mastodon = helpers.connected("mastodon", nets, now=NOW)
    x = helpers.connected("x", nets, now=NOW)
    x.bodies.set([committee])  # by default, X posts only about the committee's meetings
    client.force_login(user_with_role(Role.EDITOR))

    page = client.get(reverse("social:meeting", args=[meeting.pk])).content.decode()
    assert "Networks for this meeting" in page
    assert _ticked(page) == {mastodon.pk}
    # This council meeting goes on X too, and not on Mastodon.
    _choose(client, meeting, [x])
    assert set(MeetingChoice.objects.values_list("account__network", "used")) == {
        ("x", True),
        ("mastodon", False),
    }
    tick(now=NOW)
    assert [t["text"] for t in nets["x"].tweets] and f"/moeder/{meeting.pk}/" in (
        nets["x"].tweets[0]["text"]
    )
    # Mastodon announced only the other meeting, which keeps the defaults.
    assert len(nets["mastodon"].statuses) == 1
    assert f"/moeder/{other.pk}/" in nets["mastodon"].statuses[0]["content"]
    assert not Post.objects.filter(meeting=other, account=x).exists()

    # Turned back on, Mastodon plans and sends this meeting's posts; the choice that now
    # equals the default is not kept.
    _choose(client, meeting, [x, mastodon])
    assert list(MeetingChoice.objects.values_list("account__network", flat=True)) == ["x"]
    tick(now=NOW + timedelta(minutes=1))
    assert len(nets["mastodon"].statuses) == 2

    # Off again before the reminder: the reminder is held, shown so, and not sent.
    _choose(client, meeting, [x])
    reminder = Post.objects.get(meeting=meeting, account=mastodon, kind=Kind.SOON)
    tick(now=meeting.starts_at - timedelta(hours=3))
    reminder.refresh_from_db()
    assert reminder.status == Post.Status.SCHEDULED
    assert len(nets["mastodon"].statuses) == 2
    page = client.get(reverse("social:meeting", args=[meeting.pk])).content.decode()
    assert "Held: the account is turned off for this meeting." in page
    assert _ticked(page) == {x.pk}
    # ... and on again, it goes.
    _choose(client, meeting, [x, mastodon])
    tick(now=meeting.starts_at - timedelta(hours=2))
    reminder.refresh_from_db()
    assert reminder.status == Post.Status.SENT


def test_live_broadcasts_follow_the_choice(client, nets):
    meeting = MeetingFactory(starts_at=NOW + timedelta(hours=20), is_published=True)
    youtube = helpers.connected("youtube", nets, now=NOW)
    facebook = helpers.connected("facebook", nets, now=NOW, announces=False)
    client.force_login(user_with_role(Role.EDITOR))

    # YouTube off before the day ahead: no broadcast is made there.
    _choose(client, meeting, [facebook])
    tick(now=NOW)
    assert list(Broadcast.objects.values_list("account__network", flat=True)) == ["facebook"]
    assert not nets["youtube"].broadcasts
    destination = Destination.objects.get(kind="facebook", meeting=meeting)
    assert destination.is_enabled

    # Facebook off after its broadcast was made: its restream destination is off at once,
    # on again when turned on, and made when YouTube is turned on.
    _choose(client, meeting, [])
    destination.refresh_from_db()
    assert not destination.is_enabled
    tick(now=NOW + timedelta(minutes=1))
    assert Broadcast.objects.get(account=facebook).state == Broadcast.State.READY
    _choose(client, meeting, [facebook, youtube])
    destination.refresh_from_db()
    assert destination.is_enabled
    tick(now=NOW + timedelta(minutes=2))
    assert Broadcast.objects.get(account=youtube).state == Broadcast.State.READY

    # Live on both; then Facebook is turned off: its live video ends, YouTube goes on.
    with time_machine.travel(meeting.starts_at, tick=False):
        meeting_go_live(meeting=meeting, by=None, at=meeting.starts_at)
    nets["youtube"].receive()
    for seconds in (0, 15):
        tick(now=meeting.starts_at + timedelta(seconds=seconds))
    assert set(Broadcast.objects.values_list("state", flat=True)) == {Broadcast.State.LIVE}
    _choose(client, meeting, [youtube])
    tick(now=meeting.starts_at + timedelta(minutes=1))
    on_facebook = Broadcast.objects.get(account=facebook)
    assert on_facebook.state == Broadcast.State.COMPLETE
    assert on_facebook.reason == "turned off for this meeting"
    assert nets["facebook"].live_videos[on_facebook.broadcast_id]["status"] == "VOD"
    assert Broadcast.objects.get(account=youtube).state == Broadcast.State.LIVE
    assert not Destination.objects.get(pk=on_facebook.destination_id).is_enabled


def test_operators_cannot_choose(client, nets):
    meeting = MeetingFactory(starts_at=NOW + timedelta(days=2))
    client.force_login(user_with_role(Role.OPERATOR))
    response = client.post(reverse("social:meeting_accounts", args=[meeting.pk]), {})
    assert response.status_code == 403


def test_with_no_account_the_page_says_where_accounts_are_connected(client):
    meeting = MeetingFactory(starts_at=NOW + timedelta(days=2))
    url = reverse("social:meeting", args=[meeting.pk])
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    page = client.get(url).content.decode()
    assert "No social media account is connected yet." in page
    assert f'href="{reverse("social:accounts")}"' in page
    client.force_login(user_with_role(Role.EDITOR))
    page = client.get(url).content.decode()
    snippet = page.split("No social media account is connected yet.", 1)[1][:300]
    assert "An administrator connects" in snippet, snippet
    assert f'href="{reverse("social:accounts")}"' not in page
