"""A poll officer signs in with a second factor, enters paper ballots from in-person voting and
corrects a mistyped one with a reason; an administrator then counts the budget, reads the
outcome with its reasons, confirms it, and the results page explains it."""

import re

import pytest

from samskab.accounts.roles import Role, roles_sync
from samskab.accounts.tests.factories import PASSWORD, StaffFactory, with_totp
from samskab.budgets.models import Ballot, BallotConflict, HeadingResult, Phase
from samskab.budgets.services import ballot_save, budget_move
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
)
from samskab.core.tests.factories import administrator
from tests.e2e.conftest import assert_accessible, current_code, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass(on="postgres"),
]


def _staff_log_in(page, email, password, secret) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret))
    with page.expect_navigation():
        page.locator("main button.button-primary").click()


def test_a_poll_officer_enters_paper_ballots_against_the_census(
    page, site_settings, start_of_a_totp_step
):
    roles_sync()
    heading = HeadingFactory(name="Midtbyen", amount=300_000)
    budget = heading.group.budget
    bench = ProjectFactory(heading=heading, title="Bænke", price=80_000)
    park = ProjectFactory(heading=heading, title="Legeplads", price=150_000)
    census_person("0101801234")
    web_voter = ResidentFactory()
    census_person("0202902345", user=web_voter)
    ballot_save(heading=heading, user=web_voter, project_ids=[park.pk])
    officer = StaffFactory(role=Role.POLL_OFFICER)
    secret = with_totp(officer)
    _staff_log_in(page, officer.email, PASSWORD, secret)

    page.goto(f"/borgerbudget/{budget.pk}/papirstemmesedler/")
    assert_accessible(page)
    page.get_by_role("link", name="Enter paper ballots: Midtbyen").click()
    page.wait_for_url(f"**/omraade/{heading.pk}/papirstemmeseddel/")
    assert_accessible(page)

    # By keyboard: the identifier as printed on the polling card, then the marked projects.
    tab_to(page, "#identifier")
    page.keyboard.type("010180-1234")
    tab_to(page, f"#project-{bench.pk}")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('[data-ballot-total]').textContent.includes('80.000')"
    )
    tab_to(page, "button.button-primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The paper ballot is entered." in page.content()
    assert_accessible(page)

    # The same person again: counted once.
    page.locator("#identifier").fill("0101801234")
    page.locator(f"#project-{park.pk}").check()
    with page.expect_navigation():
        page.locator("button.button-primary").click()
    assert page.get_by_role("alert").get_by_text("already entered").is_visible()
    assert_accessible(page)
    # The refusal is a 400 on purpose; nothing else may have gone wrong.
    expected = [p for p in page.problems if "papirstemmeseddel" in p or "status of 400" in p]
    assert len(expected) == 2
    page.problems[:] = [p for p in page.problems if p not in expected]

    # Someone who also voted on the web: the paper ballot counts, and the case is logged.
    page.locator("#identifier").fill("0202902345")
    page.locator(f"#project-{park.pk}").uncheck()
    page.locator(f"#project-{bench.pk}").check()
    with page.expect_navigation():
        page.locator("button.button-primary").click()
    assert "the paper ballot counts instead" in page.content()
    assert Ballot.objects.filter(source="paper").count() == 2
    assert BallotConflict.objects.get().kept == "paper"

    page.goto(f"/borgerbudget/{budget.pk}/papirstemmesedler/")
    log = page.get_by_role("region", name="People who voted both on the web and on paper")
    assert log.get_by_text("Paper").is_visible()
    assert_accessible(page)

    # The first ballot was mistyped: the paper marks the playground, not the benches.
    mistyped = Ballot.objects.filter(source="paper").order_by("pk").first()
    page.get_by_role("link", name="The paper ballots you entered: correct or void one").click()
    page.wait_for_url("**/papirstemmesedler/indtastede/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Correct or void ballot {mistyped.pk}").click()
    page.wait_for_url(f"**/papirstemmeseddel/{mistyped.pk}/ret/")
    assert_accessible(page)
    page.locator(f"#project-{bench.pk}").uncheck()
    page.locator(f"#project-{park.pk}").check()
    page.locator("#reason").fill("Tastefejl: sedlen er krydset ved legepladsen.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the correction").click()
    assert f"Paper ballot {mistyped.pk} is corrected" in page.content()
    changes = page.get_by_role("region", name="Corrections and voided ballots")
    assert changes.get_by_text("Tastefejl: sedlen er krydset ved legepladsen.").is_visible()
    assert_accessible(page)
    assert list(mistyped.lines.values_list("project_id", flat=True)) == [park.pk]


def test_staff_finish_the_budget_and_the_results_explain_the_winners(
    page, site_settings, start_of_a_totp_step
):
    heading = HeadingFactory(name="Midtbyen", amount=1000)
    budget = heading.group.budget
    projects = [ProjectFactory(heading=heading, title=f"Projekt {i}", price=500) for i in range(3)]
    for choice in ([0, 1], [0, 1], [0, 1], [2], [2]):
        ballot_save(
            heading=heading, user=ResidentFactory(), project_ids=[projects[i].pk for i in choice]
        )
    budget_move(budget=budget, phase=Phase.REVIEWING_BALLOTS)  # the vote has closed
    user, secret = administrator()
    _staff_log_in(page, user.email, "Admin-pass-123", secret)

    page.goto("/admin/budgets/budget/")
    assert_accessible(page)
    page.locator(f"input[name=_selected_action][value='{budget.pk}']").check()
    page.locator("select[name=action]").select_option("count")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    page.wait_for_url(f"**/borgerbudget/{budget.pk}/behandling/optaelling/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Count the vote").click()
    # The worker counted (at once in the tests); nothing is published before confirmation.
    assert page.get_by_role("heading", name="The outcome, not yet published").is_visible()
    assert page.get_by_text("Funded in round 1").first.is_visible()
    assert_accessible(page)
    assert not HeadingResult.objects.exists()
    page.get_by_label("I have checked the outcome and the reasons above.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm and publish the results").click()
    assert "The results are published." in page.content()

    page.goto(f"/borgerbudget/{budget.pk}/resultater/")
    assert_accessible(page)
    # Equal shares: the three voters of 0 and 1 fund one of them, the two voters of 2 fund 2.
    assert page.get_by_text("Method of Equal Shares").first.is_visible()
    assert page.get_by_text("Funded in round 1").first.is_visible()
    assert page.get_by_text("Not funded: its 3 voters had only").is_visible()
    assert page.get_by_role("heading", name="Participation").is_visible()
    assert page.get_by_text("Ballots: fewer than 5").is_visible() is False
