"""Counting a budget: in the worker, with progress, a preview of the outcome with its reasons,
publication only on confirmation, a second person's approval where the budget asks for it, and
every step logged. Only the count makes a project a winner."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import (
    StaffFactory,
    UserFactory,
    staff_sign_in,
    with_totp,
)
from samskab.budgets import services, tallying
from samskab.budgets.models import HeadingResult, Phase, Project, Tally
from samskab.budgets.services import (
    BudgetRefused,
    budget_move,
    paper_ballot_correct,
    paper_ballot_enter,
)
from samskab.budgets.tallying import tally_approve, tally_confirm, tally_discard, tally_request
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
    count_and_publish,
)

pytestmark = pytest.mark.django_db


_sign_in = staff_sign_in


def _closed_vote(second_approval=False):
    """A heading whose vote is closed: three voters want A and B, two want C (each 500 of 1000)."""
    heading = HeadingFactory(amount=1000, group__budget__second_approval=second_approval)
    a, b, c = (ProjectFactory(heading=heading, price=500, title=t) for t in "ABC")
    for choice in ([a, b], [a, b], [a, b], [c], [c]):
        services.ballot_save(
            heading=heading, user=ResidentFactory(), project_ids=[p.pk for p in choice]
        )
    budget_move(budget=heading.group.budget, phase=Phase.REVIEWING_BALLOTS)
    return heading, (a, b, c)


def _count_url(budget):
    return reverse("budgets:staff_count", args=[budget.pk])


def _request_and_run(budget, user, django_capture_on_commit_callbacks) -> Tally:
    # The worker's task is queued when the request commits; the tests' backend runs it then.
    with django_capture_on_commit_callbacks(execute=True):
        tally = tally_request(budget=budget, user=user)
    tally.refresh_from_db()
    return tally


def test_counting_runs_in_the_worker_and_publishes_nothing(
    client, django_capture_on_commit_callbacks
):
    heading, _projects = _closed_vote()
    budget = heading.group.budget
    editor = _sign_in(client, StaffFactory(role=Role.EDITOR))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(_count_url(budget), {"action": "count"})
    assert response.status_code == 302
    tally = Tally.objects.get()
    # Queued: the web request only asked; the worker has not counted yet.
    assert (tally.state, tally.requested_by, tally.headings_total) == ("queued", editor, 1)
    status = client.get(reverse("budgets:staff_count_status", args=[budget.pk]))
    assert "Waiting for the worker" in status.content.decode()
    assert 'hx-trigger="every 2s"' in status.content.decode()
    for callback in queued:
        callback()  # the worker (ImmediateBackend) runs the task
    tally.refresh_from_db()
    assert (tally.state, tally.headings_done, tally.percent) == ("done", 1, 100)
    # The poll sees the count is done and reloads the page, which shows the outcome.
    status = client.get(
        reverse("budgets:staff_count_status", args=[budget.pk]), headers={"HX-Request": "true"}
    )
    assert status["HX-Refresh"] == "true"
    page = client.get(_count_url(budget)).content.decode()
    assert "The outcome, not yet published" in page
    assert "Funded in round 1" in page  # why each project won or not
    assert "Not funded: its 3 voters had only" in page
    # Nothing is published: no results, no winners, the public results page says so (403).
    budget.refresh_from_db()
    assert budget.phase == Phase.REVIEWING_BALLOTS
    assert not HeadingResult.objects.exists()
    assert set(Project.objects.values_list("status", flat=True)) == {Project.Status.ON_BALLOT}
    assert client.get(reverse("budgets:results", args=[budget.pk])).status_code == 403


def test_confirming_the_checked_outcome_publishes_it_and_logs_who(
    client, django_capture_on_commit_callbacks
):
    heading, (a, b, c) = _closed_vote()
    budget = heading.group.budget
    editor = _sign_in(client, StaffFactory(role=Role.EDITOR))
    tally = _request_and_run(budget, editor, django_capture_on_commit_callbacks)
    # Without ticking that the outcome was checked, nothing happens.
    client.post(_count_url(budget), {"action": "confirm", "tally": tally.pk})
    budget.refresh_from_db()
    assert budget.phase == Phase.REVIEWING_BALLOTS
    response = client.post(
        _count_url(budget), {"action": "confirm", "tally": tally.pk, "checked": "1"}, follow=True
    )
    assert "The results are published." in response.content.decode()
    budget.refresh_from_db()
    tally.refresh_from_db()
    assert budget.phase == Phase.FINISHED
    assert (tally.state, tally.confirmed_by) == ("published", editor)
    assert tally.confirmed_at and tally.published_at
    result = HeadingResult.objects.get(heading=heading)
    assert set(result.winners) == {a.pk, c.pk}
    assert Project.objects.get(pk=c.pk).status == Project.Status.WINNER
    assert Project.objects.get(pk=b.pk).status == Project.Status.NOT_WINNER
    log = client.get(_count_url(budget)).content.decode()
    assert str(editor) in log and "Published" in log


def test_a_second_person_must_approve_when_the_budget_asks_for_it(
    client, django_capture_on_commit_callbacks
):
    heading, _projects = _closed_vote(second_approval=True)
    budget = heading.group.budget
    first = StaffFactory(role=Role.EDITOR)
    tally = _request_and_run(budget, first, django_capture_on_commit_callbacks)
    tally_confirm(tally=tally, user=first)
    budget.refresh_from_db()
    assert budget.phase == Phase.REVIEWING_BALLOTS  # confirmed, not yet published
    assert not HeadingResult.objects.exists()
    with pytest.raises(BudgetRefused, match="Another staff member"):
        tally_approve(tally=tally, user=first)
    with pytest.raises(BudgetRefused, match="Only editors and administrators"):
        tally_approve(tally=tally, user=StaffFactory(role=Role.VALUATOR))
    second = _sign_in(client, StaffFactory(role=Role.ADMINISTRATOR))
    page = client.get(_count_url(budget)).content.decode()
    assert "Waiting for another staff member" in page
    client.post(_count_url(budget), {"action": "approve", "tally": tally.pk})
    tally.refresh_from_db()
    budget.refresh_from_db()
    assert budget.phase == Phase.FINISHED
    assert (tally.state, tally.confirmed_by, tally.approved_by) == ("published", first, second)
    assert tally.approved_at >= tally.confirmed_at


def test_an_outcome_is_not_published_when_the_ballots_changed_after_the_count(
    django_capture_on_commit_callbacks,
):
    heading, (_a, b, c) = _closed_vote()
    budget = heading.group.budget
    officer = StaffFactory(role=Role.POLL_OFFICER)
    census_person("0101801234")
    paper_ballot_enter(
        heading=heading, officer=officer, identifier="0101801234", project_ids=[c.pk]
    )
    editor = StaffFactory(role=Role.EDITOR)
    tally = _request_and_run(budget, editor, django_capture_on_commit_callbacks)
    ballot = heading.ballots.get(source="paper")
    paper_ballot_correct(ballot=ballot, officer=officer, project_ids=[b.pk], reason="Tastefejl")
    with pytest.raises(BudgetRefused, match="Count again"):
        tally_confirm(tally=tally, user=editor)
    assert not HeadingResult.objects.exists()
    # Counting again counts the corrected ballot, and that outcome can be published.
    again = _request_and_run(budget, editor, django_capture_on_commit_callbacks)
    tally.refresh_from_db()
    assert (tally.state, tally.discarded_by) == ("discarded", editor)
    tally_confirm(tally=again, user=editor)
    assert HeadingResult.objects.get(heading=heading).voters == 6


def test_a_discarded_count_cannot_be_published(django_capture_on_commit_callbacks):
    heading, _projects = _closed_vote()
    editor = StaffFactory(role=Role.EDITOR)
    tally = _request_and_run(heading.group.budget, editor, django_capture_on_commit_callbacks)
    tally_discard(tally=tally, user=editor)
    with pytest.raises(BudgetRefused, match="not the latest outcome"):
        tally_confirm(tally=tally, user=editor)
    assert not HeadingResult.objects.exists()


def test_a_count_that_overflows_fails_with_a_message_instead_of_crashing(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    heading, _projects = _closed_vote()

    def overflow(*args, **kwargs):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(tallying, "count", overflow)
    tally = _request_and_run(
        heading.group.budget, StaffFactory(role=Role.EDITOR), django_capture_on_commit_callbacks
    )
    assert tally.state == Tally.State.FAILED
    assert "too large to count" in tally.error
    staff = StaffFactory(role=Role.EDITOR)
    with_totp(staff)
    client.force_login(staff)
    session = client.session
    session["samskab_staff_mfa"] = staff.pk
    session.save()
    page = client.get(_count_url(heading.group.budget), headers={"Accept-Language": "da"})
    assert "for stor til at blive optalt" in page.content.decode()


def test_the_vote_is_counted_only_once_it_has_closed(client):
    heading = HeadingFactory()  # the vote is open
    budget = heading.group.budget
    _sign_in(client, StaffFactory(role=Role.EDITOR))
    page = client.get(_count_url(budget)).content.decode()
    assert "Move the budget to that phase on the phases page first" in page
    response = client.post(_count_url(budget), {"action": "count"}, follow=True)
    assert "Close the vote first" in response.content.decode()
    assert not Tally.objects.exists()


def test_a_finished_budget_cannot_be_reopened():
    heading, _projects = _closed_vote()
    budget = heading.group.budget
    count_and_publish(budget)
    with pytest.raises(BudgetRefused, match="cannot be reopened"):
        budget_move(budget=budget, phase=Phase.BALLOTING)


# Who may do what: valuator, editor, poll officer, administrator, citizen.

ROLES = {
    "valuator": Role.VALUATOR,
    "editor": Role.EDITOR,
    "poll officer": Role.POLL_OFFICER,
    "administrator": Role.ADMINISTRATOR,
    "citizen": None,
}
MAY_COUNT = {"editor", "administrator"}


def _person(who):
    role = ROLES[who]
    return StaffFactory(role=role) if role else UserFactory()


@pytest.mark.parametrize("who", ROLES)
def test_who_may_open_the_count_page_and_count(client, who, django_capture_on_commit_callbacks):
    heading, _projects = _closed_vote()
    budget = heading.group.budget
    _sign_in(client, _person(who))
    assert client.get(_count_url(budget)).status_code == (200 if who in MAY_COUNT else 403)
    status = client.get(reverse("budgets:staff_count_status", args=[budget.pk]))
    assert status.status_code == (200 if who in MAY_COUNT else 403)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_count_url(budget), {"action": "count"})
    assert response.status_code == (302 if who in MAY_COUNT else 403)
    assert Tally.objects.exists() is (who in MAY_COUNT)


@pytest.mark.parametrize("who", ROLES)
def test_who_may_confirm_and_approve(client, who, django_capture_on_commit_callbacks):
    heading, _projects = _closed_vote(second_approval=True)
    budget = heading.group.budget
    first = StaffFactory(role=Role.EDITOR)
    tally = _request_and_run(budget, first, django_capture_on_commit_callbacks)
    tally_confirm(tally=tally, user=first)
    _sign_in(client, _person(who))
    response = client.post(_count_url(budget), {"action": "approve", "tally": tally.pk})
    assert response.status_code == (302 if who in MAY_COUNT else 403)
    budget.refresh_from_db()
    assert (budget.phase == Phase.FINISHED) is (who in MAY_COUNT)
    # And nobody else can make a winner: the service refuses them too.
    if who not in MAY_COUNT:
        with pytest.raises(BudgetRefused):
            tally_approve(tally=tally, user=_person(who))


def test_anonymous_visitors_are_sent_to_log_in(client):
    heading, _projects = _closed_vote()
    response = client.get(_count_url(heading.group.budget))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_count_stuck_waiting_for_the_worker_can_be_discarded(client):
    heading, _projects = _closed_vote()
    budget = heading.group.budget
    editor = _sign_in(client, StaffFactory(role=Role.EDITOR))
    client.post(_count_url(budget), {"action": "count"})  # no worker runs it
    tally = Tally.objects.get()
    assert "Stop waiting and discard this count" in client.get(_count_url(budget)).content.decode()
    client.post(_count_url(budget), {"action": "discard", "tally": tally.pk})
    tally.refresh_from_db()
    assert (tally.state, tally.discarded_by) == ("discarded", editor)
    # The worker coming late does nothing with it.
    assert tallying.tally_run(tally_id=tally.pk).state == Tally.State.DISCARDED
    assert not HeadingResult.objects.exists()


def test_staff_download_the_published_results_as_csv(client):
    # Review finding 26: no export of results for the decision record.
    import csv

    heading = HeadingFactory(name="Hele kommunen", amount=100_000)
    park = ProjectFactory(heading=heading, title="=Ny park", price=60_000)
    bench = ProjectFactory(heading=heading, title="Bænke", price=50_000)
    for _ in range(3):
        services.ballot_save(heading=heading, user=ResidentFactory(), project_ids=[park.pk])
    services.ballot_save(heading=heading, user=ResidentFactory(), project_ids=[bench.pk])
    budget = heading.group.budget
    url = reverse("budgets:staff_results_csv", args=[budget.pk])
    _sign_in(client, StaffFactory(role=Role.EDITOR))
    assert client.get(url).status_code == 404  # nothing is published yet
    count_and_publish(budget)
    page = client.get(reverse("budgets:staff_count", args=[budget.pk])).content.decode()
    assert url in page
    answer = client.get(url)
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(answer.content.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["Heading", "Project", "Price", "Votes or points", "Chosen", "Voters"]
    assert sorted(rows[1:]) == [
        ["Hele kommunen", "'=Ny park", "60000", "3", "yes", "4"],
        ["Hele kommunen", "Bænke", "50000", "1", "no", "4"],
    ]
    client.force_login(ResidentFactory())
    assert client.get(url).status_code in (302, 403)
