"""The meetings API: open data to read; marks written by operators' API tokens."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from samskab.accounts.roles import Role
from samskab.api.tokens import api_token_create
from samskab.webcasts.models import Meeting, Person, TimelineMark
from samskab.webcasts.services import speaker_turns_rebuild
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    MeetingFactory,
    PersonFactory,
    live_meeting,
    mark,
    user_with_role,
)

pytestmark = pytest.mark.django_db
START = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)
Kind = TimelineMark.Kind


def test_bodies_are_listed_with_their_calendar(client):
    BodyFactory(name="Byrådet", slug="byraadet")
    BodyFactory(name="Nedlagt", is_active=False)
    body = client.get("/api/v1/bodies").json()
    assert [b["name"] for b in body] == ["Byrådet"]
    assert body[0]["calendar_url"] == "/moeder/byraadet/kalender.ics"


def test_people_are_listed_without_citizens_who_did_not_consent(client):
    PersonFactory(name="Anna Hansen", party="Venstre")
    PersonFactory(name="Karen Borger", kind=Person.Kind.CITIZEN, consent_to_name=False)
    found = client.get("/api/v1/people").json()
    assert [p["name"] for p in found["items"]] == ["Anna Hansen"]
    assert client.get("/api/v1/people", {"party": "venstre"}).json()["count"] == 1


def test_meetings_are_filtered_by_body_status_and_date(client):
    council = BodyFactory(slug="byraadet")
    MeetingFactory(body=council, title="Marts", starts_at=START)
    MeetingFactory(
        body=council,
        title="April",
        starts_at=START + timedelta(days=30),
        status=Meeting.Status.ENDED,
    )
    MeetingFactory(title="Andet udvalg", starts_at=START)
    MeetingFactory(body=council, title="Skjult", is_published=False)

    def titles(**query):
        return [m["title"] for m in client.get("/api/v1/meetings", query).json()["items"]]

    assert titles(body="byraadet") == ["April", "Marts"]
    assert titles(body="byraadet", status="ended") == ["April"]
    assert titles(date_from="2030-03-20", date_to="2030-04-30") == ["April"]
    assert "Skjult" not in titles()
    first = client.get("/api/v1/meetings", {"body": "byraadet"}).json()["items"][0]
    assert first["url"].startswith("http://testserver/moeder/")
    assert first["body"] == "byraadet"


def test_a_meeting_comes_with_agenda_turns_marks_and_its_addresses(client):
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED,
        duration_ms=100_000,
        recording_started_at=START,
        video_kind="hls",
        video_url="https://video.example.org/m.m3u8",
    )
    public = AgendaItemFactory(meeting=meeting, number="1", title="Trafik", position=1)
    closed = AgendaItemFactory(
        meeting=meeting,
        number="2",
        title="Personsag",
        position=2,
        description="Fortroligt",
        is_public=False,
    )
    anna = PersonFactory(name="Anna")
    secret = PersonFactory(name="Hemmelig")
    meeting.speakers.add(anna)
    mark(meeting, Kind.ITEM, 0, agenda_item=public)
    mark(meeting, Kind.SPEAKER, 5_000, person=anna)
    mark(meeting, Kind.ITEM, 50_000, agenda_item=closed)
    hidden = mark(meeting, Kind.SPEAKER, 55_000, person=secret)
    mark(meeting, Kind.MEETING_END, 90_000)
    speaker_turns_rebuild(meeting=meeting)

    data = client.get(f"/api/v1/meetings/{meeting.pk}").json()
    assert data["url"] == f"http://testserver/moeder/{meeting.pk}/"
    assert data["video"] == {"kind": "hls", "url": "https://video.example.org/m.m3u8"}
    assert data["chapters_url"].endswith(f"/moeder/{meeting.pk}/kapitler.vtt")
    assert [(i["number"], i["title"], i["start_ms"]) for i in data["agenda_items"]] == [
        ("1", "Trafik", 0),
        ("2", "Closed item", 50_000),
    ]
    assert data["agenda_items"][1]["description"] == ""
    assert [(t["person"]["name"], t["start_ms"], t["end_ms"]) for t in data["speaker_turns"]] == [
        ("Anna", 5_000, 50_000)
    ]
    assert data["speaker_turns"][0]["url"].endswith(f"/moeder/{meeting.pk}/?t=5")
    assert hidden.pk not in [m["id"] for m in data["marks"]]
    assert "Hemmelig" not in str(data) and "Personsag" not in str(data)
    assert [p["name"] for p in data["speakers"]] == ["Anna"]


def test_an_unpublished_meeting_is_not_found(client):
    meeting = MeetingFactory(is_published=False)
    assert client.get(f"/api/v1/meetings/{meeting.pk}").status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.pk}/state").status_code == 404


# --- writing marks ---


def bearer(role):
    _token, raw = api_token_create(user=user_with_role(role), name="Konferenceanlæg")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_mark(client, meeting, headers=None, **payload):
    return client.post(
        f"/api/v1/meetings/{meeting.pk}/marks",
        payload,
        content_type="application/json",
        **(headers or {}),
    )


def test_a_conference_system_drives_the_index_with_an_operator_token(client):
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting, number="4")
    anna = PersonFactory(name="Anna", external_id="seat-12")
    headers = bearer(Role.OPERATOR)
    with time_machine.travel(START, tick=False):
        assert post_mark(client, meeting, headers, kind="meeting_start").status_code == 201
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        response = post_mark(client, meeting, headers, kind="item", agenda_item_number="4")
        assert response.status_code == 201
        response = post_mark(client, meeting, headers, kind="speaker", person_external_id="seat-12")
    assert response.status_code == 201
    body = response.json()
    assert body["mark"]["offset_ms"] == 30_000
    assert body["state"]["item"]["id"] == item.pk
    assert body["state"]["speaker"]["name"] == "Anna"
    assert meeting.speaker_turns.get().person == anna


def test_the_api_undoes_the_last_mark(client):
    meeting = live_meeting(started=START)
    headers = bearer(Role.OPERATOR)
    with time_machine.travel(START + timedelta(seconds=10), tick=False):
        post_mark(client, meeting, headers, kind="break")
        response = client.post(
            f"/api/v1/meetings/{meeting.pk}/marks/undo", content_type="application/json", **headers
        )
    assert response.status_code == 200
    assert TimelineMark.objects.get(kind=Kind.BREAK).is_undone


def test_it_refuses_marks_without_a_token(client):
    meeting = live_meeting(started=START)
    assert post_mark(client, meeting, kind="break").status_code == 401
    assert meeting.marks.count() == 1


def test_it_refuses_a_wrong_token(client):
    meeting = live_meeting(started=START)
    headers = {"HTTP_AUTHORIZATION": "Bearer smk_not-a-real-token"}
    assert post_mark(client, meeting, headers, kind="break").status_code == 401
    assert meeting.marks.count() == 1


def test_it_refuses_the_token_of_a_citizen_or_an_editor(client):
    meeting = live_meeting(started=START)
    for role in (None, Role.EDITOR):
        response = post_mark(client, meeting, bearer(role), kind="break")
        assert response.status_code == 403
    assert meeting.marks.count() == 1


def test_it_refuses_the_token_of_a_deactivated_operator(client):
    meeting = live_meeting(started=START)
    token, raw = api_token_create(user=user_with_role(Role.OPERATOR), name="Gammel")
    token.user.is_active = False
    token.user.save()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert post_mark(client, meeting, headers, kind="break").status_code == 401


def test_bad_marks_get_a_clear_answer(client):
    meeting = live_meeting(started=START)
    foreign = AgendaItemFactory()
    headers = bearer(Role.OPERATOR)
    with time_machine.travel(START + timedelta(seconds=10), tick=False):
        response = post_mark(client, meeting, headers, kind="item", agenda_item_id=foreign.pk)
        assert response.status_code == 400
        assert "another meeting" in response.json()["detail"][0]
        response = post_mark(client, meeting, headers, kind="speaker", person_id=999_999)
        assert response.status_code == 400
        response = post_mark(client, meeting, headers, kind="dance")
        assert response.status_code == 400
    ended = MeetingFactory(status=Meeting.Status.ENDED)
    response = post_mark(client, ended, headers, kind="break")
    assert response.status_code == 400
    assert "only while the meeting is live" in response.json()["detail"][0]
    assert meeting.marks.count() == 1


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2030-03-04T15:54:00Z"]
)
def test_a_meeting_start_far_from_now_is_refused(client, at):
    """Review L7: a start in year 1 made every later offset garbage."""
    meeting = MeetingFactory()
    headers = bearer(Role.OPERATOR)
    with time_machine.travel(START, tick=False):
        response = post_mark(client, meeting, headers, kind="meeting_start", at=at)
        assert response.status_code == 400
        assert "at most 5 minutes" in response.json()["detail"][0]
        response = post_mark(
            client, meeting, headers, kind="meeting_start", at="2030-03-04T16:10:00Z"
        )
        assert response.status_code == 400  # ten minutes ahead
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.recording_started_at is None
    assert not meeting.marks.exists()


def test_a_meeting_start_a_few_minutes_off_is_taken(client):
    meeting = MeetingFactory()
    with time_machine.travel(START, tick=False):
        response = post_mark(
            client, meeting, bearer(Role.OPERATOR), kind="meeting_start", at="2030-03-04T15:56:00Z"
        )
    assert response.status_code == 201
    meeting.refresh_from_db()
    assert meeting.recording_started_at == START - timedelta(minutes=4)


def test_a_mark_two_days_into_a_recording_is_refused(client):
    """A meeting left live (or a recording start typed wrong) gives no offset beyond 48 h."""
    meeting = live_meeting(started=START)
    with time_machine.travel(START + timedelta(days=3), tick=False):
        response = post_mark(client, meeting, bearer(Role.OPERATOR), kind="break")
        assert response.status_code == 400
        assert "more than 48 hours" in response.json()["detail"][0]
        response = post_mark(client, meeting, bearer(Role.OPERATOR), kind="meeting_end")
        assert response.status_code == 400
    assert meeting.marks.count() == 1
