"""Step-up per process, as a matrix: each action a process can guard with a MitID level (a
budget's ballot, a binding vote, a proposal's support, a hearing answer) against each level a
session can have (e-mail login, MitID substantial, MitID high) and each level staff can
choose. A session below the level is sent to a MitID login at that level and comes back to
where it was; at or above it, the action is done. (Composition layer: it uses every
capability.)"""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from samskab.accounts.identity import LEVELS, SESSION_ASSURANCE
from samskab.accounts.tests.test_login_nemlogin import (
    ANNA,
    answer_for,
    idp,  # noqa: F401  (a fixture)
    post_answer,
)
from samskab.budgets.models import Ballot as BudgetBallot
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory
from samskab.core.models import SiteSettings
from samskab.hearings.models import Answer
from samskab.hearings.tests.factories import ProcessFactory, in_phase
from samskab.proposals.tests.factories import ProposalFactory
from samskab.supports.models import Support
from samskab.votes.models import BindingVote, Participation
from samskab.votes.tests.factories import resident, vote_with_questions
from samskab.votes.tests.test_views import _form as vote_form

# Role x phase x action through the rules: plain queries, the same on either database, so
# once (conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_pass(on="postgres")]


@dataclass
class Action:
    method: str
    url: str
    data: dict
    back: str  # where the step-up comes back to
    done: object  # () -> bool: the action took effect


def budget_ballot(level: str) -> Action:
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading, price=1)
    budget = heading.group.budget
    budget.ballot_assurance = level
    budget.save()
    url = reverse("budgets:ballot", args=[budget.pk, heading.pk])
    return Action(
        "post",
        url,
        {"project": [str(project.pk)]},
        url,
        lambda: BudgetBallot.objects.filter(heading=heading).exists(),
    )


def binding_vote(level: str) -> Action:
    vote = vote_with_questions()
    BindingVote.objects.filter(pk=vote.pk).update(assurance=level)
    return Action(
        "post",
        reverse("votes:cast", args=[vote.pk]),
        vote_form(vote),
        vote.get_absolute_url(),
        lambda: Participation.objects.filter(vote=vote).exists(),
    )


def proposal_support(level: str) -> Action:
    settings = SiteSettings.current()
    settings.proposal_support_assurance = level
    settings.save()
    proposal = ProposalFactory()
    return Action(
        "post",
        reverse("proposals:support", args=[proposal.pk]),
        {},
        proposal.get_absolute_url(),
        lambda: Support.objects.exists(),
    )


def hearing_answer(level: str) -> Action:
    process = in_phase(ProcessFactory(answer_assurance=level), "hearing")
    url = reverse("hearings:answer_new", args=[process.pk])
    return Action(
        "post",
        url,
        {"name": "Karen Holm", "text": "Vi ønsker at bevare stien.", "consent": "on"},
        url,
        lambda: Answer.objects.filter(process=process).exists(),
    )


ACTIONS = {
    "budget ballot": budget_ballot,
    "binding vote": binding_vote,
    "proposal support": proposal_support,
    "hearing answer": hearing_answer,
}
SESSIONS = ("", "substantial", "high")  # "" is a login by e-mail
REQUIRED = ("", "substantial", "high")


def _sent_to_mitid(response, level: str) -> bool:
    if response.status_code != 302:
        return False
    parts = urlsplit(response["Location"])
    return parts.path == reverse("nemlogin_login") and parse_qs(parts.query)["level"] == [
        level.capitalize()
    ]


def _act(client, action: Action):
    return getattr(client, action.method)(action.url, action.data)


@pytest.mark.parametrize("required", REQUIRED)
@pytest.mark.parametrize("session_level", SESSIONS)
@pytest.mark.parametrize("name", ACTIONS)
def test_the_matrix(client, idp, name, session_level, required):  # noqa: F811
    action = ACTIONS[name](required)
    user, _identifier = resident()
    client.force_login(user)
    if session_level:
        session = client.session
        session[SESSION_ASSURANCE] = session_level
        session.save()

    response = _act(client, action)

    enough = not required or (
        bool(session_level) and LEVELS.index(session_level) >= LEVELS.index(required)
    )
    if enough:
        assert not _sent_to_mitid(response, required or "substantial")
        assert action.done(), response.content.decode()[:500]
    else:
        assert _sent_to_mitid(response, required)
        assert parse_qs(urlsplit(response["Location"]).query)["next"] == [action.back]
        assert not action.done()


@pytest.mark.parametrize("name", ACTIONS)
def test_the_step_up_comes_back_and_the_action_is_done(client, idp, name):  # noqa: F811
    action = ACTIONS[name]("high")
    user, _identifier = resident()
    SocialAccount.objects.create(user=user, provider="nemlogin", uid=ANNA.subject)
    client.force_login(user)

    asked = _act(client, action)
    login_page = client.get(asked["Location"])
    assert "MitID" in login_page.content.decode()
    query = parse_qs(urlsplit(asked["Location"]).query)
    to_idp = client.post(
        reverse("nemlogin_login"), {"level": query["level"][0], "next": query["next"][0]}
    )
    back = post_answer(client, answer_for(idp, to_idp["Location"], ANNA, level="High"))

    assert back.status_code == 302 and back["Location"] == action.back
    done = _act(client, action)
    assert action.done(), (done.status_code, done.get("Location"), done.content.decode()[-3000:])


def test_binding_votes_ask_for_substantial_by_default(client, idp):  # noqa: F811
    vote = vote_with_questions()
    user, _identifier = resident()
    client.force_login(user)

    assert vote.assurance == "substantial"
    response = client.post(reverse("votes:cast", args=[vote.pk]), vote_form(vote))
    assert _sent_to_mitid(response, "substantial")


def test_a_support_by_htmx_sends_the_whole_page_to_mitid(client, idp):  # noqa: F811
    action = proposal_support("substantial")
    user, _identifier = resident()
    client.force_login(user)

    response = client.post(action.url, headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("nemlogin_login"))
    assert not action.done()


def test_the_api_refuses_below_the_level_with_the_reason(client, idp):  # noqa: F811
    proposal_action = proposal_support("high")
    proposal_pk = proposal_action.url.rstrip("/").split("/")[-2]
    heading = HeadingFactory()
    ProjectFactory(heading=heading, price=1)
    budget = heading.group.budget
    budget.ballot_assurance = "high"
    budget.save()
    user, _identifier = resident()
    client.force_login(user)
    session = client.session
    session[SESSION_ASSURANCE] = "substantial"
    session.save()

    support = client.post(
        f"/api/v1/proposals/{proposal_pk}/support", {}, content_type="application/json"
    )
    ballot = client.put(
        f"/api/v1/budgets/{budget.pk}/headings/{heading.pk}/ballot",
        {"projects": []},
        content_type="application/json",
    )

    for response in (support, ballot):
        assert response.status_code == 403
        assert "MitID" in response.json()["detail"]
    assert not proposal_action.done()


def test_without_any_mitid_login_the_requirement_is_logged_and_not_enforced(client, caplog):
    action = binding_vote("high")
    user, _identifier = resident()
    client.force_login(user)

    _act(client, action)

    assert action.done()
    assert "no MitID login is set up" in caplog.text
