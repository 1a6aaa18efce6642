"""Archive search: by words, council, dates and speaker; every hit links to its moment."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samskab.webcasts.models import Meeting, Person, TimelineMark
from samskab.webcasts.search import archive_search, snippet
from samskab.webcasts.services import captions_upload, speaker_turns_rebuild
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    MeetingFactory,
    PersonFactory,
    SlideFactory,
    mark,
)

pytestmark = pytest.mark.django_db
Kind = TimelineMark.Kind

CUES = """WEBVTT

00:00:10.000 --> 00:00:14.000
Velkommen til mødet.

00:01:05.000 --> 00:01:09.000
Vi skal tale om skolerne i Vestbyen og deres økonomi.

00:02:05.000 --> 00:02:09.000
Prisen på grunden er fortrolig.
"""


@pytest.fixture
def archive():
    """A recorded council meeting: two items (the second closed), two speakers, captions."""
    council = BodyFactory(name="Byrådet", slug="byraadet")
    meeting = MeetingFactory(
        body=council,
        title="Byrådsmøde marts",
        starts_at=datetime(2030, 3, 4, 16, tzinfo=UTC),
        status=Meeting.Status.ENDED,
        recording_started_at=datetime(2030, 3, 4, 16, tzinfo=UTC),
        duration_ms=200_000,
    )
    schools = AgendaItemFactory(
        meeting=meeting, number="1", title="Skolestruktur", description="Lukning af skoler"
    )
    land = AgendaItemFactory(meeting=meeting, number="2", title="Grundsalg", is_public=False)
    anna = PersonFactory(name="Anna Hansen", slug="anna-hansen", party="Venstre")
    bo = PersonFactory(name="Bo Berg", slug="bo-berg", party="SF")
    slide = SlideFactory(deck__agenda_item=schools, text="Elevtal i Vestbyen 2020-2030")
    mark(meeting, Kind.ITEM, 30_000, agenda_item=schools)
    mark(meeting, Kind.SPEAKER, 60_000, person=anna)
    mark(meeting, Kind.SLIDE, 70_000, slide=slide)
    mark(meeting, Kind.SPEAKER, 90_000, person=bo)
    mark(meeting, Kind.ITEM, 120_000, agenda_item=land)
    mark(meeting, Kind.SPEAKER, 121_000, person=bo)
    mark(meeting, Kind.MEETING_END, 180_000)
    speaker_turns_rebuild(meeting=meeting)
    captions_upload(
        meeting=meeting,
        language="da",
        file=SimpleUploadedFile("da.vtt", CUES.encode()),
        by=None,
    )
    return {"meeting": meeting, "council": council, "anna": anna, "bo": bo, "schools": schools}


def kinds_and_moments(hits):
    return [(hit.kind, hit.offset_ms) for hit in hits]


def test_words_find_agenda_items_and_what_was_said_at_their_moment(archive):
    hits = archive_search(q="skole")
    assert (("agenda", 30_000)) in kinds_and_moments(hits)
    said = next(hit for hit in hits if hit.kind == "captions")
    assert said.offset_ms == 65_000
    assert said.agenda_item == archive["schools"]
    assert said.url == f"/moeder/{archive['meeting'].pk}/?t=65"
    assert "skolerne" in said.snippet


def test_a_speakers_name_finds_their_turns_outside_closed_items(archive):
    hits = archive_search(q="Bo Berg")
    assert kinds_and_moments(hits) == [("speaker", 90_000)]
    assert hits[0].person == archive["bo"]


def test_a_speaker_alone_lists_their_turns(archive):
    hits = archive_search(speaker=archive["anna"])
    assert kinds_and_moments(hits) == [("speaker", 60_000)]


def test_words_with_a_speaker_find_only_what_was_said_while_they_spoke(archive):
    assert [hit.kind for hit in archive_search(q="skolerne", speaker=archive["anna"])] == [
        "agenda",
        "captions",
    ]
    assert [h.kind for h in archive_search(q="skolerne", speaker=archive["bo"])] == ["agenda"]


def test_slide_text_is_found_at_the_moment_the_slide_was_shown(archive):
    hits = [hit for hit in archive_search(q="elevtal") if hit.kind == "slide"]
    assert kinds_and_moments(hits) == [("slide", 70_000)]


def test_nothing_from_a_closed_item_is_found(archive):
    assert archive_search(q="Grundsalg") == []
    assert archive_search(q="fortrolig") == []


def test_what_was_said_in_a_closed_item_before_anyone_was_marked_is_not_found(archive):
    cue = "WEBVTT\n\n00:02:00.200 --> 00:02:00.900\nKøbesummen er fire millioner.\n"
    captions_upload(
        meeting=archive["meeting"],
        language="en",
        file=SimpleUploadedFile("en.vtt", cue.encode()),
        by=None,
    )

    assert archive_search(q="Købesummen") == []
    assert archive_search(q="skolerne")  # what was said in a public item still is


def test_the_council_and_dates_narrow_the_search(archive):
    other = BodyFactory(slug="andet")
    assert archive_search(q="skole", body=other) == []
    assert archive_search(q="skole", body=archive["council"])
    assert archive_search(q="skole", date_from=date(2030, 3, 5)) == []
    assert archive_search(q="skole", date_to=date(2030, 3, 3)) == []
    assert archive_search(q="skole", date_from=date(2030, 3, 4), date_to=date(2030, 3, 4))


def test_planned_and_unpublished_meetings_are_not_searched(archive):
    MeetingFactory(title="Skolemøde kommer")
    MeetingFactory(title="Skolemøde skjult", status=Meeting.Status.ENDED, is_published=False)
    titles = {hit.meeting.title for hit in archive_search(q="skolemøde")}
    assert titles == set()


def test_citizens_without_consent_are_not_found_by_name(archive):
    citizen = PersonFactory(name="Karen Borger", kind=Person.Kind.CITIZEN, consent_to_name=False)
    mark(archive["meeting"], Kind.SPEAKER, 100_000, person=citizen)
    speaker_turns_rebuild(meeting=archive["meeting"])
    assert archive_search(q="Karen") == []


def test_an_empty_search_finds_nothing():
    assert archive_search(q="   ") == []


def test_hostile_search_text_is_just_text(archive):
    for text in ["'; DROP TABLE webcasts_meeting; --", "skole & | ! (", '"""', "%_%", "a" * 5000]:
        archive_search(q=text)  # no error
    assert Meeting.objects.exists()


