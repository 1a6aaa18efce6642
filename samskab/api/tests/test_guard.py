"""Every API write: CSRF when signed in by the session, JSON only, tokens as before (M6)."""

import pytest
from django.conf import settings
from django.test import Client

from samskab.accounts.tests.factories import UserFactory
from samskab.api.tokens import api_token_create
from samskab.budgets.models import Ballot, Phase
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory, ResidentFactory
from samskab.comments.models import Comment
from samskab.comments.tests.factories import MeetingFactory
from samskab.polls.models import Poll, Vote
from samskab.polls.tests.factories import first_option, make_poll
from samskab.supports.models import Support
from samskab.surveys.models import Response, Survey
from samskab.surveys.tests.factories import full_answers, make_survey

pytestmark = pytest.mark.django_db
JSON = "application/json"
CSRF_SECRET = "a" * 32


def browser(user=None) -> Client:
    """A client held to Django's CSRF check, as a browser is, with the csrftoken cookie."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET  # as any form page sets it
    return client


def csrf_token(client: Client) -> str:
    """What a page's script sends as X-CSRFToken: the cookie's value."""
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def token_for(user) -> dict:
    _token, raw = api_token_create(user=user, name="Integration")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- every write in the OpenAPI document ---------------------------------------------------


def writes(client) -> list[tuple[str, str]]:
    """(method, url) of every write the API documents, with 1 for each id."""
    found = []
    for path, operations in client.get("/api/openapi.json").json()["paths"].items():
        url = path.replace("{label}", "webcasts.meeting")
        for name in ("pk", "budget_pk", "meeting_id", "slug"):
            url = url.replace("{" + name + "}", "1")
        found += [(m, url) for m in operations if m in {"post", "put", "patch", "delete"}]
    assert len(found) >= 7
    return found


def test_every_write_signed_in_by_session_without_a_csrf_token_is_refused():
    client = browser(ResidentFactory())
    for method, url in writes(client):
        response = getattr(client, method)(url, "{}", content_type=JSON)
        assert response.status_code == 403, (method, url)
        assert "CSRF" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_every_write_that_is_not_json_is_refused(content_type):
    client = browser()
    for method, url in writes(client):
        response = getattr(client, method)(url, '{"options": [1]}', content_type=content_type)
        assert response.status_code == 415, (method, url)
        assert "application/json" in response.json()["detail"]


def test_a_bad_token_is_refused_even_where_no_token_is_needed():
    poll = make_poll()
    response = Client().post(
        f"/api/v1/polls/{poll.pk}/votes",
        {"options": [first_option(poll).pk]},
        content_type=JSON,
        HTTP_AUTHORIZATION="Bearer smk_nonsense",
    )
    assert response.status_code == 401
    assert not Vote.objects.exists()


# --- poll votes -------------------------------------------------------------------------------


def _vote(client, poll, **extra):
    return client.post(
        f"/api/v1/polls/{poll.pk}/votes",
        {"options": [first_option(poll).pk]},
        content_type=JSON,
        **extra,
    )


def test_a_session_vote_needs_the_csrf_token():
    poll = make_poll(voter_policy=Poll.VoterPolicy.SIGNED_IN)
    client = browser(UserFactory())
    assert _vote(client, poll).status_code == 403
    assert not Vote.objects.exists()
    assert _vote(client, poll, HTTP_X_CSRFTOKEN=csrf_token(client)).status_code == 201
    assert Vote.objects.count() == 1


def test_a_cross_site_text_plain_vote_is_refused():
    """The review's reproduction: session cookie, foreign Origin, text/plain."""
    poll = make_poll(voter_policy=Poll.VoterPolicy.SIGNED_IN)
    client = browser(UserFactory())
    response = client.post(
        f"/api/v1/polls/{poll.pk}/votes",
        f'{{"options": [{first_option(poll).pk}]}}',
        content_type="text/plain",
        HTTP_ORIGIN="http://evil.example",
    )
    assert response.status_code == 415
    assert not Vote.objects.exists()


def test_a_token_votes_as_its_user_without_a_csrf_token():
    poll = make_poll(voter_policy=Poll.VoterPolicy.SIGNED_IN)
    user = UserFactory()
    assert _vote(Client(enforce_csrf_checks=True), poll, **token_for(user)).status_code == 201
    assert Vote.objects.count() == 1


def test_an_anonymous_vote_needs_no_csrf_token():
    poll = make_poll()
    client = browser()
    client.get(poll.get_absolute_url())  # the viewer cookie
    assert _vote(client, poll).status_code == 201


# --- survey answers ---------------------------------------------------------------------------


def _answer(client, survey, **extra):
    return client.post(
        f"/api/v1/surveys/{survey.slug}/responses",
        {"answers": full_answers(survey)},
        content_type=JSON,
        **extra,
    )


def test_a_session_answer_needs_the_csrf_token():
    survey = make_survey(one_per=Survey.OnePer.ACCOUNT)
    client = browser(UserFactory())
    assert _answer(client, survey).status_code == 403
    assert not Response.objects.exists()
    assert _answer(client, survey, HTTP_X_CSRFTOKEN=csrf_token(client)).status_code == 201
    assert Response.objects.count() == 1


def test_a_token_answers_as_its_user():
    survey = make_survey(one_per=Survey.OnePer.ACCOUNT)
    client = Client(enforce_csrf_checks=True)
    assert _answer(client, survey, **token_for(UserFactory())).status_code == 201


def test_a_text_plain_answer_is_refused():
    survey = make_survey()
    client = browser(UserFactory())
    response = client.post(
        f"/api/v1/surveys/{survey.slug}/responses", "{}", content_type="text/plain"
    )
    assert response.status_code == 415


# --- comments and budgets ---------------------------------------------------------------------


def test_a_session_comment_needs_the_csrf_token():
    meeting = MeetingFactory()
    client = browser(UserFactory())
    url = f"/api/v1/comments/webcasts.meeting/{meeting.pk}"
    assert client.post(url, {"body": "Hej"}, content_type=JSON).status_code == 403
    ok = client.post(url, {"body": "Hej"}, content_type=JSON, HTTP_X_CSRFTOKEN=csrf_token(client))
    assert ok.status_code in (201, 202)
    assert Comment.objects.count() == 1


def test_budget_writes_by_session_need_the_csrf_token_and_by_token_do_not():
    heading = HeadingFactory(group__budget__phase=Phase.SELECTING)
    project = ProjectFactory(heading=heading, status="feasible")
    url = f"/api/v1/budgets/projects/{project.pk}/supports"
    resident = ResidentFactory()
    client = browser(resident)
    assert client.post(url, content_type=JSON).status_code == 403
    assert (
        client.post(url, content_type=JSON, HTTP_X_CSRFTOKEN=csrf_token(client)).status_code == 201
    )
    assert Support.objects.count() == 1

    balloting = ProjectFactory()  # in balloting
    heading = balloting.heading
    ballot = f"/api/v1/budgets/{heading.group.budget_id}/headings/{heading.pk}/ballot"
    body = {"projects": [balloting.pk]}
    assert client.put(ballot, body, content_type=JSON).status_code == 403
    tokened = Client(enforce_csrf_checks=True)
    assert tokened.put(ballot, body, content_type=JSON, **token_for(resident)).status_code == 200
    assert Ballot.objects.count() == 1


def test_an_anonymous_write_that_needs_a_sign_in_is_401_not_a_csrf_refusal():
    response = browser().post(
        f"/api/v1/comments/webcasts.meeting/{MeetingFactory().pk}", {"body": "x"}, content_type=JSON
    )
    assert response.status_code == 401
