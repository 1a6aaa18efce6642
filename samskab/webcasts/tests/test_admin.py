"""The admin for meetings, agendas and people, by role; the two-step agenda import."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samskab.accounts.roles import Role
from samskab.webcasts.models import AgendaItem, Captions, Meeting, TimelineMark
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    MeetingFactory,
    PersonFactory,
    mark,
    user_with_role,
)

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/webcasts/meeting/"


def logged_in(client, role):
    user = user_with_role(role)
    client.force_login(user)
    return user


def test_an_editor_lists_meetings_filtered_by_body_and_searched_by_agenda_text(client):
    logged_in(client, Role.EDITOR)
    school = BodyFactory(name="Børne- og Skoleudvalget")
    MeetingFactory(body=school, title="Skolemøde")
    other = MeetingFactory(title="Trafikmøde")
    AgendaItemFactory(meeting=other, title="Cykelsti på Ringvejen")
    text = client.get(CHANGELIST, {"body__id__exact": school.pk}).content.decode()
    assert "Skolemøde" in text and "Trafikmøde" not in text
    text = client.get(CHANGELIST, {"q": "cykelsti"}).content.decode()
    assert "Trafikmøde" in text and "Skolemøde" not in text
    assert client.get(CHANGELIST, {"status__exact": "planned"}).status_code == 200


def test_the_meeting_page_has_agenda_and_document_inlines_and_the_import_link(client):
    logged_in(client, Role.EDITOR)
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, title="Godkendelse af dagsorden")
    text = client.get(f"{CHANGELIST}{meeting.pk}/change/").content.decode()
    assert "Godkendelse af dagsorden" in text
    assert "documents-TOTAL_FORMS" in text
    assert f"/admin/webcasts/meeting/{meeting.pk}/import-agenda/" in text


def test_an_editor_adds_a_person(client):
    logged_in(client, Role.EDITOR)
    response = client.post(
        "/admin/webcasts/person/add/",
        {
            "name": "Anna Hansen",
            "slug": "anna-hansen",
            "kind": "politician",
            "party": "Venstre",
            "consent_to_name": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert (
        client.get("/admin/webcasts/person/", {"q": "Venstre"})
        .content.decode()
        .count("Anna Hansen")
    )


def test_an_operator_may_read_meetings_but_not_change_them(client):
    logged_in(client, Role.OPERATOR)
    meeting = MeetingFactory(title="Byrådsmøde")
    assert "Byrådsmøde" in client.get(CHANGELIST).content.decode()
    response = client.post(f"{CHANGELIST}{meeting.pk}/change/", {"title": "Ændret"})
    assert response.status_code == 403
    assert client.get("/admin/webcasts/body/").status_code == 403


def test_a_citizen_is_kept_out_of_the_admin(client):
    client.force_login(user_with_role(None))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_roles_carry_the_webcasts_permissions():
    editor = user_with_role(Role.EDITOR)
    operator = user_with_role(Role.OPERATOR)
    assert editor.has_perm("webcasts.add_meeting")
    assert editor.has_perm("webcasts.delete_agendaitem")
    assert editor.has_perm("webcasts.change_timelinemark")
    assert not editor.has_perm("webcasts.add_timelinemark")
    assert operator.has_perm("webcasts.add_timelinemark")
    assert operator.has_perm("webcasts.view_person")
    assert not operator.has_perm("webcasts.change_meeting")
    assert user_with_role(Role.ADMINISTRATOR).has_perm("api.add_apitoken")


# --- the agenda import ---


def import_url(meeting):
    return f"{CHANGELIST}{meeting.pk}/import-agenda/"


def upload(client, meeting, data: bytes, name="dagsorden.csv"):
    return client.post(import_url(meeting), {"file": SimpleUploadedFile(name, data)})


def payload_of(response) -> str:
    return re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)


def test_the_import_previews_then_creates_only_on_confirmation(client):
    logged_in(client, Role.EDITOR)
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, number="1", title="Gammel titel")
    data = "number;title;description;public\n1;Ny titel;;ja\n2;Budget;;nej\n2;Igen;;\n3;;;\n"
    preview = upload(client, meeting, data.encode())
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "The number 2 is used already in row 3." in text
    assert "The title is empty." in text
    assert "Budget" in text and "Gammel titel" in text
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Gammel titel"]

    done = client.post(import_url(meeting), {"payload": payload_of(preview), "confirm": "1"})
    assert done.status_code == 302
    assert list(meeting.agenda_items.values_list("number", "title", "is_public")) == [
        ("1", "Ny titel", True),
        ("2", "Budget", False),
    ]


def test_a_csv_injection_cell_is_shown_escaped_and_stored_as_text(client):
    logged_in(client, Role.EDITOR)
    meeting = MeetingFactory()
    data = b'number;title\n1;=HYPERLINK("http://evil")<script>x</script>\n'
    preview = upload(client, meeting, data)
    assert "<script>x</script>" not in preview.content.decode()
    assert "&lt;script&gt;" in preview.content.decode()
    client.post(import_url(meeting), {"payload": payload_of(preview), "confirm": "1"})
    assert AgendaItem.objects.get().title == '=HYPERLINK("http://evil")<script>x</script>'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{broken", "not valid JSON"),
        (b'{"something": 1}', "neither an"),
        (b"x" * (10 * 1024 * 1024), "too large"),
    ],
)
def test_a_bad_file_is_refused_on_the_upload_page(client, data, message):
    logged_in(client, Role.EDITOR)
    meeting = MeetingFactory()
    response = upload(client, meeting, data, name="dagsorden.json")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_an_altered_preview_is_refused(client):
    logged_in(client, Role.EDITOR)
    meeting = MeetingFactory()
    preview = upload(client, meeting, b"number;title\n1;Et\n")
    response = client.post(
        import_url(meeting), {"payload": payload_of(preview) + "x", "confirm": "1"}
    )
    assert "altered" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_a_preview_of_one_meeting_cannot_be_confirmed_on_another(client):
    logged_in(client, Role.EDITOR)
    first, second = MeetingFactory(), MeetingFactory()
    preview = upload(client, first, b"number;title\n1;Et\n")
    client.post(import_url(second), {"payload": payload_of(preview), "confirm": "1"})
    assert not AgendaItem.objects.exists()


def test_an_operator_may_not_import_an_agenda(client):
    logged_in(client, Role.OPERATOR)
    meeting = MeetingFactory()
    assert upload(client, meeting, b"number;title\n1;Et\n").status_code == 403


# --- captions and marks ---


def test_a_broken_captions_file_is_refused_in_the_admin_with_its_line(client):
    logged_in(client, Role.EDITOR)
    meeting = MeetingFactory()
    broken = b"WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nBaglaens\n"
    response = client.post(
        "/admin/webcasts/captions/add/",
        {"meeting": meeting.pk, "language": "da", "vtt": SimpleUploadedFile("da.vtt", broken)},
    )
    assert response.status_code == 200
    assert "Line 3:" in response.content.decode()
    assert not Captions.objects.exists()
    good = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nGod aften\n"
    response = client.post(
        "/admin/webcasts/captions/add/",
        {"meeting": meeting.pk, "language": "da", "vtt": SimpleUploadedFile("da.vtt", good)},
    )
    assert response.status_code == 302
    assert Captions.objects.get().text == "God aften"


def test_an_editor_corrects_a_mark_in_the_admin_and_the_turns_follow(client):
    logged_in(client, Role.EDITOR)
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED,
        duration_ms=60_000,
        recording_started_at=MeetingFactory.starts_at.function(),
    )
    speaker = mark(meeting, TimelineMark.Kind.SPEAKER, 1000, person=PersonFactory())
    mark(meeting, TimelineMark.Kind.MEETING_END, 50_000)
    url = f"/admin/webcasts/timelinemark/{speaker.pk}/change/"
    response = client.post(url, {"offset_ms": "70000"})
    assert response.status_code == 200
    assert "between the start and the end" in response.content.decode()
    assert client.post(url, {"offset_ms": "2000"}).status_code == 302
    assert list(meeting.speaker_turns.values_list("start_ms", "end_ms")) == [(2000, 50_000)]


# --- slide decks added in the admin: the same check and rendering as the slides page ---


def test_an_editor_adds_a_slide_deck_in_the_admin_and_its_pages_are_rendered(
    client, django_capture_on_commit_callbacks
):
    from samskab.webcasts.models import SlideDeck
    from samskab.webcasts.tests.pdfs import pdf_file

    logged_in(client, Role.EDITOR)
    item = AgendaItemFactory()
    pdf = SimpleUploadedFile("plan.pdf", pdf_file(pages=3), content_type="application/pdf")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/webcasts/slidedeck/add/",
            {
                "agenda_item": item.pk,
                "title": "Trafikplan",
                "pdf": pdf,
                "slides-TOTAL_FORMS": "0",
                "slides-INITIAL_FORMS": "0",
            },
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    deck = SlideDeck.objects.get()
    assert deck.page_count == 3
    assert list(deck.slides.values_list("number", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 an executable, not a PDF", "The file is not a PDF"),
        ("encrypted", "protected with a password or encryption"),
    ],
)
def test_the_admin_refuses_a_slide_deck_that_is_not_a_pdf_or_is_encrypted(
    client, django_capture_on_commit_callbacks, data, message
):
    from samskab.webcasts.models import Slide, SlideDeck
    from samskab.webcasts.tests.pdfs import pdf_file

    logged_in(client, Role.EDITOR)
    item = AgendaItemFactory()
    if data == "encrypted":
        data = pdf_file(user_password="secret")
    pdf = SimpleUploadedFile("plan.pdf", data, content_type="application/pdf")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/admin/webcasts/slidedeck/add/",
            {
                "agenda_item": item.pk,
                "title": "Trafikplan",
                "pdf": pdf,
                "slides-TOTAL_FORMS": "0",
                "slides-INITIAL_FORMS": "0",
            },
        )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SlideDeck.objects.exists() and not Slide.objects.exists()
    assert callbacks == []
