"""Who may do what with a debate in each state: the whole matrix, written out."""

import pytest
from django.contrib.auth.models import AnonymousUser

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.core import targets
from samskab.debates.tests.factories import DebateFactory, ResidentFactory

PEOPLE = ["anonymous", "unverified", "verified", "author", "moderator", "editor"]
STATES = ["open", "closed", "hidden"]

T, F = True, False
# action -> person -> (open, closed, hidden)
EXPECTED = {
    "view": {
        "anonymous": (T, T, F),
        "unverified": (T, T, F),
        "verified": (T, T, F),
        "author": (T, T, T),
        "moderator": (T, T, T),
        "editor": (T, T, T),
    },
    "open new": {
        "anonymous": (F, F, F),
        "unverified": (T, T, T),
        "verified": (T, T, T),
        "author": (T, T, T),
        "moderator": (T, T, T),
        "editor": (T, T, T),
    },
    "vote": {
        "anonymous": (F, F, F),
        "unverified": (T, F, F),
        "verified": (T, F, F),
        "author": (T, F, F),
        "moderator": (T, F, F),
        "editor": (T, F, F),
    },
    "comment": {
        "anonymous": (F, F, F),
        "unverified": (T, F, F),
        "verified": (T, F, F),
        "author": (T, F, F),
        "moderator": (T, F, F),
        "editor": (T, F, F),
    },
    "feature": {
        "anonymous": (F, F, F),
        "unverified": (F, F, F),
        "verified": (F, F, F),
        "author": (F, F, F),
        "moderator": (F, F, F),
        "editor": (T, T, F),
    },
    "close": {
        "anonymous": (F, F, F),
        "unverified": (F, F, F),
        "verified": (F, F, F),
        "author": (F, F, F),
        # A hidden debate that is still open may be closed too.
        "moderator": (T, F, T),
        "editor": (T, F, T),
    },
    "hide": {
        "anonymous": (F, F, F),
        "unverified": (F, F, F),
        "verified": (F, F, F),
        "author": (F, F, F),
        "moderator": (T, T, F),
        "editor": (F, F, F),
    },
}


def _person(kind: str, author):
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "unverified":
        return UserFactory()
    if kind == "verified":
        return ResidentFactory()
    if kind == "author":
        return author
    return StaffFactory(role=Role.MODERATOR if kind == "moderator" else Role.EDITOR)


def _allowed(action: str, user, debate) -> bool:
    if action == "view":
        return user.has_perm("debates.view_debate", debate)
    if action == "open new":
        return user.has_perm("debates.open_debate")
    if action == "comment":
        # Asked the way the comments app asks it (core.targets), with its visibility.
        return targets.is_visible(debate, user) and targets.allows(user, debate, "comment")
    return user.has_perm(f"debates.{action}_debate", debate)


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", PEOPLE)
def test_the_matrix(kind, state):
    author = UserFactory()
    debate = DebateFactory(author=author, closed=state == "closed", hidden=state == "hidden")
    user = _person(kind, author)
    column = STATES.index(state)
    got = {action: _allowed(action, user, debate) for action in EXPECTED}
    wanted = {action: EXPECTED[action][kind][column] for action in EXPECTED}
    assert got == wanted
