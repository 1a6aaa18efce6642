"""The budgets API: reading, and supporting and balloting under the web's rules."""

import pytest

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.budgets.models import Ballot, BallotStyle, Phase
from samskab.budgets.services import ballot_save, paper_ballot_enter
from samskab.budgets.tests.factories import (
    BudgetFactory,
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
    count_and_publish,
)
from samskab.supports.models import Support

pytestmark = pytest.mark.django_db
JSON = "application/json"  # every API write says so (security M6)


def _ballot_url(heading):
    return f"/api/v1/budgets/{heading.group.budget_id}/headings/{heading.pk}/ballot"


def _put(client, heading, projects):
    return client.put(_ballot_url(heading), {"projects": projects}, content_type="application/json")


def test_budgets_headings_and_projects_are_readable(client):
    heading = HeadingFactory(group__ballot_style=BallotStyle.APPROVAL, group__max_approvals=3)
    project = ProjectFactory(heading=heading, title="Bænke", price=400)
    BudgetFactory(is_published=False)
    budget = heading.group.budget
    assert [b["id"] for b in client.get("/api/v1/budgets").json()] == [budget.pk]
    detail = client.get(f"/api/v1/budgets/{budget.pk}").json()
    assert detail["tie_breaking"] == "cost-votes"
    assert detail["groups"][0]["headings"][0] | {} == {
        "id": heading.pk,
        "name": heading.name,
        "amount": 1000,
        "ballot_style": "approval",
        "max_projects": 3,
        "points_total": None,
        "max_points_per_project": None,
        "max_ranking": None,
        "scoring": None,
    }
    projects = client.get(f"/api/v1/budgets/{budget.pk}/headings/{heading.pk}/projects").json()
    assert [(p["id"], p["title"], p["price"]) for p in projects] == [(project.pk, "Bænke", 400)]


def test_an_unpublished_budget_is_not_found(client):
    budget = BudgetFactory(is_published=False)
    assert client.get(f"/api/v1/budgets/{budget.pk}").status_code == 404


def test_results_are_readable_once_published_and_not_before(client):
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])
    url = f"/api/v1/budgets/{heading.group.budget_id}/results"
    assert client.get(url).status_code == 404
    count_and_publish(heading.group.budget)
    (shown,) = client.get(url).json()["headings"]
    assert shown["winners"] == [project.pk]
    assert shown["explanation"]["verdicts"][str(project.pk)]["reason"] == "chosen"
    assert shown["participation"]["total"] is None  # one ballot: fewer than 5


def test_a_resident_saves_and_changes_a_ballot(client):
    heading = HeadingFactory()
    a, b = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    client.force_login(ResidentFactory())
    assert _put(client, heading, [a.pk]).json()["projects"] == [a.pk]
    assert _put(client, heading, [b.pk]).status_code == 200
    assert client.get(_ballot_url(heading)).json()["projects"] == [b.pk]
    assert Ballot.objects.count() == 1


def test_an_anonymous_caller_cannot_vote(client):
    heading = HeadingFactory()
    assert _put(client, heading, [ProjectFactory(heading=heading).pk]).status_code == 401


@pytest.mark.parametrize("who", ["citizen", "inactive"])
def test_only_verified_residents_vote(client, who):
    heading = HeadingFactory()
    user = UserFactory() if who == "citizen" else ResidentFactory(is_active=False)
    client.force_login(user)
    response = _put(client, heading, [ProjectFactory(heading=heading).pk])
    assert response.status_code in (401, 403)
    if who == "citizen":
        assert "Only verified residents" in response.json()["detail"]


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        (lambda h: [ProjectFactory(heading=h, price=600).pk] * 1, 200, None),
        (
            lambda h: [
                ProjectFactory(heading=h, price=600).pk,
                ProjectFactory(heading=h, price=600).pk,
            ],
            400,
            "more than the 1.000",
        ),
        (lambda h: [ProjectFactory().pk], 400, "belongs to another heading"),
        (lambda h: [999999], 400, "does not exist"),
        (
            lambda h: [ProjectFactory(heading=h, status="feasible").pk],
            400,
            "is not on the ballot",
        ),
    ],
)
def test_a_ballot_is_checked_as_on_the_web(client, make, status, message):
    heading = HeadingFactory()
    client.force_login(ResidentFactory())
    response = _put(client, heading, make(heading))
    assert response.status_code == status
    if message:
        assert message in response.json()["detail"]


