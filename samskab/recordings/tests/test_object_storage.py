"""The archive with media on object storage (MEDIA_STORAGE=s3) against moto's S3 server on
loopback, with real ffmpeg: packaging, serving, hiding, clips, pictures, retention.

Tasks run at once (the immediate backend in tests), after the request's transaction.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from samskab.core import objectstore
from samskab.media.commands import hls_segments
from samskab.recordings import services, storage
from samskab.recordings.models import Clip, Job, Retention, RetentionPolicy, Upload
from samskab.recordings.tests.test_real_parts import packaged, seconds_of
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import media_folder
from samskab.webcasts.tests.factories import MeetingFactory

# Files on S3 (moto's server); the database only keeps the rows, so once (conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_pass]

PAST = datetime(2025, 3, 4, 16, 0, tzinfo=UTC)


@pytest.fixture
def meeting():
    return MeetingFactory(starts_at=PAST, status=Meeting.Status.ENDED)


@pytest.fixture
def editor_client(client):
    from samskab.accounts.roles import Role
    from samskab.webcasts.tests.factories import user_with_role

    client.force_login(user_with_role(Role.EDITOR))
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def unsigned_get(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=5).status  # noqa: S310 - loopback
    except urllib.error.HTTPError as error:
        return error.code


def test_an_upload_is_packaged_into_the_bucket_and_served_through_the_app(
    s3_media, editor_client, client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    prefix = f"media/webcasts/{meeting.pk}/"
    keys = s3_media.listed(prefix=prefix)
    assert f"{prefix}index.m3u8" in keys and f"{prefix}segment00000.ts" in keys
    assert f"{prefix}thumbnails/0.jpg" in keys
    # The original went to the private bucket; nothing was left in incoming there or here.
    private = s3_media.listed(s3_media.private_bucket)
    assert private == [f"private/masters/{meeting.pk}/master.mp4"]
    assert not list(storage.incoming_folder().iterdir())
    # The worker's local copies were dropped (the playlist stays as a small cache for
    # the pictures): the bucket is the one copy.
    assert not list(media_folder(meeting.pk).rglob("*.ts"))
    assert not list(media_folder(meeting.pk).rglob("*.jpg"))
    # Cache headers are stored with the objects (for a CDN or nginx's cache).
    assert s3_media.head(f"{prefix}segment00000.ts")["CacheControl"] == (
        "public, max-age=604800, immutable"
    )
    assert s3_media.head(f"{prefix}index.m3u8")["CacheControl"] == "no-cache"
    assert s3_media.head(f"{prefix}index.m3u8")["ContentType"] == "application/vnd.apple.mpegurl"
    # A citizen's player gets the playlist and segments from the site's own address.
    playlist = client.get(f"/media/webcasts/{meeting.pk}/index.m3u8")
    assert playlist.status_code == 200 and playlist["Cache-Control"] == "no-cache"
    segments = hls_segments(body_of(playlist).decode())
    assert len(segments) == 3
    segment = client.get(f"/media/webcasts/{meeting.pk}/{segments[0].uri}")
    assert segment.status_code == 200 and segment["Content-Type"] == "video/mp2t"
    data = body_of(segment)
    assert data[:1] == b"\x47" and int(segment["Content-Length"]) == len(data)
    # The bucket itself answers nobody without a signature.
    assert unsigned_get(f"{s3_media.endpoint}/{s3_media.bucket}/{prefix}index.m3u8") == 403


def test_with_nginx_the_app_hands_over_a_signed_address_nginx_can_fetch(
    s3_media, editor_client, client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    with override_settings(MEDIA_ACCEL_REDIRECT="/internal-s3/"):
        response = client.get(f"/media/webcasts/{meeting.pk}/segment00001.ts")
    assert response.status_code == 200 and response.content == b""
    assert response["Cache-Control"] == "public, max-age=604800, immutable"
    accel = response["X-Accel-Redirect"]
    key = f"/{s3_media.bucket}/media/webcasts/{meeting.pk}/segment00001.ts?"
    assert accel.startswith("/internal-s3" + key)
    # What nginx's internal location does: the same path and query, sent to the store.
    fetched = urllib.request.urlopen(s3_media.endpoint + accel.removeprefix("/internal-s3"))  # noqa: S310
    assert fetched.status == 200 and fetched.read()[:1] == b"\x47"


def test_hiding_moves_the_files_to_the_private_bucket_where_no_address_reaches_them(
    s3_media, editor_client, client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    segment_url = f"/media/webcasts/{meeting.pk}/segment00000.ts"
    assert client.get(segment_url).status_code == 200
    # A signed address handed out before the hide (nginx's, or one copied from a log).
    signed = objectstore.signed_url(media_folder(meeting.pk) / "segment00000.ts")
    assert unsigned_get(signed) == 200
    response = editor_client.post(reverse("recordings:hide", args=[meeting.pk]))
    assert response.status_code in (200, 302)
    assert client.get(segment_url).status_code == 404
    assert s3_media.listed(prefix=f"media/webcasts/{meeting.pk}/") == []
    hidden = s3_media.listed(s3_media.private_bucket, prefix=f"private/hidden/{meeting.pk}/")
    assert f"private/hidden/{meeting.pk}/segment00000.ts" in hidden
    assert unsigned_get(signed) == 404  # the object is gone from the media bucket
    editor_client.post(reverse("recordings:show", args=[meeting.pk]))
    assert client.get(segment_url).status_code == 200
    assert s3_media.listed(s3_media.private_bucket, prefix="private/hidden/") == []
    assert s3_media.head(f"media/webcasts/{meeting.pk}/segment00000.ts")["CacheControl"] == (
        "public, max-age=604800, immutable"
    )


def test_a_clip_is_cut_from_the_stored_master_and_downloads(
    s3_media, editor_client, client, meeting, pattern_video, django_capture_on_commit_callbacks,
    tmp_path,
):  # fmt: skip
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    assert not storage.masters_folder(meeting.pk).exists()  # only in the private bucket
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("recordings:clip_new", args=[meeting.pk]),
            {"title": "Svar", "start": "0:00:02.5", "end": "0:00:08"},
        )
    clip = Clip.objects.get(meeting=meeting)
    assert clip.mp4_status == Job.DONE
    key = f"media/webcasts/{meeting.pk}/clips/{clip.pk}.mp4"
    assert key in s3_media.listed(prefix=f"media/webcasts/{meeting.pk}/clips/")
    assert not list(storage.masters_folder(meeting.pk).iterdir())  # the fetched copy went
    download = client.get(reverse("recordings:clip_download", args=[meeting.pk, clip.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="klip-{clip.pk}.mp4"'
    saved = tmp_path / "clip.mp4"
    saved.write_bytes(body_of(download))
    assert abs(seconds_of(saved) - 5.5) <= 0.5
    playlist = client.get(reverse("recordings:clip_playlist", args=[meeting.pk, clip.pk]))
    assert playlist.status_code == 200


def test_a_share_picture_is_made_from_one_fetched_segment_and_kept_in_the_bucket(
    s3_media, editor_client, client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    url = reverse("webcasts:meeting_thumbnail", args=[meeting.pk, 7])
    response = client.get(url)
    picture = body_of(response)
    assert response.status_code == 200 and picture[:2] == b"\xff\xd8"
    assert f"media/webcasts/{meeting.pk}/thumbnails/5.jpg" in s3_media.listed()
    # No segment stayed behind on the web host.
    assert not list(media_folder(meeting.pk).glob("*.ts"))
    again = client.get(url)
    assert again.status_code == 200 and body_of(again) == picture


def test_retention_deletes_the_objects(
    s3_media, editor_client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    RetentionPolicy.objects.create(body=meeting.body, mode=Retention.DAYS, days=0)
    assert [m.pk for m in services.retention_due()] == [meeting.pk]
    call_command("retention")
    assert s3_media.listed(prefix=f"media/webcasts/{meeting.pk}/") == []
    assert s3_media.listed(s3_media.private_bucket) == []
    assert services.retention_due() == []


def test_a_retry_finds_the_upload_in_the_bucket_from_another_host(
    s3_media, editor_client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    """The web host keeps no copy of an accepted upload: the worker fetches it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pattern_video.open("rb") as file:
        upload = services.upload_accept(
            meeting=meeting, file=SimpleUploadedFile("m.mp4", file.read()), by=None
        )
    staged = storage.incoming_folder() / upload.staged_path.rsplit("/", 1)[-1]
    assert not staged.exists()
    assert f"private/incoming/{staged.name}" in s3_media.listed(s3_media.private_bucket)
    services.upload_package(Upload.objects.get(pk=upload.pk))
    assert Upload.objects.get(pk=upload.pk).status == Job.DONE
    assert s3_media.listed(s3_media.private_bucket, prefix="private/incoming/") == []


def test_an_unreachable_store_refuses_the_hide_and_changes_nothing(
    s3_media, settings, editor_client, client, meeting, pattern_video,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    stores = dict(settings.STORAGES)
    stores["private"] = {
        **stores["private"],
        "OPTIONS": {**stores["private"]["OPTIONS"], "bucket_name": "no-such-bucket"},
    }
    settings.STORAGES = stores
    response = editor_client.post(reverse("recordings:hide", args=[meeting.pk]), follow=True)
    assert "could not be moved, so nothing was changed" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.video_kind == Meeting.VideoKind.UPLOAD
    assert client.get(f"/media/webcasts/{meeting.pk}/segment00000.ts").status_code == 200
