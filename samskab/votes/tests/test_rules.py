"""Who may do what with a binding vote in each phase: the whole matrix, written out."""

import pytest
from django.contrib.auth.models import AnonymousUser

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.votes.tests.factories import booth_with_officer, resident, vote_with_questions

PEOPLE = ["anonymous", "citizen", "resident", "officer on shift", "officer off shift", "editor"]
PHASES = ["draft", "open", "closed", "published"]

T, F = True, False
# action -> person -> (draft, open, closed, published)
EXPECTED = {
    "view": {
        "anonymous": (F, T, T, T),
        "citizen": (F, T, T, T),
        "resident": (F, T, T, T),
        "officer on shift": (F, T, T, T),
        "officer off shift": (F, T, T, T),
        "editor": (T, T, T, T),
    },
    "cast": {
        "anonymous": (F, F, F, F),
        "citizen": (F, F, F, F),
        "resident": (F, T, F, F),
        "officer on shift": (F, F, F, F),  # not a verified resident themselves
        "officer off shift": (F, F, F, F),
        "editor": (F, F, F, F),
    },
    "open": {p: (T, F, F, F) if p == "editor" else (F, F, F, F) for p in PEOPLE},
    "close": {p: (F, T, F, F) if p == "editor" else (F, F, F, F) for p in PEOPLE},
    "publish": {p: (F, F, T, F) if p == "editor" else (F, F, F, F) for p in PEOPLE},
    "results": dict.fromkeys(PEOPLE, (F, F, F, T)),
    "officiate": {p: (F, T, F, F) if p == "officer on shift" else (F, F, F, F) for p in PEOPLE},
    "count": {
        "anonymous": (F, F, F, F),
        "citizen": (F, F, F, F),
        "resident": (F, F, F, F),
        "officer on shift": (F, T, T, F),
        "officer off shift": (F, F, F, F),  # the shift has not begun
        "editor": (F, T, T, F),
    },
    "accept": {p: (F, T, T, F) if p == "editor" else (F, F, F, F) for p in PEOPLE},
}

PERMISSIONS = {
    "view": "votes.view_vote",
    "cast": "votes.cast_vote",
    "open": "votes.open_vote",
    "close": "votes.close_vote",
    "publish": "votes.publish_vote",
    "results": "votes.view_results",
    "officiate": "votes.officiate_booth",
    "count": "votes.count_booth",
    "accept": "votes.accept_count",
}
ON_BOOTH = {"officiate", "count", "accept"}


@pytest.mark.django_db
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("kind", PEOPLE)
def test_the_matrix(kind, phase):
    vote = vote_with_questions(status=phase)
    booth, on_shift = booth_with_officer(vote)
    _booth2, off_shift = booth_with_officer(vote, on_shift=False)
    off_shift.vote_shifts.update(booth=booth)
    user = {
        "anonymous": AnonymousUser,
        "citizen": UserFactory,
        "resident": lambda: resident()[0],
        "officer on shift": lambda: on_shift,
        "officer off shift": lambda: off_shift,
        "editor": lambda: StaffFactory(role=Role.EDITOR),
    }[kind]()
    column = PHASES.index(phase)
    got = {
        action: user.has_perm(PERMISSIONS[action], booth if action in ON_BOOTH else vote)
        for action in EXPECTED
    }
    wanted = {action: EXPECTED[action][kind][column] for action in EXPECTED}
    assert got == wanted
