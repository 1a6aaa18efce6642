"""Share from this point (W6): the link at a moment, the share targets and link previews."""

from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.urls import reverse

from samskab.webcasts import thumbnails
from samskab.webcasts.media_demo import demo_video_make
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory, PersonFactory, mark
from samskab.webcasts.tests.ui_helpers import archive_meeting, index_rebuilt

Kind = TimelineMark.Kind


class MetaTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.tags[key] = values.get("content", "")


def meta(html: str) -> dict[str, str]:
    parser = MetaTags()
    parser.feed(html)
    return parser.tags


def debate(meeting):
    """Item 5 from 60 s, Hanne speaking from 65 s, Ib from 120 s, end at 300 s."""
    item = AgendaItemFactory(meeting=meeting, number="5", title="Ny skole i Vestbyen")
    hanne = PersonFactory(name="Hanne Hansen", party="Socialdemokratiet", role="Borgmester")
    ib = PersonFactory(name="Ib Iversen", party="Venstre", role="Byrådsmedlem")
    mark(meeting, Kind.ITEM, 60_000, agenda_item=item)
    mark(meeting, Kind.SPEAKER, 65_000, person=hanne)
    mark(meeting, Kind.SPEAKER, 120_000, person=ib)
    mark(meeting, Kind.MEETING_END, 300_000)
    index_rebuilt(meeting)
    return item, hanne, ib


@pytest.mark.django_db
def test_a_shared_moment_names_the_speaker_and_item_in_link_previews(client):
    meeting = archive_meeting(title="Byrådsmøde marts")
    debate(meeting)

    response = client.get(meeting.get_absolute_url(), {"t": "130"})
    tags = meta(response.content.decode())

    expected = "Ib Iversen (Venstre) on Ny skole i Vestbyen \u2013 Byrådsmøde marts"
    assert tags["og:title"] == expected
    assert tags["twitter:title"] == expected
    assert tags["og:url"] == f"http://testserver{meeting.get_absolute_url()}?t=130"
    assert "Byrådsmedlem" in tags["og:description"]
    assert "Agenda item 5: Ny skole i Vestbyen" in tags["og:description"]
    assert tags["og:type"] == "video.other"


@pytest.mark.django_db
def test_without_a_moment_the_preview_names_the_meeting(client):
    meeting = archive_meeting(title="Økonomiudvalget")
    debate(meeting)

    tags = meta(client.get(meeting.get_absolute_url()).content.decode())

    assert tags["og:title"] == "Økonomiudvalget"
    assert tags["twitter:card"] == "summary"  # an external recording: no picture of ours
    assert "og:image" not in tags


@pytest.mark.django_db
def test_the_share_targets_carry_the_moment_s_link_and_text(client):
    meeting = archive_meeting(title="Møde")
    debate(meeting)

    html = client.get(meeting.get_absolute_url(), {"t": "70"}).content.decode()

    link = quote(f"http://testserver{meeting.get_absolute_url()}?t=70", safe="")
    text = quote("Hanne Hansen (Socialdemokratiet) on Ny skole i Vestbyen \u2013 Møde", safe="")
    assert f"https://www.facebook.com/sharer/sharer.php?u={link}" in html
    assert f"https://x.com/intent/post?text={text}&amp;url={link}" in html
    assert f"https://www.linkedin.com/sharing/share-offsite/?url={link}" in html
    assert f"https://bsky.app/intent/compose?text={text}%20{link}" in html
    assert f"mailto:?subject={text}&amp;body={link}" in html
    assert "data-share-mastodon" in html
    assert 'id="share-url"' in html


@pytest.mark.django_db
def test_a_closed_item_s_moment_names_no_speaker(client):
    meeting = archive_meeting(title="Møde")
    closed = AgendaItemFactory(meeting=meeting, number="9", title="Lukket punkt", is_public=False)
    mark(meeting, Kind.ITEM, 10_000, agenda_item=closed)
    mark(meeting, Kind.SPEAKER, 11_000, person=PersonFactory(name="Navn Skjult"))
    index_rebuilt(meeting)

    html = client.get(meeting.get_absolute_url(), {"t": "12"}).content.decode()

    assert "Navn Skjult" not in html


@pytest.mark.django_db
def test_a_citizen_without_consent_is_not_named(client):
    meeting = archive_meeting(title="Borgermøde")
    item = AgendaItemFactory(meeting=meeting, title="Spørgetid")
    citizen = PersonFactory(
        name="Jens Borger", kind="citizen", consent_to_name=False, party="", role=""
    )
    mark(meeting, Kind.ITEM, 10_000, agenda_item=item)
    mark(meeting, Kind.SPEAKER, 11_000, person=citizen)
    index_rebuilt(meeting)

    html = client.get(meeting.get_absolute_url(), {"t": "12"}).content.decode()

    assert "Jens Borger" not in html
    assert meta(html)["og:title"] == "A citizen on Spørgetid \u2013 Borgermøde"


@pytest.mark.django_db
def test_our_own_recording_gets_a_picture_from_that_moment(client):
    meeting = MeetingFactory(status=Meeting.Status.ENDED, title="Med video")
    demo_video_make(meeting=meeting, seconds=12)

    tags = meta(client.get(meeting.get_absolute_url(), {"t": "7"}).content.decode())

    picture = reverse("webcasts:meeting_thumbnail", kwargs={"pk": meeting.pk, "second": 5})
    assert tags["og:image"] == f"http://testserver{picture}"
    assert tags["twitter:card"] == "summary_large_image"
    response = client.get(picture)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert thumbnails.thumbnail_path(meeting, 5).is_file()  # kept for the next visitor


@pytest.mark.django_db
def test_no_picture_is_made_for_a_youtube_meeting(client):
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED,
        video_kind=Meeting.VideoKind.YOUTUBE,
        video_url="https://youtu.be/dQw4w9WgXcQ",
    )

    response = client.get(
        reverse("webcasts:meeting_thumbnail", kwargs={"pk": meeting.pk, "second": 10})
    )

    assert response.status_code == 404
    assert "og:image" not in meta(client.get(meeting.get_absolute_url()).content.decode())


@pytest.mark.django_db
def test_making_pictures_is_rate_limited(client, settings):
    meeting = MeetingFactory(status=Meeting.Status.ENDED)
    demo_video_make(meeting=meeting, seconds=12)
    settings.RATELIMIT_ENABLED = True
    picture = reverse("webcasts:meeting_thumbnail", kwargs={"pk": meeting.pk, "second": 0})

    statuses = set()
    for _attempt in range(31):
        thumbnails.thumbnail_path(meeting, 0).unlink(missing_ok=True)  # made anew each time
        statuses.add(client.get(picture).status_code)

    assert statuses == {200, 429}
