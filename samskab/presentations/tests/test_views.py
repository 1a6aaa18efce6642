"""The builder without JavaScript, the player, the embed, oEmbed, statistics and CSV."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from samskab.accounts.tests.factories import UserFactory, staff_sign_in
from samskab.presentations import selectors, services
from samskab.presentations.models import Answer, Step, Visit
from samskab.presentations.tests.factories import built, editor, steps_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    return staff_sign_in(client, editor())


def test_citizens_and_anonymous_visitors_cannot_open_the_builder(client):
    presentation = built("text")
    url = reverse("presentations:builder", args=[presentation.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("presentations:step_add", args=[presentation.pk]), {"element": "text"}
        ).status_code
        == 403
    )


def test_an_editor_builds_by_plain_forms_inserts_after_a_step_moves_it_and_publishes(client, staff):
    response = client.post(reverse("presentations:staff_list"), {"title": "Lokalplan for Vestbyen"})
    builder_url = response["Location"]
    pk = int(re.search(r"/(\d+)/$", builder_url).group(1))
    page = client.get(builder_url)
    assert page.status_code == 200
    assert "Content catalogue" in page.content.decode()
    add = reverse("presentations:step_add", args=[pk])
    assert client.post(add, {"element": "text", "after": "__last__"}).status_code == 302
    assert client.post(add, {"element": "question:single", "after": "__last__"}).status_code == 302
    from samskab.presentations.models import Presentation

    presentation = Presentation.objects.get(pk=pk)
    first = steps_of(presentation)[0]
    # Insert after the first step, then move the new step down.
    client.post(add, {"element": "text", "after": first.key})
    kinds = [s.kind for s in steps_of(presentation)]
    assert kinds == ["text", "text", "question"]
    inserted = steps_of(presentation)[1]
    client.post(reverse("presentations:step_move", args=[pk, inserted.key]), {"direction": "down"})
    assert [s.key for s in steps_of(presentation)][2] == inserted.key
    # A stale revision is refused with a message, and nothing moves.
    response = client.post(
        reverse("presentations:step_move", args=[pk, inserted.key]),
        {"direction": "up", "revision": "0"},
        follow=True,
    )
    assert "Someone else saved" in response.content.decode()
    assert [s.key for s in steps_of(presentation)][2] == inserted.key
    # Edit the question's text, options and branch without JavaScript.
    question = steps_of(presentation)[1]
    response = client.post(
        reverse("presentations:step_edit", args=[pk, question.key]),
        {"title": "Støtter du planen?", "body": "", "choices": "Ja\nNej", "required": "on",
         "next_key": "", "branch_3": "end"},
    )  # fmt: skip
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.branches == {"3": "end"}
    response = client.post(
        reverse("presentations:publish", args=[pk]), {"action": "publish"}, follow=True
    )
    assert "The presentation is published." in response.content.decode()
    page = client.get(builder_url).content.decode()
    assert "Embed code" in page
    assert reverse("presentations:embed", args=[presentation.slug]) in page


def test_the_reorder_from_drag_and_drop_answers_json_with_the_new_revision(client, staff):
    presentation = built("text", "text", "text", by=staff)
    keys = [s.key for s in steps_of(presentation)][::-1]
    response = client.post(
        reverse("presentations:reorder", args=[presentation.pk]),
        data={"keys": keys, "revision": presentation.revision},
        content_type="application/json",
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200
    assert response.json()["revision"] == presentation.revision + 1
    assert [s.key for s in steps_of(presentation)] == keys
    stale = client.post(
        reverse("presentations:reorder", args=[presentation.pk]),
        data={"keys": keys, "revision": presentation.revision},
        content_type="application/json",
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert stale.status_code == 409


def test_a_draft_is_not_shown_to_citizens(client):
    presentation = built("text")
    assert client.get(presentation.get_absolute_url()).status_code == 404
    assert client.get(presentation.get_absolute_url() + "?kladde=1").status_code == 404


def _play(client, presentation, embed=False):
    suffix = "?e=1" if embed else ""
    response = client.post(reverse("presentations:start", args=[presentation.slug]) + suffix)
    assert response.status_code == 302
    return response["Location"]


def _go_on(client, step_url):
    """Press the step's Next (a form posting to the step itself); return where it leads."""
    page = client.get(step_url).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>\s*<button[^>]*data-next', page)
    assert form, "the step has no Next button"
    action = form.group(1).replace("&amp;", "&")
    response = client.post(action, {"action": "next"})
    assert response.status_code == 302
    return response["Location"]


