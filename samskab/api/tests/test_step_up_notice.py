"""A page says BEFORE a person starts that an action asks for MitID at a level (step-up):
the binding vote's page (which then offers the MitID login instead of a ballot that would
be lost on the way), the budget's heading and project pages, and the hearing's pages; in
Danish and English. (Composition layer: it uses every capability.)"""

import pytest
from django.urls import reverse

from samskab.accounts.identity import SESSION_ASSURANCE
from samskab.accounts.tests.test_login_nemlogin import idp  # noqa: F401  (a fixture)
from samskab.budgets.models import Phase
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory
from samskab.hearings.tests.factories import ProcessFactory, in_phase
from samskab.votes.models import BindingVote
from samskab.votes.tests.factories import resident, vote_with_questions

pytestmark = pytest.mark.django_db

BEFORE_VOTE = "Before you vote: you must log in with MitID at assurance level high."
BEFORE_VOTE_DA = "Før du stemmer: Du skal logge ind med MitID på sikringsniveau højt."


def _at(client, level: str) -> None:
    session = client.session
    session[SESSION_ASSURANCE] = level
    session.save()


def _vote(level: str) -> BindingVote:
    vote = vote_with_questions()
    BindingVote.objects.filter(pk=vote.pk).update(assurance=level)
    vote.refresh_from_db()
    return vote


def test_the_vote_page_says_it_before_the_ballot_and_offers_mitid_instead(client, idp):  # noqa: F811
    vote = _vote("high")
    user, _identifier = resident()
    client.force_login(user)
    _at(client, "substantial")

    page = client.get(vote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert BEFORE_VOTE in page
    login = (
        reverse("nemlogin_login")
        + "?level=High&amp;next="
        + vote.get_absolute_url().replace("/", "%2F")
    )
    assert login in page
    # No ballot to fill in and lose: the questions are shown, the form comes after MitID.
    assert reverse("votes:cast", args=[vote.pk]) not in page
    assert "The questions" in page


def test_the_vote_page_says_it_in_danish(client, idp):  # noqa: F811
    vote = _vote("high")
    page = client.get(vote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert BEFORE_VOTE_DA in page


def test_at_the_level_the_ballot_is_shown_and_the_page_says_why(client, idp):  # noqa: F811
    vote = _vote("substantial")
    user, _identifier = resident()
    client.force_login(user)
    _at(client, "high")

    page = client.get(vote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "You are logged in with MitID at assurance level substantial" in page
    assert reverse("votes:cast", args=[vote.pk]) in page


def test_a_resident_outside_the_vote_is_told_why_not_sent_to_mitid(client, idp):  # noqa: F811
    # MitID at any level would not let them vote: the page gives the reason, not a login.
    vote = _vote("high")
    BindingVote.objects.filter(pk=vote.pk).update(postal_codes="8200")
    user, _identifier = resident(postal_code="8000")
    client.force_login(user)

    page = client.get(vote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "step-up-notice" not in page
    assert "8200" in page
    assert reverse("nemlogin_login") not in page


def test_a_vote_asking_for_no_level_says_nothing_of_mitid(client, idp):  # noqa: F811
    vote = _vote("")
    page = client.get(vote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "step-up-notice" not in page


def test_the_budget_pages_say_it_before_the_ballot(client, idp):  # noqa: F811
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading, price=1)
    budget = heading.group.budget
    budget.ballot_assurance = "high"
    budget.save()
    assert budget.phase == Phase.BALLOTING
    user, _identifier = resident()
    client.force_login(user)

    for url in (
        reverse("budgets:heading", args=[budget.pk, heading.pk]),
        project.get_absolute_url(),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert BEFORE_VOTE in page, url


def test_the_hearing_pages_say_it_before_the_answer(client, idp):  # noqa: F811
    process = in_phase(ProcessFactory(answer_assurance="substantial"), "hearing")
    user, _identifier = resident()
    client.force_login(user)

    for url in (
        reverse("hearings:process", args=[process.pk]),
        reverse("hearings:answers", args=[process.pk]),
    ):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        danish = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
        assert (
            "Before you answer: you must log in with MitID at assurance level substantial."
            in english
        ), url
        assert "Før du afgiver et høringssvar: Du skal logge ind med MitID" in danish, url
