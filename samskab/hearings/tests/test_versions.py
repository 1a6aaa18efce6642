"""Processes, phases and versions of the draft, as staff and citizens use them."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.activity.models import Event
from samskab.hearings import services
from samskab.hearings.models import Passage, Phase, Version
from samskab.hearings.tests.factories import DRAFT, ProcessFactory, docx_bytes, in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return StaffFactory(role=Role.EDITOR)


def test_phases_may_not_overlap_and_must_end_after_they_start(editor):
    process = ProcessFactory()
    now = timezone.now()
    services.phase_set(
        process=process, user=editor, kind="draft", starts_at=now, ends_at=now + timedelta(days=5)
    )
    with pytest.raises(services.HearingRefused, match="overlaps"):
        services.phase_set(
            process=process,
            user=editor,
            kind="hearing",
            starts_at=now + timedelta(days=4),
            ends_at=now + timedelta(days=9),
        )
    with pytest.raises(services.HearingRefused, match="end after"):
        services.phase_set(
            process=process,
            user=editor,
            kind="hearing",
            starts_at=now + timedelta(days=9),
            ends_at=now + timedelta(days=8),
        )
    assert Phase.objects.count() == 1


def test_a_citizen_cannot_publish_a_version():
    with pytest.raises(services.HearingRefused):
        services.version_publish(process=ProcessFactory(), user=UserFactory(), markdown=DRAFT)


def test_a_new_version_carries_the_passages_and_tells_the_followers(editor):
    process = in_phase(ProcessFactory(), "draft")
    v1 = services.version_publish(
        process=process, user=editor, markdown=DRAFT, changelog="Første udkast"
    )
    citizen = UserFactory()
    kept, _c = services.passage_comment(
        version=v1, user=citizen, body="Godt!", anchor="p2-stk1", first_sentence=1
    )
    gone, _c = services.passage_comment(
        version=v1, user=citizen, body="Nej tak", anchor="p2-stk2", first_sentence=0
    )
    assert kept.quote == "Tage skal være røde."
    new = DRAFT.replace(
        "Stk. 2. Der må ikke opføres carporte.",
        "Stk. 2. Carporte i sort træ er tilladt, hvis naboerne er enige.",
    )
    new = new.replace("## § 2. Bebyggelse", "## § 2. Bebyggelse\n\nNy indledning om bebyggelsen.")
    v2 = services.version_publish(
        process=process, user=editor, markdown=new, changelog="Carporte tilladt"
    )
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert (kept.current_version, kept.state) == (v2, Passage.State.EXACT)
    paragraph = v2.paragraphs.get(anchor=kept.current_anchor)
    assert paragraph.text[kept.current_start : kept.current_end] == "Tage skal være røde."
    assert gone.state == Passage.State.EARLIER and gone.current_version == v1
    assert list(Event.objects.filter(kind="version").values_list("note", flat=True)) == ["1", "2"]


def test_a_word_document_that_is_none_is_refused_and_nothing_is_saved(editor):
    process = ProcessFactory()
    with pytest.raises(services.HearingRefused, match="not a Word document"):
        services.version_publish(process=process, user=editor, docx=b"%PDF-1.4 nope")
    assert not Version.objects.exists()


def test_staff_import_a_draft_from_word_and_citizens_read_it(client, editor):
    process = in_phase(ProcessFactory(), "draft")
    staff_sign_in(client, editor)
    upload = SimpleUploadedFile(
        "udkast.docx", docx_bytes([("Heading1", "§ 1. Formål"), ("", "Grønne områder langs åen.")])
    )
    page = client.post(
        reverse("hearings:version_new", args=[process.pk]),
        {"docx": upload, "changelog": "Fra Word"},
    )
    assert page.status_code == 302
    version = Version.objects.get()
    assert version.source == "docx"
    assert list(version.paragraphs.values_list("anchor", flat=True)) == ["p1", "p1-stk1"]
    client.logout()
    client.force_login(UserFactory())
    draft = client.get(reverse("hearings:draft", args=[process.pk]))
    assert 'id="p1-stk1"' in draft.text and "Comment on this paragraph" in draft.text


def test_two_versions_compare_as_a_readable_difference(client, editor):
    process = ProcessFactory()
    services.version_publish(process=process, user=editor, markdown="§ 1. Tage skal være røde.")
    services.version_publish(process=process, user=editor, markdown="§ 1. Tage skal være sorte.")
    page = client.get(reverse("hearings:versions", args=[process.pk]) + "?fra=1&til=2")
    assert "<del>røde.</del>" in page.text and "<ins>sorte.</ins>" in page.text


def test_the_process_page_shows_the_timeline_and_the_phase_open_now(client):
    process = in_phase(ProcessFactory(), "hearing")
    page = client.get(process.get_absolute_url())
    assert page.status_code == 200
    assert 'aria-current="step"' in page.text and "Hearing" in page.text
    assert client.get(reverse("hearings:list")).status_code == 200


def test_an_unpublished_process_is_not_found_by_the_public(client):
    process = ProcessFactory(is_published=False)
    assert client.get(process.get_absolute_url()).status_code == 404


def test_the_followers_hear_once_when_a_phase_opens():
    in_phase(ProcessFactory(), "debate")
    assert services.phases_announce() == 1
    assert services.phases_announce() == 0
    assert Event.objects.filter(kind="phase", note="debate").count() == 1


def test_the_worker_announces_the_phases_on_its_schedule():
    """No timer unit needed: the worker queues announce_task every five minutes, and the
    task tells the followers once."""
    from samskab.core import worker
    from samskab.hearings.tasks import announce_task

    jobs = {job.task.module_path: job for job in worker.scheduled()}
    assert jobs[announce_task.module_path].every_s == 300
    in_phase(ProcessFactory(), "hearing")
    assert announce_task.call() == 1
    assert announce_task.call() == 0
    assert Event.objects.filter(kind="phase", note="hearing").count() == 1


def test_staff_create_a_hearing_with_phases(client, editor):
    staff_sign_in(client, editor)
    page = client.post(
        reverse("hearings:create"),
        {
            "title": "Lokalplan 99",
            "summary": "Om byen",
            "is_published": "on",
            "draft_starts": "2026-01-01T10:00",
            "draft_ends": "2026-02-01T10:00",
            "hearing_starts": "2026-02-01T10:00",
            "hearing_ends": "2026-03-01T10:00",
        },
    )
    assert page.status_code == 302, page.text
    assert list(Phase.objects.values_list("kind", flat=True)) == ["draft", "hearing"]


def test_followers_get_a_notification_of_a_new_version(editor, django_capture_on_commit_callbacks):
    from samskab.follows.services import follow_add
    from samskab.notifications.models import Notification

    process = ProcessFactory()
    citizen = UserFactory()
    follow_add(target=process, user=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(process=process, user=editor, markdown=DRAFT)
    assert Notification.objects.filter(user=citizen).count() == 1


def test_staff_draw_the_plans_area_on_the_map(client, editor):
    process = ProcessFactory()
    staff_sign_in(client, editor)
    ring = "[[9.6, 55.95], [9.61, 55.95], [9.61, 55.96], [9.6, 55.95]]"
    area = '{"type": "Polygon", "coordinates": [' + ring + "]}"
    page = client.post(
        reverse("hearings:edit", args=[process.pk]),
        {"title": process.title, "is_published": "on", "area": area},
    )
    assert page.status_code == 302
    assert "The area the plan covers." in client.get(process.get_absolute_url()).text
