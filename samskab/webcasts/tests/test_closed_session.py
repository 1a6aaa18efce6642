"""The operator's closed session: the control in the console, who may use it, what it logs,
what viewers are told live, and how the archive shows the span."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.api.tokens import api_token_create
from samskab.webcasts import index, player, services
from samskab.webcasts.models import TimelineMark
from samskab.webcasts.selectors import (
    closed_session_now,
    meeting_chapters,
    meeting_index,
    meeting_state,
)
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    live_meeting,
    mark,
)
from samskab.webcasts.tests.ui_helpers import staff

Kind = TimelineMark.Kind
STARTED = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)
DURING = datetime(2030, 3, 4, 16, 5, tzinfo=UTC)
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}

pytestmark = pytest.mark.django_db


def url(name, meeting):
    return reverse(f"webcasts:{name}", kwargs={"pk": meeting.pk})


@pytest.fixture
def operator(client, time_machine):
    time_machine.move_to(DURING, tick=False)
    user = staff(Role.OPERATOR)
    client.force_login(user)
    client.user = user
    return client


def test_the_operator_closes_and_opens_the_meeting_and_the_marks_log_who_and_when(
    operator, time_machine
):
    meeting = live_meeting(started=STARTED)

    page = operator.post(url("console_closed_session", meeting), {"closed": "1"}, **FETCH)

    html = page.content.decode()
    assert page.status_code == 200
    assert "CLOSED SESSION" in html and "End the closed session" in html
    assert 'data-shortcut="c"' in html
    assert closed_session_now(meeting.pk)
    time_machine.move_to(DURING + timedelta(minutes=10), tick=False)
    operator.post(url("console_closed_session", meeting), {"closed": "0"})
    assert not closed_session_now(meeting.pk)
    start, end = meeting.marks.filter(kind__in=[Kind.CLOSED_START, Kind.CLOSED_END]).order_by("at")
    assert (start.kind, start.created_by, start.at, start.offset_ms) == (
        Kind.CLOSED_START,
        operator.user,
        DURING,
        300_000,
    )
    assert (end.kind, end.created_by, end.offset_ms) == (Kind.CLOSED_END, operator.user, 900_000)


def test_the_console_shows_the_control_and_its_key(operator):
    meeting = live_meeting(started=STARTED)
    page = operator.get(url("console", meeting)).content.decode()
    assert "Closed session (show the slate)" in page
    assert "Public: viewers see and hear the chamber." in page
    assert "<kbd>c</kbd>" in page


def test_only_an_operator_may_close_the_meeting(client):
    meeting = live_meeting(started=STARTED)
    client.force_login(staff(Role.MODERATOR))
    response = client.post(url("console_closed_session", meeting), {"closed": "1"})
    assert response.status_code == 403
    assert not closed_session_now(meeting.pk)


def test_a_closed_session_needs_a_live_meeting_and_a_change(operator):
    planned = MeetingFactory()
    with pytest.raises(ValidationError):
        services.closed_session_set(meeting=planned, closed=True, by=operator.user)
    meeting = live_meeting(started=STARTED)
    with pytest.raises(ValidationError, match="not in closed session"):
        services.closed_session_set(meeting=meeting, closed=False, by=operator.user)
    services.closed_session_set(meeting=meeting, closed=True, by=operator.user)
    with pytest.raises(ValidationError, match="already in closed session"):
        services.closed_session_set(meeting=meeting, closed=True, by=operator.user)


def test_undo_never_ends_a_closed_session(operator):
    meeting = live_meeting(started=STARTED)
    services.closed_session_set(meeting=meeting, closed=True, by=operator.user)
    operator.post(url("console_undo", meeting))
    assert closed_session_now(meeting.pk)


def test_viewers_are_told_live_and_the_speaker_is_withheld(operator):
    meeting = live_meeting(started=STARTED)
    speaker = PersonFactory(name="Anna Andersen")
    mark(meeting, Kind.SPEAKER, 1000, person=speaker)
    with mock.patch("samskab.live.publish_on_commit") as publish:
        services.closed_session_set(meeting=meeting, closed=True, by=operator.user)
    channel, event, data = publish.call_args.args
    assert (channel, event) == (f"meeting:{meeting.pk}", "mark")
    assert data["closed_session"] is True and data["action"] == "closed"
    assert data["speaker"] is None
    page = operator.get(meeting.get_absolute_url()).content.decode()
    assert "the meeting continues behind closed doors" in page
    assert "data-now-closed hidden" not in page


def test_the_public_page_hides_the_notice_while_the_meeting_is_public(client):
    meeting = live_meeting(started=STARTED)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "data-now-closed hidden" in page


def test_the_archive_shows_the_span_as_a_closed_session(operator):
    # The index is cached per meeting id and version, which the frozen clock repeats.
    cache.clear()
    player._RECENT.clear()
    meeting = live_meeting(started=STARTED)
    item = AgendaItemFactory(meeting=meeting, number="4", title="Personalesag")
    mark(meeting, Kind.ITEM, 60_000, agenda_item=item)
    mark(meeting, Kind.CLOSED_START, 120_000)
    mark(meeting, Kind.CLOSED_END, 420_000)
    mark(meeting, Kind.MEETING_END, 600_000)

    result = meeting_index(meeting)

    assert result.closed == [index.Span(120_000, 420_000)]
    chapters = [(c.start_ms, c.end_ms, c.title) for c in meeting_chapters(meeting)]
    assert (120_000, 420_000, "Closed session") in chapters
    assert state_at_end(meeting)["closed_session"] is False
    page = operator.get(meeting.get_absolute_url()).content.decode()
    assert "Not broadcast or recorded: the video shows a still picture." in page
    assert '<time datetime="PT0H2M0S">2:00</time>–<time datetime="PT0H7M0S">7:00</time>' in page


def state_at_end(meeting):
    return meeting_state(meeting)


def test_the_index_treats_a_closed_session_as_a_pause_of_the_item():
    marks = [
        index.Mark(1, "item", 0, item_id=7),
        index.Mark(2, "speaker", 10, person_id=3),
        index.Mark(3, "closed_start", 20),
        index.Mark(4, "closed_end", 50),
        index.Mark(5, "speaker", 60, person_id=3),
    ]
    derived = index.derive(marks, end_ms=100)
    assert derived.closed == (index.Span(20, 50),)
    assert [(s.start_ms, s.end_ms) for s in derived.segments] == [(0, 20), (60, 100)]
    assert [(t.start_ms, t.end_ms) for t in derived.turns] == [(10, 20), (60, 100)]
    assert index.state_now(marks[:3]).closed is True
    assert index.state_now(marks).closed is False


def test_a_conference_system_starts_and_ends_the_closed_session_with_an_operator_token(client):
    meeting = live_meeting(started=STARTED)
    _token, raw = api_token_create(user=staff(Role.OPERATOR), name="Konferenceanlæg")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    address = f"/api/v1/meetings/{meeting.pk}/marks"
    with time_machine.travel(DURING, tick=False):
        response = client.post(
            address, {"kind": "closed_start"}, content_type="application/json", **headers
        )
    assert response.status_code == 201
    assert response.json()["state"]["closed_session"] is True
    assert closed_session_now(meeting.pk)
    with time_machine.travel(DURING + timedelta(minutes=1), tick=False):
        again = client.post(
            address, {"kind": "closed_start"}, content_type="application/json", **headers
        )
        ended = client.post(
            address, {"kind": "closed_end"}, content_type="application/json", **headers
        )
    assert again.status_code == 400
    assert ended.status_code == 201
    assert not closed_session_now(meeting.pk)


def test_marking_a_closed_item_starts_the_closed_session_and_the_console_says_so(
    operator, time_machine
):
    meeting = live_meeting(started=STARTED)
    closed = AgendaItemFactory(meeting=meeting, number="4", title="Personalesag", is_public=False)
    public = AgendaItemFactory(meeting=meeting, number="5", title="Eventuelt")

    page = operator.post(url("console_mark", meeting), {"kind": "item", "item": closed.pk}, **FETCH)

    assert "the closed session has started: the public sees the slate" in page.content.decode()
    assert closed_session_now(meeting.pk)
    start = meeting.marks.get(kind=Kind.CLOSED_START)
    assert (start.created_by, start.at, start.offset_ms) == (operator.user, DURING, 300_000)
    # The next public item does not open the doors: only the operator's own button does.
    time_machine.move_to(DURING + timedelta(minutes=10), tick=False)
    page = operator.post(url("console_mark", meeting), {"kind": "item", "item": public.pk}, **FETCH)
    assert "still in closed session" in page.content.decode()
    assert closed_session_now(meeting.pk)
    operator.post(url("console_closed_session", meeting), {"closed": "0"})
    assert not closed_session_now(meeting.pk)


def test_a_closed_item_in_a_running_closed_session_adds_no_second_start(operator):
    meeting = live_meeting(started=STARTED)
    closed = AgendaItemFactory(meeting=meeting, is_public=False)
    services.closed_session_set(meeting=meeting, closed=True, by=operator.user)
    services.mark_add(meeting=meeting, kind=Kind.ITEM, agenda_item=closed, by=operator.user)
    assert meeting.marks.filter(kind=Kind.CLOSED_START).count() == 1


def test_a_conference_system_s_closed_item_starts_the_closed_session_too(client):
    meeting = live_meeting(started=STARTED)
    closed = AgendaItemFactory(meeting=meeting, is_public=False)
    _token, raw = api_token_create(user=staff(Role.OPERATOR), name="Konferenceanlæg")
    with time_machine.travel(DURING, tick=False):
        response = client.post(
            f"/api/v1/meetings/{meeting.pk}/marks",
            {"kind": "item", "agenda_item_id": closed.pk},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
    assert response.status_code == 201, response.content
    assert closed_session_now(meeting.pk)


def test_a_rehearsed_closed_item_starts_nothing(operator):
    meeting = MeetingFactory()
    closed = AgendaItemFactory(meeting=meeting, is_public=False)
    operator.post(url("console_rehearsal", meeting), {"rehearse": "1"})
    with mock.patch("samskab.live.publish_on_commit") as publish:
        page = operator.post(
            url("console_mark", meeting), {"kind": "item", "item": closed.pk}, **FETCH
        )
    assert "Live, marking a closed item starts the closed session." in page.content.decode()
    assert not publish.called
    assert not meeting.marks.exists()
