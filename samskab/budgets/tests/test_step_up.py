"""Step-up: the municipality asks for a MitID login at a level of assurance before a ballot
(BUDGET_BALLOT_ASSURANCE); a resident logged in by e-mail is sent to MitID first."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from samskab.accounts.tests.test_login_nemlogin import (
    ANNA,
    answer_for,
    idp,  # noqa: F401  (a fixture)
    post_answer,
    start,
)
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ballot_url():
    heading = HeadingFactory()
    ProjectFactory(heading=heading, price=1)
    return reverse("budgets:ballot", args=[heading.group.budget_id, heading.pk])


def test_an_email_login_is_sent_to_mitid_at_the_asked_level(client, idp, settings, ballot_url):  # noqa: F811
    settings.BUDGET_BALLOT_ASSURANCE = "high"
    client.force_login(ResidentFactory())

    response = client.get(ballot_url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("nemlogin_login"))
    assert "level=High" in response["Location"]


def test_after_a_mitid_login_at_that_level_the_ballot_opens(client, idp, settings, ballot_url):  # noqa: F811
    settings.BUDGET_BALLOT_ASSURANCE = "high"
    user = ResidentFactory()
    SocialAccount.objects.create(user=user, provider="nemlogin", uid=ANNA.subject)

    post_answer(client, answer_for(idp, start(client, level="High"), ANNA, level="High"))

    assert client.get(ballot_url).status_code == 200


def test_a_lower_level_is_not_enough(client, idp, settings, ballot_url):  # noqa: F811
    settings.BUDGET_BALLOT_ASSURANCE = "high"
    user = ResidentFactory()
    SocialAccount.objects.create(user=user, provider="nemlogin", uid=ANNA.subject)

    post_answer(client, answer_for(idp, start(client), ANNA))

    assert client.get(ballot_url).status_code == 302


def test_without_the_setting_nothing_changes(client, idp, ballot_url):  # noqa: F811
    client.force_login(ResidentFactory())
    assert client.get(ballot_url).status_code == 200
