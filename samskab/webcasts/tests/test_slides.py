"""Slides (W10): PDF checked on upload, rendered to pages in a task, shown in the player."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.webcasts.models import SlideDeck, TimelineMark
from samskab.webcasts.slides import (
    render_slide_deck,
    sample_deck_pdf,
    slide_deck_create,
    validate_pdf,
)
from samskab.webcasts.tests.factories import AgendaItemFactory, SlideFactory, mark
from samskab.webcasts.tests.pdfs import pdf_file
from samskab.webcasts.tests.ui_helpers import archive_meeting, staff

Kind = TimelineMark.Kind


def upload(data: bytes, name: str = "oplaeg.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- checking the file ---


def test_a_pdf_is_accepted_and_its_pages_counted():
    assert validate_pdf(upload(pdf_file(pages=3))) == 3


@pytest.mark.parametrize(
    "data",
    [b"", b"Hello, this is text", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, b"PK\x03\x04" + b"\0" * 99],
)
def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(data):
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(data, name="slides.pdf"))

    assert refused.value.code == "not_pdf"
    assert "not a PDF" in refused.value.messages[0]


def test_a_damaged_pdf_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(b"%PDF-1.7\n" + b"garbage " * 50))

    assert refused.value.code == "unreadable"


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_an_encrypted_pdf_is_refused_with_or_without_a_password_to_open_it(user_password):
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(pdf_file(user_password=user_password)))

    assert refused.value.code == "encrypted"
    assert "without protection" in refused.value.messages[0]


# --- rendering ---


@pytest.mark.django_db
def test_the_deck_is_rendered_to_one_picture_per_page_by_the_task(
    django_capture_on_commit_callbacks,
):
    item = AgendaItemFactory()
    pdf = sample_deck_pdf(title="Budget", pages=["Udgifter", "Indtægter", "Anlæg"])

    with django_capture_on_commit_callbacks(execute=True):
        deck = slide_deck_create(agenda_item=item, title="Budget 2031", pdf=upload(pdf))

    deck.refresh_from_db()
    assert deck.page_count == 3
    slides = list(deck.slides.order_by("number"))
    assert [slide.number for slide in slides] == [1, 2, 3]
    with slides[0].image.open("rb") as image:
        assert image.read(3) == b"\xff\xd8\xff"
    assert slides[0].image.width == 1280


@pytest.mark.django_db
def test_rendering_again_replaces_the_pages():
    item = AgendaItemFactory()
    deck = SlideDeck.objects.create(agenda_item=item, title="Oplæg", pdf=upload(pdf_file(pages=2)))
    render_slide_deck.enqueue(deck_id=deck.pk)
    render_slide_deck.enqueue(deck_id=deck.pk)

    assert deck.slides.count() == 2


@pytest.mark.django_db
def test_a_deck_deleted_before_rendering_is_skipped():
    assert render_slide_deck.call(deck_id=987654) == 0


# --- limits on pictures (review L4) ---


@pytest.mark.django_db
def test_a_long_page_is_rendered_no_taller_than_the_limit():
    """The review's page: 200 x 10000 pt asked for a 1280 x 64000 pixel picture."""
    item = AgendaItemFactory()
    pdf = upload(pdf_file(pages=2, size=(200, 10000)))
    deck = SlideDeck.objects.create(agenda_item=item, title="Lang", pdf=pdf)

    assert render_slide_deck.call(deck_id=deck.pk) == 2

    slide = deck.slides.first()
    assert (slide.image.width, slide.image.height) == (80, 4000)


def test_a_page_too_thin_to_show_is_refused_on_upload():
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(pdf_file(size=(1, 14400))))

    assert refused.value.code == "page_shape"
    assert "Page 1 is 1 x 14400 points" in refused.value.messages[0]


def test_a_deck_whose_pictures_would_be_too_large_together_is_refused_on_upload():
    # 100 pages of 1000 x 3125 pt: each 1280 x 4000 pixels, 512 million in all.
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(pdf_file(pages=100, size=(1000, 3125))))

    assert refused.value.code == "too_many_pixels"
    assert "512 million pixels" in refused.value.messages[0]
    assert validate_pdf(upload(pdf_file(pages=60, size=(1000, 3125)))) == 60


