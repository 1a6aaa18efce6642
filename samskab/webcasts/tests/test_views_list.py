"""The list of meetings: live and coming first, then the archive grouped by body."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import BodyFactory, MeetingFactory

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_live_and_coming_meetings_come_first_then_the_archive_by_body(client):
    council = BodyFactory(name="Byrådet", slug="byraadet", position=1)
    committee = BodyFactory(name="Teknik- og Miljøudvalget", slug="teknik", position=2)
    live = MeetingFactory(
        body=council, title="Direkte møde", status=Meeting.Status.LIVE, starts_at=NOW
    )
    coming = MeetingFactory(
        body=committee, title="Næste møde", starts_at=NOW + timedelta(days=3), place="Rådhuset"
    )
    old = MeetingFactory(
        body=committee,
        title="Gammelt møde",
        status=Meeting.Status.ENDED,
        starts_at=NOW - timedelta(days=30),
    )
    MeetingFactory(
        body=council, title="Skjult møde", is_published=False, starts_at=NOW + timedelta(days=1)
    )

    response = client.get(reverse("webcasts:meeting_list"))
    html = response.content.decode()

    assert response.status_code == 200
    assert html.index("Direkte møde") < html.index("Næste møde") < html.index("Gammelt møde")
    assert "badge-live" in html
    assert "Rådhuset" in html
    assert "Skjult møde" not in html
    archive = html[html.index('id="archive-heading"') :]
    assert "Teknik- og Miljøudvalget" in archive
    assert "Byrådet</h3>" not in archive  # no past meetings, no section
    for meeting in (live, coming, old):
        assert meeting.get_absolute_url() in html


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_times_are_shown_in_copenhagen_time(client):
    MeetingFactory(title="Aftenmøde", starts_at=datetime(2030, 3, 4, 16, 0, tzinfo=UTC))

    html = client.get(reverse("webcasts:meeting_list")).content.decode()

    assert "17:00" in html  # 16:00 UTC is 17:00 in Copenhagen in March
    assert 'datetime="2030-03-04T17:00:00+01:00"' in html


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_one_body_s_archive_is_paginated(client):
    body = BodyFactory(slug="skole")
    for day in range(25):
        MeetingFactory(
            body=body,
            title=f"Skolemøde {day:02d}",
            status=Meeting.Status.ENDED,
            starts_at=NOW - timedelta(days=day + 1),
        )

    first = client.get(reverse("webcasts:meeting_list"), {"body": "skole"}).content.decode()
    second = client.get(
        reverse("webcasts:meeting_list"), {"body": "skole", "page": 2}
    ).content.decode()

    assert "Skolemøde 00" in first and "Skolemøde 24" not in first
    assert "Skolemøde 24" in second


@pytest.mark.django_db
def test_an_unknown_body_is_not_found(client):
    assert client.get(reverse("webcasts:meeting_list"), {"body": "nope"}).status_code == 404


@pytest.mark.django_db
def test_the_main_navigation_links_to_the_meetings(client):
    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("webcasts:meeting_list")}"' in html
