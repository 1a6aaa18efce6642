"""Hearings to test with: a process in a given phase, a draft, a .docx made in memory."""

# ruff: noqa: E501  (the parts of a Word document are long XML lines)

import io
import zipfile
from datetime import timedelta
from xml.sax.saxutils import escape

import factory
from django.utils import timezone

from samskab.hearings.models import Phase, Process

DRAFT = """# Lokalplan 12 for Åparken

Lokalplanen fastlægger områdets anvendelse og bebyggelse.

## § 1. Formål

Formålet er at sikre grønne områder langs åen. Området skal være åbent for alle.

Stk. 2. Stier skal forbinde parken med byen.

## § 2. Bebyggelse

Bygninger må højst være 8,5 meter høje. Tage skal være røde.

Stk. 2. Der må ikke opføres carporte.

## § 3. Ubebyggede arealer

Træer over 20 cm i diameter skal bevares.
"""


class ProcessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Process

    title = factory.Sequence(lambda n: f"Lokalplan {n}")
    summary = "Om parken."
    summary_html = "<p>Om parken.</p>"
    is_published = True


def in_phase(process: Process, kind: str | None) -> Process:
    """Give the process all five phases, the one named open now (None: before them all)."""
    now = timezone.now()
    order = [k.value for k in Phase.ORDER]
    current = order.index(kind) if kind else -1
    for i, each in enumerate(order):
        offset = i - current
        if kind is None:
            offset = i + 1
        starts = now + timedelta(days=10 * offset) - timedelta(days=1)
        ends = None if each == "result" else starts + timedelta(days=10)
        Phase.objects.update_or_create(
            process=process, kind=each, defaults={"starts_at": starts, "ends_at": ends}
        )
    return process


def docx_bytes(paragraphs: list[tuple[str, str]]) -> bytes:
    """A minimal Word document: (style, text) pairs, style "Heading1" or "" for a paragraph."""
    body = "".join(
        "<w:p>"
        + (f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else "")
        + f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
        for style, text in paragraphs
    )
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:styles {ns}>'
        + "".join(
            f'<w:style w:type="paragraph" w:styleId="Heading{n}"><w:name w:val="heading {n}"/></w:style>'
            for n in (1, 2)
        )
        + "</w:styles>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        archive.writestr("word/styles.xml", styles)
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>',
        )
    return out.getvalue()


def pdf_bytes(text: str = "Bilag") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())
