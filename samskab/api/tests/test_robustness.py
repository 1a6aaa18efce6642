"""Bad input to the API is a 4xx with a JSON reason, never a 500 (security L1, L2, I2)."""

import json

import pytest
from django.test import Client

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import UserFactory
from samskab.api.tokens import api_token_create
from samskab.budgets.models import Ballot
from samskab.budgets.tests.factories import ProjectFactory, ResidentFactory
from samskab.comments.models import Comment
from samskab.comments.tests.factories import MeetingFactory
from samskab.polls.models import Vote
from samskab.polls.tests.factories import first_option, make_poll

pytestmark = pytest.mark.django_db
JSON = "application/json"
HUGE = "99999999999999999999"  # above 2**63 - 1
JUST_ABOVE = str(2**63)


def raw_json(client, method, url, text, **extra):
    """Send `text` as it is: JSON escapes such as \\ud800 reach the server unchanged."""
    return getattr(client, method)(url, text, content_type=JSON, **extra)


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/surveys?limit={HUGE}",
        "/api/v1/surveys?limit=8249085359027422182898663424&offset=275",
        f"/api/v1/people?offset={HUGE}",
        "/api/v1/people?party=Venstre&offset=6370&limit=1784352602117119410176",
        f"/api/v1/polls?meeting={HUGE}",
        f"/api/v1/polls?offset={JUST_ABOVE}",
        f"/api/v1/meetings?limit={JUST_ABOVE}",
        f"/api/v1/meetings/{HUGE}",
        f"/api/v1/meetings/{JUST_ABOVE}/state",
        f"/api/v1/people/{HUGE}",
        f"/api/v1/polls/{HUGE}",
        f"/api/v1/budgets/{HUGE}",
        f"/api/v1/budgets/{HUGE}/results",
        f"/api/v1/budgets/{HUGE}/headings/1/projects",
        f"/api/v1/budgets/1/headings/{HUGE}/projects",
        f"/api/v1/comments/webcasts.meeting/{HUGE}",
        "/api/v1/meetings/0",
        "/api/v1/polls/-1",
    ],
)
def test_an_integer_out_of_range_in_the_address_is_a_422(client, url):
    assert_problem(client.get(url), 422)


def test_no_page_is_longer_than_100(client):
    response = client.get("/api/v1/meetings?limit=9223372036854775807")
    assert_problem(response, 422)
    assert client.get("/api/v1/meetings?limit=100").status_code == 200


def test_the_ballot_refuses_huge_ids_in_the_address_and_the_body():
    client = Client()
    client.force_login(ResidentFactory())
    project = ProjectFactory()
    heading = project.heading
    read = client.get(f"/api/v1/budgets/{HUGE}/headings/{heading.pk}/ballot")
    assert_problem(read, 422)
    url = f"/api/v1/budgets/{heading.group.budget_id}/headings/{heading.pk}/ballot"
    assert_problem(raw_json(client, "put", url, f'{{"projects": [{HUGE}]}}'), 422)
    assert_problem(raw_json(client, "put", url, f'{{"projects": [{JUST_ABOVE}]}}'), 422)
    assert not Ballot.objects.exists()


def test_a_vote_with_a_huge_option_id_is_a_422(client):
    poll = make_poll()
    client.get(poll.get_absolute_url())
    url = f"/api/v1/polls/{poll.pk}/votes"
    assert_problem(raw_json(client, "post", url, f'{{"options": [{HUGE}]}}'), 422)
    assert not Vote.objects.exists()
    assert raw_json(client, "post", url, json.dumps({"options": [first_option(poll).pk]}))


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800", "\\udfff"])
def test_a_comment_with_nul_or_a_lone_surrogate_is_a_422_with_a_reason(escape):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(UserFactory())
    url = f"/api/v1/comments/webcasts.meeting/{MeetingFactory().pk}"
    response = raw_json(client, "post", url, f'{{"body": "a {escape} b"}}')
    assert_problem(response, 422)
    assert "character" in json.dumps(response.json())
    assert not Comment.objects.exists()


def test_a_comment_loses_its_bidi_override_and_control_characters():
    client = Client()
    client.force_login(UserFactory())
    url = f"/api/v1/comments/webcasts.meeting/{MeetingFactory().pk}"
    response = raw_json(client, "post", url, '{"body": "ok \\u202eevil\\u0007"}')
    assert response.status_code in (201, 202)
    assert Comment.objects.get().body == "ok evil"


@pytest.mark.parametrize("field", ["kind", "agenda_item_number", "person_external_id"])
@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800"])
def test_marks_with_nul_or_a_lone_surrogate_are_a_422(field, escape):
    from samskab.accounts.tests.factories import UserFactory as Users

    user = Users()
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get_or_create(name=Role.OPERATOR.value)[0])
    _token, raw = api_token_create(user=user, name="Konferenceanlæg")
    meeting = MeetingFactory()
    body = {"kind": "speaker", field: "x"}
    text = json.dumps(body).replace('"x"', f'"a{escape}b"')
    response = raw_json(
        Client(),
        "post",
        f"/api/v1/meetings/{meeting.pk}/marks",
        text,
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert_problem(response, 422)


@pytest.mark.parametrize(
    "url", ["/api/v1/meetings?q=a%00b", "/api/v1/surveys/a%00b", "/api/v1/people?party=%00"]
)
def test_a_nul_in_the_address_is_a_400(client, url):
    assert_problem(client.get(url), 400)


def test_a_body_too_large_is_a_413_in_json(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    poll = make_poll()
    body = json.dumps({"options": [1] * 1000})
    response = raw_json(client, "post", f"/api/v1/polls/{poll.pk}/votes", body)
    assert_problem(response, 413)


def test_a_server_error_is_a_500_in_json_not_an_html_page(monkeypatch):
    import samskab.polls.api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(samskab.polls.api, "polls_public", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/polls/1")
    assert_problem(response, 500)
    assert "boom" not in response.content.decode()


def test_an_unsigned_in_write_is_a_401_in_json(client):
    response = raw_json(
        client, "post", f"/api/v1/comments/webcasts.meeting/{MeetingFactory().pk}", "{}"
    )
    assert_problem(response, 401)


def test_a_permission_refused_deep_in_a_service_is_a_403_in_json(monkeypatch):
    from django.core.exceptions import PermissionDenied

    import samskab.polls.api

    def refused(*args, **kwargs):
        raise PermissionDenied

    monkeypatch.setattr(samskab.polls.api, "polls_public", refused)
    assert_problem(Client().get("/api/v1/polls/1"), 403)
