"""The player says once why there is no video (staff walk finding 34: a hidden recording
showed both "not available at the moment" and "the meeting has no video")."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from samskab.recordings.models import ArchiveState
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return MeetingFactory(
        starts_at=datetime(2025, 3, 4, 16, 0, tzinfo=UTC),
        status=Meeting.Status.ENDED,
        is_published=True,
    )


def test_a_hidden_recording_has_one_notice(client, meeting):
    ArchiveState.objects.create(meeting=meeting, is_unpublished=True)

    page = client.get(reverse("webcasts:meeting", args=[meeting.pk])).content.decode()

    assert page.count("The recording is not available at the moment.") == 1
    assert "This meeting has no video." not in page


def test_a_meeting_without_a_recording_says_it_has_no_video(client, meeting):
    page = client.get(reverse("webcasts:meeting", args=[meeting.pk])).content.decode()

    assert page.count("This meeting has no video.") == 1
