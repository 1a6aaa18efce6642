"""The meeting page (W5): the player, the agenda index with jumps, live state and CSP."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.player import parse_t
from samskab.webcasts.tests.factories import (
    AgendaItemFactory,
    CaptionsFactory,
    MeetingFactory,
    PersonFactory,
    live_meeting,
    mark,
)
from samskab.webcasts.tests.ui_helpers import archive_meeting, index_rebuilt, staff

Kind = TimelineMark.Kind


def page(client, meeting, **query):
    return client.get(reverse("webcasts:meeting", kwargs={"pk": meeting.pk}), query)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("754", 754),
        ("12:34", 754),
        ("1:02:03", 3723),
        ("1h2m3s", 3723),
        ("90s", 90),
        ("", None),
        ("abc", None),
        ("-5", None),
        ("999999999", None),
    ],
)
def test_t_is_read_as_seconds_a_clock_or_units(value, seconds):
    assert parse_t(value) == seconds


@pytest.mark.django_db
def test_the_archive_lists_the_agenda_with_jump_links_and_speakers(client):
    meeting = archive_meeting()
    budget = AgendaItemFactory(meeting=meeting, number="1", title="Budget 2031")
    school = AgendaItemFactory(meeting=meeting, number="2", title="Skolestruktur")
    mayor = PersonFactory(name="Anne Borgmester", party="Venstre", role="Borgmester")
    mark(meeting, Kind.ITEM, 10_000, agenda_item=budget)
    mark(meeting, Kind.SPEAKER, 12_500, person=mayor)
    mark(meeting, Kind.ITEM, 125_000, agenda_item=school)
    mark(meeting, Kind.MEETING_END, 300_000)
    index_rebuilt(meeting)

    response = page(client, meeting)

    html = response.content.decode()
    assert response.status_code == 200
    url = meeting.get_absolute_url()
    assert f'href="{url}?t=10" data-offset="10000"' in html
    assert f'href="{url}?t=125" data-offset="125000"' in html
    assert f'href="{url}?t=12" data-offset="12500"' in html
    assert "Anne Borgmester" in html
    assert "Budget 2031" in html
    assert 'kind="chapters"' in html
    assert reverse("webcasts:chapters_vtt", kwargs={"pk": meeting.pk}) in html


@pytest.mark.django_db
def test_a_closed_item_shows_as_closed_without_link_or_speakers(client):
    meeting = archive_meeting()
    closed = AgendaItemFactory(meeting=meeting, number="7", title="Personsag", is_public=False)
    someone = PersonFactory(name="Hemmelig Taler")
    mark(meeting, Kind.ITEM, 10_000, agenda_item=closed)
    mark(meeting, Kind.SPEAKER, 11_000, person=someone)
    index_rebuilt(meeting)

    html = page(client, meeting).content.decode()

    assert "Personsag" not in html  # the title too may name a person (review M3)
    assert "Closed item" in html
    assert "?t=10" not in html
    assert "Hemmelig Taler" not in html


@pytest.mark.django_db
def test_t_opens_the_player_at_that_moment_and_names_it(client):
    meeting = archive_meeting()
    item = AgendaItemFactory(meeting=meeting, number="3", title="Cykelstier")
    speaker = PersonFactory(name="Bo Cyklist", party="Alternativet", role="Udvalgsformand")
    mark(meeting, Kind.ITEM, 60_000, agenda_item=item)
    mark(meeting, Kind.SPEAKER, 61_000, person=speaker)
    index_rebuilt(meeting)

    html = page(client, meeting, t="90").content.decode()

    assert 'data-start="90"' in html
    assert "index.m3u8#t=90" in html  # the browser's own HLS starts there without script
    assert "<strong>Bo Cyklist</strong> (Alternativet), Udvalgsformand" in html
    assert 'class="agenda-item is-current' in html


@pytest.mark.django_db
def test_a_live_meeting_shows_the_current_item_and_speaker_and_subscribes(client):
    meeting = live_meeting(
        video_kind=Meeting.VideoKind.HLS, video_url="https://v.example.org/l.m3u8"
    )
    item = AgendaItemFactory(meeting=meeting, number="4", title="Havnebad")
    speaker = PersonFactory(name="Cecilie Taler", party="SF", role="Medlem")
    mark(meeting, Kind.ITEM, 5_000, agenda_item=item)
    mark(meeting, Kind.SPEAKER, 6_000, person=speaker)

    html = page(client, meeting).content.decode()

    assert f'data-live-channel="meeting:{meeting.pk}"' in html
    assert "samskab/live.js" in html
    assert "Cecilie Taler" in html
    assert "4. Havnebad" in html
    assert "badge-live" in html


@pytest.mark.django_db
def test_captions_are_offered_as_tracks(client):
    meeting = archive_meeting()
    CaptionsFactory(meeting=meeting, language="da")

    html = page(client, meeting).content.decode()

    assert 'kind="captions"' in html
    assert 'srclang="da"' in html


@pytest.mark.django_db
def test_an_unpublished_meeting_is_not_found_for_the_public_but_seen_by_editors(client):
    meeting = archive_meeting(is_published=False)

    assert page(client, meeting).status_code == 404
    client.force_login(staff(Role.EDITOR))
    assert page(client, meeting).status_code == 200


@pytest.mark.django_db
def test_youtube_is_loaded_only_after_consent_and_only_its_frames_are_allowed(client):
    meeting = MeetingFactory(
        status=Meeting.Status.ENDED,
        video_kind=Meeting.VideoKind.YOUTUBE,
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )

    response = page(client, meeting)
    html = response.content.decode()

    assert "<iframe" not in html
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    policy = response["Content-Security-Policy"]
    assert "frame-src 'self' https://www.youtube-nocookie.com" in policy
    assert "facebook" not in policy


@pytest.mark.django_db
def test_pages_with_our_own_video_allow_no_third_party_frames(client):
    meeting = archive_meeting()

    policy = page(client, meeting)["Content-Security-Policy"]

    frames = next(part for part in policy.split(";") if "frame-src" in part)
    # Only the click-to-load video embeds of comments (live blog) may frame anything else.
    assert set(frames.split()[1:]) <= {
        "'self'",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    }
    assert "facebook" not in policy
    # The external HLS host is allowed for fetching and playing, nothing more.
    assert "connect-src 'self' https://video.example.org" in policy


@pytest.mark.django_db
def test_the_text_page_has_the_same_index_with_links_into_the_video(client):
    meeting = archive_meeting()
    item = AgendaItemFactory(meeting=meeting, number="1", title="Klimaplan")
    speaker = PersonFactory(name="Dorte Debattør", party="Enhedslisten")
    mark(meeting, Kind.ITEM, 30_000, agenda_item=item)
    mark(meeting, Kind.SPEAKER, 31_000, person=speaker)
    index_rebuilt(meeting)

    response = client.get(reverse("webcasts:meeting_text", kwargs={"pk": meeting.pk}))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<video" not in html
    assert f"{meeting.get_absolute_url()}?t=31" in html
    assert "Dorte Debattør (Enhedslisten)" in html


@pytest.mark.django_db
def test_the_meeting_page_takes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    meeting = archive_meeting()
    people = PersonFactory.create_batch(20)
    items = AgendaItemFactory.create_batch(60, meeting=meeting)
    offset = 1_000
    turns = 0
    for item in items:
        mark(meeting, Kind.ITEM, offset, agenda_item=item)
        offset += 1_000
        for _turn in range(7 if turns < 400 - 7 else 400 - turns):
            mark(meeting, Kind.SPEAKER, offset, person=people[turns % 20])
            offset += 1_000
            turns += 1
    mark(meeting, Kind.MEETING_END, offset)
    index_rebuilt(meeting)
    assert meeting.speaker_turns.count() == 400

    # A first view reads everything (the meeting's documents too) and 3 for the dialogue
    # includes (vox pops, surveys, feedback recipients), 1 for whether the site counts
    # statistics (stats, cached in the process for seconds), and 1 each for what other apps
    # link to the meeting (core.backlinks: the proposals on its agenda, and where else it is
    # live, social); later views of the same version read only the meeting
    # (test_a_second_render_is_served_from_the_cache...).
    with django_assert_max_num_queries(19):
        response = page(client, meeting, t="100")

    assert response.status_code == 200
    assert len(re.findall(r'class="speaker-turn" data-start="\d', response.content.decode())) == 400


# --- the cached index follows every change ---


@pytest.mark.django_db
def test_a_second_render_is_served_from_the_cache_with_fewer_queries(client):
    meeting = archive_meeting()
    item = AgendaItemFactory(meeting=meeting, number="1", title="Budget")
    mark(meeting, Kind.ITEM, 1_000, agenda_item=item)
    mark(meeting, Kind.SPEAKER, 2_000, person=PersonFactory(name="Ane Hansen"))
    index_rebuilt(meeting)
    with CaptureQueriesContext(connection) as first_render:
        first = page(client, meeting).content.decode()

    # The meeting, then the dialogue boxes, which change without the index: open vox pops,
    # surveys and feedback recipients; and the proposals on its agenda and where else it is
    # live (core.backlinks: proposals, social). Six; once in six CI runs (stop 35, the SQLite
    # pass, six workers on two cores) a seventh was counted that no run here reproduced, so
    # the bound allows one more and a failure names every query.
    with CaptureQueriesContext(connection) as second_render:
        second = page(client, meeting).content.decode()
    asked = [query["sql"][:200] for query in second_render.captured_queries]
    assert len(asked) <= 7, "\n".join(asked)
    assert len(asked) < len(first_render.captured_queries) - 3, "\n".join(asked)

    def agenda(html):
        return re.search(r'<nav class="agenda".*?</nav>', html, re.S)[0]

    assert "Ane Hansen" in agenda(second)
    assert agenda(second) == agenda(first)


@pytest.mark.django_db
def test_edits_show_on_the_next_render_of_the_meeting_page(client):
    from samskab.webcasts.services import mark_correct
    from samskab.webcasts.slides import slide_deck_render

    meeting = archive_meeting()
    editor = staff(Role.EDITOR)
    item = AgendaItemFactory(meeting=meeting, number="1", title="Budget")
    speaker = PersonFactory(name="Ane Hansen", party="Venstre")
    mark(meeting, Kind.ITEM, 10_000, agenda_item=item)
    spoken = mark(meeting, Kind.SPEAKER, 20_000, person=speaker)
    index_rebuilt(meeting)
    assert 'data-offset="20000"' in page(client, meeting).content.decode()

    mark_correct(mark=spoken, offset_ms=65_000, by=editor)  # the timeline editor's move
    html = page(client, meeting).content.decode()
    assert 'data-offset="65000"' in html and 'data-offset="20000"' not in html

    item.title = "Budget 2031, andenbehandling"  # renamed in the admin
    item.save()
    assert "Budget 2031, andenbehandling" in page(client, meeting).content.decode()

    speaker.party = "Moderaterne"
    speaker.save()
    assert "(Moderaterne)" in page(client, meeting).content.decode()

    later = AgendaItemFactory(meeting=meeting, number="2", title="Eventuelt")
    assert "Eventuelt" in page(client, meeting).content.decode()
    later.delete()
    assert "Eventuelt" not in page(client, meeting).content.decode()

    CaptionsFactory(meeting=meeting, language="da")
    assert 'kind="captions"' in page(client, meeting).content.decode()

    from django.core.files.base import ContentFile

    from samskab.webcasts.models import SlideDeck
    from samskab.webcasts.slides import sample_deck_pdf

    deck = SlideDeck.objects.create(
        agenda_item=item,
        title="Tal",
        pdf=ContentFile(sample_deck_pdf(title="T", pages=["a"]), "t.pdf"),
    )
    assert "Tal <span" in page(client, meeting).content.decode()
    slide_deck_render(deck=deck)
    assert "1 page" in page(client, meeting).content.decode()


@pytest.mark.django_db
def test_a_live_meeting_shows_each_new_mark_on_the_next_render(client):
    from datetime import timedelta

    from django.utils import timezone

    from samskab.webcasts.services import mark_add, mark_undo

    meeting = live_meeting(
        started=timezone.now() - timedelta(minutes=5),
        video_kind=Meeting.VideoKind.HLS,
        video_url="https://v.example.org/l.m3u8",
    )
    operator = staff(Role.OPERATOR)
    first = AgendaItemFactory(meeting=meeting, number="1", title="Havnebad")
    second = AgendaItemFactory(meeting=meeting, number="2", title="Skolestruktur")
    mark_add(meeting=meeting, kind=Kind.ITEM, agenda_item=first, by=operator)
    assert re.search(
        rf'is-current[^>]*data-item="{first.pk}"', page(client, meeting).content.decode()
    )

    mark_add(meeting=meeting, kind=Kind.ITEM, agenda_item=second, by=operator)
    html = page(client, meeting).content.decode()
    assert re.search(rf'is-current[^>]*data-item="{second.pk}"', html)
    assert "2. Skolestruktur" in html

    mark_add(meeting=meeting, kind=Kind.SPEAKER, person=PersonFactory(name="Bo Taler"), by=operator)
    assert "Bo Taler" in page(client, meeting).content.decode()
    mark_undo(meeting=meeting, by=operator)
    assert "Bo Taler" not in page(client, meeting).content.decode()


@pytest.mark.django_db
def test_the_meeting_page_offers_the_meeting_s_documents(client):
    from samskab.webcasts.tests.factories import DocumentFactory

    meeting = archive_meeting()
    DocumentFactory(meeting=meeting, title="Dagsorden (PDF)", url="https://example.org/d.pdf")
    html = page(client, meeting).content.decode()
    assert '<a href="https://example.org/d.pdf">Dagsorden (PDF)</a>' in html

    DocumentFactory(meeting=meeting, title="Bilag 2", url="https://example.org/b2.pdf")
    assert "Bilag 2" in page(client, meeting).content.decode()  # a new version at once
