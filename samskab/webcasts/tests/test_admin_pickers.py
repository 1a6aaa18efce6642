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
