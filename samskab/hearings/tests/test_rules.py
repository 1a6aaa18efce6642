"""Who may do what in each phase of a hearing: the whole matrix, written out."""

import pytest
from django.contrib.auth.models import AnonymousUser

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.core import targets
from samskab.hearings.models import Answer, Passage, Question, Version
from samskab.hearings.tests.factories import ProcessFactory, in_phase

PEOPLE = ["anonymous", "citizen", "author", "moderator", "editor"]
PHASES = ["before", "debate", "proposals", "draft", "hearing", "result"]

T, F = True, False
# action -> person -> (before, debate, proposals, draft, hearing, result)
EXPECTED = {
    "comment on a question": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, T, F, F, F, F),
        "author": (F, T, F, F, F, F),
        "moderator": (F, T, F, F, F, F),
        "editor": (F, T, F, F, F, F),
    },
    "propose": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, F, T, F, F, F),
        "author": (F, F, T, F, F, F),
        "moderator": (F, F, T, F, F, F),
        "editor": (F, F, T, F, F, F),
    },
    "comment on a passage": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, F, F, T, F, F),
        "author": (F, F, F, T, F, F),
        "moderator": (F, F, F, T, F, F),
        "editor": (F, F, F, T, F, F),
    },
    "submit an answer": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, F, F, F, T, F),
        "author": (F, F, F, F, T, F),
        "moderator": (F, F, F, F, T, F),
        "editor": (F, F, F, F, T, F),
    },
    "attach to the answer": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, F, F, F, F, F),
        "author": (F, F, F, F, T, F),
        "moderator": (F, F, F, F, F, F),
        "editor": (F, F, F, F, F, F),
    },
    "tag answers": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, F, F, F, F, F),
        "author": (F, F, F, F, F, F),
        "moderator": (F, F, F, F, F, F),
        "editor": (F, F, F, F, T, T),
    },
    "write the municipality's answers": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, F, F, F, F, F),
        "author": (F, F, F, F, F, F),
        "moderator": (F, F, F, F, F, F),
        "editor": (F, F, F, F, T, T),
    },
    "publish a version": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, F, F, F, F, F),
        "author": (F, F, F, F, F, F),
        "moderator": (F, F, F, F, F, F),
        "editor": (T, T, T, T, T, T),
    },
    "export the case file": {
        "anonymous": (F, F, F, F, F, F),
        "citizen": (F, F, F, F, F, F),
        "author": (F, F, F, F, F, F),
        "moderator": (F, F, F, F, F, F),
        "editor": (T, T, T, T, T, T),
    },
    "read the result": {
        "anonymous": (F, F, F, F, F, T),
        "citizen": (F, F, F, F, F, T),
        "author": (F, F, F, F, F, T),
        "moderator": (T, T, T, T, T, T),
        "editor": (T, T, T, T, T, T),
    },
}


def _person(kind: str, author):
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "citizen":
        return UserFactory()
    if kind == "author":
        return author
    return StaffFactory(role=Role.MODERATOR if kind == "moderator" else Role.EDITOR)


def _allowed(action: str, user, process, question, passage, answer) -> bool:
    if action == "comment on a question":
        # Asked the way the comments app asks it (core.targets), with its visibility.
        return targets.is_visible(question, user) and targets.allows(user, question, "comment")
    if action == "comment on a passage":
        return targets.is_visible(passage, user) and targets.allows(user, passage, "comment")
    if action == "attach to the answer":
        return targets.allows(user, answer, "attach")
    permission = {
        "propose": "hearings.propose_process",
        "submit an answer": "hearings.answer_process",
        "tag answers": "hearings.tag_answer",
        "write the municipality's answers": "hearings.respond_process",
        "publish a version": "hearings.version_process",
        "export the case file": "hearings.export_process",
        "read the result": "hearings.result_process",
    }[action]
    return user.has_perm(permission, answer if action == "tag answers" else process)


@pytest.mark.django_db
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("kind", PEOPLE)
def test_the_matrix(kind, phase):
    process = in_phase(ProcessFactory(), None if phase == "before" else phase)
    author = UserFactory()
    question = Question.objects.create(process=process, text="Hvad skal parken bruges til?")
    version = Version.objects.create(process=process, number=1, markdown="Tekst.")
    passage = Passage.objects.create(
        process=process,
        version=version,
        anchor="a1",
        start=0,
        end=5,
        quote="Tekst",
        current_version=version,
        current_anchor="a1",
        current_start=0,
        current_end=5,
    )
    answer = Answer.objects.create(process=process, author=author, name="A", text="Svar", number=1)
    user = _person(kind, author)
    column = PHASES.index(phase)
    got = {a: _allowed(a, user, process, question, passage, answer) for a in EXPECTED}
    wanted = {a: EXPECTED[a][kind][column] for a in EXPECTED}
    assert got == wanted


@pytest.mark.django_db
def test_an_unpublished_process_allows_no_citizen_anything():
    process = in_phase(ProcessFactory(is_published=False), "hearing")
    citizen = UserFactory()
    assert not citizen.has_perm("hearings.view_process", process)
    assert not citizen.has_perm("hearings.answer_process", process)
    assert StaffFactory(role=Role.EDITOR).has_perm("hearings.view_process", process)
