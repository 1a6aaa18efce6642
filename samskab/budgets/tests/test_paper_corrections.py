"""Poll officers list the paper ballots they entered, and correct or void one with a reason;
every change is logged for administrators, and the count follows (a voided ballot is not
counted, and a recount from the ballots agrees)."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import (
    StaffFactory,
    UserFactory,
    staff_sign_in,
)
from samskab.budgets import services
from samskab.budgets.models import Ballot, BallotLine, PaperBallotChange, Phase
from samskab.budgets.selectors import heading_election
from samskab.budgets.services import (
    BudgetRefused,
    ballot_save,
    paper_ballot_correct,
    paper_ballot_enter,
    paper_ballot_void,
)
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
    count_and_publish,
)

pytestmark = pytest.mark.django_db


_sign_in = staff_sign_in


@pytest.fixture
def entered():
    """A heading with two projects and a paper ballot for the park, entered by an officer."""
    heading = HeadingFactory(amount=1000)
    park = ProjectFactory(heading=heading, title="Parken", price=400)
    bench = ProjectFactory(heading=heading, title="Bænken", price=300)
    officer = StaffFactory(role=Role.POLL_OFFICER)
    census_person("0101801234")
    paper_ballot_enter(
        heading=heading, officer=officer, identifier="0101801234", project_ids=[park.pk]
    )
    return heading, park, bench, officer, Ballot.objects.get()


def _change_url(ballot):
    return reverse("budgets:paper_change", args=[ballot.pk])


def _list_url(heading):
    return reverse("budgets:paper_list", args=[heading.group.budget_id])


def test_an_officer_lists_the_paper_ballots_they_entered(client, entered):
    heading, _park, bench, officer, ballot = entered
    other = StaffFactory(role=Role.POLL_OFFICER)
    census_person("0202802345")
    paper_ballot_enter(
        heading=heading, officer=other, identifier="0202802345", project_ids=[bench.pk]
    )
    others = Ballot.objects.get(entered_by=other)
    _sign_in(client, officer)
    page = client.get(_list_url(heading)).content.decode()
    assert "Parken" in page and _change_url(ballot) in page
    assert _change_url(others) not in page and "Bænken" not in page


def test_an_officer_finds_a_persons_ballot_by_the_identifier(client, entered):
    heading, _park, bench, officer, ballot = entered
    census_person("0202802345")
    paper_ballot_enter(
        heading=heading, officer=officer, identifier="0202802345", project_ids=[bench.pk]
    )
    _sign_in(client, officer)
    page = client.post(_list_url(heading), {"identifier": "0101801234"}).content.decode()
    assert _change_url(ballot) in page
    assert "Bænken" not in page
    # Never in the address, where the history and the access log would keep it.
    assert 'method="post"' in client.get(_list_url(heading)).content.decode()
    page = client.get(_list_url(heading), {"identifier": "0101801234"}).content.decode()
    assert "Bænken" in page  # the address's identifier is not read


def test_an_officer_corrects_a_mistyped_ballot_with_a_reason(client, entered):
    heading, park, bench, officer, ballot = entered
    _sign_in(client, officer)
    response = client.post(
        _change_url(ballot),
        {"project": [bench.pk], "reason": "Tastefejl: sedlen siger bænken.", "action": "correct"},
        follow=True,
    )
    assert f"Paper ballot {ballot.pk} is corrected" in response.content.decode()
    assert list(ballot.lines.values_list("project_id", flat=True)) == [bench.pk]
    change = PaperBallotChange.objects.get()
    assert (change.kind, change.before, change.after, change.changed_by) == (
        "corrected",
        [park.pk],
        [bench.pk],
        officer,
    )
    assert change.reason == "Tastefejl: sedlen siger bænken."
    log = client.get(_list_url(heading)).content.decode()
    assert "<td>Parken</td><td>Bænken</td>" in log  # before and after, by title
    # The count follows the correction.
    assert heading_election(heading).votes() == {str(park.pk): 0, str(bench.pk): 1}


def test_a_correction_without_a_reason_changes_nothing(client, entered):
    _heading, park, bench, officer, ballot = entered
    _sign_in(client, officer)
    response = client.post(
        _change_url(ballot), {"project": [bench.pk], "reason": " ", "action": "correct"}
    )
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert list(ballot.lines.values_list("project_id", flat=True)) == [park.pk]
    assert not PaperBallotChange.objects.exists()


def test_a_correction_must_still_be_a_valid_ballot(entered):
    heading, park, _bench, officer, ballot = entered
    dear = ProjectFactory(heading=heading, price=700)
    with pytest.raises(BudgetRefused, match=r"more than the 1\.000"):
        paper_ballot_correct(
            ballot=ballot, officer=officer, project_ids=[park.pk, dear.pk], reason="Rettelse"
        )
    with pytest.raises(BudgetRefused, match="void it"):
        paper_ballot_correct(ballot=ballot, officer=officer, project_ids=[], reason="Rettelse")


def test_a_voided_ballot_is_not_counted_and_the_person_may_vote_again(client, entered):
    heading, park, bench, officer, ballot = entered
    ResidentFactory()  # an unrelated voter
    voter = ResidentFactory()
    ballot_save(heading=heading, user=voter, project_ids=[bench.pk])
    _sign_in(client, officer)
    response = client.post(
        _change_url(ballot),
        {"reason": "Indtastet for den forkerte person.", "action": "void"},
        follow=True,
    )
    assert f"Paper ballot {ballot.pk} is voided" in response.content.decode()
    assert not Ballot.objects.filter(pk=ballot.pk).exists()
    assert not BallotLine.objects.filter(ballot_id=ballot.pk).exists()
    change = PaperBallotChange.objects.get()
    assert (change.kind, change.ballot_number, change.before, change.after) == (
        "voided",
        ballot.pk,
        [park.pk],
        [],
    )
    # The log is on the officers' page and in the admin.
    assert "Indtastet for den forkerte person." in client.get(_list_url(heading)).content.decode()
    # Counted: only the web ballot; and the published count agrees with a recount.
    assert heading_election(heading).voters == 1
    paper_ballot_enter(
        heading=heading, officer=officer, identifier="0101801234", project_ids=[bench.pk]
    )
    (result,) = count_and_publish(heading.group.budget)
    assert result.voters == heading_election(heading).voters == 2


def test_the_admin_shows_the_log_to_administrators_and_nobody_edits_it(client, entered):
    _heading, _park, _bench, officer, ballot = entered
    paper_ballot_void(ballot=ballot, officer=officer, reason="Fejl")
    _sign_in(client, StaffFactory(role=Role.ADMINISTRATOR))
    listing = client.get(reverse("admin:budgets_paperballotchange_changelist"))
    assert listing.status_code == 200 and "Fejl" in listing.content.decode()
    change = PaperBallotChange.objects.get()
    url = reverse("admin:budgets_paperballotchange_change", args=[change.pk])
    client.post(url, {"reason": "Noget andet"})
    change.refresh_from_db()
    assert change.reason == "Fejl"
    delete = reverse("admin:budgets_paperballotchange_delete", args=[change.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_ballots_cannot_be_changed_once_the_results_are_published(entered):
    heading, _park, bench, officer, ballot = entered
    count_and_publish(heading.group.budget)
    with pytest.raises(BudgetRefused, match="only during the vote"):
        paper_ballot_correct(ballot=ballot, officer=officer, project_ids=[bench.pk], reason="x")
    with pytest.raises(BudgetRefused, match="only during the vote"):
        paper_ballot_void(ballot=ballot, officer=officer, reason="x")


def test_a_web_ballot_is_not_a_paper_ballot_to_correct(client, entered):
    heading, park, _bench, officer, _ballot = entered
    web = ballot_save(heading=heading, user=ResidentFactory(), project_ids=[park.pk])
    with pytest.raises(BudgetRefused, match="Only paper ballots"):
        paper_ballot_void(ballot=web, officer=officer, reason="x")
    _sign_in(client, officer)
    assert client.get(_change_url(web)).status_code == 404


# Who may do what: valuator, editor, poll officer (the one who entered it, another one),
# administrator, citizen.

ROLES = {
    "valuator": Role.VALUATOR,
    "editor": Role.EDITOR,
    "another poll officer": Role.POLL_OFFICER,
    "administrator": Role.ADMINISTRATOR,
    "citizen": None,
}


@pytest.mark.parametrize("who", [*ROLES, "the officer who entered it"])
def test_who_may_list_correct_and_void_a_paper_ballot(client, entered, who):
    heading, _park, bench, officer, ballot = entered
    if who == "the officer who entered it":
        user = officer
    else:
        user = StaffFactory(role=ROLES[who]) if ROLES[who] else UserFactory()
    _sign_in(client, user)
    may_list = who in ("another poll officer", "administrator", "the officer who entered it")
    may_change = who in ("administrator", "the officer who entered it")
    listing = client.get(_list_url(heading))
    assert listing.status_code == (200 if may_list else 403)
    if may_list:
        assert (_change_url(ballot) in listing.content.decode()) is may_change
    form = {"project": [bench.pk], "reason": "Rettelse", "action": "correct"}
    response = client.post(_change_url(ballot), form)
    assert response.status_code == (302 if may_change else 403)
    corrected = list(ballot.lines.values_list("project_id", flat=True)) == [bench.pk]
    assert corrected is may_change
    # The service refuses the same people, whatever page they come from.
    if not may_change:
        with pytest.raises(BudgetRefused):
            paper_ballot_void(ballot=ballot, officer=user, reason="x")
        assert Ballot.objects.filter(pk=ballot.pk).exists()


def test_a_lock_the_database_gave_up_on_is_the_same_moment_answer(monkeypatch):
    """Whatever PostgreSQL still reports as a deadlock reaches the person as the product's
    own answer, never a server error."""

    class Deadlock(Exception):
        sqlstate = "40P01"

    def deadlock(*args, **kwargs):
        error = OperationalError("deadlock detected")
        error.__cause__ = Deadlock()
        raise error

    heading = HeadingFactory()
    project = ProjectFactory(heading=heading)
    monkeypatch.setattr(services, "_ballot_replace", deadlock)
    with pytest.raises(BudgetRefused, match="saved at the same moment"):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])


def test_an_unrelated_database_error_is_not_hidden(monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("disk I/O error")

    heading = HeadingFactory(group__budget__phase=Phase.BALLOTING)
    project = ProjectFactory(heading=heading)
    monkeypatch.setattr(services, "_ballot_replace", broken)
    with pytest.raises(OperationalError):
        ballot_save(heading=heading, user=ResidentFactory(), project_ids=[project.pk])


def test_the_overview_totals_each_officers_ballots_for_reconciling(client, entered):
    # Staff walk finding 7: per-officer totals to check against the paper piles.
    heading, _park, bench, officer, ballot = entered
    officer.display_name = "Ole Optæller"
    officer.save()
    second = StaffFactory(role=Role.POLL_OFFICER, display_name="Bente Bord")
    for identifier in ("0202802345", "0303803456"):
        census_person(identifier)
        paper_ballot_enter(
            heading=heading, officer=second, identifier=identifier, project_ids=[bench.pk]
        )
    paper_ballot_correct(
        ballot=ballot, officer=officer, project_ids=[bench.pk], reason="Forkert kryds"
    )
    paper_ballot_void(
        ballot=Ballot.objects.filter(entered_by=second).order_by("pk").first(),
        officer=second,
        reason="Indtastet to gange",
    )
    _sign_in(client, officer)
    page = client.get(reverse("budgets:paper_overview", args=[heading.group.budget_id]))
    text = page.content.decode()
    assert page.status_code == 200
    bente = text.index('<th scope="row">Bente Bord</th>')
    ole = text.index('<th scope="row">Ole Optæller</th>')
    assert bente < ole  # by name

    def row(at: int) -> str:
        return text[at : text.index("</tr>", at)]

    assert "<td data-counted>1</td><td data-corrected>0</td><td data-voided>1</td>" in row(bente)
    assert "<td data-counted>1</td><td data-corrected>1</td><td data-voided>0</td>" in row(ole)
