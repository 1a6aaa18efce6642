"""The archive with real video: generated recordings go through ffmpeg from the wheel.

Tasks run at once (the immediate backend in tests), after the request's transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.media.commands import hls_segments
from samskab.recordings import engine, services, storage
from samskab.recordings.models import (
    ArchiveLogEntry,
    Clip,
    Job,
    Redaction,
    Retention,
    RetentionPolicy,
    Upload,
)
from samskab.recordings.tests import media
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.recording import media_folder
from samskab.webcasts.tests.factories import MeetingFactory, PersonFactory, user_with_role

# ffmpeg's work on real media; the database only keeps the rows, so once (conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_pass(on="postgres")]

PAST = datetime(2025, 3, 4, 16, 0, tzinfo=UTC)


@pytest.fixture
def meeting():
    return MeetingFactory(starts_at=PAST, status=Meeting.Status.ENDED)


@pytest.fixture
def editor_client(client):
    client.force_login(user_with_role(Role.EDITOR))
    return client


def upload(client, meeting, path: Path, capture, name: str | None = None):
    with capture(execute=True), path.open("rb") as file:
        return client.post(
            reverse("recordings:upload", args=[meeting.pk]),
            {"file": SimpleUploadedFile(name or path.name, file.read())},
            follow=True,
        )


def packaged(client, meeting, path, capture) -> Meeting:
    response = upload(client, meeting, path, capture)
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert Upload.objects.get(meeting=meeting).status == Job.DONE, response.content.decode()
    return meeting


def seconds_of(path: Path) -> float:
    found = engine.probe(path)
    assert found is not None and found.duration_ms is not None
    return found.duration_ms / 1000


def test_an_upload_is_packaged_to_hls_by_copying(
    editor_client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    response = upload(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    assert "being prepared for the player" in response.content.decode()
    meeting.refresh_from_db()
    done = Upload.objects.get(meeting=meeting)
    assert (done.status, done.percent, done.copied) == (Job.DONE, 100, True)
    assert meeting.video_kind == Meeting.VideoKind.UPLOAD
    assert abs(meeting.duration_ms - 12000) <= 100
    playlist = media_folder(meeting.pk) / "index.m3u8"
    segments = hls_segments(playlist.read_text())
    assert len(segments) == 3 and all((playlist.parent / s.uri).is_file() for s in segments)
    assert abs(sum(s.duration_ms for s in segments) - 12000) <= 100
    assert (media_folder(meeting.pk) / "thumbnails" / "0.jpg").is_file()
    assert storage.master_file(meeting) == storage.masters_folder(meeting.pk) / "master.mp4"
    assert not list(storage.incoming_folder().iterdir())
    page = editor_client.get(reverse("webcasts:meeting", args=[meeting.pk])).content.decode()
    assert f"/media/webcasts/{meeting.pk}/index.m3u8" in page
    assert reverse("recordings:recording", args=[meeting.pk]) in page


def test_other_codecs_are_re_encoded(
    editor_client, meeting, mpeg4_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, mpeg4_video, django_capture_on_commit_callbacks)
    done = Upload.objects.get(meeting=meeting)
    assert not done.copied
    first = media_folder(meeting.pk) / "segment00000.ts"
    found = engine.probe(first)
    assert found is not None and (found.video_codec, found.audio_codec) == ("h264", "aac")
    assert abs(meeting.duration_ms - 6000) <= 100


def test_progress_panel_polls_while_packaging(editor_client, meeting):
    Upload.objects.create(
        meeting=meeting, original_name="m.mp4", size=1, status=Job.RUNNING, percent=42
    )
    html = editor_client.get(reverse("recordings:progress", args=[meeting.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="42"' in html


def test_a_clip_plays_at_once_and_downloads_precisely(
    editor_client, client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("recordings:clip_new", args=[meeting.pk]),
            {"title": "Borgmesterens svar", "start": "0:00:02.5", "end": "0:00:08"},
        )
    clip = Clip.objects.get(meeting=meeting)
    assert response.status_code == 302 and response.url == clip.get_absolute_url()
    assert clip.mp4_status == Job.DONE or Clip.objects.get(pk=clip.pk).mp4_status == Job.DONE
    mp4 = storage.clip_mp4_path(meeting.pk, clip.pk)
    assert abs(seconds_of(mp4) - 5.5) <= 0.5
    editor_client.logout()
    page = client.get(clip.get_absolute_url()).content.decode()
    assert 'property="og:title" content="Borgmesterens svar' in page
    assert "og:image" in page and "twitter:card" in page
    assert reverse("recordings:clip_download", args=[meeting.pk, clip.pk]) in page
    # Its view is counted (first-party statistics), naming the clip, not the viewer.
    assert "data-stats-beacon" in page and f'data-stats-clip="{clip.pk}"' in page
    playlist = client.get(reverse("recordings:clip_playlist", args=[meeting.pk, clip.pk]))
    uris = [s.uri for s in hls_segments(playlist.content.decode())]
    assert uris == [f"/media/webcasts/{meeting.pk}/segment0000{n}.ts" for n in (0, 1)]
    download = client.get(reverse("recordings:clip_download", args=[meeting.pk, clip.pk]))
    assert download["Content-Type"] == "video/mp4"


def test_a_speaker_turn_clip(
    editor_client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    person = PersonFactory(name="Anna Holm")
    start = TimelineMark.objects.create(meeting=meeting, kind="meeting_start", offset_ms=0, at=PAST)
    assert start
    from samskab.webcasts import services as webcasts

    mark = webcasts.mark_add_at_offset(
        meeting=meeting, kind="speaker", offset_ms=3000, person=person, by=None
    )
    webcasts.mark_add_at_offset(meeting=meeting, kind="break", offset_ms=7000, by=None)
    page = editor_client.get(reverse("recordings:clip_new", args=[meeting.pk])).content.decode()
    assert "Anna Holm" in page
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(reverse("recordings:clip_new", args=[meeting.pk]), {"turn": mark.pk})
    clip = Clip.objects.get(meeting=meeting)
    assert (clip.source_kind, clip.start_ms, clip.end_ms, clip.person) == (
        "turn",
        3000,
        7000,
        person,
    )
    assert abs(seconds_of(storage.clip_mp4_path(meeting.pk, clip.pk)) - 4.0) <= 0.5


def test_a_cut_range_is_gone_and_later_marks_move(
    editor_client, meeting, timecoded_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, timecoded_video, django_capture_on_commit_callbacks)
    old_master = storage.master_file(meeting)
    old_inode = old_master.stat().st_ino
    mark = TimelineMark.objects.create(meeting=meeting, kind="break", offset_ms=9000, at=PAST)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("recordings:redact", args=[meeting.pk]),
            {"start": "3", "end": "6", "mode": "cut", "reason": "Personoplysninger"},
        )
    redaction = Redaction.objects.get(meeting=meeting)
    assert redaction.status == Job.DONE, redaction.error
    meeting.refresh_from_db()
    assert abs(meeting.duration_ms - 9000) <= 300
    playlist = media_folder(meeting.pk) / "index.m3u8"
    # At 4 s of the new recording we see what was at 7 s (brightness 20 * 7 + 5).
    assert abs(media.frame_brightness(playlist, 4.0) - 145) < 15
    assert abs(media.frame_brightness(playlist, 1.0) - 25) < 15
    masters = list(storage.masters_folder(meeting.pk).iterdir())
    assert [m.name for m in masters] == ["master.mkv"]
    assert masters[0].stat().st_ino != old_inode
    mark.refresh_from_db()
    assert mark.offset_ms == 6000 and redaction.marks_shifted == 1
    assert ArchiveLogEntry.objects.filter(meeting=meeting, action="redacted").count() == 2


def test_a_blacked_range_is_black_and_silent(
    editor_client, meeting, timecoded_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, timecoded_video, django_capture_on_commit_callbacks)
    old_segments = {p.name: p.stat().st_ino for p in media_folder(meeting.pk).glob("*.ts")}
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("recordings:redact", args=[meeting.pk]),
            {"start": "0:00:04", "end": "0:00:08", "mode": "black", "reason": "Lukket punkt"},
        )
    assert Redaction.objects.get(meeting=meeting).status == Job.DONE
    meeting.refresh_from_db()
    assert abs(meeting.duration_ms - 12000) <= 300
    playlist = media_folder(meeting.pk) / "index.m3u8"
    assert media.frame_brightness(playlist, 6.0) < 20
    assert media.loudest_sample(playlist, 4.3, 3.4) < 50
    assert media.frame_brightness(playlist, 9.0) > 150
    assert media.loudest_sample(playlist, 9.0, 1.0) > 1000
    new_segments = {p.name: p.stat().st_ino for p in media_folder(meeting.pk).glob("*.ts")}
    assert not set(old_segments.items()) & set(new_segments.items())


def test_retention_keep_0_days_deletes_the_files_and_leaves_a_notice(
    editor_client, client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    Clip.objects.create(meeting=meeting, title="Klip", start_ms=0, end_ms=1000)
    RetentionPolicy.objects.create(body=meeting.body, mode=Retention.DAYS, days=0)
    kept = MeetingFactory(body=meeting.body, starts_at=datetime.now(UTC) + timedelta(days=3))
    call_command("retention")
    meeting.refresh_from_db()
    assert not media_folder(meeting.pk).exists()
    assert not storage.masters_folder(meeting.pk).exists()
    assert not Clip.objects.filter(meeting=meeting).exists()
    assert meeting.video_kind == Meeting.VideoKind.NONE
    assert ArchiveLogEntry.objects.filter(meeting=meeting, action="removed").exists()
    assert kept.pk not in [m.pk for m in services.retention_due()]
    page = client.get(reverse("webcasts:meeting", args=[meeting.pk])).content.decode()
    assert "The recording was removed on" in page
    assert "<video" not in page


def test_a_meeting_override_keeps_what_the_body_would_delete(meeting):
    meeting.video_kind = Meeting.VideoKind.YOUTUBE
    meeting.video_url = "https://youtu.be/abcdefgh"
    meeting.save()
    RetentionPolicy.objects.create(body=meeting.body, mode=Retention.NONE)
    services.retention_set(meeting=meeting, mode=Retention.KEEP, days=None, by=None)
    assert services.retention_due() == []
    services.retention_set(meeting=meeting, mode="", days=None, by=None)
    assert services.retention_due() == [meeting]


def test_hiding_takes_the_recording_off_at_once(
    editor_client, client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    clip = Clip.objects.create(meeting=meeting, title="Klip", start_ms=0, end_ms=1000)
    segment_url = f"/media/webcasts/{meeting.pk}/segment00000.ts"
    assert client.get(segment_url).status_code == 200
    editor_client.post(reverse("recordings:hide", args=[meeting.pk]))
    assert client.get(segment_url).status_code == 404
    page = client.get(reverse("webcasts:meeting", args=[meeting.pk])).content.decode()
    assert "The recording is not available at the moment." in page and "<video" not in page
    clip_page = client.get(clip.get_absolute_url()).content.decode()
    assert "The recording is not available" in clip_page
    assert (
        client.get(reverse("recordings:clip_playlist", args=[meeting.pk, clip.pk])).status_code
        == 404
    )
    editor_client.post(reverse("recordings:show", args=[meeting.pk]))
    assert client.get(segment_url).status_code == 200
    meeting.refresh_from_db()
    assert meeting.video_kind == Meeting.VideoKind.UPLOAD


# --- Refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.OPERATOR, Role.MODERATOR])
def test_only_editors_upload(client, meeting, role, pattern_video):
    client.force_login(user_with_role(role))
    with pattern_video.open("rb") as file:
        response = client.post(reverse("recordings:upload", args=[meeting.pk]), {"file": file})
    assert response.status_code == 403
    assert client.get(reverse("recordings:recording", args=[meeting.pk])).status_code == 403
    assert not Upload.objects.exists()


def test_a_text_file_named_mp4_is_refused(
    editor_client, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("recordings:upload", args=[meeting.pk]),
            {"file": SimpleUploadedFile("meeting.mp4", b"Dagsorden\n" * 100)},
            follow=True,
        )
    assert "The file is not a video Samskab can use" in response.content.decode()
    assert not Upload.objects.exists()
    assert not list(storage.incoming_folder().iterdir())


def test_a_too_big_file_is_refused(
    editor_client, meeting, settings, pattern_video, django_capture_on_commit_callbacks
):
    settings.RECORDINGS_MAX_UPLOAD_MB = 0
    response = upload(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    assert "The file is too big" in response.content.decode()
    assert not Upload.objects.exists()


def test_no_upload_to_a_coming_meeting(
    editor_client, pattern_video, django_capture_on_commit_callbacks
):
    coming = MeetingFactory(starts_at=datetime.now(UTC) + timedelta(days=2))
    response = upload(editor_client, coming, pattern_video, django_capture_on_commit_callbacks)
    assert "only be uploaded to a meeting that has been held" in response.content.decode()


def test_a_meeting_held_and_ended_before_its_scheduled_time_takes_its_recording(
    editor_client, pattern_video, django_capture_on_commit_callbacks
):
    # Review: a meeting ended at 17:24 for a 17:30 start refused its upload until 17:30.
    early = MeetingFactory(
        starts_at=datetime.now(UTC) + timedelta(minutes=6), status=Meeting.Status.ENDED
    )
    response = upload(editor_client, early, pattern_video, django_capture_on_commit_callbacks)
    assert "has been held" not in response.content.decode()
    assert Upload.objects.get(meeting=early).status == Job.DONE


def test_no_upload_to_a_meeting_that_is_live(
    editor_client, pattern_video, django_capture_on_commit_callbacks
):
    live = MeetingFactory(
        starts_at=datetime.now(UTC) - timedelta(minutes=6), status=Meeting.Status.LIVE
    )
    response = upload(editor_client, live, pattern_video, django_capture_on_commit_callbacks)
    assert "only be uploaded to a meeting that has been held" in response.content.decode()


def test_ranges_must_lie_in_the_recording_and_end_after_they_start(
    editor_client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    url = reverse("recordings:clip_new", args=[meeting.pk])
    outside = editor_client.post(url, {"title": "x", "start": "0:00:05", "end": "0:05:00"})
    assert "The clip must lie within the recording." in outside.content.decode()
    backwards = editor_client.post(url, {"title": "x", "start": "0:00:08", "end": "0:00:03"})
    assert "The end must come after the start." in backwards.content.decode()
    assert not Clip.objects.exists()
    redact = editor_client.post(
        reverse("recordings:redact", args=[meeting.pk]),
        {"start": "0:00:05", "end": "0:09:00", "mode": "cut", "reason": "x"},
        follow=True,
    )
    assert "The range must lie within the recording." in redact.content.decode()
    assert not Redaction.objects.exists()


def test_a_large_upload_on_disk_is_moved_not_copied(
    editor_client, meeting, pattern_video, settings, django_capture_on_commit_callbacks
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # the upload lands in a temporary file
    with django_capture_on_commit_callbacks(execute=True), pattern_video.open("rb") as file:
        editor_client.post(reverse("recordings:upload", args=[meeting.pk]), {"file": file})
    assert Upload.objects.get(meeting=meeting).status == Job.DONE
    assert storage.master_file(meeting).stat().st_size == pattern_video.stat().st_size


def test_the_staff_clip_link_never_reaches_a_citizen_through_the_cached_agenda(
    editor_client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    from django.test import Client

    from samskab.webcasts.tests.factories import AgendaItemFactory, mark

    meeting = packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    item = AgendaItemFactory(meeting=meeting)
    mark(meeting, TimelineMark.Kind.ITEM, 1000, agenda_item=item)
    staff_page = editor_client.get(meeting.get_absolute_url()).content.decode()
    assert 'class="clip-link"' in staff_page
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")  # the same language, so the same cached index
    citizen_page = citizen.get(meeting.get_absolute_url()).content.decode()
    assert 'class="clip-link"' not in citizen_page
    assert item.title in citizen_page


def test_speaker_turns_get_a_clip_link_for_staff_and_never_for_citizens(
    editor_client, meeting, pattern_video, django_capture_on_commit_callbacks
):
    from django.test import Client

    from samskab.webcasts import services as webcasts
    from samskab.webcasts.tests.factories import mark

    meeting = packaged(editor_client, meeting, pattern_video, django_capture_on_commit_callbacks)
    person = PersonFactory(name="Anna Holm")
    mark(meeting, TimelineMark.Kind.MEETING_START, 0)
    turn = webcasts.mark_add_at_offset(
        meeting=meeting, kind="speaker", offset_ms=3000, person=person, by=None
    )
    webcasts.mark_add_at_offset(meeting=meeting, kind="break", offset_ms=7000, by=None)
    clip_new = reverse("recordings:clip_new", args=[meeting.pk])
    staff_page = editor_client.get(meeting.get_absolute_url()).content.decode()
    link = f'<a class="clip-link" href="{clip_new}#turn-{turn.pk}">Clip<span class="sr-only"> '
    assert link + "the turn of Anna Holm at 0:03</span></a></li>" in staff_page
    # The turn is on the clip page under that anchor.
    assert f'id="turn-{turn.pk}"' in editor_client.get(clip_new).content.decode()
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")  # the same language, so the same cached index
    citizen_page = citizen.get(meeting.get_absolute_url()).content.decode()
    assert "Anna Holm" in citizen_page and f"#turn-{turn.pk}" not in citizen_page
    assert 'class="clip-link"' not in citizen_page
    embed = editor_client.get(reverse("webcasts:meeting_embed", args=[meeting.pk])).content.decode()
    assert "Anna Holm" in embed and f"#turn-{turn.pk}" not in embed


CAPTIONS = """WEBVTT

