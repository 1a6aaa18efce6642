"""Comments on passages: chosen by keyboard (sentences) or selection (offsets), counted and
highlighted on the draft, moderated and agreed with like any comment, and refused cleanly."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.comments.models import Comment
from samskab.comments.services import comment_post, comment_vote
from samskab.hearings import services
from samskab.hearings.models import Passage
from samskab.hearings.tests.factories import DRAFT, ProcessFactory, in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    process = in_phase(ProcessFactory(), "draft")
    return services.version_publish(
        process=process, user=StaffFactory(role=Role.EDITOR), markdown=DRAFT, locked=["p3"]
    )


def test_by_keyboard_a_citizen_chooses_a_paragraph_then_its_sentences(client, version):
    client.force_login(UserFactory())
    url = reverse("hearings:passage_new", args=[version.process_id])
    first = client.get(url)
    assert 'name="anchor"' in first.text and "§ 2, stk. 1" in first.text
    assert "§ 3, stk. 1" not in first.text  # locked
    second = client.get(url + "?anchor=p2-stk1")
    assert 'name="first"' in second.text and "2. Tage skal være røde." in second.text
    page = client.post(
        url, {"anchor": "p2-stk1", "first": 1, "last": 1, "body": "Hellere sorte tage"}
    )
    passage = Passage.objects.get()
    assert page.status_code == 302 and page.url == passage.get_absolute_url()
    assert passage.quote == "Tage skal være røde."
    assert Comment.objects.get().target == passage


def test_a_selection_arrives_with_its_offsets_and_the_draft_counts_it(client, version):
    client.force_login(UserFactory())
    text = version.paragraphs.get(anchor="p1-stk1").text
    start = text.index("grønne områder")
    end = start + len("grønne områder")
    url = reverse("hearings:passage_new", args=[version.process_id])
    shown = client.get(url + f"?anchor=p1-stk1&start={start}&end={end}")
    assert "<mark>grønne områder</mark>" in shown.text
    client.post(url, {"anchor": "p1-stk1", "start": start, "end": end, "body": "Ja tak"})
    client.force_login(UserFactory())
    client.post(url, {"anchor": "p1-stk1", "start": start, "end": end, "body": "Også mig"})
    passage = Passage.objects.get()
    assert passage.comment_count == 2
    draft = client.get(reverse("hearings:draft", args=[version.process_id]))
    assert "<mark>grønne områder</mark>" in draft.text
    assert (
        f'href="{passage.get_absolute_url()}" aria-label="2 comments on the passage' in draft.text
    )
    assert client.get(passage.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"anchor": "p1-stk1", "start": 5, "end": 5}, "selection is empty"),
        ({"anchor": "p1-stk1", "start": 3, "end": 9999}, "selection is empty"),
        ({"anchor": "p3-stk1", "first_sentence": 0}, "locked"),
        ({"anchor": "nowhere", "first_sentence": 0}, "Choose a paragraph"),
        ({"anchor": "p1-stk1", "first_sentence": 1, "last_sentence": 0}, "in order"),
    ],
)
def test_bad_selections_are_refused_and_nothing_is_saved(version, where, message):
    with pytest.raises(services.HearingRefused, match=message):
        services.passage_comment(version=version, user=UserFactory(), body="x", **where)
    assert not Passage.objects.exists() and not Comment.objects.exists()


def test_a_refused_comment_leaves_no_passage_behind(version):
    with pytest.raises(services.HearingRefused):
        services.passage_comment(version=version, user=UserFactory(), body="  ", anchor="a1")
    assert not Passage.objects.exists()


def test_outside_the_draft_phase_no_passage_can_be_commented(client, version):
    in_phase(version.process, "hearing")
    with pytest.raises(services.HearingRefused, match="cannot be commented"):
        services.passage_comment(version=version, user=UserFactory(), body="x", anchor="a1")
    client.force_login(UserFactory())
    assert client.get(reverse("hearings:passage_new", args=[version.process_id])).status_code == 403


def test_comments_on_a_passage_are_threaded_agreed_and_moderated(version):
    author, other = UserFactory(), UserFactory()
    passage, comment = services.passage_comment(
        version=version, user=author, body="Første", anchor="a1"
    )
    reply = comment_post(target=passage, body="Svar", author=other, parent=comment)
    assert reply.depth == 2
    comment_vote(comment=comment, value=1, user=other)
    comment.refresh_from_db()
    assert comment.agree_count == 1
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    services.passage_recount(passage_id=passage.pk)
    passage.refresh_from_db()
    assert passage.comment_count == 1  # the reply


def test_a_passage_gone_in_version_two_is_shown_with_its_old_text(client, version):
    passage, _c = services.passage_comment(
        version=version, user=UserFactory(), body="Nej", anchor="p2-stk2", first_sentence=0
    )
    services.version_publish(
        process=version.process,
        user=StaffFactory(role=Role.EDITOR),
        markdown=DRAFT.replace(
            "Stk. 2. Der må ikke opføres carporte.",
            "Stk. 2. Carporte i sort træ er tilladt, når naboen siger ja.",
        ),
    )
    draft = client.get(reverse("hearings:draft", args=[version.process_id]))
    assert "Comments about an earlier version" in draft.text
    assert "Stk. 2. Der må ikke opføres carporte." in draft.text
    assert "About an earlier version" in client.get(passage.get_absolute_url()).text
