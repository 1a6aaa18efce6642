"""Export and import as a zip package: the round trip with real media, and the refusals."""

import hashlib
import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samskab.presentations import package, services
from samskab.presentations.models import Job, Presentation, Video
from samskab.presentations.tests.factories import built, editor, steps_of
from samskab.presentations.tests.test_services import picture_of

pytestmark = pytest.mark.django_db


def _zip(files: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return SimpleUploadedFile("p.zip", buffer.getvalue(), content_type="application/zip")


def _manifest(files=(), steps=()) -> bytes:
    return json.dumps(
        {
            "format": package.FORMAT,
            "version": 1,
            "title": "T",
            "steps": list(steps),
            "files": list(files),
        }
    ).encode()


def test_a_presentation_with_a_picture_and_a_real_video_survives_export_and_import(
    django_capture_on_commit_callbacks,
):
    from samskab.recordings.models import Clip
    from samskab.webcasts.media_demo import demo_video_make
    from samskab.webcasts.models import Meeting
    from samskab.webcasts.tests.factories import MeetingFactory

    by = editor()
    meeting = MeetingFactory(status=Meeting.Status.ENDED)
    demo_video_make(meeting=meeting, seconds=8)
    clip = Clip.objects.create(
        meeting=meeting, title="Punkt 3", start_ms=1000, end_ms=5000, mp4_status=Job.DONE
    )
    # The clip's download, as the archive makes it (here: the meeting's segments joined).
    from samskab.media import commands
    from samskab.recordings import engine, storage
    from samskab.webcasts.recording import media_folder

    target = storage.clip_mp4_path(meeting.pk, clip.pk)
    target.parent.mkdir(parents=True, exist_ok=True)
    engine.run_job(
        commands.hls_to_mp4_args(str(media_folder(meeting.pk) / "index.m3u8"), str(target))
    )

    presentation = built("text", f"clip:{clip.pk}", "question:single", by=by)
    picture = picture_of(presentation)
    services.step_add(presentation=presentation, element=f"image:{picture.pk}", by=by)
    text, video_step, question, picture_step = steps_of(presentation)
    services.step_update(step=video_step, title="Klip", body="", in_ms=500, out_ms=3000, by=by)
    services.step_update(
        step=question, title="Enig?", body="", choices="Ja\nNej", branches={"3": "end"}, by=by
    )

    data = package.package_export(presentation)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert names == {"manifest.json", "media/videos/1.mp4", "media/pictures/2.png"}
    assert [f["kind"] for f in manifest["files"]] == ["video", "picture"]

    with django_capture_on_commit_callbacks(execute=True):
        imported = package.package_import(
            SimpleUploadedFile("p.zip", data, content_type="application/zip"), by=by
        )
    assert imported.pk != presentation.pk and imported.status == Presentation.Status.DRAFT
    copied = steps_of(imported)
    assert [s.key for s in copied] == [text.key, video_step.key, question.key, picture_step.key]
    assert copied[2].branches == {"3": "end"}
    assert (copied[1].in_ms, copied[1].out_ms) == (500, 3000)
    video = Video.objects.get(pk=copied[1].video_id)
    assert video.status == Job.DONE  # packaged to HLS by the media pipeline (ImmediateBackend)
    assert copied[3].image.alt == "Kort over planområdet"
    services.presentation_publish(presentation=imported, by=by)


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "/etc/passwd", "media\\pictures\\1.jpg", "C:/x.jpg"],
)
def test_a_path_outside_the_package_is_refused(name):
    upload = _zip({"manifest.json": _manifest(), name: b"x"})
    with pytest.raises(package.PackageRefused, match="outside"):
        package.package_import(upload, by=editor())
    assert not Presentation.objects.exists()


def test_a_file_the_manifest_does_not_list_is_refused():
    upload = _zip({"manifest.json": _manifest(), "media/pictures/9.jpg": b"x", "notes.txt": b"y"})
    with pytest.raises(package.PackageRefused, match="does not list"):
        package.package_import(upload, by=editor())