def test_an_approval_ballot_over_its_limit_is_refused(client):
    heading = HeadingFactory(group__ballot_style=BallotStyle.APPROVAL, group__max_approvals=1)
    ids = [ProjectFactory(heading=heading).pk for _ in range(2)]
    client.force_login(ResidentFactory())
    response = _put(client, heading, ids)
    assert response.status_code == 400
    assert "at most 1 project" in response.json()["detail"]


@pytest.mark.parametrize("phase", [Phase.SELECTING, Phase.REVIEWING_BALLOTS, Phase.FINISHED])
def test_voting_outside_the_vote_is_a_conflict(client, phase):
    heading = HeadingFactory(group__budget__phase=phase)
    client.force_login(ResidentFactory())
    response = _put(client, heading, [ProjectFactory(heading=heading).pk])
    assert response.status_code == 409
    assert "only vote while the vote is open" in response.json()["detail"]


def test_a_second_heading_in_a_group_is_refused(client):
    first = HeadingFactory()
    second = HeadingFactory(group=first.group)
    client.force_login(ResidentFactory())
    assert _put(client, first, [ProjectFactory(heading=first).pk]).status_code == 200
    response = _put(client, second, [ProjectFactory(heading=second).pk])
    assert response.status_code == 400
    assert "at most 1 heading" in response.json()["detail"]


def test_a_web_ballot_is_refused_when_the_paper_ballot_counts(client):
    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    user = ResidentFactory()
    census_person("0101801234", user=user)
    paper_ballot_enter(
        heading=heading,
        officer=StaffFactory(role=Role.POLL_OFFICER),
        identifier="0101801234",
        project_ids=[project.pk],
    )
    client.force_login(user)
    response = _put(client, heading, [project.pk])
    assert response.status_code == 400
    assert "paper ballot" in response.json()["detail"]
    assert client.get(_ballot_url(heading)).json()["source"] == "paper"


def test_supporting_follows_the_web_rules(client):
    heading = HeadingFactory(group__budget__phase=Phase.SELECTING)
    project = ProjectFactory(heading=heading, status="feasible")
    url = f"/api/v1/budgets/projects/{project.pk}/supports"
    assert client.post(url, content_type=JSON).status_code == 401
    client.force_login(UserFactory())
    assert client.post(url, content_type=JSON).status_code == 403
    client.force_login(ResidentFactory())
    assert client.post(url, content_type=JSON).status_code == 201
    again = client.post(url, content_type=JSON)
    assert again.status_code == 400 and "already support" in again.json()["detail"]
    unfeasible = ProjectFactory(heading=heading, status="unfeasible")
    refused = client.post(f"/api/v1/budgets/projects/{unfeasible.pk}/supports", content_type=JSON)
    assert refused.status_code == 400 and "cannot be supported" in refused.json()["detail"]
    other = HeadingFactory(group=heading.group)
    elsewhere = ProjectFactory(heading=other, status="feasible")
    limited = client.post(f"/api/v1/budgets/projects/{elsewhere.pk}/supports", content_type=JSON)
    assert limited.status_code == 400 and "at most 1 heading" in limited.json()["detail"]
    assert Support.objects.count() == 1


def test_supporting_outside_the_selecting_phase_is_a_conflict(client):
    project = ProjectFactory()  # in balloting
    client.force_login(ResidentFactory())
    response = client.post(f"/api/v1/budgets/projects/{project.pk}/supports", content_type=JSON)
    assert response.status_code == 409
    assert "selecting phase" in response.json()["detail"]


def test_an_api_token_acts_for_its_resident(client):
    from samskab.api.tokens import api_token_create

    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    user = ResidentFactory()
    _token, secret = api_token_create(user=user, name="app")
    response = client.put(
        _ballot_url(heading),
        {"projects": [project.pk]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    assert Ballot.objects.get().user == user
