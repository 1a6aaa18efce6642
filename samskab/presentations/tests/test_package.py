"""Export and import as a zip package: the round trip with real media, and the refusals."""

import hashlib
import io
import json
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
