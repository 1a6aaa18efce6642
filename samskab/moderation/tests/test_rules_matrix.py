"""Who may do what to a post in which state: role x state x action, for report, hold,
approve, hide and restore, through the pages (the queue's form and "report this").

Each row runs on two kinds of target: a comment (hooks in comments/moderated.py) and the
test suite's idea (core/tests/kernelapp), which gets moderation by registration alone."""

import pytest
from django.test import Client
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.comments.models import Comment
from samskab.comments.tests.factories import CommentFactory
from samskab.core import targets
from samskab.core.targets import Moderated
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.moderation.models import ModerationLogEntry, Report

# Role x phase x action through the rules: plain queries, the same on either database, so
# once (conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_pass]

ROLES = ("anonymous", "citizen", "editor", "moderator", "administrator")
STATES = (Moderated.HELD, Moderated.PUBLISHED, Moderated.HIDDEN)
MODERATOR_ACTIONS = ("hold", "approve", "hide", "restore")

# From which state each moderator action is allowed, and the state it leaves.
OUTCOME = {
    ("hold", Moderated.PUBLISHED): Moderated.HELD,
    ("approve", Moderated.HELD): Moderated.PUBLISHED,
    ("approve", Moderated.PUBLISHED): Moderated.PUBLISHED,  # reported: kept, reports closed
    ("hide", Moderated.HELD): Moderated.REJECTED,
    ("hide", Moderated.PUBLISHED): Moderated.HIDDEN,
    ("restore", Moderated.HIDDEN): Moderated.PUBLISHED,
}
MODERATING = {"moderator", "administrator"}
# The queue's button for hiding (a held post is rejected, a shown one hidden).
BUTTON = {"hide": "reject"}

COMMENT_STATUS = {
    Moderated.HELD: Comment.Status.PENDING,
    Moderated.PUBLISHED: Comment.Status.PUBLISHED,
    Moderated.HIDDEN: Comment.Status.HIDDEN,
}


def make(kind: str, state: str):
    if kind == "comment":
        return CommentFactory(status=COMMENT_STATUS[state])
    return Idea.objects.create(
        box=IdeaBox.objects.create(title="Boks"), title="En idé", state=state
    )


def state_of(obj) -> str:
    obj.refresh_from_db()
    return targets.target_of(obj).moderation.describe(obj).state


def client_as(role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role == "anonymous":
        return client
    if role == "citizen":
        client.force_login(UserFactory())
        return client
    staff = StaffFactory(role=Role(role))
    with_totp(staff)
    client.force_login(staff)
    return client


@pytest.mark.parametrize("kind", ["comment", "idea"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", MODERATOR_ACTIONS)
def test_moderator_actions(kind, state, role, action):
    obj = make(kind, state)
    key = targets.key_of(obj)
    client = client_as(role)
    button = BUTTON.get(action, action)
    response = client.post(
        reverse("moderation:act"), {"one": f"{button}:{key}", f"reason-{key}": "Regel 3"}
    )
    expected = OUTCOME.get((action, state)) if role in MODERATING else None
    if role == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif role not in MODERATING:
        assert response.status_code == 403
    assert state_of(obj) == (expected or state)
    logged = ModerationLogEntry.objects.filter(object_id=obj.pk, moderator__isnull=False)
    assert logged.exists() is (expected is not None)


@pytest.mark.parametrize("kind", ["comment", "idea"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_reporting(kind, state, role):
    """Anyone who may see a post may report it, once; what is not shown is not found."""
    obj = make(kind, state)
    client = client_as(role)
    url = reverse("moderation:report", args=[targets.label_of(obj), obj.pk])
    response = client.post(url, {"reason": "abuse"})
    if state == Moderated.PUBLISHED:
        assert response.status_code == 302
        assert Report.objects.filter(object_id=obj.pk).count() == 1
    else:
        assert response.status_code == 404
        assert not Report.objects.exists()
    assert state_of(obj) == state  # one report never holds a post