def test_a_manifest_naming_a_file_outside_media_or_a_damaged_file_is_refused():
    listed = [{"path": "../x.jpg", "kind": "picture", "sha256": "0"}]
    with pytest.raises(package.PackageRefused, match="outside"):
        package.package_import(_zip({"manifest.json": _manifest(listed)}), by=editor())
    listed = [{"path": "media/pictures/1.jpg", "kind": "picture", "sha256": "0" * 64}]
    upload = _zip({"manifest.json": _manifest(listed), "media/pictures/1.jpg": b"not it"})
    with pytest.raises(package.PackageRefused, match="damaged"):
        package.package_import(upload, by=editor())


def test_something_that_is_no_package_is_refused_clearly():
    with pytest.raises(package.PackageRefused, match="not a zip"):
        package.package_import(SimpleUploadedFile("x.zip", b"hello"), by=editor())
    with pytest.raises(package.PackageRefused, match="no manifest"):
        package.package_import(_zip({"a.txt": b"x"}), by=editor())
    other = json.dumps({"format": "h5p", "version": 1}).encode()
    with pytest.raises(package.PackageRefused, match="not a Samskab presentation"):
        package.package_import(_zip({"manifest.json": other}), by=editor())


def test_a_picture_that_is_not_a_picture_is_refused_and_nothing_is_kept():
    data = b"<svg onload=alert(1)>"
    listed = [
        {
            "path": "media/pictures/1.jpg",
            "kind": "picture",
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    ]
    steps = [{"key": "a1", "kind": "picture", "picture": "media/pictures/1.jpg", "alt": "x"}]
    upload = _zip({"manifest.json": _manifest(listed, steps), "media/pictures/1.jpg": data})
    with pytest.raises(package.PackageRefused):
        package.package_import(upload, by=editor())
    assert not Presentation.objects.exists()


def test_the_import_page_shows_the_refusal(client):
    from django.urls import reverse

    from samskab.accounts.tests.factories import staff_sign_in

    staff_sign_in(client, editor())
    upload = _zip({"manifest.json": _manifest(), "../evil": b"x"})
    response = client.post(reverse("presentations:import"), {"package": upload})
    assert response.status_code == 400
    assert "outside it" in response.content.decode()


# --- A slide's narration ------------------------------------------------------------------

NARRATION_VTT = b"WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHer ligger den nye skole\n"


def _slide_page(presentation, by, django_capture_on_commit_callbacks):
    from samskab.presentations.tests.test_views import _deck_page

    return _deck_page(presentation, by, django_capture_on_commit_callbacks)


def test_a_slide_s_narration_travels_both_a_meeting_clip_and_an_uploaded_video(
    tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.test import Client
    from django.urls import reverse

    from samskab.presentations import media
    from samskab.recordings import engine
    from samskab.recordings import services as recordings
    from samskab.recordings.models import Clip
    from samskab.recordings.tests.media import pattern_mp4
    from samskab.webcasts.media_demo import demo_video_make
    from samskab.webcasts.models import CaptionCue, Captions, Meeting
    from samskab.webcasts.tests.factories import MeetingFactory

    by = editor()
    meeting = MeetingFactory(status=Meeting.Status.ENDED)
    demo_video_make(meeting=meeting, seconds=8)
    captions = Captions.objects.create(
        meeting=meeting, language="da", vtt=ContentFile(b"WEBVTT\n", name="c.vtt")
    )
    CaptionCue.objects.create(
        captions=captions, meeting=meeting, start_ms=3_000, end_ms=4_000, text="Skolen flytter"
    )
    clip = Clip.objects.create(meeting=meeting, title="Borgmesteren", start_ms=2000, end_ms=6000)
    recordings.clip_render(clip)  # its MP4, as the demo makes it
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = media.video_accept(
            title="Planchefen fortæller",
            file=package._LocalFile(pattern_mp4(tmp_path / "n.mp4", seconds=3)),
            by=by,
        )
    media.video_captions_set(video=uploaded, data=NARRATION_VTT)

    presentation = built(by=by)
    page = _slide_page(presentation, by, django_capture_on_commit_callbacks)
    by_clip = services.step_add(presentation=presentation, element=f"page:{page.pk}", by=by)
    by_video = services.step_add(presentation=presentation, element=f"page:{page.pk}", by=by)
    for step, ref in ((by_clip, f"clip:{clip.pk}"), (by_video, f"video:{uploaded.pk}")):
        services.step_update(step=step, title=step.title, body="", narration=ref, by=by)

    data = package.package_export(presentation)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        exported = manifest["steps"]
        clip_vtt = archive.read(exported[0]["narration_captions"]).decode()
        # The clip's MP4 and captions both start at the clip's start (the cue at 3 s of the
        # meeting is 1 s into a clip from 2 s).
        assert "00:00:01.000 --> 00:00:02.000\nSkolen flytter" in clip_vtt
        assert archive.read(exported[1]["narration_captions"]) == NARRATION_VTT
        for step in exported:
            assert archive.getinfo(step["narration"]).file_size > 10_000
    assert [s["narration_title"] for s in exported] == ["Borgmesteren", "Planchefen fortæller"]
    assert {f["kind"] for f in manifest["files"]} == {"picture", "video", "captions"}

    with django_capture_on_commit_callbacks(execute=True):
        imported = package.package_import(
            SimpleUploadedFile("p.zip", data, content_type="application/zip"), by=by
        )
    copied = steps_of(imported)
    assert [s.narration_id for s in copied] == [None, None]  # no meeting clip is imported
    videos = [Video.objects.get(pk=s.narration_video_id) for s in copied]
    assert [v.title for v in videos] == ["Borgmesteren", "Planchefen fortæller"]
    for video, seconds in zip(videos, (4, 3), strict=True):
        # Through the media pipeline: probed, packaged to HLS (ImmediateBackend).
        assert video.status == Job.DONE, video.error
        assert abs(video.duration_ms - seconds * 1000) < 600, video.duration_ms
        found = engine.probe(media.video_folder(video.pk) / "index.m3u8")
        assert found is not None and found.video_codec == "h264"
    assert "Skolen flytter" in videos[0].captions.read().decode()
    assert videos[1].captions.read() == NARRATION_VTT

    services.presentation_publish(presentation=imported, by=by)
    citizen = Client()
    for step, video, cue in zip(
        copied, videos, ("Skolen flytter", "Her ligger den nye skole"), strict=True
    ):
        html = citizen.get(reverse("presentations:step", args=[imported.slug, step.key]))
        html = html.content.decode()
        assert 'id="step-narration"' in html and f'data-hls="{video.playlist_url}"' in html
        track = re.search(r'<track kind="captions" src="([^"]+)"', html).group(1)
        assert cue in citizen.get(track.replace("&amp;", "&")).content.decode()


def test_a_narration_whose_clip_has_no_mp4_is_left_out_and_the_slide_travels(
    django_capture_on_commit_callbacks,
):
    from samskab.recordings.models import Clip
    from samskab.webcasts.tests.factories import MeetingFactory

    by = editor()
    clip = Clip.objects.create(meeting=MeetingFactory(), title="Ikke klar", start_ms=0, end_ms=9)
    presentation = built(by=by)
    page = _slide_page(presentation, by, django_capture_on_commit_callbacks)
    slide = services.step_add(presentation=presentation, element=f"page:{page.pk}", by=by)
    services.step_update(step=slide, title="S", body="", narration=f"clip:{clip.pk}", by=by)
    data = package.package_export(presentation)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (step,) = json.loads(archive.read("manifest.json"))["steps"]
    assert "narration" not in step and step["picture"]
    imported = package.package_import(SimpleUploadedFile("p.zip", data), by=by)
    (copied,) = steps_of(imported)
    assert copied.image_id is not None and copied.narration_video_id is None


def _listed(path: str, data: bytes) -> dict:
    return {"path": path, "kind": package.KIND_OF[path.split("/")[1]],
            "sha256": hashlib.sha256(data).hexdigest()}  # fmt: skip


SLIDE = {"key": "s1", "kind": "slide", "title": "Skolen", "narration": "media/videos/1.mp4"}


def test_a_damaged_narration_file_refuses_the_package_naming_the_slide():
    listed = [{**_listed("media/videos/1.mp4", b"the video"), "sha256": "0" * 64}]
    upload = _zip({"manifest.json": _manifest(listed, [SLIDE]), "media/videos/1.mp4": b"cut"})
    with pytest.raises(package.PackageRefused) as refused:
        package.package_import(upload, by=editor())
    assert refused.value.message == (
        "The file media/videos/1.mp4 is damaged (its checksum does not match). "
        "It is the narration of step 1."
    )
    assert not Presentation.objects.exists() and not Video.objects.exists()


def test_a_missing_narration_file_refuses_the_package_naming_the_slide():
    # Named by the slide, but neither listed nor held.
    upload = _zip({"manifest.json": _manifest([], [SLIDE])})
    with pytest.raises(package.PackageRefused) as refused:
        package.package_import(upload, by=editor())
    assert refused.value.message == (
        "Step 1 names a narration video the package does not hold (media/videos/1.mp4). "
        "Nothing was imported."
    )
    # Listed, but not in the zip.
    upload = _zip({"manifest.json": _manifest([_listed("media/videos/1.mp4", b"x")], [SLIDE])})
    with pytest.raises(package.PackageRefused, match="It is the narration of step 1"):
        package.package_import(upload, by=editor())
    # Captions named that the package does not hold.
    data = b"not checked yet"
    steps = [{**SLIDE, "narration_captions": "media/captions/2.vtt"}]
    upload = _zip(
        {
            "manifest.json": _manifest([_listed("media/videos/1.mp4", data)], steps),
            "media/videos/1.mp4": data,
        }
    )
    with pytest.raises(package.PackageRefused, match="names narration captions the package"):
        package.package_import(upload, by=editor())
    assert not Presentation.objects.exists() and not Video.objects.exists()


def test_a_narration_that_is_not_a_video_or_has_broken_captions_refuses_the_package(tmp_path):
    from samskab.presentations import media
    from samskab.recordings.tests.media import pattern_mp4

    junk = b"<html>not a video</html>"
    upload = _zip(
        {
            "manifest.json": _manifest([_listed("media/videos/1.mp4", junk)], [SLIDE]),
            "media/videos/1.mp4": junk,
        }
    )
    with pytest.raises(package.PackageRefused) as refused:
        package.package_import(upload, by=editor())
    assert refused.value.message == (
        "The video media/videos/1.mp4 (the narration of step 1) cannot be used: "
        "The file is not a video ffmpeg can read."
    )

    video = pattern_mp4(tmp_path / "n.mp4", seconds=1).read_bytes()
    broken = b"WEBVTT\n\n00:00:03.000 --> 00:00:01.000\nBaglaens\n"
    files = {"media/videos/1.mp4": video, "media/captions/2.vtt": broken}
    steps = [{**SLIDE, "narration_captions": "media/captions/2.vtt"}]
    manifest = _manifest([_listed(path, data) for path, data in files.items()], steps)
    staged = set(media.incoming_folder().iterdir())
    with pytest.raises(package.PackageRefused) as refused:
        package.package_import(_zip({"manifest.json": manifest, **files}), by=editor())
    assert set(media.incoming_folder().iterdir()) == staged  # nothing left to package
    # The shared WebVTT check (webcasts.services.vtt_checked), line by line.
    assert refused.value.message.startswith("The captions media/captions/2.vtt cannot be used:")
    assert "Line 3:" in refused.value.message
    assert not Presentation.objects.exists() and not Video.objects.exists()
