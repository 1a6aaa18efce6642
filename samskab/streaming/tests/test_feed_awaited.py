"""The console warns while a live meeting's encoder sends nothing: marks set then land at
0:00 when the feed starts (review finding 29)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.streaming import services
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.tests.factories import live_meeting, user_with_role

pytestmark = pytest.mark.django_db

WARNING = "No signal from the encoder – marks land at 0:00"
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def operator(client):
    client.force_login(user_with_role(Role.OPERATOR))
    return client


def console(client, meeting) -> str:
    return client.get(reverse("webcasts:console", kwargs={"pk": meeting.pk})).content.decode()


def test_a_live_meeting_whose_encoder_sends_nothing_warns_until_the_feed_comes(operator):
    meeting = live_meeting(started=datetime.now(UTC))
    services.stream_key_ensure(meeting=meeting)
    assert WARNING in console(operator, meeting)
    # The warning follows every mark (the "now" panel the console gets back).
    marked = operator.post(
        reverse("webcasts:console_mark", kwargs={"pk": meeting.pk}), {"kind": "break"}, **FETCH
    )
    assert WARNING in marked.content.decode()
    services.ingest_begin(meeting=meeting)
    assert WARNING not in console(operator, meeting)


def test_a_feed_that_dropped_after_it_started_is_not_the_0_00_case(operator):
    meeting = live_meeting(started=datetime.now(UTC))
    services.stream_key_ensure(meeting=meeting)
    folder = media_folder(meeting.pk)
    folder.mkdir(parents=True)
    (folder / PLAYLIST).write_text("#EXTM3U\n")
    assert WARNING not in console(operator, meeting)


def test_no_warning_without_a_stream_key_or_before_going_live(operator):
    live = live_meeting(started=datetime.now(UTC))
    assert WARNING not in console(operator, live)
    planned = live_meeting(started=datetime.now(UTC))
    Meeting.objects.filter(pk=planned.pk).update(status=Meeting.Status.PLANNED)
    services.stream_key_ensure(meeting=planned)
    assert WARNING not in console(operator, planned)
