"""The archive log in the reader's language (staff walk finding 28): details were stored as
English text ("upload 1, copied", "days 30") and the list read "10 arkivlog"."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from samskab.accounts.roles import Role
from samskab.recordings import services
from samskab.recordings.models import ArchiveLogEntry, Retention
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import MeetingFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return MeetingFactory(
        starts_at=datetime(2025, 3, 4, 16, 0, tzinfo=UTC), status=Meeting.Status.ENDED
    )


def test_a_retention_change_reads_in_each_language(meeting):
    services.retention_set(meeting=meeting, mode=Retention.DAYS, days=30, by=None)
    entry = ArchiveLogEntry.objects.get(meeting=meeting)

    with translation.override("da"):
        danish = entry.detail_text()
    with translation.override("en"):
        english = entry.detail_text()

    assert danish == "Behold i et antal dage: 30"
    assert english == "Keep for a number of days: 30"


def test_a_removal_by_retention_reads_in_danish(meeting):
    services.recording_remove(
        meeting=meeting,
        reason="by the retention rule: its number of days (%(days)s) passed",
        reason_params={"days": 30},
    )
    entry = ArchiveLogEntry.objects.get(meeting=meeting)

    with translation.override("da"):
        assert entry.detail_text() == (
            "efter opbevaringsreglen: dens antal dage (30) er gået; "
            "fjernede filer: 0, fjernede klip: 0"
        )


def test_an_older_entry_in_english_text_is_shown_as_it_was(meeting):
    entry = ArchiveLogEntry.objects.create(
        meeting=meeting, meeting_title="x", action="clip", detail="clip 3 20000-60000 ms, 100%"
    )

    with translation.override("da"):
        assert entry.detail_text() == "clip 3 20000-60000 ms, 100%"


def test_the_admin_list_is_danish(client, meeting):
    client.force_login(user_with_role(Role.EDITOR))
    services.retention_set(meeting=meeting, mode=Retention.NONE, days=None, by=None)
    services.retention_set(meeting=meeting, mode="", days=None, by=None)

    page = client.get(
        reverse("admin:recordings_archivelogentry_changelist"), HTTP_ACCEPT_LANGUAGE="da"
    ).content.decode()

    assert "2 arkivlogposter" in page
    assert "Intet arkiv" in page
    assert "Som forsamlingens regel" in page
