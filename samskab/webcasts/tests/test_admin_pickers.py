"""The admin's pickers say which meeting an agenda item belongs to (review: a slide deck
landed on last month's meeting, whose item 3 had the same title)."""

from datetime import UTC, datetime

import pytest

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, staff_sign_in
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_the_agenda_item_autocomplete_names_the_meeting_and_its_day(client):
    past = MeetingFactory(title="Byrådsmøde", starts_at=datetime(2026, 11, 26, 16, tzinfo=UTC))
    coming = MeetingFactory(
        title="Byrådsmøde", body=past.body, starts_at=datetime(2026, 12, 10, 16, tzinfo=UTC)
    )
    for meeting in (past, coming):
        AgendaItemFactory(meeting=meeting, number="3", title="Skolestruktur 2031")
    client.cookies["django_language"] = "da"
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    answer = client.get(
        "/admin/autocomplete/",
        {
            "term": "Skolestruktur",
            "app_label": "webcasts",
            "model_name": "slidedeck",
            "field_name": "agenda_item",
        },
    ).json()
    texts = sorted(result["text"] for result in answer["results"])
    assert texts == [
        f"3. Skolestruktur 2031 · {past.body.name}: Byrådsmøde (10.12.2026)",
        f"3. Skolestruktur 2031 · {past.body.name}: Byrådsmøde (26.11.2026)",
    ]


@pytest.mark.parametrize(
    ("role", "app_label", "model_name"),
    [
        (Role.EDITOR, "polls", "poll"),
        (Role.POLL_OFFICER, "polls", "poll"),
        (Role.EDITOR, "surveys", "survey"),
        (Role.EDITOR, "recordings", "clip"),
    ],
)
def test_polls_surveys_and_clips_pick_the_meeting_and_item_by_name(
    client, role, app_label, model_name
):
    # Review finding 8: these took the meeting's database number in a raw id box.
    meeting = MeetingFactory(title="Byrådsmøde", starts_at=datetime(2026, 11, 26, 16, tzinfo=UTC))
    AgendaItemFactory(meeting=meeting, number="3", title="Skolestruktur 2031")
    client.cookies["django_language"] = "da"
    staff_sign_in(client, StaffFactory(role=role))
    texts = {}
    for field_name in ("meeting", "agenda_item"):
        answer = client.get(
            "/admin/autocomplete/",
            {
                "term": "Byrådsmøde" if field_name == "meeting" else "Skolestruktur",
                "app_label": app_label,
                "model_name": model_name,
                "field_name": field_name,
            },
        )
        assert answer.status_code == 200, (field_name, answer.status_code)
        texts[field_name] = [result["text"] for result in answer.json()["results"]]
    assert texts == {
        "meeting": [f"{meeting.body.name}: Byrådsmøde (26.11.2026)"],
        "agenda_item": [f"3. Skolestruktur 2031 · {meeting.body.name}: Byrådsmøde (26.11.2026)"],
    }
    form = client.get(f"/admin/{app_label}/{model_name}/add/").content.decode()
    assert 'class="vForeignKeyRawIdAdminField"' not in form.split('name="person"')[0]
    assert "admin-autocomplete" in form
