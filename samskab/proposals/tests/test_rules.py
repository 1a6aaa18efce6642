"""Who may do what with a proposal in each state: the whole matrix, written out."""

import pytest
from django.contrib.auth.models import AnonymousUser

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.core import targets
from samskab.proposals.tests.factories import ProposalFactory, ResidentFactory

PEOPLE = ["anonymous", "unverified", "verified", "author", "moderator", "editor"]
STATES = ["open", "successful", "archived", "retired", "hidden"]

T, F = True, False
# action -> person -> (open, successful, archived, retired, hidden)
EXPECTED = {
    "view": {
        "anonymous": (T, T, T, T, F),
        "unverified": (T, T, T, T, F),
        "verified": (T, T, T, T, F),
        "author": (T, T, T, T, T),
        "moderator": (T, T, T, T, T),
        "editor": (T, T, T, T, T),
    },
    "add": {
        "anonymous": (F, F, F, F, F),
        "unverified": (T, T, T, T, T),
        "verified": (T, T, T, T, T),
        "author": (T, T, T, T, T),
        "moderator": (T, T, T, T, T),
        "editor": (T, T, T, T, T),
    },
    # Only verified residents, and only while it takes supports (a successful one still
    # does: more supports tell the council more).
    "support": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (T, T, F, F, F),
        "author": (T, T, F, F, F),  # the author in these tests is a verified resident
        "moderator": (F, F, F, F, F),
        "editor": (F, F, F, F, F),
    },
    "comment": {
        "anonymous": (F, F, F, F, F),
        "unverified": (T, T, T, F, F),
        "verified": (T, T, T, F, F),
        "author": (T, T, T, F, F),
        "moderator": (T, T, T, F, F),
        "editor": (T, T, T, F, F),
    },
    "follow": {
        "anonymous": (F, F, F, F, F),
        "unverified": (T, T, T, T, F),
        "verified": (T, T, T, T, F),
        "author": (T, T, T, T, F),
        "moderator": (T, T, T, T, F),
        "editor": (T, T, T, T, F),
    },
    "report": {
        "anonymous": (F, F, F, F, F),
        "unverified": (T, T, T, T, F),
        "verified": (T, T, T, T, F),
        "author": (T, T, T, T, F),
        "moderator": (T, T, T, T, F),
        "editor": (T, T, T, T, F),
    },
    "attach": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (T, T, T, F, F),
        "moderator": (F, F, F, F, F),
        "editor": (T, T, T, T, T),
    },
    "retire": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (T, T, T, F, F),
        "moderator": (F, F, F, F, F),
        "editor": (F, F, F, F, F),
    },
    "message": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (T, T, T, F, F),
        "moderator": (F, F, F, F, F),
        "editor": (F, F, F, F, F),
    },
    "answer": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (F, F, F, F, F),
        "moderator": (F, F, F, F, F),
        "editor": (T, T, T, T, F),
    },
    "agenda": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (F, F, F, F, F),
        "moderator": (F, F, F, F, F),
        "editor": (F, T, F, F, F),
    },
    # A successful proposal may start one binding vote (test_views: not a second one).
    "start_vote": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (F, F, F, F, F),
        "moderator": (F, F, F, F, F),
        "editor": (F, T, F, F, F),
    },
    # Its place on the map: the author while it lives, editors always.
    "locate": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (T, T, T, F, F),
        "moderator": (F, F, F, F, F),
        "editor": (T, T, T, T, T),
    },
    "hide": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (F, F, F, F, F),
        "moderator": (T, T, T, T, F),
        "editor": (F, F, F, F, F),
    },
    "restore": {
        "anonymous": (F, F, F, F, F),
        "unverified": (F, F, F, F, F),
        "verified": (F, F, F, F, F),
        "author": (F, F, F, F, F),
        "moderator": (F, F, F, F, T),
        "editor": (F, F, F, F, F),
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


def _allowed(action: str, user, proposal) -> bool:
    if action == "view":
        return user.has_perm("proposals.view_proposal", proposal)
    if action == "add":
        return user.has_perm("proposals.add_proposal")
    if action in ("comment", "follow", "report", "attach", "support", "locate"):
        # Asked the way the kernel's apps ask it (core.targets), with its visibility.
        return targets.is_visible(proposal, user) and targets.allows(user, proposal, action)
    return user.has_perm(f"proposals.{action}_proposal", proposal)


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", PEOPLE)
def test_the_matrix(kind, state):
    author = ResidentFactory()
    proposal = ProposalFactory(
        author=author,
        successful=state == "successful",
        archived=state == "archived",
        retired=state == "retired",
        hidden=state == "hidden",
    )
    user = _person(kind, author)
    column = STATES.index(state)
    got = {action: _allowed(action, user, proposal) for action in EXPECTED}
    wanted = {action: EXPECTED[action][kind][column] for action in EXPECTED}
    assert got == wanted
