"""Cumulative (points) and ranked ballots: what is refused, what is stored, how they are
counted (by the same engine as pabulib files), on paper, through the API and in the export."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.budgets import pabulib
from samskab.budgets.ballots import ranking_move
from samskab.budgets.counting import Completion, TieBreaking
from samskab.budgets.counting.scored import (
    ScoredElection,
    borda,
    equal_shares_scored,
    greedy_by_score,
)
from samskab.budgets.models import (
    Ballot,
    BallotLine,
    BallotStyle,
    PaperBallotChange,
    Phase,
    Rule,
)
from samskab.budgets.services import (
    BudgetRefused,
    ballot_save,
    paper_ballot_correct,
    paper_ballot_enter,
)
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
    count_and_publish,
)

pytestmark = pytest.mark.django_db


def cumulative(total=10, per_project=6, **kwargs):
    return HeadingFactory(
        group__ballot_style=BallotStyle.CUMULATIVE,
        group__points_total=total,
        group__points_per_project=per_project,
        **kwargs,
    )


def ranked(length=3, **kwargs):
    return HeadingFactory(
        group__ballot_style=BallotStyle.RANKED, group__ranking_length=length, **kwargs
    )


def _stored(ballot):
    return list(
        ballot.lines.order_by("rank", "project_id").values_list("project", "points", "rank")
    )


# --- what each style refuses, and nothing half saved ---------------------------------------


def test_a_cumulative_ballot_keeps_each_projects_points():
    heading = cumulative()
    a, b, c = (ProjectFactory(heading=heading) for _ in range(3))
    ballot = ballot_save(
        heading=heading, user=ResidentFactory(), points={a.pk: 6, b.pk: 4, c.pk: 0}
    )
    # A project given no points is not on the ballot.
    assert _stored(ballot) == [(a.pk, 6, None), (b.pk, 4, None)]


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ({"a": 7}, "“Projekt .*” 7 points, but one project may get at most 6 points"),
        ({"a": 6, "b": 5}, "You gave 11 points in all, but you have 10 points to share out"),
        ({"a": -1}, "whole numbers of 0 or more"),
        ({"other": 1}, "belongs to another heading"),
        ({"missing": 1}, "a project that does not exist"),
    ],
)
def test_a_cumulative_ballot_is_refused_whole_with_a_clear_message(points, message):
    heading = cumulative()
    a, b = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    pks = {"a": a.pk, "b": b.pk, "other": ProjectFactory().pk, "missing": 999_999}
    user = ResidentFactory()
    ballot = ballot_save(heading=heading, user=user, points={a.pk: 2, b.pk: 2})
    with pytest.raises(BudgetRefused, match=message):
        ballot_save(heading=heading, user=user, points={pks[k]: x for k, x in points.items()})
    assert _stored(ballot) == [(a.pk, 2, None), (b.pk, 2, None)]  # the earlier ballot stands


def test_a_ballot_without_points_is_refused_where_points_are_given_and_the_reverse():
    heading = cumulative()
    project = ProjectFactory(heading=heading)
    with pytest.raises(BudgetRefused, match="Give each project you choose its points"):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])
    approval = HeadingFactory(group__ballot_style=BallotStyle.APPROVAL)
    other = ProjectFactory(heading=approval)
    with pytest.raises(BudgetRefused, match="This ballot has no points"):
        ballot_save(heading=approval, user=ResidentFactory(), points={other.pk: 1})


def test_a_ranking_is_stored_in_order():
    heading = ranked()
    a, _b, c = (ProjectFactory(heading=heading) for _ in range(3))
    ballot = ballot_save(heading=heading, user=ResidentFactory(), project_ids=[c.pk, a.pk])
    assert _stored(ballot) == [(c.pk, None, 1), (a.pk, None, 2)]


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        (["a", "b", "a"], "is ranked twice"),
        (["a", "b", "c", "d"], "You ranked 4 projects, but you may rank at most 3 projects"),
        (["a", "other"], "belongs to another heading"),
        (["missing"], "a project that does not exist"),
    ],
)
def test_a_ranking_is_refused_whole_with_a_clear_message(ranking, message):
    heading = ranked(length=3)
    a, b, c, d = (ProjectFactory(heading=heading) for _ in range(4))
    pks = {"a": a.pk, "b": b.pk, "c": c.pk, "d": d.pk, "other": ProjectFactory().pk}
    pks["missing"] = 999_999
    user = ResidentFactory()
    ballot = ballot_save(heading=heading, user=user, project_ids=[b.pk])
    with pytest.raises(BudgetRefused, match=message):
        ballot_save(heading=heading, user=user, project_ids=[pks[k] for k in ranking])
    assert _stored(ballot) == [(b.pk, None, 1)]


def test_two_projects_in_one_place_are_refused_by_the_database():
    heading = ranked()
    a, b = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    ballot = ballot_save(heading=heading, user=ResidentFactory(), project_ids=[a.pk])
    with pytest.raises(IntegrityError):
        BallotLine.objects.create(ballot=ballot, project=b, rank=1)


def test_the_ranking_buttons_move_add_and_remove():
    assert ranking_move([1, 2, 3], "up:2", [1, 2, 3]) == [2, 1, 3]
    assert ranking_move([1, 2, 3], "down:3", [1, 2, 3]) == [1, 2, 3]
    assert ranking_move([1, 2], "add:3", [1, 2, 3]) == [1, 2, 3]
    assert ranking_move([1, 2], "add:9", [1, 2, 3]) == [1, 2]  # not on the ballot
    assert ranking_move([1, 2, 3], "remove:1", [1, 2, 3]) == [2, 3]
    assert ranking_move([1, 2], "up:x", [1, 2]) == [1, 2]


def test_a_cumulative_style_needs_the_points_each_voter_has():
    from django.core.exceptions import ValidationError

    heading = HeadingFactory(group__ballot_style=BallotStyle.CUMULATIVE)
    with pytest.raises(ValidationError, match="points each voter shares out"):
        heading.group.full_clean()
    heading.group.points_total, heading.group.points_per_project = 5, 6
    with pytest.raises(ValidationError, match="more points than a voter has"):
        heading.group.full_clean()


# --- who may vote, in which phase, per style -------------------------------------------------

STYLES = {
    "knapsack": lambda: HeadingFactory(),
    "approval": lambda: HeadingFactory(group__ballot_style=BallotStyle.APPROVAL),
    "cumulative": cumulative,
    "ranked": ranked,
}


def _vote(style, heading, project, user):
    if style == "cumulative":
        return ballot_save(heading=heading, user=user, points={project.pk: 1})
    return ballot_save(heading=heading, user=user, project_ids=[project.pk])


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("phase", [p for p in Phase if p != Phase.FINISHED])
@pytest.mark.parametrize("who", ["resident", "unverified", "staff"])
def test_only_verified_residents_vote_and_only_while_the_vote_is_open(style, phase, who):
    heading = STYLES[style]()
    heading.group.budget.phase = phase
    heading.group.budget.save()
    project = ProjectFactory(heading=heading)
    user = {
        "resident": ResidentFactory,
        "unverified": UserFactory,
        "staff": lambda: StaffFactory(role=Role.ADMINISTRATOR),
    }[who]()
    allowed = phase == Phase.BALLOTING and who == "resident"
    assert user.has_perm("budgets.vote_in_heading", heading) is allowed
    if allowed:
        assert _vote(style, heading, project, user) is not None
    else:
        with pytest.raises(BudgetRefused):
            _vote(style, heading, project, user)
        assert not Ballot.objects.exists()


# --- the count, against the engine -------------------------------------------------------------


def _points_scenario(heading):
    """Points change the outcome here: by approval B and C tie, by points A beats B."""
    a = ProjectFactory(heading=heading, price=600, title="A")
    b = ProjectFactory(heading=heading, price=600, title="B")
    c = ProjectFactory(heading=heading, price=400, title="C")
    for points in ({a.pk: 10}, {b.pk: 1, c.pk: 9}, {b.pk: 1, c.pk: 9}):
        ballot_save(heading=heading, user=ResidentFactory(), points=points)
    return a, b, c


@pytest.mark.parametrize("rule", [Rule.GREEDY, Rule.MES_COST_ADD1])
def test_a_cumulative_heading_is_counted_by_points_as_the_engine_counts(rule):
    heading = cumulative(total=10, per_project=10, amount=1000, group__budget__rule=rule)
    a, b, c = _points_scenario(heading)
    (result,) = count_and_publish(heading.group.budget)
    election = ScoredElection(
        budget=1000,
        costs={str(a.pk): 600, str(b.pk): 600, str(c.pk): 400},
        ballots=[{str(a.pk): 10}, {str(b.pk): 1, str(c.pk): 9}, {str(b.pk): 1, str(c.pk): 9}],
    )
    if rule == Rule.GREEDY:
        expected = greedy_by_score(election.approval(), scores=election.scores())
        assert set(result.winners) == {a.pk, c.pk}  # by approval it would be B and C
    else:
        expected = equal_shares_scored(election, completion=Completion.ADD1)
    assert result.winners == [int(p) for p in expected.winners]
    assert result.voters == 3
    assert result.explanation["by_points"] is True
    assert result.explanation["verdicts"][str(c.pk)]["votes"] == 18  # points, not voters


@pytest.mark.parametrize("rule", [Rule.GREEDY, Rule.MES_COST_ADD1])
def test_a_ranked_heading_is_counted_by_borda_points_as_the_engine_counts(rule):
    heading = ranked(length=3, amount=1000, group__budget__rule=rule)
    a = ProjectFactory(heading=heading, price=600)
    b = ProjectFactory(heading=heading, price=600)
    c = ProjectFactory(heading=heading, price=400)
    rankings = [[a, b], [b, a], [c, b], [c]]
    for ranking in rankings:
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[p.pk for p in ranking])
    (result,) = count_and_publish(heading.group.budget)
    election = ScoredElection(
        budget=1000,
        costs={str(p.pk): p.price for p in (a, b, c)},
        ballots=[borda([str(p.pk) for p in r], 3) for r in rankings],
    )
    assert election.scores() == {str(a.pk): 5, str(b.pk): 7, str(c.pk): 6}
    if rule == Rule.GREEDY:
        expected = greedy_by_score(
            election.approval(), scores=election.scores(), tie_breaking=TieBreaking.COST_VOTES
        )
        assert result.winners == [b.pk, c.pk]
    else:
        expected = equal_shares_scored(election, completion=Completion.ADD1)
    assert result.winners == [int(p) for p in expected.winners]


def test_the_results_page_speaks_of_points(client):
    heading = cumulative(total=10, per_project=10, amount=1000, group__budget__rule=Rule.GREEDY)
    _points_scenario(heading)
    count_and_publish(heading.group.budget)
    page = client.get(f"/borgerbudget/{heading.group.budget_id}/resultater/").content.decode()
    assert "Funded: voters gave it 18 points in all" in page
    assert ">Points</th>" in page


# --- the citizen's pages without JavaScript -------------------------------------------------


def _ballot_url(heading):
    return f"/borgerbudget/{heading.group.budget_id}/omraade/{heading.pk}/stemmeseddel/"


def test_a_resident_gives_points_on_the_ballot_page(client):
    heading = cumulative()
    a, b = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    user = ResidentFactory()
    client.force_login(user)
    page = client.get(_ballot_url(heading)).content.decode()
    assert f'name="points-{a.pk}"' in page and 'max="6"' in page
    assert "Points given: 0 of 10. Points left: 10." in page
    calculated = client.post(_ballot_url(heading), {f"points-{a.pk}": "4", "action": "calculate"})
    assert "Points given: 4 of 10. Points left: 6." in calculated.content.decode()
    assert not Ballot.objects.exists()
    response = client.post(_ballot_url(heading), {f"points-{a.pk}": "6", f"points-{b.pk}": "4"})
    assert response.status_code == 302
    assert _stored(Ballot.objects.get(user=user)) == [(a.pk, 6, None), (b.pk, 4, None)]


def test_too_many_points_on_the_page_are_refused_and_kept_to_correct(client):
    heading = cumulative()
    a, b = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    client.force_login(ResidentFactory())
    response = client.post(_ballot_url(heading), {f"points-{a.pk}": "6", f"points-{b.pk}": "6"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "You gave 12 points in all, but you have 10 points to share out." in page
    assert "That is 2 points too many." in page
    assert f'id="points-{b.pk}" value="6"' in page
    assert not Ballot.objects.exists()
    bad = client.post(_ballot_url(heading), {f"points-{a.pk}": "lots"})
    assert bad.status_code == 400 and "could not be read" in bad.content.decode()


def test_a_resident_ranks_with_the_buttons_without_javascript(client):
    heading = ranked(length=3)
    a, b, c = (ProjectFactory(heading=heading, title=t) for t in ("Alfa", "Beta", "Gamma"))
    user = ResidentFactory()
    client.force_login(user)
    page = client.get(_ballot_url(heading)).content.decode()
    assert "You have not ranked any projects yet." in page
    moved = client.post(
        _ballot_url(heading), {"rank": [a.pk, b.pk], "action": f"up:{b.pk}"}
    ).content.decode()
    assert moved.index(f'value="up:{b.pk}"') < moved.index(f'value="up:{a.pk}"')
    assert not Ballot.objects.exists()  # moving is not saving
    client.post(_ballot_url(heading), {"rank": [b.pk, a.pk, c.pk], "action": "save"})
    assert _stored(Ballot.objects.get(user=user)) == [
        (b.pk, None, 1),
        (a.pk, None, 2),
        (c.pk, None, 3),
    ]
    again = client.post(_ballot_url(heading), {"rank": [b.pk, b.pk], "action": "save"})
    assert again.status_code == 400 and "“Beta” is ranked twice" in again.content.decode()


# --- paper ballots: entry and correction ---------------------------------------------------


@pytest.fixture
def officer(client):
    from samskab.accounts.tests.factories import staff_sign_in

    user = StaffFactory(role=Role.POLL_OFFICER)
    staff_sign_in(client, user)
    return user


def _paper_url(heading):
    return f"/borgerbudget/{heading.group.budget_id}/omraade/{heading.pk}/papirstemmeseddel/"


def test_a_poll_officer_types_the_ranks_written_on_a_paper_ballot(client, officer):
    heading = ranked(length=3)
    a, b, c = (ProjectFactory(heading=heading) for _ in range(3))
    census_person("0101801234")
    page = client.get(_paper_url(heading)).content.decode()
    assert f'name="rank-{a.pk}"' in page
    repeated = client.post(
        _paper_url(heading), {"identifier": "0101801234", f"rank-{a.pk}": "1", f"rank-{b.pk}": "1"}
    )
    assert repeated.status_code == 400
    assert "Two projects have rank 1" in repeated.content.decode()
    # A skipped number keeps the order the voter wrote.
    client.post(
        _paper_url(heading), {"identifier": "0101801234", f"rank-{c.pk}": "1", f"rank-{a.pk}": "3"}
    )
    assert _stored(Ballot.objects.get()) == [(c.pk, None, 1), (a.pk, None, 2)]


def test_a_paper_ballot_with_points_is_entered_corrected_and_logged(client, officer):
    heading = cumulative()
    a, b = ProjectFactory(heading=heading, title="Park"), ProjectFactory(heading=heading)
    census_person("0101801234")
    over = client.post(_paper_url(heading), {"identifier": "0101801234", f"points-{a.pk}": "9"})
    assert "one project may get at most 6 points" in over.content.decode()
    client.post(_paper_url(heading), {"identifier": "0101801234", f"points-{a.pk}": "5"})
    ballot = Ballot.objects.get()
    change_url = f"/borgerbudget/papirstemmeseddel/{ballot.pk}/ret/"
    assert f'id="points-{a.pk}" value="5"' in client.get(change_url).content.decode()
    client.post(
        change_url,
        {f"points-{a.pk}": "3", f"points-{b.pk}": "2", "reason": "Misread", "action": "correct"},
    )
    assert _stored(ballot) == [(a.pk, 3, None), (b.pk, 2, None)]
    change = PaperBallotChange.objects.get()
    assert (change.before, change.after) == ([[a.pk, 5]], [[a.pk, 3], [b.pk, 2]])
    listing = client.get(f"/borgerbudget/{heading.group.budget_id}/papirstemmesedler/indtastede/")
    assert "Park (5 points)" in listing.content.decode()
    assert "Park (3 points)" in listing.content.decode()


def test_a_paper_ranking_is_corrected_in_its_new_order():
    heading = ranked()
    a, b = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    officer = StaffFactory(role=Role.POLL_OFFICER)
    census_person("0101801234")
    paper_ballot_enter(
        heading=heading, officer=officer, identifier="0101801234", project_ids=[a.pk, b.pk]
    )
    ballot = Ballot.objects.get()
    with pytest.raises(BudgetRefused, match="already says this"):
        paper_ballot_correct(
            ballot=ballot, officer=officer, project_ids=[a.pk, b.pk], reason="Same"
        )
    paper_ballot_correct(ballot=ballot, officer=officer, project_ids=[b.pk, a.pk], reason="Order")
    assert PaperBallotChange.objects.get().after == [b.pk, a.pk]


# --- the API ------------------------------------------------------------------------------------


def _api(heading):
    return f"/api/v1/budgets/{heading.group.budget_id}/headings/{heading.pk}/ballot"


def test_the_api_takes_and_gives_points(client):
    heading = cumulative()
    a, b = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    client.force_login(ResidentFactory())
    detail = client.get(f"/api/v1/budgets/{heading.group.budget_id}").json()
    assert (
        detail["groups"][0]["headings"][0].items()
        >= {
            "ballot_style": "cumulative",
            "points_total": 10,
            "max_points_per_project": 6,
        }.items()
    )
    body = {"points": [{"project": a.pk, "points": 6}, {"project": b.pk, "points": 3}]}
    saved = client.put(_api(heading), body, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["points"] == [
        {"project": a.pk, "points": 6},
        {"project": b.pk, "points": 3},
    ]
    assert client.get(_api(heading)).json()["points"] == saved.json()["points"]
    over = {"points": [{"project": a.pk, "points": 6}, {"project": b.pk, "points": 6}]}
    refused = client.put(_api(heading), over, content_type="application/json")
    assert refused.status_code == 400 and "12 points in all" in refused.json()["detail"]
    twice = {"points": [{"project": a.pk, "points": 1}, {"project": a.pk, "points": 2}]}
    assert client.put(_api(heading), twice, content_type="application/json").status_code == 400
    assert client.get(_api(heading)).json()["points"] == saved.json()["points"]


def test_the_api_keeps_a_rankings_order_and_refuses_repeats(client):
    heading = ranked(length=2)
    a, b = ProjectFactory(heading=heading), ProjectFactory(heading=heading)
    client.force_login(ResidentFactory())
    saved = client.put(_api(heading), {"projects": [b.pk, a.pk]}, content_type="application/json")
    assert saved.json()["projects"] == [b.pk, a.pk]
    repeat = client.put(_api(heading), {"projects": [a.pk, a.pk]}, content_type="application/json")
    assert repeat.status_code == 400 and "ranked twice" in repeat.json()["detail"]
    assert client.get(_api(heading)).json()["projects"] == [b.pk, a.pk]


# --- the pabulib export -----------------------------------------------------------------------


def _export(heading, tmp_path):
    path = tmp_path / "export.pb"
    call_command(
        "pb",
        "export",
        str(heading.group.budget_id),
        str(heading.pk),
        "-o",
        str(path),
        stdout=StringIO(),
    )
    return pabulib.read(path)


@pytest.mark.parametrize("rule", [Rule.GREEDY, Rule.MES_COST_ADD1])
def test_a_cumulative_export_reads_back_and_counts_the_same(tmp_path, rule):
    heading = cumulative(total=10, per_project=10, amount=1000, group__budget__rule=rule)
    _points_scenario(heading)
    (result,) = count_and_publish(heading.group.budget)
    instance = _export(heading, tmp_path)
    assert instance.vote_type == "cumulative"
    assert (instance.meta["max_sum_points"], instance.meta["max_points"]) == ("10", "10")
    assert sorted(v.points for v in instance.votes) == [(1, 9), (1, 9), (10,)]
    assert [int(p) for p in pabulib.tally(instance).winners] == result.winners
    assert {int(p) for p in instance.selected()} == set(result.winners)
    assert pabulib.parse(pabulib.write(instance)) == instance


@pytest.mark.parametrize("rule", [Rule.GREEDY, Rule.MES_COST_ADD1])
def test_a_ranked_export_is_an_ordinal_borda_file_that_counts_the_same(tmp_path, rule):
    heading = ranked(length=3, amount=1000, group__budget__rule=rule)
    a, b, c = (ProjectFactory(heading=heading, price=p) for p in (600, 600, 400))
    for ranking in ([a, b], [b, a], [c, b, a]):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[p.pk for p in ranking])
    (result,) = count_and_publish(heading.group.budget)
    instance = _export(heading, tmp_path)
    assert instance.vote_type == "ordinal"
    assert (instance.meta["scoring_fn"], instance.meta["max_length"]) == ("Borda", "3")
    rankings = sorted(tuple(int(p) for p in v.projects) for v in instance.votes)
    assert rankings == sorted([(a.pk, b.pk), (b.pk, a.pk), (c.pk, b.pk, a.pk)])
    assert [int(p) for p in pabulib.tally(instance).winners] == result.winners


def test_a_web_ballot_with_points_set_aside_by_paper_is_logged_with_its_points(client, officer):
    heading = cumulative()
    park = ProjectFactory(heading=heading, title="Park")
    resident = ResidentFactory()
    census_person("0101801234", user=resident)
    ballot_save(heading=heading, user=resident, points={park.pk: 4})
    client.post(_paper_url(heading), {"identifier": "0101801234", f"points-{park.pk}": "2"})
    assert _stored(Ballot.objects.get()) == [(park.pk, 2, None)]  # the paper ballot counts
    overview = client.get(f"/borgerbudget/{heading.group.budget_id}/papirstemmesedler/")
    assert "Park (4 points)" in overview.content.decode()
