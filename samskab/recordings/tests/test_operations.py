"""The archive under a production deployment's conditions: a folder it may not write, a
rename across mounts, a worker that stops halfway, a failed job, a feed that replaces."""

from __future__ import annotations

import errno
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.core import locks, paths, worker
from samskab.recordings import engine, services, storage
from samskab.recordings.models import Job, Upload
from samskab.recordings.tests.test_real_parts import upload
from samskab.streaming import services as streaming
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.tests.factories import MeetingFactory, user_with_role

pytestmark = pytest.mark.django_db

PAST = datetime(2025, 3, 4, 16, 0, tzinfo=UTC)


@pytest.fixture
def meeting():
    return MeetingFactory(starts_at=PAST, status=Meeting.Status.ENDED)


@pytest.fixture
def editor_client(client):
    client.force_login(user_with_role(Role.EDITOR))
    return client


@pytest.fixture(autouse=True)
def _calm_worker():
    worker.hand_back.clear()
    worker.stop_requested.clear()
    yield
    worker.hand_back.clear()
    worker.stop_requested.clear()


def a_published_recording(meeting) -> Path:
    folder = media_folder(meeting.pk)
    folder.mkdir(parents=True)
    (folder / PLAYLIST).write_text("#EXTM3U\n#EXT-X-ENDLIST\n")
    (folder / "segment00000.ts").write_bytes(b"old video")
    Meeting.objects.filter(pk=meeting.pk).update(
        video_kind=Meeting.VideoKind.UPLOAD, duration_ms=12000
    )
    meeting.refresh_from_db()
    return folder


def read_only(*args, **kwargs):
    # What a unit whose ReadWritePaths leaves <private> out meets (tests may run as root,
    # whom file modes do not stop).
    raise OSError(errno.EROFS, "Read-only file system")


def test_hiding_that_cannot_move_the_files_changes_nothing(editor_client, monkeypatch, meeting):
    folder = a_published_recording(meeting)
    monkeypatch.setattr(paths.os, "rename", read_only)
    response = editor_client.post(reverse("recordings:hide", args=[meeting.pk]), follow=True)
    assert response.status_code == 200
    assert "could not be moved, so nothing was changed" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.video_kind == Meeting.VideoKind.UPLOAD  # not "hidden" in the database
    assert not services.archive_state(meeting).is_unpublished
    assert (folder / PLAYLIST).is_file()


def test_hiding_across_two_mounts_copies_and_deletes(monkeypatch, meeting):
    folder = a_published_recording(meeting)
    real_rename = os.rename

    def rename_across_mounts(source, target):
        if str(source).endswith(".partial"):
            return real_rename(source, target)  # the copy's own rename, inside one mount
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(paths.os, "rename", rename_across_mounts)
    services.recording_unpublish(meeting=meeting, by=None)
    hidden = storage.hidden_folder(meeting.pk)
    assert not folder.exists()
    assert (hidden / "segment00000.ts").read_bytes() == b"old video"
    services.recording_publish(meeting=meeting, by=None)
    assert (folder / "segment00000.ts").read_bytes() == b"old video"
    assert not hidden.exists()


def test_a_move_whose_copy_fails_keeps_the_source(monkeypatch, tmp_path):
    source = tmp_path / "a"
    source.mkdir()
    (source / "f").write_text("x")
    monkeypatch.setattr(
        paths.os, "rename", lambda *a: (_ for _ in ()).throw(OSError(errno.EXDEV, "x"))
    )
    monkeypatch.setattr(
        paths.shutil, "copytree", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "full"))
    )
    with pytest.raises(OSError):
        paths.move(source, tmp_path / "b")
    assert (source / "f").read_text() == "x"
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()


