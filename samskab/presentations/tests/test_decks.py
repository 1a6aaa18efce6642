"""A PDF attached to a presentation becomes one slide per page (rendered by the worker)."""

import pytest
from django.core.files.base import ContentFile
from fpdf import FPDF

from samskab.attachments.services import document_add
from samskab.presentations.models import DeckPage
from samskab.presentations.tests.factories import built, editor

pytestmark = pytest.mark.django_db


def _pdf(*pages: str) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=24)
    for text in pages:
        pdf.add_page()
        pdf.cell(0, 20, text)
    return bytes(pdf.output())


def test_each_page_of_an_attached_pdf_becomes_a_slide_with_its_text(
    django_capture_on_commit_callbacks,
):
    by = editor()
    presentation = built(by=by)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_add(
            target=presentation,
            user=by,
            document=ContentFile(_pdf("Skolen i dag", "Forslaget"), name="plan.pdf"),
            title="Plan",
        )
    pages = list(DeckPage.objects.filter(document=document))
    assert [page.number for page in pages] == [1, 2]
    assert [page.text for page in pages] == ["Skolen i dag", "Forslaget"]
    assert all(page.image.read(3) == b"\xff\xd8\xff" for page in pages)  # JPEG