def test_a_citizen_plays_step_by_step_answers_once_and_branches(client):
    by = editor()
    presentation = built("text", "question:single", "question:text", "text", by=by)
    _intro, question, _why, last = steps_of(presentation)
    services.step_update(
        step=question, title="Støtter du planen?", body="", choices="Ja\nNej", required=True,
        branches={"3": last.key}, by=by,
    )  # fmt: skip
    services.presentation_publish(presentation=presentation, by=by)
    page = client.get(presentation.get_absolute_url()).content.decode()
    assert 'type="application/json+oembed"' in page
    assert '<meta property="og:title" content="Lokalplan">' in page
    location = _play(client, presentation)
    assert Visit.objects.count() == 1
    step_page = client.get(location).content.decode()
    assert "Step 1 of 4" in step_page
    question_url = _go_on(client, location)
    page = client.get(question_url).content.decode()
    assert "Støtter du planen?" in page
    # "Ja" (option 3) leads past the question of what to change.
    response = client.post(question_url, {"q1": "3"})
    assert response.status_code == 302
    assert f"/trin/{last.key}/" in response["Location"]
    # Once per viewer: the same browser cannot answer again.
    again = client.get(question_url).content.decode()
    assert "You have already answered this question" in again
    assert client.post(question_url, {"q1": "4"}).status_code == 400
    assert list(Answer.objects.values_list("value", flat=True)) == [3]
    client.get(response["Location"])
    assert not Visit.objects.get().completed
    end = _go_on(client, response["Location"])
    assert (
        end == reverse("presentations:end", args=[presentation.slug]) + "?" + location.split("?")[1]
    )
    visit = Visit.objects.get()
    assert visit.completed
    # Intro, the question, and (by its branch) the last step: three seen, the end reached.
    assert visit.steps_seen == 3


def test_a_required_question_without_an_answer_is_refused_with_a_message(client):
    by = editor()
    presentation = built("question:single", by=by)
    (question,) = steps_of(presentation)
    Step.objects.filter(pk=question.pk).update(required=True)
    services.presentation_publish(presentation=presentation, by=by)
    location = _play(client, presentation)
    response = client.post(location, {})
    assert response.status_code == 400
    assert "Answer this question." in response.content.decode()
    assert not Answer.objects.exists()


def test_the_embed_may_be_framed_by_other_sites_and_carries_the_playing_without_cookies(client):
    presentation = built("text", "question:single", publish=True)
    embed = client.get(reverse("presentations:embed", args=[presentation.slug]))
    assert "X-Frame-Options" not in embed
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    normal = client.get(presentation.get_absolute_url())
    assert normal["X-Frame-Options"] == "DENY"
    location = _play(client, presentation, embed=True)
    assert "e=1" in location and "b=" in location
    framed = client.get(location)
    assert "X-Frame-Options" not in framed
    # In the frame no cookie of ours arrives: the playing's id makes the answer once.
    from django.test import Client

    cookieless = Client(HTTP_ACCEPT_LANGUAGE="en")
    question_url = _go_on(cookieless, location)
    assert "e=1" in question_url and "b=" in question_url
    assert cookieless.post(question_url, {"q1": "1"}).status_code == 302
    assert Client(HTTP_ACCEPT_LANGUAGE="en").post(question_url, {"q1": "2"}).status_code == 400
    assert Answer.objects.count() == 1


def test_oembed_answers_for_a_published_presentation_only(client):
    presentation = built("text", publish=True)
    url = "http://testserver" + presentation.get_absolute_url()
    data = client.get(reverse("presentations:oembed"), {"url": url}).json()
    assert data["type"] == "rich"
    assert reverse("presentations:embed", args=[presentation.slug]) in data["html"]
    assert "aspect-ratio" in data["html"]
    draft = built("text", title="Kladde")
    url = "http://testserver" + draft.get_absolute_url()
    assert client.get(reverse("presentations:oembed"), {"url": url}).status_code == 404
    other = "http://elsewhere.example" + presentation.get_absolute_url()
    assert client.get(reverse("presentations:oembed"), {"url": other}).status_code == 404


