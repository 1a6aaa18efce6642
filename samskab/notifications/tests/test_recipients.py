"""A step told to the people it names (a valuator asked to assess projects), not to the
target's author and followers: on the test suite's own capability (core/tests/kernelapp)."""

import pytest

from samskab.accounts.tests.factories import UserFactory
from samskab.activity.services import event_record
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.follows.services import follow_add
from samskab.notifications import services
from samskab.notifications.models import Mode, Notification

pytestmark = pytest.mark.django_db

KIND = "kernelapp.idea.answered"


@pytest.fixture
def idea():
    author = UserFactory(email="forfatter@example.org")
    box = IdeaBox.objects.create(title="Byens rum")
    idea = Idea.objects.create(box=box, title="Flere bænke", author=author, language="da")
    follow_add(target=idea, user=UserFactory(email="follower@example.org"), language="da")
    return idea


def test_only_the_named_people_are_told_each_in_their_language(
    idea, smtp_inbox, django_capture_on_commit_callbacks
):
    english, danish = UserFactory(email="en@example.org"), UserFactory(email="da@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        event_record(target=idea, kind="answered", recipients=[(english, "en"), (danish, "")])
    rows = {n.user.email: n for n in Notification.objects.all()}
    assert set(rows) == {"en@example.org", "da@example.org"}
    assert (rows["en@example.org"].language, rows["da@example.org"].language) == ("en", "da")
    assert not any(n.is_author for n in rows.values())
    assert sorted(m["To"] for m in smtp_inbox.messages) == ["da@example.org", "en@example.org"]


def test_the_actor_and_those_who_turned_the_kind_off_are_not_told(
    idea, django_capture_on_commit_callbacks
):
    actor, quiet, told = UserFactory(), UserFactory(), UserFactory()
    services.preference_set(user=quiet, kind=KIND, mode=Mode.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        event_record(
            target=idea,
            kind="answered",
            actor=actor,
            recipients=[(actor, "da"), (quiet, "da"), (told, "da"), (told, "en")],
        )
    assert [n.user for n in Notification.objects.all()] == [told]


def test_an_empty_list_of_recipients_tells_nobody(idea, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event_record(target=idea, kind="answered", recipients=[])
    assert not Notification.objects.exists()
