"""A new upload replaces the meeting's video: staff are asked first (naming the clips), and
the clips cut from the old video leave the site until staff cut them again (review
finding 19: their pages played other moments of the new upload)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.recordings import services, storage
from samskab.recordings.models import Clip, Job, Upload
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import MeetingFactory, user_with_role

pytestmark = pytest.mark.django_db

PAST = datetime(2025, 3, 4, 16, 0, tzinfo=UTC)


@pytest.fixture
def meeting():
    return MeetingFactory(starts_at=PAST, status=Meeting.Status.ENDED, is_published=True)


@pytest.fixture
def editor(client):
    user = user_with_role(Role.EDITOR)
    client.force_login(user)
    client.user = user
    return client


def send(client, meeting, path: Path, capture, **fields):
    with capture(execute=True), path.open("rb") as file:
        return client.post(
            reverse("recordings:upload", args=[meeting.pk]),
            {"file": SimpleUploadedFile(path.name, file.read()), **fields},
            follow=True,
        )


def test_replacing_the_video_is_refused_until_staff_tick_that_it_replaces_it(editor, meeting):
    folder = storage.masters_folder(meeting.pk)
    folder.mkdir(parents=True)
    (folder / "master.mp4").write_bytes(b"the live recording")
    Clip.objects.create(meeting=meeting, start_ms=0, end_ms=5000, title="Svar")

    page = editor.get(reverse("recordings:recording", args=[meeting.pk])).content.decode()
    assert 'name="replace"' in page and "1 clip made from it goes off the site" in page
    answer = editor.post(
        reverse("recordings:upload", args=[meeting.pk]),
        {"file": SimpleUploadedFile("ny.mp4", b"not looked at")},
        follow=True,
    )
    assert "Tick that the upload replaces it" in answer.content.decode()
    assert not Upload.objects.exists()


def test_a_first_upload_asks_nothing(editor, meeting):
    page = editor.get(reverse("recordings:recording", args=[meeting.pk])).content.decode()
    assert 'name="replace"' not in page


def test_removing_a_range_and_hiding_ask_first(editor, meeting):
    folder = storage.masters_folder(meeting.pk)
    folder.mkdir(parents=True)
    (folder / "master.mp4").write_bytes(b"video")
    page = editor.get(reverse("recordings:recording", args=[meeting.pk])).content.decode()
    assert 'data-confirm="Remove the range for good?' in page
    assert 'data-confirm="Hide the recording?' in page
    assert "samskab/recordings/recording.js" in page


def test_clips_of_the_replaced_video_leave_the_site_until_staff_cut_them_again(
    editor, client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    send(editor, meeting, pattern_video, capture)
    with capture(execute=True):
        clip = services.clip_create(
            meeting=meeting, start_ms=2000, end_ms=6000, title="Svar", by=editor.user
        )
    mp4 = storage.clip_mp4_path(meeting.pk, clip.pk)
    assert Clip.objects.get(pk=clip.pk).mp4_status == Job.DONE and mp4.is_file()

    send(editor, meeting, pattern_video, capture, replace="1")

    clip.refresh_from_db()
    assert Upload.objects.filter(meeting=meeting, status=Job.DONE).count() == 2
    assert clip.video_replaced_at is not None and not mp4.exists()
    staff_page = editor.get(clip.get_absolute_url()).content.decode()
    assert "The meeting's video was replaced on" in staff_page
    assert reverse("recordings:clip_recut", args=[meeting.pk, clip.pk]) in staff_page
    recording = editor.get(reverse("recordings:recording", args=[meeting.pk])).content.decode()
    assert "made from a replaced video" in recording
    editor.logout()
    public = client.get(clip.get_absolute_url()).content.decode()
    assert "The recording is not available at the moment." in public
    assert "The meeting's video was replaced" not in public
    for name in ("clip_playlist", "clip_download"):
        assert (
            client.get(reverse(f"recordings:{name}", args=[meeting.pk, clip.pk])).status_code == 404
        )

    editor.force_login(editor.user)
    with capture(execute=True):
        editor.post(
            reverse("recordings:clip_recut", args=[meeting.pk, clip.pk]),
            {"start": "0:00:03", "end": "0:00:07"},
        )
    clip.refresh_from_db()
    assert (clip.video_replaced_at, clip.start_ms, clip.end_ms) == (None, 3000, 7000)
    assert clip.mp4_status == Job.DONE and mp4.is_file()
    editor.logout()
    assert (
        client.get(reverse("recordings:clip_playlist", args=[meeting.pk, clip.pk])).status_code
        == 200
    )


def test_a_citizen_cannot_cut_a_clip_again(client, meeting):
    clip = Clip.objects.create(meeting=meeting, start_ms=0, end_ms=5000, title="Svar")
    client.force_login(user_with_role(None))
    answer = client.post(
        reverse("recordings:clip_recut", args=[meeting.pk, clip.pk]),
        {"start": "0:00:00", "end": "0:00:05"},
    )
    assert answer.status_code == 403