def test_statistics_show_starts_completions_drop_off_and_answers_and_the_csv_is_safe(client, staff):
    presentation = built("text", "question:text", "text", by=staff, publish=True)
    first, question, _last = presentation.published["steps"]
    for _n in range(3):
        services.visit_start(presentation=presentation, first_key=first["key"])
    visit = Visit.objects.first()
    services.visit_progress(
        presentation=presentation, visit_id=str(visit.pk), key=question["key"], completed=False
    )
    services.answer_submit(
        presentation=presentation, step=question, participant_key="v:1", raw='=HYPERLINK("x")'
    )
    page = client.get(reverse("presentations:results", args=[presentation.pk])).content.decode()
    assert re.search(r"data-starts>3<", page)
    assert re.search(r"data-completions>0<", page)
    assert "1. Text</th><td>2</td>" in page
    csv = client.get(reverse("presentations:results_csv", args=[presentation.pk])).content.decode()
    assert "'=HYPERLINK" in csv
    assert "\n=HYPERLINK" not in csv and ";=HYPERLINK" not in csv


def test_a_video_step_s_captions_are_shifted_to_the_clip(client):
    from django.core.files.base import ContentFile

    from samskab.presentations.selectors import captions_vtt
    from samskab.recordings.models import Clip
    from samskab.webcasts.models import CaptionCue, Captions
    from samskab.webcasts.tests.ui_helpers import archive_meeting

    meeting = archive_meeting()
    captions = Captions.objects.create(
        meeting=meeting, language="da", vtt=ContentFile(b"WEBVTT\n", name="c.vtt")
    )
    CaptionCue.objects.create(
        captions=captions, meeting=meeting, start_ms=12_000, end_ms=14_500, text="Velkommen"
    )
    CaptionCue.objects.create(
        captions=captions, meeting=meeting, start_ms=60_000, end_ms=61_000, text="Senere"
    )
    clip = Clip.objects.create(meeting=meeting, title="Punkt", start_ms=10_000, end_ms=20_000)
    text = captions_vtt({"clip": clip.pk}, "da", offset_ms=0)
    assert "00:00:02.000 --> 00:00:04.500\nVelkommen" in text
    assert "Senere" not in text


def test_a_step_page_s_get_records_nothing_so_a_crawler_moves_no_count(client):
    """A crawler that follows every `?b=` link (steps, the end page) changes nothing; only the
    citizen's POSTs (Next, an answer) move the playing on."""
    presentation = built("text", "question:single", "text", publish=True)
    first, question, last = presentation.published["steps"]
    location = _play(client, presentation)
    visit = Visit.objects.get()
    before = (visit.last_key, visit.steps_seen, visit.completed)
    assert before == (first["key"], 1, False)
    carry = "?" + location.split("?")[1]
    for key in (question["key"], last["key"], first["key"], last["key"]):
        url = reverse("presentations:step", args=[presentation.slug, key]) + carry
        assert client.get(url).status_code == 200
    assert (
        client.get(reverse("presentations:end", args=[presentation.slug]) + carry).status_code
        == 200
    )
    visit.refresh_from_db()
    assert (visit.last_key, visit.steps_seen, visit.completed) == before
    assert not Answer.objects.exists()
    stats = selectors.statistics(presentation)
    assert stats["completions"] == 0
    assert [row["stopped"] for row in stats["drop"]] == [1, 0, 0]
    # The citizen pressing Next is counted: the playing stopped at the question now.
    assert _go_on(client, location).startswith(
        reverse("presentations:step", args=[presentation.slug, question["key"]])
    )
    stats = selectors.statistics(presentation)
    assert [row["stopped"] for row in stats["drop"]] == [0, 1, 0]
    # Skipping the optional question goes on and counts as well; Finish completes.
    question_url = reverse("presentations:step", args=[presentation.slug, question["key"]]) + carry
    skipped = client.post(question_url, {"action": "next"})
    assert skipped["Location"].startswith(
        reverse("presentations:step", args=[presentation.slug, last["key"]])
    )
    assert not Answer.objects.exists()
    _go_on(client, skipped["Location"])
    stats = selectors.statistics(presentation)
    assert (stats["starts"], stats["completions"]) == (1, 1)
    assert [row["stopped"] for row in stats["drop"]] == [0, 0, 0]