NOTE Byrådets tekstning

1
00:00:01.000 --> 00:00:02.000
Velkommen til mødet.

00:00:03.500 --> 00:00:04.500
Borgerens cpr-nummer er hemmeligt.

00:00:05.500 --> 00:00:06.500
Det overlapper klippet.

efter
00:00:07.000 --> 00:00:08.000 align:start
Vi går videre til <b>punkt 2</b>.
"""


@pytest.mark.parametrize("mode", ["cut", "black"])
def test_redaction_rewrites_the_served_captions(
    editor_client, client, meeting, timecoded_video, django_capture_on_commit_callbacks, mode
):
    from django.core.files.base import ContentFile

    from samskab.webcasts import vtt
    from samskab.webcasts.models import CaptionCue, Captions
    from samskab.webcasts.services import captions_upload

    packaged(editor_client, meeting, timecoded_video, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        captions_upload(
            meeting=meeting, language="da", file=ContentFile(CAPTIONS.encode()), by=None
        )
    old = Captions.objects.get(meeting=meeting)
    old_url, old_path = old.vtt.url, Path(old.vtt.path)
    page = client.get(reverse("webcasts:meeting", args=[meeting.pk])).content.decode()
    assert old_url in page  # (the player's data is cached: this fills the cache)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("recordings:redact", args=[meeting.pk]),
            {"start": "3", "end": "6", "mode": mode, "reason": "Personoplysninger"},
        )
    assert Redaction.objects.get(meeting=meeting).status == Job.DONE
    captions = Captions.objects.get(meeting=meeting)
    # The player now links a new file, and the old one, with the redacted words, is gone.
    page = client.get(reverse("webcasts:meeting", args=[meeting.pk])).content.decode()
    assert captions.vtt.url != old_url and captions.vtt.url in page and old_url not in page
    assert not old_path.exists()
    served = client.get(captions.vtt.url)
    text = b"".join(served.streaming_content if served.streaming else [served.content]).decode()
    cues = vtt.parse(text).cues
    assert "hemmeligt" not in text and "overlapper" not in text
    after = 4000 if mode == "cut" else 7000
    assert [(c.start_ms, c.end_ms, c.plain_text) for c in cues] == [
        (1000, 2000, "Velkommen til mødet."),
        (after, after + 1000, "Vi går videre til punkt 2."),
    ]
    assert (
        f"{vtt.format_timestamp(after)} --> {vtt.format_timestamp(after + 1000)} align:start"
        in text
    )
    assert "NOTE Byrådets tekstning" in text
    # Search finds neither the redacted words nor the cue rows.
    rows = list(CaptionCue.objects.filter(meeting=meeting).values_list("start_ms", "text"))
    assert rows == [(1000, "Velkommen til mødet."), (after, "Vi går videre til punkt 2.")]
    assert "hemmeligt" not in captions.text
