"""An editor uploads a meeting's recording, makes a clip of it, and a citizen opens the
clip's share page. Every page visited is checked with axe-core."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from samskab.accounts.roles import Role
from samskab.recordings.tests import media
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import MeetingFactory, user_with_role
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def test_an_editor_uploads_a_recording_and_shares_a_clip(page, live_server, tmp_path):
    meeting = MeetingFactory(
        title="Byrådsmøde", starts_at=datetime(2025, 3, 4, 16, tzinfo=UTC), status="ended"
    )
    video = media.pattern_mp4(tmp_path / "byraadsmoede.mp4", seconds=10)
    log_in(page, live_server, user_with_role(Role.EDITOR))

    page.goto(f"/moeder/{meeting.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Recording: upload, hide, remove parts").click()
    page.wait_for_url(re.compile(rf"/moeder/{meeting.pk}/optagelse/$"))
    assert_accessible(page)

    page.get_by_label("Recording (MP4, MOV or MKV)").set_input_files(str(video))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload", exact=True).click()
    assert page.get_by_text("ready for the player since").is_visible()
    assert_accessible(page)
    meeting.refresh_from_db()
    assert meeting.video_kind == Meeting.VideoKind.UPLOAD

    # (The meeting page with its player is checked in test_webcasts.py.)
    page.get_by_role("link", name="Make a clip").first.click()
    page.wait_for_url(re.compile(rf"/moeder/{meeting.pk}/klip/ny/"))
    assert_accessible(page)
    page.get_by_label("Title").fill("Borgmesterens velkomst")
    page.get_by_label("From").fill("0:00:02")
    page.get_by_label("To").fill("0:00:06")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the clip").click()
    page.wait_for_url(re.compile(rf"/moeder/{meeting.pk}/klip/\d+/$"))
    clip_url = page.url

    # A citizen (a fresh browser without the editor's session) opens the shared link.
    page.context.clear_cookies()
    page.goto(clip_url)
    assert page.get_by_role("heading", name="Borgmesterens velkomst").is_visible()
    page.wait_for_function("() => document.querySelector('#clip-video').readyState >= 1")
    assert page.get_by_role("link", name="Download the clip (MP4)").is_visible()
    assert_accessible(page)
