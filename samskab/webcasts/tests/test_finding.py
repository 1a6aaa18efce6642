"""The archive search can be found, and the embed code fits any page."""

import pytest
from django.urls import reverse

from samskab.webcasts.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db
SEARCH = "/moeder/soeg/"


def test_the_header_links_to_the_archive_search_on_every_page(client):
    for url in ("/", reverse("webcasts:meeting_list"), "/privatliv/"):
        header = client.get(url).content.decode().split("</header>")[0]
        assert f'href="{SEARCH}"' in header


def test_the_meetings_list_has_a_search_box(client):
    page = client.get(reverse("webcasts:meeting_list")).content.decode()
    form = page.split('class="meeting-search"')[1].split("</form>")[0]
    assert f'action="{SEARCH}"' in form and 'name="q"' in form and 'class="form-label"' in form


def test_each_meeting_page_links_to_the_search(client):
    meeting = MeetingFactory(is_published=True)
    main = client.get(meeting.get_absolute_url()).content.decode().split("<main")[1]
    assert f'<a href="{SEARCH}">' in main


def test_the_embed_code_is_responsive_in_three_sizes(client):
    meeting = MeetingFactory(is_published=True)
    page = client.get(meeting.get_absolute_url()).content.decode()
    codes = page.split('class="embed-code"')[1].split("</details>")[0]
    assert codes.count("<textarea") == 3
    for width in (960, 640, 480):
        assert f"max-width:{width}px;aspect-ratio:960/720" in codes
    assert "width=&quot;960&quot;" not in codes  # no fixed-size iframe any more
    assert "width:100%;height:100%" in codes
