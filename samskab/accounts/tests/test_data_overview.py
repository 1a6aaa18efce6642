"""The data export as a page a person can read: every section of the download, in words."""

import pytest
from django.contrib.contenttypes.models import ContentType

from samskab.accounts.dataview import label, node
from samskab.accounts.tests.factories import UserFactory
from samskab.comments.models import Comment
from samskab.webcasts.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

PAGE = "/konto/mine-data/oversigt/"


def test_the_page_shows_the_account_and_a_comment_with_its_page_and_link(client):
    user = UserFactory(display_name="Karen Holm")
    meeting = MeetingFactory(title="Byrådsmøde 3. marts")
    Comment.objects.create(
        author=user,
        content_type=ContentType.objects.get_for_model(meeting),
        object_id=meeting.pk,
        body="Tak for et godt møde.",
    )
    client.force_login(user)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Din konto" in page and "Karen Holm" in page
    assert "Tak for et godt møde." in page and "Byrådsmøde 3. marts" in page
    assert f"{meeting.get_absolute_url()}#comment-" in page  # a link to the comment itself
    assert 'href="/konto/mine-data/"' in page  # the same data as a file
    assert "webcasts.meeting:" in page  # the internal reference is kept, named as such


def test_the_page_is_only_for_the_person_logged_in(client):
    assert client.get(PAGE).status_code == 302


def test_values_are_laid_out_for_reading():
    assert node(True).text in {"Yes", "Ja"}
    assert node(None).empty and node([]).empty
    entries = node([{"title": "A", "url": "https://example.org/a"}, {"title": "B"}])
    first, second = entries.items
    assert first.rows[1][1].href == "https://example.org/a"
    assert [key for key, _value in second.rows] == [label("title")]
    assert node("2026-03-03T18:00:00+01:00").text != "2026-03-03T18:00:00+01:00"
    assert label("some_new_key") == "Some new key"
