"""Recording a step on any registered target (here the test suite's idea, core/tests/kernelapp)
and telling its author and followers: after commit, by a task, each address once, each in
their language."""

import pytest

from samskab.accounts.tests.factories import UserFactory
from samskab.activity.models import Event
from samskab.activity.selectors import history
from samskab.activity.services import event_record
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.follows.services import follow_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea():
    author = UserFactory(email="forfatter@example.org")
    box = IdeaBox.objects.create(title="Byens rum")
    return Idea.objects.create(box=box, title="Flere bænke", author=author, language="da")


def test_the_author_and_every_follower_get_one_mail_each_in_their_language(
    idea, smtp_inbox, django_capture_on_commit_callbacks
):
    follower = UserFactory(email="f@example.org")
    box_follower = UserFactory(email="b@example.org")
    follow_add(target=idea, user=follower, language="en")
    follow_add(target=idea.box, user=box_follower, language="da")
    follow_add(target=idea, user=idea.author, language="en")  # the author follows too
    follow_add(target=idea.box, user=follower, language="da")  # and the follower the box
    with django_capture_on_commit_callbacks(execute=True):
        event_record(target=idea, kind="answered", note="Vi sætter to bænke op.")
    by_address = {m["To"]: m for m in smtp_inbox.messages}
    assert len(smtp_inbox.messages) == 3
    assert set(by_address) == {"forfatter@example.org", "f@example.org", "b@example.org"}
    assert by_address["forfatter@example.org"]["Subject"] == "Answered: Flere bænke"
    author_text = by_address["forfatter@example.org"].get_body(("plain",)).get_content()
    assert "noget, du har skrevet" in author_text and "Vi sætter to bænke op." in author_text
    follower_html = by_address["f@example.org"].get_body(("html",)).get_content()
    assert '<html lang="en">' in follower_html and "something you follow" in follower_html
    assert '<html lang="da">' in by_address["b@example.org"].get_body(("html",)).get_content()


def test_nothing_is_sent_before_the_step_is_committed(
    idea, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_record(target=idea, kind="answered")
    assert smtp_inbox.messages == [] and len(callbacks) == 1
    callbacks[0]()  # the commit: the task is queued (and, in tests, run at once)
    assert [m["To"] for m in smtp_inbox.messages] == ["forfatter@example.org"]


def test_deleted_and_inactive_accounts_hear_nothing(
    idea, smtp_inbox, django_capture_on_commit_callbacks
):
    idea.author.is_active = False
    idea.author.save()
    with django_capture_on_commit_callbacks(execute=True):
        event_record(target=idea, kind="answered")
    assert smtp_inbox.messages == []


def test_a_kind_the_target_did_not_register_is_refused(idea):
    with pytest.raises(ValueError, match="no activity kind"):
        event_record(target=idea, kind="exploded")
    assert not Event.objects.exists()


def test_the_history_is_the_target_s_and_goes_with_it(idea):
    other = Idea.objects.create(box=idea.box, title="Andet")
    actor = UserFactory()
    event_record(target=idea, kind="answered", note="Ja", actor=actor, notify=False)
    event_record(target=other, kind="answered", notify=False)
    [entry] = history(idea)
    assert (entry.note, entry.actor) == ("Ja", actor)
    idea.delete()
    assert [e.object_id for e in Event.objects.all()] == [other.pk]


def test_the_steps_a_person_recorded_are_in_their_data_export(client, idea):
    import json

    staff = UserFactory()
    event_record(target=idea, kind="answered", note="Ja", actor=staff, notify=False)
    client.force_login(staff)
    [row] = json.loads(client.get("/konto/mine-data/").content)["apps"]["activity"]
    assert (row["target"], row["kind"], row["note"]) == (
        f"kernelapp.idea:{idea.pk}",
        "answered",
        "Ja",
    )
