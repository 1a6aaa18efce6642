"""A closed agenda item's title, documents and slides are never public (review M3).

Staff who prepare the meeting (operators, editors, administrators) still see them, marked
as a closed item.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.webcasts.models import TimelineMark
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    DocumentFactory,
    PersonFactory,
    SlideDeckFactory,
    SlideFactory,
    mark,
)
from samskab.webcasts.tests.ui_helpers import archive_meeting, index_rebuilt, staff

pytestmark = pytest.mark.django_db
Kind = TimelineMark.Kind
SECRET = "Salg af grund på Havnevej"


@pytest.fixture
def meeting():
    """An archived meeting whose item 5 is closed, with a document, slides and a speaker."""
    meeting = archive_meeting()
    public = AgendaItemFactory(meeting=meeting, number="4", title="Cykelstier")
    closed = AgendaItemFactory(meeting=meeting, number="5", title=SECRET, is_public=False)
    document = DocumentFactory(meeting=meeting, agenda_item=closed, title="Købstilbud", url="")
    document.file.save("koebstilbud-havnevej.pdf", ContentFile(b"%PDF-1.4 tilbud"))
    DocumentFactory(meeting=meeting, agenda_item=public, title="Kort over stierne")
    deck = SlideDeckFactory(agenda_item=closed, title="Tilbudsoversigt")
    slide = SlideFactory(deck=deck, number=1)
    slide.image.save(f"deck{deck.pk}-1.jpg", ContentFile(b"\xff\xd8 page"))
    mark(meeting, Kind.ITEM, 10_000, agenda_item=public)
    mark(meeting, Kind.ITEM, 60_000, agenda_item=closed)
    mark(meeting, Kind.SPEAKER, 61_000, person=PersonFactory(name="Hemmelig Taler"))
    mark(meeting, Kind.SLIDE, 62_000, slide=slide)
    mark(meeting, Kind.MEETING_END, 120_000)
    index_rebuilt(meeting)
    meeting.closed_deck = deck
    meeting.closed_document = document
    meeting.closed_slide = slide
    return meeting


def html_of(client, name, meeting, **query) -> str:
    response = client.get(reverse(name, kwargs={"pk": meeting.pk}), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("name", ["webcasts:meeting", "webcasts:meeting_text"])
def test_the_public_pages_name_a_closed_item_by_its_number_only(client, meeting, name):
    html = html_of(client, name, meeting)

    assert SECRET not in html
    assert "Closed item" in html
    assert "Cykelstier" in html
    for leak in ("Købstilbud", "koebstilbud", "Tilbudsoversigt", meeting.closed_slide.image.url):
        assert leak not in html, leak
    assert "Kort over stierne" in html  # the public item's document stays


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.EDITOR, Role.ADMINISTRATOR])
def test_staff_see_a_closed_items_title_and_papers_marked_closed(client, meeting, role):
    client.force_login(staff(role))

    for name in ("webcasts:meeting", "webcasts:meeting_text"):
        html = html_of(client, name, meeting)
        assert SECRET in html
        assert "Closed item" in html
        assert "Købstilbud" in html


def test_a_signed_in_citizen_sees_no_more_than_the_public(client, meeting):
    client.force_login(staff(None))

    html = html_of(client, "webcasts:meeting", meeting)

    assert SECRET not in html
    assert "Købstilbud" not in html


def test_a_moment_in_a_closed_item_is_shared_without_its_title(client, meeting):
    html = html_of(client, "webcasts:meeting", meeting, t="65")

    assert SECRET not in html
    assert "5. Closed item" in html  # in the share text and the link preview


def test_the_embed_never_shows_a_closed_items_title_even_to_staff(client, meeting):
    client.force_login(staff(Role.EDITOR))

    html = html_of(client, "webcasts:meeting_embed", meeting)

    assert SECRET not in html
    assert meeting.closed_slide.image.url not in html


def test_a_closed_items_slide_pdf_is_not_found_for_the_public(client, meeting):
    url = reverse("webcasts:deck_pdf", kwargs={"pk": meeting.pk, "deck_pk": meeting.closed_deck.pk})

    assert client.get(url).status_code == 404
    assert client.get(meeting.closed_deck.pdf.url).status_code == 404

    client.force_login(staff(Role.OPERATOR))
    response = client.get(url)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_a_closed_items_title_is_in_no_public_answer(client, meeting):
    """The API, the feeds, the tracks, search and oEmbed, as the review listed them."""
    page = "http://testserver" + meeting.get_absolute_url()
    addresses = [
        f"/api/v1/meetings/{meeting.pk}",
        f"/api/v1/meetings/{meeting.pk}/state",
        reverse("webcasts:feed"),
        reverse("webcasts:feed_atom"),
        reverse("webcasts:calendar"),
        reverse("webcasts:chapters_vtt", kwargs={"pk": meeting.pk}),
        reverse("webcasts:speakers_vtt", kwargs={"pk": meeting.pk}),
        reverse("webcasts:search") + "?q=Havnevej",
        reverse("webcasts:search") + "?q=Tilbudsoversigt",
        reverse("oembed") + f"?url={page}?t=65",
    ]
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, address
        text = b"".join(response.streaming_content) if response.streaming else response.content
        assert SECRET not in text.decode(), address
        assert "koebstilbud" not in text.decode(), address


def test_a_closed_items_slide_put_up_during_a_public_item_is_not_announced(client):
    from samskab.webcasts.selectors import meeting_state
    from samskab.webcasts.tests.factories import live_meeting

    meeting = live_meeting()
    public = AgendaItemFactory(meeting=meeting, number="1", title="Cykelstier")
    closed = AgendaItemFactory(meeting=meeting, number="2", title=SECRET, is_public=False)
    secret_slide = SlideFactory(deck=SlideDeckFactory(agenda_item=closed, title="Tilbud"))
    mark(meeting, Kind.ITEM, 1000, agenda_item=public)
    mark(meeting, Kind.SLIDE, 2000, slide=secret_slide)

    assert meeting_state(meeting)["slide"] is None
    assert "Tilbud" not in client.get(f"/api/v1/meetings/{meeting.pk}/state").content.decode()