@pytest.mark.django_db
def test_the_operator_is_told_why_on_the_upload_page(client):
    item = AgendaItemFactory()
    client.force_login(staff(Role.OPERATOR))
    url = reverse("webcasts:item_slides", kwargs={"pk": item.meeting_id, "item_pk": item.pk})

    response = client.post(
        url, {"title": "Lang", "pdf": upload(pdf_file(pages=100, size=(1000, 3125)))}
    )

    assert response.status_code == 400
    assert "too large together" in response.content.decode()
    assert not SlideDeck.objects.exists()


@pytest.mark.django_db
def test_a_stored_deck_beyond_the_limits_is_not_rendered(caplog):
    item = AgendaItemFactory()
    pdf = upload(pdf_file(size=(1, 14400)))
    deck = SlideDeck.objects.create(agenda_item=item, title="Strimmel", pdf=pdf)

    assert render_slide_deck.call(deck_id=deck.pk) == 0

    assert not deck.slides.exists()
    assert "too narrow or too long" in caplog.text


# --- the editor's page ---


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EDITOR, Role.OPERATOR])
def test_editors_and_operators_upload_slides(client, role, django_capture_on_commit_callbacks):
    item = AgendaItemFactory()
    client.force_login(staff(role))
    address = reverse("webcasts:item_slides", kwargs={"pk": item.meeting_id, "item_pk": item.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address, {"title": "Plan", "pdf": upload(pdf_file(pages=2))})

    assert response.status_code == 302
    deck = item.slide_decks.get()
    assert deck.page_count == 2
    assert "Plan" in client.get(address).content.decode()


@pytest.mark.django_db
def test_an_upload_that_is_not_a_pdf_gets_a_clear_message_and_nothing_is_stored(client):
    item = AgendaItemFactory()
    client.force_login(staff(Role.EDITOR))
    address = reverse("webcasts:item_slides", kwargs={"pk": item.meeting_id, "item_pk": item.pk})

    response = client.post(
        address, {"title": "Plan", "pdf": upload(b"MZ\x90\x00 not a pdf", name="plan.pdf")}
    )

    assert response.status_code == 400
    assert "The file is not a PDF" in response.content.decode()
    assert not SlideDeck.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MODERATOR, None])
def test_others_may_not_upload_slides(client, role):
    item = AgendaItemFactory()
    client.force_login(staff(role))
    address = reverse("webcasts:item_slides", kwargs={"pk": item.meeting_id, "item_pk": item.pk})

    assert client.get(address).status_code == 403
    assert client.post(address, {"title": "X", "pdf": upload(pdf_file())}).status_code == 403


# --- in the player ---


@pytest.mark.django_db
def test_the_player_follows_the_slides_by_offset_and_offers_the_pdf(client):
    meeting = archive_meeting()
    item = AgendaItemFactory(meeting=meeting, number="1")
    slide = SlideFactory(deck__agenda_item=item, deck__title="Trafikplan", number=4)
    mark(meeting, Kind.ITEM, 10_000, agenda_item=item)
    mark(meeting, Kind.SLIDE, 20_000, slide=slide)

    html = client.get(meeting.get_absolute_url()).content.decode()

    timeline = json.loads(
        re.search(r'<script id="slide-timeline" type="application/json">(.*?)</script>', html)[1]
    )
    assert timeline == [
        {
            "offset_ms": 20_000,
            "image_url": slide.image.url,
            "number": 4,
            "deck_title": "Trafikplan",
            "page_count": 2,
            "pdf_url": slide.deck.pdf.url,
            "item_id": item.pk,
        }
    ]
    assert f'href="{slide.deck.pdf.url}"' in html  # the deck is offered under its item


@pytest.mark.django_db
def test_the_deck_pdf_address_leads_to_the_file_only_within_its_meeting(client):
    meeting = archive_meeting()
    slide = SlideFactory(deck__agenda_item__meeting=meeting)
    other = archive_meeting()

    good = client.get(
        reverse("webcasts:deck_pdf", kwargs={"pk": meeting.pk, "deck_pk": slide.deck_id})
    )
    wrong = client.get(
        reverse("webcasts:deck_pdf", kwargs={"pk": other.pk, "deck_pk": slide.deck_id})
    )

    assert good.status_code == 302 and good["Location"] == slide.deck.pdf.url
    assert wrong.status_code == 404