def test_a_snippet_is_cut_around_the_word_at_word_boundaries():
    text = " ".join(["fyld"] * 60) + " her er skolerne nævnt " + " ".join(["mere"] * 60)
    cut = snippet(text, ["skole"])
    assert "skolerne" in cut
    assert cut.startswith("…") and cut.endswith("…")
    assert len(cut) < 200


# --- the page ---


def test_the_search_page_shows_hits_linking_to_the_moment(client, archive):
    response = client.get("/moeder/soeg/", {"q": "skolerne", "body": "byraadet"})
    assert response.status_code == 200
    text = response.content.decode()
    assert f'href="/moeder/{archive["meeting"].pk}/?t=65"' in text
    assert "Byrådsmøde marts" in text


def test_the_search_page_without_a_query_shows_only_the_form(client):
    text = client.get("/moeder/soeg/").content.decode()
    assert '<form class="archive-search"' in text
    assert "search-hit" not in text and "Nothing was found" not in text


def test_the_search_page_refuses_dates_in_the_wrong_order(client, archive):
    response = client.get(
        "/moeder/soeg/", {"q": "skole", "date_from": "2030-03-05", "date_to": "2030-03-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_htmx_gets_only_the_results(client, archive):
    response = client.get("/moeder/soeg/", {"q": "skole"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "search-hit" in response.content.decode()


def test_the_words_on_a_rendered_deck_are_found_at_the_moment_the_page_was_shown():
    """The text comes out of the PDF when it is rendered (pypdfium2), not typed in by hand;
    the demo's deck is made the same way, so its slides are searchable too."""
    from samskab.webcasts.models import SlideDeck
    from samskab.webcasts.slides import sample_deck_pdf, slide_deck_render

    meeting = MeetingFactory(
        status=Meeting.Status.ENDED,
        recording_started_at=datetime(2030, 3, 4, 16, tzinfo=UTC),
        duration_ms=200_000,
    )
    item = AgendaItemFactory(meeting=meeting, number="3", title="Skolestruktur 2031")
    pdf = sample_deck_pdf(title="Skolestruktur", pages=["2 matrikler", "Én skole på Østervej"])
    deck = SlideDeck.objects.create(
        agenda_item=item, title="Oplæg", pdf=SimpleUploadedFile("oplaeg.pdf", pdf)
    )
    slide_deck_render(deck=deck)
    second = deck.slides.get(number=2)
    assert "Østervej" in second.text
    mark(meeting, Kind.ITEM, 80_000, agenda_item=item)
    mark(meeting, Kind.SLIDE, 112_000, slide=second)

    hits = [hit for hit in archive_search(q="Østervej") if hit.kind == "slide"]
    assert [(hit.offset_ms, hit.meeting) for hit in hits] == [(112_000, meeting)]
