"""Slide decks (W10): PDF files checked on upload and rendered to page images with pypdfium2.

A deck is attached to an agenda item. The upload is refused unless it is a PDF that PDFium
opens without a password (an encrypted file cannot be rendered or searched). Rendering runs
as a background task (django-tasks) because a long deck takes seconds; the deck shows
"being prepared" until its pages exist.
"""

from __future__ import annotations

import io
import logging

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from samskab.core.uploads import check_size
from samskab.webcasts.models import AgendaItem, Slide, SlideDeck

logger = logging.getLogger(__name__)

PDF_MAX_BYTES = 50 * 1024 * 1024
PDF_MAX_PAGES = 300
# Every page is rendered to fit this box, keeping its shape: slides are shown at most about
# 1280 pixels wide in the player, and a page much taller than wide is made narrower instead
# of taller (review L4: a 200 x 10000 pt page asked for a 1280 x 64000 pixel picture).
IMAGE_WIDTH = 1280
IMAGE_MAX_HEIGHT = 4000
# A page that would come out thinner than this (a 1 x 14400 pt strip) cannot be a slide.
IMAGE_MIN_SIDE = 16
# All the pages of a deck together: 300 slides of 4:3 at 1280 x 960 are 369 million pixels.
DECK_MAX_PIXELS = 400_000_000
JPEG_QUALITY = 82


def _read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def validate_pdf(upload: UploadedFile) -> int:
    """Refuse anything but a readable, unencrypted PDF; return its number of pages."""
    check_size(upload, PDF_MAX_BYTES)
    data = _read_all(upload)
    # The PDF header may follow a little junk, but must be within the first kilobyte.
    if b"%PDF-" not in data[:1024]:
        raise ValidationError(
            _("The file is not a PDF. Save the presentation as PDF and upload that file."),
            code="not_pdf",
        )
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ValidationError(_encrypted_message(), code="encrypted") from None
        raise ValidationError(
            _("The PDF file is damaged and cannot be read. Export it again and upload it."),
            code="unreadable",
        ) from None
    try:
        # Encrypted with an owner password only: it opens, but copying and printing
        # may be restricted, and the municipality must be able to publish it.
        if pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) != -1:
            raise ValidationError(_encrypted_message(), code="encrypted")
        pages = len(document)
        if pages > PDF_MAX_PAGES:
            raise ValidationError(
                _("The PDF has %(pages)s pages. The limit is %(limit)s.")
                % {"pages": pages, "limit": PDF_MAX_PAGES},
                code="too_many_pages",
            )
        render_scales(document)
    finally:
        document.close()
    return pages


def page_scale(width: float, height: float) -> float | None:
    """The scale that fits a page of `width` x `height` points in the picture box, or None
    when the page has no area or would come out thinner than IMAGE_MIN_SIDE pixels."""
    if not (width > 0 and height > 0):
        return None
    scale = min(IMAGE_WIDTH / width, IMAGE_MAX_HEIGHT / height)
    if min(width, height) * scale < IMAGE_MIN_SIDE:
        return None
    return scale


