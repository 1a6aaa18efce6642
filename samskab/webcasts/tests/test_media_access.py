"""A meeting's files under /media/ are served only to whoever may see them (review M3, M4).

Every test writes real files into MEDIA_ROOT and fetches them at the addresses the player,
the pages and the review used.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from samskab.accounts.roles import Role
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import media_folder
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    CaptionsFactory,
    DocumentFactory,
    MeetingFactory,
    SlideDeckFactory,
    SlideFactory,
)
from samskab.webcasts.tests.ui_helpers import staff

pytestmark = pytest.mark.django_db

PLAYLIST = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:4.0,\nsegment003.ts\n"
SEGMENT = b"G" + bytes(187)  # one MPEG-TS packet
PICTURE = b"\xff\xd8\xff\xe0 a picture"


def video_on_disk(meeting: Meeting) -> list[str]:
    """A package as the ingest writes it; the addresses of its files."""
    folder = media_folder(meeting.pk)
    (folder / "thumbnails").mkdir(parents=True)
    (folder / "index.m3u8").write_bytes(PLAYLIST)
    (folder / "segment003.ts").write_bytes(SEGMENT)
    (folder / "thumbnails" / "10.jpg").write_bytes(PICTURE)
    return [
        f"/media/webcasts/{meeting.pk}/index.m3u8",
        f"/media/webcasts/{meeting.pk}/segment003.ts",
        f"/media/webcasts/{meeting.pk}/thumbnails/10.jpg",
    ]


def papers_on_disk(meeting: Meeting, *, public_item: bool = True) -> list[str]:
    """A document, a slide deck and a page picture of an item, and captions."""
    item = AgendaItemFactory(meeting=meeting, is_public=public_item)
    document = DocumentFactory(meeting=meeting, agenda_item=item, url="")
    document.file.save("koebstilbud-havnevej.pdf", ContentFile(b"%PDF-1.4 tilbud"))
    deck = SlideDeckFactory(agenda_item=item)
    slide = SlideFactory(deck=deck)
    slide.image.save(f"deck{deck.pk}-1.jpg", ContentFile(PICTURE))
    captions = CaptionsFactory(meeting=meeting)
    return [document.file.url, deck.pdf.url, slide.image.url, captions.vtt.url]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_published_meetings_video_is_served_with_its_cache_rules(client):
    meeting = MeetingFactory(video_kind=Meeting.VideoKind.UPLOAD)
    playlist, segment, picture = video_on_disk(meeting)

    response = client.get(playlist)
    assert response.status_code == 200
    assert body(response) == PLAYLIST
    assert response["Cache-Control"] == "no-cache"
    response = client.get(segment)
    assert body(response) == SEGMENT
    assert response["Cache-Control"] == "public, max-age=604800, immutable"
    assert body(client.get(picture)) == PICTURE


def test_an_unpublished_meetings_files_are_not_found(client):
    meeting = MeetingFactory(video_kind=Meeting.VideoKind.UPLOAD, is_published=False)
    addresses = video_on_disk(meeting) + papers_on_disk(meeting)

    for address in addresses:
        assert client.get(address).status_code == 404, address


def test_a_live_ingest_of_a_meeting_not_yet_published_cannot_be_watched_by_its_id(client):
    meeting = MeetingFactory(
        status=Meeting.Status.LIVE, video_kind=Meeting.VideoKind.UPLOAD, is_published=False
    )
    playlist, segment, _picture = video_on_disk(meeting)

    assert client.get(playlist).status_code == 404
    assert client.get(segment).status_code == 404
    # The operator testing the stream sees it, and no cache keeps it.
    client.force_login(staff(Role.OPERATOR))
    response = client.get(playlist)
    assert body(response) == PLAYLIST
    assert response["Cache-Control"] == "private, no-store"


def test_a_meeting_published_again_is_served_again(client):
    meeting = MeetingFactory(video_kind=Meeting.VideoKind.UPLOAD)
    addresses = video_on_disk(meeting) + papers_on_disk(meeting)
    meeting.is_published = False
    meeting.save()
    assert all(client.get(address).status_code == 404 for address in addresses)

    meeting.is_published = True
    meeting.save()
    assert all(client.get(address).status_code == 200 for address in addresses)


def test_a_closed_items_documents_and_slides_are_for_staff_only(client):
    meeting = MeetingFactory()
    document, deck_pdf, page, captions = papers_on_disk(meeting, public_item=False)

    for address in (document, deck_pdf, page):
        assert client.get(address).status_code == 404, address
    assert client.get(captions).status_code == 200  # the meeting's, not the item's

    client.force_login(staff(None))  # signed in, but no staff role
    assert client.get(document).status_code == 404
    client.force_login(staff(Role.EDITOR))
    for address in (document, deck_pdf, page):
        response = client.get(address)
        assert response.status_code == 200, address
        assert response["Cache-Control"] == "private, no-store"


def test_a_public_items_documents_and_slides_are_public(client):
    meeting = MeetingFactory()
    for address in papers_on_disk(meeting):
        assert client.get(address).status_code == 200, address


def test_the_ingest_master_is_never_served(client):
    meeting = MeetingFactory()
    (media_folder(meeting.pk)).mkdir(parents=True)
    (media_folder(meeting.pk) / "recording.mkv").write_bytes(b"master")
    client.force_login(staff(Role.ADMINISTRATOR))

    assert client.get(f"/media/webcasts/{meeting.pk}/recording.mkv").status_code == 404


def test_a_file_that_no_meeting_owns_is_not_served(client):
    stray = Path(settings.MEDIA_ROOT) / "documents" / "2026" / "stray.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF-1.4")

    assert client.get("/media/documents/2026/stray.pdf").status_code == 404
    assert client.get("/media/webcasts/999/index.m3u8").status_code == 404


def test_a_path_that_climbs_out_of_a_published_meeting_is_refused(client):
    hidden = MeetingFactory(is_published=False)
    document = papers_on_disk(hidden)[0]
    published = MeetingFactory()
    video_on_disk(published)
    relative = document.removeprefix("/media/")

    climbing = f"/media/webcasts/{published.pk}/../../{relative}"
    assert client.get(climbing).status_code == 404
    assert client.get(f"/media/webcasts/{published.pk}/./index.m3u8").status_code == 404


def test_behind_nginx_the_app_checks_and_nginx_sends_the_file(client, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/internal-media/"
    meeting = MeetingFactory(video_kind=Meeting.VideoKind.UPLOAD)
    playlist, segment, _picture = video_on_disk(meeting)

    response = client.get(segment)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/internal-media/webcasts/{meeting.pk}/segment003.ts"
    assert response["Cache-Control"] == "public, max-age=604800, immutable"
    assert response["Content-Type"] == "video/mp2t"  # nginx keeps the app's type
    assert response.content == b""
    assert client.get(playlist)["Content-Type"] == "application/vnd.apple.mpegurl"

    meeting.is_published = False
    meeting.save()
    response = client.get(playlist)
    assert response.status_code == 404
    assert not response.has_header("X-Accel-Redirect")
