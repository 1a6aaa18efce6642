"""The console before and around going live: the preview of the public stream, the speaker
grid, and a rehearsal that publishes and stores nothing."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    live_meeting,
)
from samskab.webcasts.tests.ui_helpers import staff

Kind = TimelineMark.Kind
STARTED = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
pytestmark = pytest.mark.django_db

# The smallest valid GIF: a speaker's photo.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def url(name, meeting):
    return reverse(f"webcasts:{name}", kwargs={"pk": meeting.pk})


@pytest.fixture
def operator(client, time_machine):
    time_machine.move_to(STARTED, tick=False)
    client.force_login(staff(Role.OPERATOR))
    return client


def planned_meeting():
    meeting = MeetingFactory(starts_at=STARTED)
    item = AgendaItemFactory(meeting=meeting, number="1", title="Skolestruktur")
    anna = PersonFactory(name="Anna Andersen", party="Venstre")
    meeting.speakers.add(anna)
    return meeting, item, anna


def test_a_rehearsal_marks_on_the_operator_s_console_and_publishes_and_stores_nothing(operator):
    meeting, item, anna = planned_meeting()
    page = operator.get(url("console", meeting)).content.decode()
    assert "Rehearse (publishes nothing)" in page
    assert 'data-item-number="1"' not in page  # no marking buttons before live or rehearsal

    operator.post(url("console_rehearsal", meeting), {"rehearse": "1"})
    page = operator.get(url("console", meeting)).content.decode()
    assert "REHEARSAL" in page
    assert 'data-item-number="1"' in page

    with mock.patch("samskab.live.publish_on_commit") as published:
        answer = operator.post(
            url("console_mark", meeting), {"kind": "item", "item": item.pk}, **FETCH
        )
        operator.post(url("console_mark", meeting), {"kind": "speaker", "person": anna.pk})
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Rehearsal: marked, not published." in html
    assert "What viewers would see (rehearsal)" in html
    assert "1. Skolestruktur" in html
    page = operator.get(url("console", meeting)).content.decode()
    assert "Anna Andersen (Venstre)" in page
    assert f'data-current-person="{anna.pk}"' in page
    assert "console-button is-current" in page
    assert published.call_count == 0
    assert not TimelineMark.objects.filter(meeting=meeting).exists()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED

    # Undo works in the rehearsal too.
    answer = operator.post(url("console_undo", meeting), **FETCH)
    assert "Rehearsal: undone." in answer.content.decode()
    assert f'data-current-person="{anna.pk}"' not in answer.content.decode()


def test_going_live_discards_the_rehearsal_s_marks(operator):
    meeting, item, _anna = planned_meeting()
    operator.post(url("console_rehearsal", meeting), {"rehearse": "1"})
    operator.post(url("console_mark", meeting), {"kind": "item", "item": item.pk})

    operator.post(url("console_go_live", meeting))

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.LIVE
    assert list(meeting.marks.values_list("kind", flat=True)) == [Kind.MEETING_START]
    page = operator.get(url("console", meeting)).content.decode()
    assert "REHEARSAL" not in page
    assert "console-button is-current" not in page  # the rehearsal's item is not current live


def test_ending_a_rehearsal_discards_it_and_the_buttons_stop_marking(operator):
    meeting, item, _anna = planned_meeting()
    operator.post(url("console_rehearsal", meeting), {"rehearse": "1"})
    operator.post(url("console_rehearsal", meeting), {"rehearse": "0"})

    response = operator.post(
        url("console_mark", meeting), {"kind": "item", "item": item.pk}, follow=True
    )

    assert "Marks can be set only while the meeting is live" in response.content.decode()
    assert not meeting.marks.exists()


def test_a_live_meeting_cannot_be_rehearsed(operator):
    meeting = live_meeting(started=STARTED)
    response = operator.post(url("console_rehearsal", meeting), {"rehearse": "1"}, follow=True)
    assert "not gone live yet" in response.content.decode()
    assert "REHEARSAL" not in response.content.decode()


def test_a_rehearsal_is_the_operator_s_alone(client, operator):
    meeting, item, _anna = planned_meeting()
    operator.post(url("console_rehearsal", meeting), {"rehearse": "1"})
    operator.post(url("console_mark", meeting), {"kind": "item", "item": item.pk})
    client.logout()
    client.force_login(staff(Role.OPERATOR))
    page = client.get(url("console", meeting)).content.decode()
    assert "REHEARSAL" not in page
    assert "1. Skolestruktur" not in page.split("console-now")[1].split("</section>")[0]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR])
def test_only_operators_rehearse(client, role):
    meeting, _item, _anna = planned_meeting()
    client.force_login(staff(role))
    assert client.post(url("console_rehearsal", meeting), {"rehearse": "1"}).status_code == 403


def test_the_speaker_grid_shows_photos_and_parties(operator):
    meeting, _item, anna = planned_meeting()
    anna.photo = SimpleUploadedFile("anna.gif", GIF, content_type="image/gif")
    anna.save()
    meeting.speakers.add(PersonFactory(name="Bo Berg", party="Socialdemokratiet"))

    page = operator.get(url("console", meeting)).content.decode()

    assert f'src="{anna.photo.url}"' in page
    assert "(Venstre)" in page
    assert "(Socialdemokratiet)" in page
    # Grouped by party: Socialdemokratiet before Venstre.
    assert page.index("Bo Berg") < page.index("Anna Andersen")


def test_the_preview_plays_the_public_stream_with_the_player_s_hls_js(operator):
    meeting = live_meeting(
        started=STARTED,
        video_kind=Meeting.VideoKind.HLS,
        video_url="https://video.example.org/live/index.m3u8",
    )

    response = operator.get(url("console", meeting))
    page = response.content.decode()

    assert 'data-preview="https://video.example.org/live/index.m3u8"' in page
    assert "vendor/hls.js-1.7.4/hls.light.min.js" in page
    assert "https://video.example.org" in response["Content-Security-Policy"]


def test_a_meeting_on_youtube_has_no_preview_but_says_where_to_watch(operator):
    meeting = live_meeting(
        started=STARTED,
        video_kind=Meeting.VideoKind.YOUTUBE,
        video_url="https://www.youtube.com/watch?v=abcdefghijk",
    )
    page = operator.get(url("console", meeting)).content.decode()
    assert "data-preview=" not in page
    assert "the console has no preview of it" in page