def test_a_failed_packaging_keeps_the_upload_for_try_again(
    editor_client, meeting, pattern_video, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise engine.MediaError("ffmpeg failed: disk full")

    monkeypatch.setattr(engine, "run_job", broken)
    upload(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    failed = Upload.objects.get(meeting=meeting)
    assert failed.status == Job.FAILED
    assert Path(failed.staged_path).is_file()  # the input is kept
    page = editor_client.get(reverse("recordings:recording", args=[meeting.pk])).content.decode()
    assert "Try again" in page and "Clear the upload" in page
    assert "Preparing an upload for the player" not in page  # immediate backend: no queue rows
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("recordings:upload_again", args=[meeting.pk, failed.pk]), {"action": "retry"}
        )
    failed.refresh_from_db()
    assert failed.status == Job.DONE and failed.staged_path == ""
    assert (media_folder(meeting.pk) / PLAYLIST).is_file()


def test_a_stuck_upload_can_be_cleared_and_the_meeting_takes_uploads_again(
    editor_client, meeting, tmp_path
):
    staged = storage.incoming_folder()
    staged.mkdir(parents=True)
    (staged / "x.mp4").write_bytes(b"video")
    stuck = Upload.objects.create(
        meeting=meeting, original_name="x.mp4", size=5, staged_path=str(staged / "x.mp4"),
        status=Job.RUNNING,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.upload_accept(meeting=meeting, file=None, by=None)  # busy
    editor_client.post(
        reverse("recordings:upload_again", args=[meeting.pk, stuck.pk]), {"action": "clear"}
    )
    stuck.refresh_from_db()
    assert stuck.status == Job.FAILED and not (staged / "x.mp4").exists()
    assert not services._busy(meeting)


def test_a_citizen_cannot_retry_or_clear(client, meeting):
    stuck = Upload.objects.create(meeting=meeting, original_name="x", size=1, status=Job.FAILED)
    client.force_login(user_with_role(None))
    response = client.post(
        reverse("recordings:upload_again", args=[meeting.pk, stuck.pk]), {"action": "clear"}
    )
    assert response.status_code in (403, 404)
    stuck.refresh_from_db()
    assert stuck.error == ""


def test_a_job_handed_back_stops_ffmpeg_and_raises_interrupted(tmp_path):
    arguments = ["-re", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "120",
                 "-progress", "pipe:1", "-f", "null", "-"]  # fmt: skip
    threading.Timer(0.5, worker.hand_back.set).start()
    with pytest.raises(worker.TaskInterrupted):
        engine.run_job(arguments, timeout=60)


def test_an_interrupted_packaging_keeps_the_upload_and_waits_again(
    editor_client, meeting, mpeg4_video, monkeypatch, django_capture_on_commit_callbacks
):
    real = engine.run_job

    def stopped_halfway(arguments, **kwargs):
        worker.stop_requested.set()  # SIGTERM to the worker ...
        worker.hand_back.set()  # ... and the grace period is over
        return real(arguments, **kwargs)

    monkeypatch.setattr(engine, "run_job", stopped_halfway)
    # The task raises TaskInterrupted (the worker queues it again: core/tests).
    upload(editor_client, meeting, mpeg4_video, django_capture_on_commit_callbacks)
    waiting = Upload.objects.get(meeting=meeting)
    assert waiting.status == Job.WAITING
    assert Path(waiting.staged_path).is_file()  # never deleted
    assert not list((storage.private_root() / "work").iterdir())
    # The next worker does it again from the same file.
    worker.hand_back.clear()
    worker.stop_requested.clear()
    monkeypatch.undo()
    services.upload_package(waiting)
    waiting.refresh_from_db()
    assert waiting.status == Job.DONE


def test_replace_keeps_the_old_recording_until_the_new_feed_has_a_playlist(meeting):
    folder = a_published_recording(meeting)
    masters = storage.masters_folder(meeting.pk)
    masters.mkdir(parents=True)
    (masters / "master.mp4").write_bytes(b"master")
    streaming.recording_replace(meeting=meeting)
    assert (storage.replaced_folder(meeting.pk) / "media" / "segment00000.ts").is_file()
    # The feed ended before its first segment: the old recording comes back, as it was.
    folder.mkdir()
    assert streaming.recording_replace_settle(meeting=meeting) == "restored"
    assert (folder / "segment00000.ts").read_bytes() == b"old video"
    assert (masters / "master.mp4").read_bytes() == b"master"
    meeting.refresh_from_db()
    assert meeting.duration_ms == 12000
    # Again, and this time the new feed writes its playlist: the old one goes.
    streaming.recording_replace(meeting=meeting)
    folder.mkdir()
    (folder / PLAYLIST).write_text("#EXTM3U\n")
    assert streaming.recording_replace_settle(meeting=meeting) == "deleted"
    assert not storage.replaced_folder(meeting.pk).exists()
    assert not (folder / "segment00000.ts").exists()


def test_replace_that_cannot_set_aside_leaves_everything(meeting, monkeypatch):
    folder = a_published_recording(meeting)
    masters = storage.masters_folder(meeting.pk)
    masters.mkdir(parents=True)
    (masters / "master.mp4").write_bytes(b"master")
    real_rename = os.rename

    def masters_read_only(source, target):
        if "masters" in str(source):  # the public folder moves, then the master cannot
            raise OSError(errno.EROFS, "Read-only file system")
        return real_rename(source, target)

    monkeypatch.setattr(paths.os, "rename", masters_read_only)
    with pytest.raises(OSError):
        streaming.recording_replace(meeting=meeting)
    assert (masters / "master.mp4").read_bytes() == b"master"
    assert (folder / "segment00000.ts").read_bytes() == b"old video"
    meeting.refresh_from_db()
    assert meeting.duration_ms == 12000


def test_retention_never_runs_twice_at_once(meeting, capsys):
    Meeting.objects.filter(pk=meeting.pk).update(video_kind=Meeting.VideoKind.UPLOAD)
    services.retention_set(meeting=meeting, mode="days", days=0, by=None)
    a_published_recording(meeting)
    with locks.exclusive(services.RETENTION_LOCK):
        with pytest.raises(locks.LockHeld):
            services.retention_run()
        call_command("retention")
        assert "Not run" in capsys.readouterr().out
        assert (media_folder(meeting.pk) / PLAYLIST).is_file()
    call_command("retention")
    assert "1 recordings removed." in capsys.readouterr().out
    assert not media_folder(meeting.pk).exists()


def test_the_dry_run_says_when_nothing_is_due(capsys):
    call_command("retention", "--dry-run")
    assert capsys.readouterr().out.strip() == "0 recordings due."
