"""Hearing answers: submitted with attachments before the deadline, published only with
consent, tagged and answered by staff, exported as CSV and as one PDF for the case file."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.attachments.models import Document, Image
from samskab.hearings import exports, services
from samskab.hearings.models import Answer, Export
from samskab.hearings.tests.factories import DRAFT, ProcessFactory, in_phase, pdf_bytes

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def process():
    return in_phase(ProcessFactory(title="Lokalplan 12 for Åparken"), "hearing")


def test_an_organisation_submits_an_answer_with_attachments(client, process):
    client.force_login(UserFactory())
    page = client.post(
        reverse("hearings:answer_new", args=[process.pk]),
        {
            "name": "Karen Holm",
            "organisation": "Grundejerforeningen Åparken",
            "text": "Vi ønsker at bevare stien.",
            "consent": "on",
            "files": [
                SimpleUploadedFile("indsigelse.pdf", pdf_bytes("Indsigelse"), "application/pdf"),
                SimpleUploadedFile("foto.png", _png(), "image/png"),
            ],
        },
    )
    assert page.status_code == 302
    answer = Answer.objects.get()
    assert answer.shown_name == "Grundejerforeningen Åparken (Karen Holm)" and answer.number == 1
    assert Document.objects.get().title == "indsigelse.pdf" and Image.objects.count() == 1
    client.logout()
    public = client.get(reverse("hearings:answers", args=[process.pk]))
    assert "Grundejerforeningen Åparken (Karen Holm)" in public.text
    assert answer.author.email not in public.text


def test_an_answer_without_consent_is_not_published(client, process):
    services.answer_submit(
        process=process, user=UserFactory(), name="Privat", text="Hemmeligt", consent=False
    )
    assert "Hemmeligt" not in client.get(reverse("hearings:answers", args=[process.pk])).text


def test_after_the_deadline_an_answer_is_refused(process):
    in_phase(process, "result")
    with pytest.raises(services.HearingRefused, match="not open"):
        services.answer_submit(
            process=process, user=UserFactory(), name="Sen", text="For sent", consent=True
        )
    assert not Answer.objects.exists()


def test_an_attachment_that_is_neither_pdf_nor_picture_saves_nothing(process):
    files = [
        SimpleUploadedFile("ok.pdf", pdf_bytes(), "application/pdf"),
        SimpleUploadedFile("virus.exe", b"MZ\x90\x00 not a picture", "application/octet-stream"),
    ]
    with pytest.raises(services.HearingRefused, match="neither a PDF nor a picture"):
        services.answer_submit(
            process=process, user=UserFactory(), name="A", text="B", consent=True, files=files
        )
    assert not Answer.objects.exists() and not Document.objects.exists()


def test_staff_tag_answer_and_export_the_case_file(client, process):
    editor = StaffFactory(role=Role.EDITOR)
    services.version_publish(process=process, user=editor, markdown=DRAFT)
    answer = services.answer_submit(
        process=process,
        user=UserFactory(),
        name="Karen Holm",
        organisation="Grundejerforeningen",
        text="Bevar stien langs åen.",
        consent=True,
        files=[SimpleUploadedFile("bilag.pdf", pdf_bytes("Bilag side"), "application/pdf")],
    )
    staff_sign_in(client, editor)
    client.post(reverse("hearings:theme_add", args=[process.pk]), {"name": "Stier"})
    theme = process.themes.get()
    client.post(
        reverse("hearings:answer_tag", args=[answer.pk]),
        {f"a{answer.pk}-themes": [theme.pk], f"a{answer.pk}-sections": ["p1", "bogus"]},
    )
    client.post(
        reverse("hearings:theme_respond", args=[theme.pk]),
        {f"t{theme.pk}-response": "Stien bevares."},
    )
    answer.refresh_from_db()
    theme.refresh_from_db()
    assert list(answer.themes.all()) == [theme] and answer.sections == ["p1"]
    assert theme.response == "Stien bevares."
    casework = client.get(reverse("hearings:casework", args=[process.pk]))
    assert casework.status_code == 200 and "Bevar stien" in casework.text
    csv_text = client.get(reverse("hearings:export_csv", args=[process.pk])).content.decode()
    assert "Grundejerforeningen" in csv_text and "Stier" in csv_text and "bilag.pdf" in csv_text
    # The PDF is built by the task (immediate in tests) and downloaded by staff.
    client.post(reverse("hearings:export_pdf", args=[process.pk]))
    export = Export.objects.get()
    if export.state == Export.State.WAITING:  # on_commit does not run inside a test transaction
        services.export_build(export_id=export.pk)
        export.refresh_from_db()
    assert export.state == Export.State.DONE and export.answers == 1
    download = client.get(reverse("hearings:export_download", args=[export.pk]))
    data = b"".join(download.streaming_content)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Høringssvar nr. 1" in text or "Hearing answer no. 1" in text
    assert "Grundejerforeningen" in text and "Bilag side" in text
    assert len(reader.pages) == 2


def test_a_citizen_cannot_open_the_casework(client, process):
    client.force_login(UserFactory())
    assert client.get(reverse("hearings:casework", args=[process.pk])).status_code == 403
    assert client.get(reverse("hearings:export_csv", args=[process.pk])).status_code == 403


WRITTEN = [
    "Blåbærgrød på Ærø og Østerbro – “tak”…",  # Danish letters and typography
    "Łódź, Škoda, Ğümüş",  # Polish, Czech, Turkish
    "Καλημέρα κόσμε",  # Greek
    "Привет, мир",  # Cyrillic
]


def test_the_pdf_keeps_danish_letters_and_other_scripts_as_written(process):
    from pypdf import PdfReader

    services.answer_submit(
        process=process,
        user=UserFactory(),
        name="Søren Ærøbo",
        text="\n".join(WRITTEN),
        consent=True,
    )
    data, count = exports.case_file_pdf(process)
    assert data.startswith(b"%PDF") and count == 1
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for line in [*WRITTEN, "Søren Ærøbo"]:
        assert line in text, line
    # The font is embedded (a reader without DejaVu sees the same letters).
    assert b"DejaVuSans" in data


def test_the_pdf_survives_emoji_and_control_characters(process):
    services.answer_submit(
        process=process, user=UserFactory(), name="Zoë", text="Emoji 🌳 ok\x07", consent=True
    )
    data, count = exports.case_file_pdf(process)
    assert data.startswith(b"%PDF") and count == 1


def test_staff_filter_the_answers_by_section_on_either_database(client, process):
    """The section filter (jsonb containment on PostgreSQL, read in Python on SQLite)."""
    from samskab.hearings import selectors

    first, second, untagged = (
        services.answer_submit(
            process=process, user=UserFactory(), name=name, text=f"Svar fra {name}", consent=True
        )
        for name in ("Anna", "Bo", "Carl")
    )
    Answer.objects.filter(pk=first.pk).update(sections=["p1", "p3"])
    Answer.objects.filter(pk=second.pk).update(sections=["p3"])
    assert list(selectors.answers_for_staff(process, section="p1")) == [first]
    assert list(selectors.answers_for_staff(process, section="p3")) == [first, second]
    assert list(selectors.answers_for_staff(process, section="p9")) == []
    assert len(selectors.answers_for_staff(process)) == 3
    assert untagged.sections == []


def _organisation_account():
    from samskab.accounts import services as account_services

    user = UserFactory(display_name="Dorte Demo")
    return account_services.account_set_organisation(
        user=user, cvr="12345678", name="Grundejerforeningen Søbakken"
    )


def test_an_organisation_login_answers_in_the_organisations_name(client, process):
    user = _organisation_account()
    client.force_login(user)
    form = client.get(reverse("hearings:answer_new", args=[process.pk]))
    assert "Grundejerforeningen Søbakken" in form.text and 'name="name"' not in form.text

    client.post(
        reverse("hearings:answer_new", args=[process.pk]),
        # A typed name is ignored: the organisation answers, the person stays private.
        {"name": "Dorte Demo", "text": "Vi ønsker stien bevaret.", "consent": "on"},
    )

    answer = Answer.objects.get()
    assert answer.author == user
    assert (answer.name, answer.organisation, answer.organisation_cvr) == (
        "Grundejerforeningen Søbakken",
        "Grundejerforeningen Søbakken",
        "12345678",
    )
    client.logout()
    public = client.get(reverse("hearings:answers", args=[process.pk])).text
    assert "Grundejerforeningen Søbakken" in public
    assert "Dorte" not in public and user.email not in public
    api = client.get(f"/api/v1/hearings/{process.pk}/answers").json()
    assert api["items"][0]["organisation_cvr"] == "12345678"
    assert "Dorte" not in json.dumps(api)


def test_the_case_file_shows_the_organisation_and_its_cvr_not_the_person(client, process):
    user = _organisation_account()
    answer = services.answer_submit(
        process=process, user=user, name="Dorte Demo", text="Bevar stien.", consent=False
    )
    csv_text = exports.case_file_csv(process)
    assert "12345678" in csv_text and "Dorte" not in csv_text
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    casework = client.get(reverse("hearings:casework", args=[process.pk])).text
    assert "Grundejerforeningen Søbakken (CVR 12345678)" in casework and "Dorte" not in casework
    pdf = exports._answer_pages(process, answer, [])
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "CVR 12345678" in text and "Dorte" not in text


def test_a_person_may_still_state_an_organisation_which_is_marked_as_stated(process):
    answer = services.answer_submit(
        process=process,
        user=UserFactory(),
        name="Karen Holm",
        organisation="Grundejerforeningen Åparken",
        text="Bevar stien.",
        consent=True,
    )
    assert not answer.by_organisation_account
    assert answer.case_file_name == "Grundejerforeningen Åparken (Karen Holm)"


def test_the_case_file_csv_neutralises_cells_that_start_like_a_formula(process):
    services.answer_submit(
        process=process, user=UserFactory(), name='=HYPERLINK("x")', text="=cmd()", consent=True
    )
    rows = list(csv.reader(io.StringIO(exports.case_file_csv(process))))
    assert rows[1][2] == '\'=HYPERLINK("x")' and rows[1][-1] == "'=cmd()"


def test_the_case_file_puts_each_answers_pdf_attachments_right_after_its_pages(process):
    """All answers are written as one document and pages copied out of it (exports): the
    order must still be answer 1, its attachments, answer 2, its attachments."""
    from pypdf import PdfReader

    for name, words in (("Anna", "Bilag fra Anna"), ("Bo", None), ("Carl", "Bilag fra Carl")):
        files = [SimpleUploadedFile("b.pdf", pdf_bytes(words), "application/pdf")] if words else []
        services.answer_submit(
            process=process, user=UserFactory(), name=name, text=f"Svar fra {name}",
            consent=True, files=files,
        )  # fmt: skip
    data, count = exports.case_file_pdf(process)
    assert count == 3
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    marks = ["Svar fra Anna", "Bilag fra Anna", "Svar fra Bo", "Svar fra Carl", "Bilag fra Carl"]
    assert [next(m for m in marks if m in text) for text in texts] == marks
    assert data.count(b"/FontFile2") <= 2  # the two fonts embedded once, not per answer
