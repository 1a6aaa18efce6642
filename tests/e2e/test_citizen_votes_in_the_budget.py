"""A verified resident builds and changes a knapsack ballot on a phone, by keyboard."""

import re

import pytest

from samskab.accounts.tests.factories import PASSWORD
from samskab.budgets.models import Ballot, Heading
from samskab.budgets.services import ballot_save
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    count_and_publish,
)
from tests.e2e.conftest import PHONE, assert_accessible, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass(on="postgres"),
]


def _log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_a_resident_builds_and_changes_a_ballot_on_a_phone(page, site_settings):
    heading = HeadingFactory(name="Midtbyen", amount=300_000)
    bench = ProjectFactory(heading=heading, title="Bænke", price=80_000)
    park = ProjectFactory(heading=heading, title="Legeplads", price=150_000)
    bikes = ProjectFactory(heading=heading, title="Cykelparkering", price=110_000)
    user = ResidentFactory()
    _log_in(page, user)

    page.goto("/borgerbudget/")
    assert_accessible(page)
    page.goto(heading.get_absolute_url())
    assert_accessible(page)
    page.goto(bench.get_absolute_url())
    assert_accessible(page)
    page.goto(heading.group.budget.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Vote\W+Midtbyen$")).click()
    page.wait_for_url(f"**/omraade/{heading.pk}/stemmeseddel/")
    assert_accessible(page)

    total = page.locator("[data-ballot-total]")
    assert total.get_attribute("aria-live") == "polite"
    # Ticking by keyboard updates the total at once.
    tab_to(page, f"#project-{bench.pk}")
    page.keyboard.press("Space")
    tab_to(page, f"#project-{park.pk}")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('[data-ballot-total]').textContent.includes('230.000')"
    )
    assert "Left: 70.000" in total.inner_text()
    # One more goes over the amount, and the total says so before anything is sent.
    tab_to(page, f"#project-{bikes.pk}")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('[data-ballot-total]').textContent.includes('too much')"
    )
    assert "40.000 DKK too much" in total.inner_text()
    page.keyboard.press("Space")  # untick it again

    tab_to(page, "button.button-primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Your ballot is saved" in page.content()
    assert "Chosen: 230.000 of 300.000 DKK" in total.inner_text()
    assert_accessible(page)

    # Changing the ballot replaces it.
    page.locator(f"#project-{park.pk}").uncheck()
    page.locator(f"#project-{bikes.pk}").check()
    with page.expect_navigation():
        page.locator("button.button-primary").click()
    lines = Ballot.objects.get(user=user).lines.values_list("project_id", flat=True)
    assert sorted(lines) == sorted([bench.pk, bikes.pk])


def test_the_results_page_explains_the_outcome_accessibly(page, site_settings):
    heading = HeadingFactory(amount=1000)
    projects = [ProjectFactory(heading=heading, price=500) for _ in range(3)]
    for choice in ([0, 1], [0, 1], [0, 1], [2], [2]):
        ballot_save(
            heading=heading,
            user=ResidentFactory(),
            project_ids=[projects[i].pk for i in choice],
        )
    count_and_publish(Heading.objects.get(pk=heading.pk).group.budget)
    page.goto(f"/borgerbudget/{heading.group.budget_id}/resultater/")
    assert page.get_by_text("Funded in round 1").first.is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_an_approval_ballot_counts_projects_on_a_phone_by_keyboard(page, site_settings):
    heading = HeadingFactory(
        name="Hele kommunen", group__ballot_style="approval", group__max_approvals=2
    )
    projects = [ProjectFactory(heading=heading, title=f"Projekt {i}") for i in range(3)]
    user = ResidentFactory()
    _log_in(page, user)
    page.goto(f"/borgerbudget/{heading.group.budget_id}/omraade/{heading.pk}/stemmeseddel/")
    assert_accessible(page)
    total = page.locator("[data-ballot-total]")
    assert "Chosen: 0 of at most 2 projects. You may choose 2 more." in total.inner_text()
    for project in projects:
        tab_to(page, f"#project-{project.pk}")
        page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('[data-ballot-total]').textContent.includes('Remove 1')"
    )
    assert "Chosen: 3 of at most 2 projects. Remove 1 of them." in total.inner_text()
    page.keyboard.press("Space")  # the last one off again
    page.wait_for_function(
        "() => document.querySelector('[data-ballot-total]').textContent.includes('0 more')"
    )
    tab_to(page, "button.button-primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Your ballot is saved" in page.content()
    assert_accessible(page)
    lines = Ballot.objects.get(user=user).lines.values_list("project_id", flat=True)
    assert sorted(lines) == [projects[0].pk, projects[1].pk]
