"""An editor logs in, lands on the staff home at 1366x768, and reaches the ballot selection
from it with no typed address; the project checkboxes can be seen and chosen by heading."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.core.tests.factories import administrator
from tests.e2e.conftest import assert_accessible, current_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def device() -> dict[str, object]:
    return {"viewport": {"width": 1366, "height": 768}}


def test_an_editor_lands_on_the_staff_home_and_chooses_projects_by_heading(
    page, site_settings, start_of_a_totp_step
):
    from samskab.budgets.models import Phase, Project
    from samskab.budgets.tests.factories import BudgetFactory, HeadingFactory, ProjectFactory
    from samskab.webcasts.tests.factories import MeetingFactory

    user, secret = administrator(email="redaktor@testby.example", password="Editor-pass-123")
    user.groups.set([Group.objects.get(name=Role.EDITOR.value)])
    MeetingFactory(title="Byrådsmøde i aften", starts_at=timezone.now() + timedelta(hours=3))
    budget = BudgetFactory(title="Borgerbudget 2028", phase=Phase.VALUATING)
    north = HeadingFactory(group__budget=budget, name="Nord")
    south = HeadingFactory(group=north.group, name="Syd")
    for heading, title in ((north, "Bænke"), (north, "Lys"), (south, "Sti")):
        ProjectFactory(heading=heading, title=title, status=Project.Status.FEASIBLE)

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill("Editor-pass-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main button.button-primary").click()

    page.wait_for_url(re.compile(r"/personale/$"))
    assert page.locator("h1").inner_text() == "Staff home"
    assert page.get_by_role("link", name="Byrådsmøde i aften", exact=True).is_visible()
    assert page.get_by_text("Editor", exact=True).is_visible()
    assert page.locator("header").get_by_role("link", name="Staff home").is_visible()
    assert_accessible(page)

    page.locator("[data-budget]").get_by_role(
        "link", name=re.compile("Projects, assessment")
    ).click()
    page.wait_for_url(re.compile(rf"/borgerbudget/{budget.pk}/behandling/$"))
    assert_accessible(page)
    boxes = page.locator("input[name=project]")
    assert boxes.count() == 3
    # Each row's box is drawn in its own cell (review: drawn once, top left, invisible).
    label = page.locator("label[for^=choose-]").first
    box = label.bounding_box()
    row = page.locator("tbody tr").first.bounding_box()
    assert box and row and row["y"] <= box["y"] <= row["y"] + row["height"]
    drawn = label.evaluate(
        "(el) => { const s = getComputedStyle(el, '::before');"
        " return [s.content, parseFloat(s.width), parseFloat(s.height)]; }"
    )
    assert drawn[0] != "none" and drawn[1] >= 16 and drawn[2] >= 16
    # Click the drawn box, as a mouse user would: it fills its .form-group-checkbox.
    group = page.locator("td .form-group-checkbox").first
    group.scroll_into_view_if_needed()
    area = group.bounding_box()
    assert area and area["width"] >= 16 and area["height"] >= 16
    page.mouse.click(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    assert page.locator("input[name=project]").first.is_checked()
    assert page.locator("[data-choose-count]").inner_text() == "1 project chosen"
    page.get_by_role("button", name="None").click()

    page.get_by_role("button", name="All in Nord").click()
    assert page.locator("[data-choose-count]").inner_text() == "2 projects chosen"
    with page.expect_navigation():
        page.get_by_role("button", name="Put the chosen projects on the ballot").click()
    on_ballot = set(
        Project.objects.filter(status=Project.Status.ON_BALLOT).values_list("title", flat=True)
    )
    assert on_ballot == {"Bænke", "Lys"}
