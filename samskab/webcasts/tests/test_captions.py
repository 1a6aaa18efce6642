"""Uploading captions: a good file is stored with its text; a broken one changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from samskab.accounts.roles import Role
from samskab.webcasts.models import Captions
from samskab.webcasts.services import captions_upload
from samskab.webcasts.tests.factories import MeetingFactory, user_with_role

pytestmark = pytest.mark.django_db

GOOD = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Anna>Velkommen til byr\xc3\xa5det.</v>\n"
BROKEN = (
    b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nGod\n\n"
    b"00:00:04.000 -> 00:00:05.000\nD\xc3\xa5rlig\n"  # line 6: "->" is not an arrow
)


def upload(data: bytes, name: str = "da.vtt"):
    return SimpleUploadedFile(name, data, content_type="text/vtt")


@pytest.fixture
def editor():
    return user_with_role(Role.EDITOR)


def test_a_good_file_is_stored_with_its_plain_text_for_search(editor):
    meeting = MeetingFactory()
    captions = captions_upload(meeting=meeting, language="da", file=upload(GOOD), by=editor)
    assert captions.text == "Velkommen til byrådet."
    assert captions.vtt.read() == GOOD


def test_a_new_upload_replaces_the_captions_in_that_language(editor):
    meeting = MeetingFactory()
    first = captions_upload(meeting=meeting, language="da", file=upload(GOOD), by=editor)
    newer = GOOD.replace(b"Velkommen", b"Goddag")
    second = captions_upload(meeting=meeting, language="da", file=upload(newer), by=editor)
    assert second.pk == first.pk
    assert Captions.objects.get(pk=first.pk).text == "Goddag til byrådet."
    assert Captions.objects.count() == 1


def test_a_file_with_broken_cues_is_refused_with_line_numbers_and_nothing_changes(editor):
    meeting = MeetingFactory()
    captions_upload(meeting=meeting, language="da", file=upload(GOOD), by=editor)
    with pytest.raises(ValidationError) as refused:
        captions_upload(meeting=meeting, language="da", file=upload(BROKEN), by=editor)
    messages = refused.value.messages
    assert "not valid WebVTT" in messages[0]
    assert any(message.startswith("Line 6:") for message in messages)
    assert Captions.objects.get().text == "Velkommen til byrådet."


def test_a_file_that_is_not_webvtt_at_all_is_refused(editor):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError, match="not UTF-8"):
        captions_upload(
            meeting=meeting, language="da", file=upload(b"\x89PNG\r\n\x1a\n"), by=editor
        )
    with pytest.raises(ValidationError, match="must start with the line"):
        captions_upload(meeting=meeting, language="da", file=upload(b"1\nHej\n"), by=editor)
    assert not Captions.objects.exists()


def test_an_oversized_file_is_refused(editor):
    big = GOOD + b"\n" + b"00:00:04.000 --> 00:00:05.000\n" + b"x" * (6 * 1024 * 1024) + b"\n"
    with pytest.raises(ValidationError, match="too large"):
        captions_upload(meeting=MeetingFactory(), language="da", file=upload(big), by=editor)
    assert not Captions.objects.exists()


def test_an_unknown_language_is_refused(editor):
    with pytest.raises(ValidationError, match="Unknown language"):
        captions_upload(meeting=MeetingFactory(), language="xx", file=upload(GOOD), by=editor)
