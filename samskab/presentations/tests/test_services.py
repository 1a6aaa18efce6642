"""Building, checking, publishing, versions and anonymous answers, through the services."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from PIL import Image as Picture

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.attachments.models import Image
from samskab.presentations import services
from samskab.presentations.models import Answer, Participation, Presentation, Step, Version
from samskab.presentations.selectors import step_media
from samskab.presentations.tests.factories import built, editor, steps_of

pytestmark = pytest.mark.django_db


def picture_of(presentation: Presentation) -> Image:
    out = io.BytesIO()
    Picture.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return Image.objects.create(
        content_type=ContentType.objects.get_for_model(Presentation),
        object_id=presentation.pk,
        file=ContentFile(out.getvalue(), name="plan.png"),
        alt="Kort over planområdet",
    )


# --- Who may do what: role x state x action ------------------------------------------------

ROLES = {
    "anonymous": lambda: AnonymousUser(),
    "citizen": lambda: UserFactory(),
    "moderator": lambda: StaffFactory(role=Role.MODERATOR),
    "operator": lambda: StaffFactory(role=Role.OPERATOR),
    "editor": lambda: StaffFactory(role=Role.EDITOR),
    "administrator": lambda: StaffFactory(role=Role.ADMINISTRATOR),
}
BUILDERS = {"editor", "administrator"}


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("published", [False, True])
def test_the_permission_matrix(role, published):
    presentation = built("text", publish=published)
    user = ROLES[role]()
    builder = role in BUILDERS
    assert user.has_perm("presentations.build_presentation") is builder
    assert user.has_perm("presentations.publish_presentation") is builder
    assert user.has_perm("presentations.view_results") is builder
    assert user.has_perm("presentations.attach_presentation", presentation) is builder
    # Citizens play the published presentation only; builders also the draft.
    assert user.has_perm("presentations.play_presentation", presentation) is (published or builder)


# --- Building -------------------------------------------------------------------------------


def test_steps_are_added_where_asked_moved_and_reordered_and_each_save_is_a_version():
    by = editor()
    presentation = built("text", "question:single", by=by)
    first, _question = steps_of(presentation)
    services.step_add(
        presentation=presentation, element="question:text", after_key=first.key, by=by
    )
    services.step_add(presentation=presentation, element="text", after_key="", by=by)
    kinds = [(s.kind, s.question_kind) for s in steps_of(presentation)]
    assert kinds == [("text", ""), ("text", ""), ("question", "text"), ("question", "single")]

    top = steps_of(presentation)[0]
    services.step_move(step=top, direction="down", by=by)
    assert steps_of(presentation)[1].key == top.key
    keys = [s.key for s in steps_of(presentation)][::-1]
    services.steps_reorder(presentation=presentation, keys=keys, by=by)
    assert [s.key for s in steps_of(presentation)] == keys
    assert [s.position for s in steps_of(presentation)] == [0, 1, 2, 3]
    # created, 4 adds, a move, a reorder
    assert presentation.versions.count() == 7
    assert Version.objects.filter(presentation=presentation).first().note == "Steps reordered"


def test_a_reorder_that_does_not_name_every_step_once_is_refused():
    presentation = built("text", "text")
    a, _b = steps_of(presentation)
    with pytest.raises(services.Refused):
        services.steps_reorder(presentation=presentation, keys=[a.key, a.key], by=editor())
    with pytest.raises(services.Refused):
        services.steps_reorder(presentation=presentation, keys=[a.key], by=editor())


def test_a_save_from_a_page_opened_before_another_save_is_refused():
    presentation = built("text")
    stale = presentation.revision
    services.step_add(presentation=presentation, element="text", by=editor())
    with pytest.raises(services.Refused, match="Someone else saved"):
        services.step_add(presentation=presentation, element="text", by=editor(), revision=stale)


def test_options_keep_their_ids_when_edited_so_branches_and_answers_stay():
    presentation = built("question:single", "text", "text")
    question, _middle, last = steps_of(presentation)
    services.step_update(
        step=question, title="Støtter du planen?", body="", choices="Yes\nNej\nVed ikke",
        branches={"1": last.key}, by=editor(),
    )  # fmt: skip
    services.step_update(
        step=question, title="Støtter du planen?", body="", choices="Ved ikke\nYes",
        branches={"1": last.key, "4": last.key}, by=editor(),
    )  # fmt: skip
    question.refresh_from_db()
    # "Yes" was there from the start (1); "Nej" (3) is gone, so is a branch on it.
    assert question.choices == [{"id": 4, "text": "Ved ikke"}, {"id": 1, "text": "Yes"}]
    assert question.branches == {"1": last.key, "4": last.key}


def test_a_video_step_s_out_point_outside_its_video_is_refused(django_capture_on_commit_callbacks):
    from samskab.recordings.models import Clip
    from samskab.webcasts.tests.ui_helpers import archive_meeting

    clip = Clip.objects.create(
        meeting=archive_meeting(), title="Punkt 3", start_ms=10_000, end_ms=40_000
    )
    presentation = built(f"clip:{clip.pk}")
    (step,) = steps_of(presentation)
    assert (step.in_ms, step.out_ms) == (0, 30_000)
    with pytest.raises(services.Refused, match="outside the video"):
        services.step_update(step=step, title="x", body="", in_ms=0, out_ms=31_000, by=editor())
    with pytest.raises(services.Refused, match="after the in point"):
        services.step_update(step=step, title="x", body="", in_ms=9_000, out_ms=8_000, by=editor())
    services.step_update(step=step, title="x", body="", in_ms=2_000, out_ms=12_500, by=editor())


def test_an_element_that_is_not_there_cannot_be_added():
    presentation = built()
    for element in (
        "clip:999",
        "image:999",
        "slide:999",
        "video:999",
        "question:matrix",
        "nonsense",
    ):
        with pytest.raises(services.Refused):
            services.step_add(presentation=presentation, element=element, by=editor())


# --- Publishing ------------------------------------------------------------------------------


def test_publishing_refuses_an_empty_presentation_a_missing_branch_and_a_loop_with_no_exit():
    by = editor()
    empty = built()
    with pytest.raises(services.Refused) as refused:
        services.presentation_publish(presentation=empty, by=by)
    assert refused.value.problems == ["The presentation has no steps yet."]

    presentation = built("text", "text", "text", by=by)
    a, b, c = steps_of(presentation)
    Step.objects.filter(pk=b.pk).update(next_key="gone")
    with pytest.raises(services.Refused) as refused:
        services.presentation_publish(presentation=presentation, by=by)
    assert "leads to a step that is not there" in refused.value.problems[0]

    Step.objects.filter(pk=b.pk).update(next_key=c.key)
    Step.objects.filter(pk=c.pk).update(next_key=b.key)
    with pytest.raises(services.Refused) as refused:
        services.presentation_publish(presentation=presentation, by=by)
    assert any("in a loop with no way out" in problem for problem in refused.value.problems)

    Step.objects.filter(pk=c.pk).update(next_key="")
    services.presentation_publish(presentation=presentation, by=by)
    presentation.refresh_from_db()
    assert presentation.is_published
    assert [s["key"] for s in presentation.published["steps"]] == [a.key, b.key, c.key]


def test_a_step_whose_element_was_removed_is_refused_at_publishing_but_a_published_one_plays_on():
    by = editor()
    presentation = built("text", by=by)
    picture = picture_of(presentation)
    services.step_add(presentation=presentation, element=f"image:{picture.pk}", by=by)
    services.step_add(presentation=presentation, element="text", by=by)
    services.presentation_publish(presentation=presentation, by=by)
    presentation.refresh_from_db()
    shown = presentation.published["steps"][1]
    assert step_media(shown).image.endswith(".png")

    picture.delete()
    presentation.refresh_from_db()
    # The citizen's version still plays: the picture's step shows a notice, the rest plays.
    assert step_media(presentation.published["steps"][1]).removed
    assert not step_media(presentation.published["steps"][2]).removed
    with pytest.raises(services.Refused) as refused:
        services.presentation_publish(presentation=presentation, by=by)
    assert "shows an element that has been removed" in refused.value.problems[0]


def test_editing_after_publishing_does_not_change_what_citizens_play_until_published_again():
    by = editor()
    presentation = built("text", by=by, publish=True)
    (step,) = steps_of(presentation)
    services.step_update(step=step, title="Ny titel", body="", by=by)
    presentation.refresh_from_db()
    assert presentation.published["steps"][0]["title"] == "Text"
    services.presentation_publish(presentation=presentation, by=by)
    presentation.refresh_from_db()
    assert presentation.published["steps"][0]["title"] == "Ny titel"


def test_restoring_a_version_brings_its_steps_back():
    by = editor()
    presentation = built("text", "question:single", by=by)
    before = presentation.versions.order_by("-number").first()
    services.step_remove(step=steps_of(presentation)[0], by=by)
    assert len(steps_of(presentation)) == 1
    services.version_restore(version=before, by=by)
    assert [s.kind for s in steps_of(presentation)] == ["text", "question"]
    assert (
        presentation.versions.order_by("-number").first().note
        == f"Version {before.number} restored"
    )


# --- Answers: anonymous by construction, once per viewer --------------------------------------


def test_an_answer_is_stored_without_the_viewer_and_only_once_per_viewer():
    presentation = built("question:single", publish=True)
    step = presentation.published["steps"][0]
    services.answer_submit(presentation=presentation, step=step, participant_key="v:abc", raw="1")
    with pytest.raises(services.Refused, match="already answered"):
        services.answer_submit(
            presentation=presentation, step=step, participant_key="v:abc", raw="2"
        )
    services.answer_submit(presentation=presentation, step=step, participant_key="v:def", raw="2")
    assert sorted(Answer.objects.values_list("value", flat=True)) == [1, 2]
    assert Participation.objects.count() == 2
    answer_fields = {field.name for field in Answer._meta.get_fields()}
    assert answer_fields == {"id", "presentation", "step_key", "value", "submitted_at"}
    assert all(answer.submitted_at.minute == 0 for answer in Answer.objects.all())


def test_an_answer_that_is_not_an_option_or_to_a_draft_is_refused():
    presentation = built("question:single")
    step = services.snapshot_of(presentation)["steps"][0]
    with pytest.raises(services.Refused, match="not published"):
        services.answer_submit(presentation=presentation, step=step, participant_key="v:a", raw="1")
    services.presentation_publish(presentation=presentation, by=editor())
    presentation.refresh_from_db()
    with pytest.raises(services.Refused):
        services.answer_submit(
            presentation=presentation, step=step, participant_key="v:a", raw="77"
        )
    assert not Participation.objects.exists()


def test_a_slide_has_at_most_one_narration_by_a_database_constraint():
    from django.db import IntegrityError, transaction

    from samskab.presentations.models import Video
    from samskab.recordings.models import Clip
    from samskab.webcasts.tests.factories import MeetingFactory

    by = editor()
    clip = Clip.objects.create(meeting=MeetingFactory(), title="Punkt", start_ms=0, end_ms=1000)
    video = Video.objects.create(title="Fortælling", original_name="f.mp4")
    presentation = built("text", by=by)
    (step,) = steps_of(presentation)
    Step.objects.filter(pk=step.pk).update(kind=Step.Kind.SLIDE, narration=clip)
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.filter(pk=step.pk).update(narration_video=video)
    # Through the service, choosing the other kind replaces the first.
    step.refresh_from_db()
    services.step_update(step=step, title="", body="", narration=f"video:{video.pk}", by=by)
    step.refresh_from_db()
    assert (step.narration_id, step.narration_video_id) == (None, video.pk)
    with pytest.raises(services.Refused, match="Choose a narration video from the list"):
        services.step_update(step=step, title="", body="", narration="image:1", by=by)
