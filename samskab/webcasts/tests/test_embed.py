"""Embedding (W7): the embed page may be framed by anyone; no other page may be framed."""

import json

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory
from samskab.webcasts.tests.ui_helpers import archive_meeting, staff


def embed_url(meeting):
    return reverse("webcasts:meeting_embed", kwargs={"pk": meeting.pk})


@pytest.mark.django_db
def test_the_embed_page_may_be_framed_by_any_site(client):
    meeting = archive_meeting()
    AgendaItemFactory(meeting=meeting, title="Trafik")

    response = client.get(embed_url(meeting))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "Trafik" in html
    assert "<video" in html
    assert '<nav aria-label="Main menu">' not in html  # the player alone, no site chrome


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["meeting", "meeting_text"])
def test_the_meeting_pages_may_not_be_framed(client, name):
    meeting = archive_meeting()

    response = client.get(reverse(f"webcasts:{name}", kwargs={"pk": meeting.pk}))

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_list_and_the_console_may_not_be_framed(client):
    meeting = archive_meeting()
    assert client.get(reverse("webcasts:meeting_list"))["X-Frame-Options"] == "DENY"
    client.force_login(staff(Role.OPERATOR))
    assert (
        client.get(reverse("webcasts:console", kwargs={"pk": meeting.pk}))["X-Frame-Options"]
        == "DENY"
    )


@pytest.mark.django_db
def test_an_unpublished_meeting_cannot_be_embedded(client):
    meeting = archive_meeting(is_published=False)

    assert client.get(embed_url(meeting)).status_code == 404


@pytest.mark.django_db
def test_the_meeting_page_offers_the_embed_code_and_oembed_discovery(client):
    meeting = archive_meeting(title="Kulturudvalget")

    html = client.get(meeting.get_absolute_url()).content.decode()

    assert f"&lt;iframe src=&quot;http://testserver{embed_url(meeting)}&quot;" in html
    assert 'type="application/json+oembed"' in html
    discovery = f"http://testserver/oembed?url=http%3A%2F%2Ftestserver%2Fmoeder%2F{meeting.pk}%2F"
    assert discovery in html


@pytest.mark.django_db
def test_oembed_describes_the_meeting_as_a_video_with_an_iframe(client):
    meeting = archive_meeting(title="Kulturudvalget")
    page = f"http://testserver{meeting.get_absolute_url()}?t=95"

    response = client.get("/oembed", {"url": page, "format": "json", "maxwidth": "480"})

    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["version"] == "1.0"
    assert data["type"] == "video"
    assert data["title"] == "Kulturudvalget"
    assert data["width"] == 480 and data["height"] == 360
    assert data["html"].startswith(
        f'<iframe src="http://testserver{embed_url(meeting)}?t=95" width="480" height="360"'
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://elsewhere.example.org/moeder/1/",
        "http://testserver/privatliv/",
        "http://testserver/moeder/999999/",
        "not a url at all",
    ],
)
def test_oembed_refuses_addresses_that_are_not_our_meetings(client, url):
    MeetingFactory()

    assert client.get("/oembed", {"url": url}).status_code == 404


@pytest.mark.django_db
def test_oembed_answers_json_only(client):
    meeting = MeetingFactory(status=Meeting.Status.ENDED)

    response = client.get(
        "/oembed", {"url": f"http://testserver{meeting.get_absolute_url()}", "format": "xml"}
    )

    assert response.status_code == 501
