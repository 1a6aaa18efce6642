"""A verified resident votes with points and with a ranking on a phone, by keyboard: the
points left are announced as they change, and the ranking moves with Up and Down buttons."""

import pytest

from samskab.budgets.models import Ballot, BallotStyle
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory, ResidentFactory
from tests.e2e.conftest import PHONE, assert_accessible, tab_to
from tests.e2e.test_citizen_votes_in_the_budget import _log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


def _ballot_url(heading) -> str:
    return f"/borgerbudget/{heading.group.budget_id}/omraade/{heading.pk}/stemmeseddel/"


def _total_says(page, text: str) -> None:
    page.wait_for_function(
        "text => document.querySelector('[data-ballot-total]').textContent.includes(text)", arg=text
    )


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_a_resident_shares_out_points_on_a_phone(page, site_settings):
    heading = HeadingFactory(
        name="Hele kommunen",
        group__ballot_style=BallotStyle.CUMULATIVE,
        group__points_total=10,
        group__points_per_project=6,
    )
    park = ProjectFactory(heading=heading, title="Legeplads")
    trees = ProjectFactory(heading=heading, title="Træer")
    user = ResidentFactory()
    _log_in(page, user)
    page.goto(_ballot_url(heading))
    assert_accessible(page)
    total = page.locator("[data-ballot-total]")
    assert total.get_attribute("aria-live") == "polite"
    assert "Points given: 0 of 10. Points left: 10." in total.inner_text()
    # Nothing sideways to scroll on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The + button, reached and pressed by keyboard, gives a point at a time.
    plus = page.get_by_role("button", name="One point more for Legeplads")
    assert plus.is_visible()
    tab_to(page, f"button[aria-controls='points-{park.pk}'][data-step='1']")
    for _ in range(4):
        page.keyboard.press("Enter")
    _total_says(page, "Points left: 6.")
    assert page.locator(f"#points-{park.pk}").input_value() == "4"
    # Typing in the number field works too; too many points are said before sending.
    page.locator(f"#points-{trees.pk}").fill("7")
    _total_says(page, "1 points too many")
    assert "budget-total-over" in (total.get_attribute("class") or "")
    page.locator(f"#points-{trees.pk}").fill("6")
    _total_says(page, "Points left: 0.")
    # The - button never goes below 0 and stops at the project's maximum going up.
    tab_to(page, f"button[aria-controls='points-{trees.pk}'][data-step='1']")
    page.keyboard.press("Enter")
    assert page.locator(f"#points-{trees.pk}").input_value() == "6"

    with page.expect_navigation():
        page.get_by_role("button", name="Save my ballot").click()
    assert "Your ballot is saved" in page.content()
    assert_accessible(page)
    lines = Ballot.objects.get(user=user).lines.order_by("project_id")
    assert [(line.project_id, line.points) for line in lines] == [(park.pk, 4), (trees.pk, 6)]

    # The summary of the ballot on the budget, heading and project pages speaks of points.
    page.goto(heading.group.budget.get_absolute_url())
    assert "Your ballot: 10 of 10 points given" in page.locator(".budget-my-ballot").inner_text()
    page.goto(heading.get_absolute_url())
    assert "You have given 10 of your 10 points." in page.content()
    assert page.locator(".budget-on-ballot").all_inner_texts() == [
        "Your ballot: 4 points",
        "Your ballot: 6 points",
    ]
    assert_accessible(page)
    page.goto(park.get_absolute_url())
    box = page.locator(".budget-my-ballot-box")
    assert "You give this project 4 points." in box.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    with page.expect_navigation():
        box.get_by_role("link", name="Give points on your ballot").click()
    assert page.locator(f"#points-{park.pk}").input_value() == "4"


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_a_resident_ranks_projects_with_buttons_on_a_phone(page, site_settings):
    heading = HeadingFactory(group__ballot_style=BallotStyle.RANKED, group__ranking_length=2)
    a, b, c = (ProjectFactory(heading=heading, title=t) for t in ("Alfa", "Beta", "Gamma"))
    user = ResidentFactory()
    _log_in(page, user)
    page.goto(_ballot_url(heading))
    assert_accessible(page)
    page.get_by_role("button", name="Add to my ranking: Alfa").click()
    _total_says(page, "Alfa: added as number 1 of 1.")
    page.get_by_role("button", name="Add to my ranking: Beta").click()
    _total_says(page, "Beta: added as number 2 of 2.")
    # The ranking is full: Gamma cannot be added until one is removed.
    assert page.get_by_role("button", name="Add to my ranking: Gamma").is_disabled()
    # Beta up by keyboard: focus stays on the moved project's buttons.
    page.get_by_role("button", name="Up: Beta").focus()
    page.keyboard.press("Enter")
    _total_says(page, "Beta: now number 1 of 2.")
    assert page.evaluate("document.activeElement.value") == f"down:{b.pk}"
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Save my ballot").click()
    assert "Your ballot is saved" in page.content()
    ranking = Ballot.objects.get(user=user).lines.order_by("rank")
    assert [(line.project_id, line.rank) for line in ranking] == [(b.pk, 1), (a.pk, 2)]
    assert not c.ballot_lines.exists()

    # The summary of the ballot on the heading and project pages speaks of places.
    page.goto(heading.get_absolute_url())
    assert "Your ranking has 2 projects." in page.content()
    assert page.locator(".budget-on-ballot").all_inner_texts() == [
        "Number 2 on your ranking",
        "Number 1 on your ranking",
    ]
    assert_accessible(page)
    page.goto(c.get_absolute_url())
    box = page.locator(".budget-my-ballot-box")
    assert "This project is not on your ranking." in box.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