def test_next_on_a_required_question_does_not_pass_it_and_a_draft_preview_counts_nothing(client):
    by = editor()
    presentation = built("question:single", "text", by=by)
    question, _text = steps_of(presentation)
    Step.objects.filter(pk=question.pk).update(required=True)
    services.presentation_publish(presentation=presentation, by=by)
    location = _play(client, presentation)
    refused = client.post(location, {"action": "next"})
    assert refused.status_code == 400
    assert "Answer this question." in refused.content.decode()
    assert Visit.objects.get().steps_seen == 1
    # The builder's preview of the draft goes on without a playing to count.
    staff_sign_in(client, by)
    draft = reverse("presentations:step", args=[presentation.slug, _text.key]) + "?kladde=1"
    response = client.post(draft, {"action": "next"})
    assert response["Location"].startswith(reverse("presentations:end", args=[presentation.slug]))
    assert Visit.objects.get().steps_seen == 1


def _deck_page(presentation, by, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from samskab.attachments.services import document_add
    from samskab.presentations.models import DeckPage
    from samskab.presentations.tests.test_decks import _pdf

    with django_capture_on_commit_callbacks(execute=True):
        document = document_add(
            target=presentation,
            user=by,
            document=ContentFile(_pdf("Skolen i dag"), name="plan.pdf"),
            title="Plan",
        )
    return DeckPage.objects.get(document=document)


def test_an_editor_picks_a_slide_s_narration_clip_and_it_plays_with_captions(
    client, staff, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from samskab.recordings.models import Clip
    from samskab.webcasts.media_demo import demo_video_make
    from samskab.webcasts.models import CaptionCue, Captions, Meeting
    from samskab.webcasts.tests.factories import MeetingFactory

    meeting = MeetingFactory(status=Meeting.Status.ENDED, title="Byrådet 3. marts")
    demo_video_make(meeting=meeting, seconds=8)
    captions = Captions.objects.create(
        meeting=meeting, language="da", vtt=ContentFile(b"WEBVTT\n", name="c.vtt")
    )
    CaptionCue.objects.create(
        captions=captions, meeting=meeting, start_ms=3_000, end_ms=4_000, text="Skolen flytter"
    )
    clip = Clip.objects.create(
        meeting=meeting, title="Borgmesteren om skolen", start_ms=2000, end_ms=6000
    )
    presentation = built(by=staff)
    page = _deck_page(presentation, staff, django_capture_on_commit_callbacks)
    slide = services.step_add(presentation=presentation, element=f"page:{page.pk}", by=staff)
    builder_url = reverse("presentations:builder", args=[presentation.pk])
    builder = client.get(builder_url).content.decode()
    assert 'name="narration"' in builder
    assert (
        '<optgroup label="Clips of meetings">'
        f'<option value="clip:{clip.pk}">Borgmesteren om skolen (Byrådet 3. marts, 4 s)</option>'
        in builder
    )
    edit = reverse("presentations:step_edit", args=[presentation.pk, slide.key])
    form = {"title": "Skolen", "body": "", "next_key": ""}
    # A clip removed meanwhile is refused with a message, and nothing changes.
    response = client.post(edit, {**form, "narration": "clip:999999"}, follow=True)
    assert "That clip has been removed. Choose another narration." in response.content.decode()
    slide.refresh_from_db()
    assert slide.narration_id is None
    assert client.post(edit, {**form, "narration": f"clip:{clip.pk}"}).status_code == 302
    slide.refresh_from_db()
    assert slide.narration_id == clip.pk
    assert f'<option value="clip:{clip.pk}" selected>' in client.get(builder_url).content.decode()
    # A page from before uploaded narrations sends the clip's number alone.
    assert client.post(edit, {**form, "narration": str(clip.pk)}).status_code == 302
    slide.refresh_from_db()
    assert (slide.narration_id, slide.narration_video_id) == (clip.pk, None)
    # Saving the step's other fields without the control (an older page) keeps it.
    client.post(edit, {**form, "title": "Skolen i Vestbyen"})
    slide.refresh_from_db()
    assert (slide.title, slide.narration_id) == ("Skolen i Vestbyen", clip.pk)

    services.presentation_publish(presentation=presentation, by=staff)
    citizen = Client()
    step_url = reverse("presentations:step", args=[presentation.slug, slide.key])
    player = citizen.get(step_url).content.decode()
    assert 'id="step-narration"' in player
    playlist = reverse("recordings:clip_playlist", kwargs={"pk": meeting.pk, "clip_pk": clip.pk})
    assert f'data-hls="{playlist}"' in player
    track = re.search(r'<track kind="captions" src="([^"]+)"', player).group(1)
    vtt = citizen.get(track.replace("&amp;", "&"))
    assert vtt.status_code == 200
    # The cue at 3-4 s of the meeting, 1-2 s into the clip (plus where it starts in its playlist).
    assert "Skolen flytter" in vtt.content.decode()

    # "No narration" takes it off again.
    client.post(edit, {**form, "narration": ""})
    slide.refresh_from_db()
    assert slide.narration_id is None


def test_an_editor_narrates_a_slide_with_an_uploaded_video_and_it_plays_with_its_captions(
    client, staff, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from samskab.presentations.models import Job, Video
    from samskab.recordings.models import Clip
    from samskab.webcasts.models import Meeting
    from samskab.webcasts.tests.factories import MeetingFactory

    clip = Clip.objects.create(
        meeting=MeetingFactory(status=Meeting.Status.ENDED), title="Punkt 2", start_ms=0,
        end_ms=4000,
    )  # fmt: skip
    video = Video.objects.create(
        title="Planchefen fortæller", original_name="n.mp4", duration_ms=12_000, status=Job.DONE
    )
    video.captions.save("n.vtt", ContentFile(VALID_VTT))
    failed = Video.objects.create(title="Ødelagt", original_name="x.mp4", status=Job.FAILED)
    presentation = built(by=staff)
    page = _deck_page(presentation, staff, django_capture_on_commit_callbacks)
    slide = services.step_add(presentation=presentation, element=f"page:{page.pk}", by=staff)
    builder_url = reverse("presentations:builder", args=[presentation.pk])
    builder = client.get(builder_url).content.decode()
    # One labelled list with a group for each kind (a plain select: the keyboard works as
    # everywhere); a video that could not be packaged is not offered.
    assert f'<label class="form-label" for="nr-{slide.key}">Narration video</label>' in builder
    assert f'<option value="clip:{clip.pk}">' in builder
    assert (
        '<optgroup label="Uploaded videos">'
        f'<option value="video:{video.pk}">Planchefen fortæller (12 s, with captions)</option>'
        in builder
    )
    assert f'<option value="video:{failed.pk}"' not in builder

    edit = reverse("presentations:step_edit", args=[presentation.pk, slide.key])
    form = {"title": "Skolen", "body": "", "next_key": ""}
    refused = client.post(edit, {**form, "narration": f"video:{failed.pk}"}, follow=True)
    assert "That video could not be prepared for playing." in refused.content.decode()
    refused = client.post(edit, {**form, "narration": "video:999999"}, follow=True)
    assert "That video has been removed. Choose another narration." in refused.content.decode()
    # Choosing the video after a clip replaces the clip: a slide has one narration.
    client.post(edit, {**form, "narration": f"clip:{clip.pk}"})
    assert client.post(edit, {**form, "narration": f"video:{video.pk}"}).status_code == 302
    slide.refresh_from_db()
    assert (slide.narration_id, slide.narration_video_id) == (None, video.pk)
    assert f'<option value="video:{video.pk}" selected>' in client.get(builder_url).content.decode()

    services.presentation_publish(presentation=presentation, by=staff)
    citizen = Client()
    player = citizen.get(reverse("presentations:step", args=[presentation.slug, slide.key]))
    html = player.content.decode()
    assert 'id="step-narration"' in html and 'aria-label="Fortællerstemme"' in html
    assert f'data-hls="{video.playlist_url}"' in html
    assert "hls" in re.search(r'<script src="([^"]*hls[^"]*)"', html).group(1)
    track = re.search(r'<track kind="captions" src="([^"]+)"', html).group(1)
    vtt = citizen.get(track.replace("&amp;", "&"))
    assert vtt.status_code == 200 and "Velkommen til Vestbyen" in vtt.content.decode()

    # The video removed later: the slide plays on, without narration.
    video.delete()
    html = citizen.get(reverse("presentations:step", args=[presentation.slug, slide.key]))
    assert 'id="step-narration"' not in html.content.decode()
    assert citizen.get(track.replace("&amp;", "&")).status_code == 404


VALID_VTT = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nVelkommen til Vestbyen\n"


def test_an_editor_uploads_checked_captions_for_an_uploaded_video_and_they_play(client, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from samskab.presentations.models import Job, Video

    video = Video.objects.create(
        title="Vestbyen fra luften", original_name="v.mp4", duration_ms=8000, status=Job.DONE
    )
    url = reverse("presentations:video_captions", args=[video.pk])
    page = client.get(reverse("presentations:video_upload")).content.decode()
    assert "Captions (WebVTT) for “Vestbyen fra luften”" in page
    broken = b"WEBVTT\n\n00:00:03.000 --> 00:00:01.000\nBaglaens\n"
    refused = client.post(url, {"captions": SimpleUploadedFile("c.vtt", broken)})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Line 3:" in text and "before or when it starts" in text
    not_vtt = client.post(url, {"captions": SimpleUploadedFile("c.vtt", b"1\n00:00:01,000 --> x")})
    assert not_vtt.status_code == 400
    assert "The file must start with the line" in not_vtt.content.decode()
    video.refresh_from_db()
    assert not video.captions
    saved = client.post(
        url,
        {
            "captions": SimpleUploadedFile(
                "c.vtt", b"\xef\xbb\xbf" + VALID_VTT.replace(b"\n", b"\r\n")
            )
        },
    )
    assert saved.status_code == 302
    video.refresh_from_db()
    assert video.captions.read().decode() == VALID_VTT.decode()  # BOM and CRLF made plain

    presentation = built(f"video:{video.pk}", by=staff, publish=True)
    (step,) = steps_of(presentation)
    citizen = Client()
    player = citizen.get(reverse("presentations:step", args=[presentation.slug, step.key]))
    track = re.search(r'<track kind="captions" src="([^"]+)"', player.content.decode()).group(1)
    assert "Velkommen til Vestbyen" in citizen.get(track.replace("&amp;", "&")).content.decode()

    assert client.post(url, {"action": "remove"}).status_code == 302
    video.refresh_from_db()
    assert not video.captions
    # Only builders may change captions.
    client.force_login(UserFactory())
    assert client.post(url, {"captions": SimpleUploadedFile("c.vtt", VALID_VTT)}).status_code == 403


def test_every_save_tells_the_builders_previews_live_and_only_builders_may_listen(
    client, staff, django_capture_on_commit_callbacks
):
    presentation = built("text", by=staff)
    (step,) = steps_of(presentation)
    page = client.get(reverse("presentations:builder", args=[presentation.pk])).content.decode()
    channel = f"presentation:{presentation.pk}"
    assert f'data-live-channel="{channel}"' in page
    assert page.count("data-preview-frame") == 2
    poll = reverse("live:poll", args=[channel])
    edit = reverse("presentations:step_edit", args=[presentation.pk, step.key])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, {"title": "Intro", "body": "", "next_key": ""})
    last_id = client.get(poll).json()["last_id"]
    assert last_id
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit, {"title": "Velkommen", "body": "", "next_key": ""}, HTTP_X_REQUESTED_WITH="fetch"
        )
    revision = response.json()["revision"]
    events = client.get(poll, {"after": last_id}).json()["events"]
    assert [(e["event"], e["data"]) for e in events] == [("saved", {"revision": revision})]
    # A refused save (a stale page) publishes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit, {"title": "Gammel", "body": "", "next_key": "", "revision": "1"})
    assert len(client.get(poll, {"after": last_id}).json()["events"]) == 1
    # Citizens and visitors may not follow a draft's saves.
    assert Client().get(poll).status_code == 403
    citizen = Client()
    citizen.force_login(UserFactory())
    assert citizen.get(poll).status_code == 403


def test_past_its_rate_a_playing_goes_on_uncounted_and_is_never_refused(client, monkeypatch):
    from django.core.cache import cache

    from samskab.presentations import views

    cache.clear()
    monkeypatch.setattr(views, "PROGRESS_RATE", "1/m")
    presentation = built("text", "text", "text", publish=True)
    _first, second, third = presentation.published["steps"]
    location = _play(client, presentation)
    there = _go_on(client, location)
    assert f"/trin/{second['key']}/" in there
    assert _go_on(client, there).startswith(
        reverse("presentations:step", args=[presentation.slug, third["key"]])
    )
    visit = Visit.objects.get()
    assert (visit.last_key, visit.steps_seen) == (second["key"], 2)
