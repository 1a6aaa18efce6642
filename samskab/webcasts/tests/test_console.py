"""The operator console (W4) and the timeline editor: who may use them and what they write."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    SlideFactory,
    live_meeting,
    mark,
)
from samskab.webcasts.tests.ui_helpers import archive_meeting, staff

Kind = TimelineMark.Kind
STARTED = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)
DURING = datetime(2030, 3, 4, 16, 5, tzinfo=UTC)
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def url(name, meeting, **kwargs):
    return reverse(f"webcasts:{name}", kwargs={"pk": meeting.pk, **kwargs})


@pytest.fixture
def operator(client, db, time_machine):
    # Log in at the meeting's time: the absolute session timeout counts from the login.
    time_machine.move_to(DURING, tick=False)
    client.force_login(staff(Role.OPERATOR))
    return client


# --- who may open it ---


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR, None])
def test_the_console_is_refused_to_everyone_but_operators(client, role):
    meeting = live_meeting()
    client.force_login(staff(role))

    assert client.get(url("console", meeting)).status_code == 403
    assert client.post(url("console_mark", meeting), {"kind": "break"}).status_code == 403
    assert client.post(url("console_go_live", meeting)).status_code == 403
    assert not TimelineMark.objects.filter(kind=Kind.BREAK).exists()


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_log_in(client):
    meeting = live_meeting()

    response = client.get(url("console", meeting))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.post(url("console_undo", meeting)).status_code == 302


@pytest.mark.django_db
def test_the_console_shows_agenda_speakers_and_documents_its_shortcuts(operator):
    meeting = live_meeting()
    AgendaItemFactory(meeting=meeting, number="1", title="Godkendelse af dagsorden")
    councillor = PersonFactory(name="Erik Politiker", party="Konservative")
    meeting.speakers.add(councillor)

    html = operator.get(url("console", meeting)).content.decode()

    assert "Godkendelse af dagsorden" in html
    assert "Erik Politiker" in html
    assert 'data-item-number="1"' in html
    assert "Keyboard shortcuts" in html
    assert "<kbd>j</kbd>" in html


# --- marking ---


@pytest.mark.django_db
def test_go_live_then_end_the_meeting(operator, time_machine):
    meeting = MeetingFactory(starts_at=STARTED)

    time_machine.move_to(STARTED, tick=False)
    response = operator.post(url("console_go_live", meeting))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.LIVE

    time_machine.move_to(DURING, tick=False)
    operator.post(url("console_end", meeting))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    assert meeting.marks.filter(kind=Kind.MEETING_END, offset_ms=300_000).exists()


@pytest.mark.django_db
def test_a_plain_form_marks_an_item_and_comes_back_to_the_console(operator):
    meeting = live_meeting(started=STARTED)
    item = AgendaItemFactory(meeting=meeting, number="2", title="Vejbelysning")

    response = operator.post(url("console_mark", meeting), {"kind": "item", "item": item.pk})

    assert response.status_code == 302
    assert response["Location"] == url("console", meeting)
    created = meeting.marks.get(kind=Kind.ITEM)
    assert created.agenda_item == item
    assert created.offset_ms == 300_000
    page = operator.get(response["Location"]).content.decode()
    assert "Marked: item 2. Vejbelysning" in page


@pytest.mark.django_db
def test_a_script_gets_the_now_panel_back_without_a_reload(operator):
    meeting = live_meeting(started=STARTED)
    item = AgendaItemFactory(meeting=meeting, number="3", title="Budget")
    speaker = PersonFactory(name="Frida Formand", party="Radikale", role="Formand")
    operator.post(url("console_mark", meeting), {"kind": "item", "item": item.pk}, **FETCH)

    response = operator.post(
        url("console_mark", meeting), {"kind": "speaker", "person": speaker.pk}, **FETCH
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Frida Formand (Radikale), Formand" in html
    assert f'data-current-person="{speaker.pk}"' in html
    assert "3. Budget" in html


@pytest.mark.django_db
def test_an_item_of_another_meeting_is_refused_and_nothing_is_written(operator):
    meeting = live_meeting(started=STARTED)
    other = AgendaItemFactory()

    response = operator.post(
        url("console_mark", meeting), {"kind": "item", "item": other.pk}, **FETCH
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not meeting.marks.filter(kind=Kind.ITEM).exists()


@pytest.mark.django_db
def test_marks_are_refused_before_the_meeting_is_live(operator):
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting)

    response = operator.post(url("console_mark", meeting), {"kind": "item", "item": item.pk})

    assert response.status_code == 302
    page = operator.get(response["Location"]).content.decode()
    assert "Marks can be set only while the meeting is live" in page
    assert not meeting.marks.exists()


@pytest.mark.django_db
def test_undo_takes_the_operator_s_last_mark_out(operator):
    meeting = live_meeting(started=STARTED)
    item = AgendaItemFactory(meeting=meeting)
    operator.post(url("console_mark", meeting), {"kind": "item", "item": item.pk})

    response = operator.post(url("console_undo", meeting), **FETCH)

    assert response.status_code == 200
    assert "Undone" in response.content.decode()
    assert meeting.marks.get(kind=Kind.ITEM).is_undone


@pytest.mark.django_db
def test_the_operator_shows_a_slide_of_the_current_item(operator):
    meeting = live_meeting(started=STARTED)
    item = AgendaItemFactory(meeting=meeting)
    slide = SlideFactory(deck__agenda_item=item, number=2)
    operator.post(url("console_mark", meeting), {"kind": "item", "item": item.pk})

    page = operator.get(url("console", meeting)).content.decode()
    assert "Show slide 2" in page
    operator.post(url("console_mark", meeting), {"kind": "slide", "slide": slide.pk})

    assert meeting.marks.get(kind=Kind.SLIDE).slide == slide


# --- the timeline editor ---


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OPERATOR, Role.MODERATOR, None])
def test_the_timeline_editor_is_for_editors_only(client, role):
    meeting = archive_meeting()
    start = meeting.marks.get()
    client.force_login(staff(role))

    assert client.get(url("timeline", meeting)).status_code == 403
    response = client.post(url("timeline_correct", meeting, mark_pk=start.pk), {"offset": "0:05"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_an_editor_moves_a_mark_to_a_typed_time(client):
    meeting = archive_meeting()
    item = AgendaItemFactory(meeting=meeting, title="Affald")
    item_mark = mark(meeting, Kind.ITEM, 10_000, agenda_item=item)
    client.force_login(staff(Role.EDITOR))

    page = client.get(url("timeline", meeting)).content.decode()
    assert "Use the video&#x27;s time" in page or "Use the video's time" in page
    assert 'value="0:00:10.000"' in page

    response = client.post(
        url("timeline_correct", meeting, mark_pk=item_mark.pk), {"offset": "0:01:02.5"}
    )

    assert response.status_code == 302
    item_mark.refresh_from_db()
    assert item_mark.offset_ms == 62_500
    assert item_mark.corrected_at is not None


@pytest.mark.django_db
def test_a_malformed_time_is_refused_with_a_message(client):
    meeting = archive_meeting()
    item_mark = mark(meeting, Kind.ITEM, 10_000, agenda_item=AgendaItemFactory(meeting=meeting))
    client.force_login(staff(Role.EDITOR))

    response = client.post(
        url("timeline_correct", meeting, mark_pk=item_mark.pk), {"offset": "ten past"}, follow=True
    )

    assert "Write the time as hours:minutes:seconds" in response.content.decode()
    item_mark.refresh_from_db()
    assert item_mark.offset_ms == 10_000


@pytest.mark.django_db
def test_a_time_after_the_recording_is_refused(client):
    meeting = archive_meeting()
    item_mark = mark(meeting, Kind.ITEM, 10_000, agenda_item=AgendaItemFactory(meeting=meeting))
    client.force_login(staff(Role.EDITOR))

    client.post(url("timeline_correct", meeting, mark_pk=item_mark.pk), {"offset": "5:00:00"})

    item_mark.refresh_from_db()
    assert item_mark.offset_ms == 10_000


@pytest.mark.django_db
def test_an_editor_adds_a_forgotten_speaker_and_removes_a_wrong_one(client):
    meeting = archive_meeting()
    item = AgendaItemFactory(meeting=meeting)
    mark(meeting, Kind.ITEM, 10_000, agenda_item=item)
    wrong = mark(meeting, Kind.SPEAKER, 20_000, person=PersonFactory())
    forgotten = PersonFactory(name="Glemt Taler")
    client.force_login(staff(Role.EDITOR))

    client.post(
        url("timeline_add", meeting),
        {"kind": "speaker", "person": forgotten.pk, "offset": "0:00:15"},
    )
    client.post(url("timeline_remove", meeting, mark_pk=wrong.pk))

    assert meeting.marks.get(person=forgotten).offset_ms == 15_000
    wrong.refresh_from_db()
    assert wrong.is_undone
    assert [turn.person for turn in meeting.speaker_turns.all()] == [forgotten]
