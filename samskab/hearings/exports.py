"""The case file: every hearing answer as CSV, and as one PDF with each answer followed by
its attachments in order (PDF pages as they are, pictures one a page).

The answers' pages are written with fpdf2 in DejaVu Sans (bundled in fonts/, its licence
there), so Danish letters and other scripts are kept as written (fpdf2 embeds the letters
used); the attachments' pages are added with pypdf. Built by the worker
(tasks.export_task) and written to a file.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.core.csvsafe import safe_row
from samskab.hearings.models import Answer, Process

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"


def _line(pdf, height: float, text: str) -> None:
    """A paragraph, then the next one starts at the left margin below it."""
    from fpdf.enums import XPos, YPos

    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _text(text: str) -> str:
    """Composed forms (an "å" typed as "a" and a ring is one letter in the font); control
    characters other than line breaks, which the PDF cannot show, go."""
    text = unicodedata.normalize("NFC", str(text))
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")


def _answers(process: Process):
    return process.answers.order_by("number", "pk").prefetch_related("themes")


def _attachments(answers: list[Answer]) -> dict[int, list]:
    """Each answer's attachments in the order they were added: (kind, row)."""
    from samskab.attachments.models import Document, Image

    kind = ContentType.objects.get_for_model(Answer)
    ids = [answer.pk for answer in answers]
    found: dict[int, list] = {}
    rows: list[tuple[str, Document | Image]] = [
        ("document", d) for d in Document.objects.filter(content_type=kind, object_id__in=ids)
    ]
    rows += [("image", i) for i in Image.objects.filter(content_type=kind, object_id__in=ids)]
    rows.sort(key=lambda pair: (pair[1].created_at, pair[0], pair[1].pk))
    for what, row in rows:
        found.setdefault(row.object_id, []).append((what, row))
    return found


def case_file_csv(process: Process) -> str:
    answers = list(_answers(process))
    attached = _attachments(answers)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Number"),
            _("Submitted"),
            _("Name"),
            _("On behalf of"),
            _("CVR number (MitID Erhverv)"),
            _("May be published"),
            _("Themes"),
            _("Sections"),
            _("Attachments"),
            _("Answer"),
        ]
    )
    for answer in answers:
        writer.writerow(
            safe_row(
                [
                    answer.number,
                    timezone.localtime(answer.submitted_at).strftime("%Y-%m-%d %H:%M"),
                    answer.name,
                    answer.organisation,
                    answer.organisation_cvr,
                    _("yes") if answer.consent else _("no"),
                    "; ".join(theme.name for theme in answer.themes.all()),
                    "; ".join(answer.sections),
                    "; ".join(
                        row.title if what == "document" else row.alt
                        for what, row in attached.get(answer.pk, [])
                    ),
                    answer.text,
                ]
            )
        )
    return out.getvalue()


def _new_document(process: Process):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_text(process.title))
    return pdf


def _answer_pages(process: Process, answer: Answer, files: list) -> bytes:
    """One answer's pages as a PDF of their own."""
    pdf = _new_document(process)
    _write_answer(pdf, process, answer, files)
    return bytes(pdf.output())


def _write_answer(pdf, process: Process, answer: Answer, files: list) -> None:
    """The answer from a new page on: its facts, its text, its pictures one a page."""
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    _line(pdf, 8, _text(_("Hearing answer no. %(n)d") % {"n": answer.number}))
    pdf.set_font(FONT, "", 10)
    facts = [
        process.title,
        _("Submitted: %(at)s")
        % {"at": timezone.localtime(answer.submitted_at).strftime("%d.%m.%Y %H:%M")},
    ]
    if answer.by_organisation_account:
        facts.append(
            _("Organisation: %(name)s, CVR %(cvr)s (logged in with MitID Erhverv)")
            % {"name": answer.organisation, "cvr": answer.organisation_cvr}
        )
    else:
        facts.append(_("Name: %(name)s") % {"name": answer.name})
    if answer.organisation and not answer.by_organisation_account:
        facts.append(_("On behalf of: %(name)s") % {"name": answer.organisation})
    facts.append(_("May be published: %(yes)s") % {"yes": _("yes") if answer.consent else _("no")})
    themes = ", ".join(theme.name for theme in answer.themes.all())
    if themes:
        facts.append(_("Themes: %(themes)s") % {"themes": themes})
    if answer.sections:
        facts.append(_("Sections: %(sections)s") % {"sections": ", ".join(answer.sections)})
    if files:
        names = ", ".join(row.title if what == "document" else row.alt for what, row in files)
        facts.append(_("Attachments: %(names)s") % {"names": names})
    for line in facts:
        _line(pdf, 6, _text(line))
    pdf.ln(4)
    pdf.set_font(FONT, "", 11)
    _line(pdf, 6, _text(answer.text))
    for what, row in files:
        if what != "image":
            continue
        pdf.add_page()
        pdf.set_font(FONT, "", 10)
        _line(pdf, 6, _text(_("Attachment: %(name)s") % {"name": row.alt}))
        with row.file.open("rb") as handle:
            pdf.image(io.BytesIO(handle.read()), w=pdf.epw)


def case_file_pdf(process: Process, *, out=None) -> tuple[bytes, int]:
    """(the PDF, the number of answers): each answer's pages, then its PDF attachments.

    All answers are written into one fpdf2 document, so the fonts are read and embedded once,
    and pypdf copies each answer's pages from it in turn with the attachments between them.
    (A document per answer, merged, read the fonts 2,000 times and grew worse than linearly:
    270 s of CPU for 2,000 answers against 2 s for 200; docs/benchmarks.md.)"""
    from pypdf import PdfReader, PdfWriter

    answers = list(_answers(process))
    attached = _attachments(answers)
    pdf = _new_document(process)
    ranges = []
    for answer in answers:
        first = pdf.page_no()
        _write_answer(pdf, process, answer, attached.get(answer.pk, []))
        ranges.append((first, pdf.page_no()))
    pages = PdfReader(io.BytesIO(bytes(pdf.output()))).pages if answers else []
    writer = PdfWriter()
    writer.add_metadata({"/Title": _text(process.title)})
    for answer, (first, last) in zip(answers, ranges, strict=True):
        for number in range(first, last):
            writer.add_page(pages[number])
        for what, row in attached.get(answer.pk, []):
            if what == "document":
                with row.file.open("rb") as handle:
                    writer.append(PdfReader(io.BytesIO(handle.read())))
    target = out or io.BytesIO()
    writer.write(target)
    writer.close()
    return (target.getvalue() if out is None else b""), len(answers)