def render_scales(document: pdfium.PdfDocument) -> list[float]:
    """Each page's scale; refuses (with a message for the operator) a page that cannot be
    shown, or a deck whose pictures would together pass DECK_MAX_PIXELS. Reads only the
    pages' sizes: nothing is rendered."""
    scales = []
    total = 0
    for index in range(len(document)):
        width, height = document.get_page_size(index)
        scale = page_scale(width, height)
        if scale is None:
            raise ValidationError(
                _(
                    "Page %(page)s is %(width)s x %(height)s points: too narrow or too long "
                    "to show as a slide. Export the presentation with ordinary page sizes."
                )
                % {"page": index + 1, "width": round(width), "height": round(height)},
                code="page_shape",
            )
        total += round(width * scale) * round(height * scale)
        scales.append(scale)
    if total > DECK_MAX_PIXELS:
        raise ValidationError(
            _(
                "The pages are too large together: as pictures they would be %(million)s "
                "million pixels, and the limit is %(limit)s million. Split the presentation "
                "or use ordinary slide sizes."
            )
            % {"million": total // 1_000_000, "limit": DECK_MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        )
    return scales


def _encrypted_message() -> str:
    return _(
        "The PDF is protected with a password or encryption. Save it again without "
        "protection and upload that file."
    )


def slide_deck_create(*, agenda_item: AgendaItem, title: str, pdf: UploadedFile) -> SlideDeck:
    """Store a checked PDF and render its pages in the background once it is saved."""
    validate_pdf(pdf)
    with transaction.atomic():
        deck = SlideDeck.objects.create(agenda_item=agenda_item, title=title, pdf=pdf)
        slide_deck_enqueue_render(deck)
    return deck


def slide_deck_enqueue_render(deck: SlideDeck) -> None:
    """Render the deck's pages in the background once the current transaction commits."""
    deck_id = deck.pk
    transaction.on_commit(lambda: render_slide_deck.enqueue(deck_id=deck_id))


def pdf_pages(data: bytes) -> list[tuple[int, bytes, str]]:
    """Every page of a PDF as (number, JPEG, its text), at the scales `render_scales` allows
    (slide decks here, PDF slides in presentations)."""
    document = pdfium.PdfDocument(data)
    rendered: list[tuple[int, bytes, str]] = []
    try:
        for index, scale in enumerate(render_scales(document)):
            page = document[index]
            try:
                image = page.render(scale=scale).to_pil().convert("RGB")
                buffer = io.BytesIO()
                image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
                textpage = page.get_textpage()
                try:
                    text = textpage.get_text_range().strip()
                finally:
                    textpage.close()
            finally:
                page.close()
            rendered.append((index + 1, buffer.getvalue(), text))
    finally:
        document.close()
    return rendered


def slide_deck_render(*, deck: SlideDeck) -> int:
    """Render every page of the deck to a JPEG (replacing earlier renders); return the count."""
    with deck.pdf.open("rb") as handle:
        data = handle.read()
    # The limits are checked on upload too; `pdf_pages` applies them again for decks stored
    # before the limits existed.
    rendered = pdf_pages(data)

    with transaction.atomic():
        for old in deck.slides.all():
            old.image.delete(save=False)
        deck.slides.all().delete()
        for number, jpeg, text in rendered:
            slide = Slide(deck=deck, number=number, text=text)
            slide.image.save(f"deck{deck.pk}-{number}.jpg", ContentFile(jpeg), save=False)
            slide.save()
        deck.page_count = len(rendered)
        deck.save(update_fields=["page_count"])  # moves the meeting's version on (signals)
    return len(rendered)


@task()
def render_slide_deck(deck_id: int) -> int:
    deck = SlideDeck.objects.filter(pk=deck_id).first()
    if deck is None:  # deleted before the worker got to it
        return 0
    try:
        return slide_deck_render(deck=deck)
    except pdfium.PdfiumError:
        logger.exception("Slide deck %s could not be rendered", deck_id)
        return 0
    except ValidationError as error:
        logger.warning("Slide deck %s was not rendered: %s", deck_id, "; ".join(error.messages))
        return 0


def _pdf_text(text: str) -> bytes:
    """A PDF string literal in WinAnsiEncoding (which has æ, ø, å and their capitals)."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def sample_deck_pdf(*, title: str, pages: list[str]) -> bytes:
    """A small 16:9 PDF with a title bar and one line of real text per page (demo data and
    tests). The text is text, not a picture of it, so rendering extracts it for search."""
    width, height = 960, 540
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages' numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for number, line in enumerate(pages, start=1):
        stream = b"\n".join(
            [
                b"0 0.286 0.576 rg 0 %d %d 82 re f" % (height - 82, width),
                b"1 1 1 rg BT /F1 40 Tf 36 %d Td " % (height - 58) + _pdf_text(title) + b" Tj ET",
                b"0.1 0.1 0.1 rg BT /F1 32 Tf 36 260 Td " + _pdf_text(line) + b" Tj ET",
                b"0.33 g BT /F1 24 Tf %d 24 Td (%d) Tj ET" % (width - 60, number),
            ]
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] " % (width, height)
            + b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % index + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    out.write(trailer % (len(objects) + 1, xref))
    return out.getvalue()
