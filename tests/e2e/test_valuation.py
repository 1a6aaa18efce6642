"""Valuation in a real browser at 1366x768, axe-core on every page: an editor assigns two
projects to a valuator in bulk; the valuator finds them on the staff home, assesses one and
writes an internal note; the editor reads the note; a citizen never sees it."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from samskab.accounts.middleware import SESSION_STAFF_MFA
from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, with_totp
from samskab.budgets.models import BudgetPhase, Phase, Project
from samskab.budgets.tests.factories import BudgetFactory, HeadingFactory, ProjectFactory
from tests.e2e.conftest import assert_accessible

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]

TITLE = "Borgerbudget Havnen 2031"
BENCHES, LIGHTS, SWINGS = "Bænke på kajen", "Lys i gyden", "Gynger i parken"
NOTE = "Vejafdelingen har sagt god for placeringen."


@pytest.fixture
def device() -> dict[str, object]:
    return {"viewport": {"width": 1366, "height": 768}}


def _as(page, live_server, user) -> None:
    """The browser signed in as `user`, past the second factor (a session made here; the
    account has an authenticator app, as staff accounts must)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_STAFF_MFA] = user.pk
    session.save()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _go(page, name: str, *, within=None, exact: bool = True) -> None:
    """Follow a link by its name, wait for the page and check it with axe-core."""
    scope = within if within is not None else page
    with page.expect_navigation():
        scope.get_by_role("link", name=name, exact=exact).first.click()
    assert_accessible(page)


def _press(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    assert_accessible(page)


def _staff_home(page) -> None:
    _go(page, "Staff home", within=page.locator("header"))
    expect(page.locator("h1")).to_have_text("Staff home")


def test_an_editor_assigns_a_valuator_who_assesses_and_notes_and_the_editor_reads_it(
    page, live_server, site_settings, mailoutbox
):
    budget = BudgetFactory(title=TITLE, phase=Phase.VALUATING)
    deadline = timezone.localdate() + timedelta(days=10)
    BudgetPhase.objects.create(budget=budget, phase=Phase.VALUATING, ends_on=deadline)
    heading = HeadingFactory(group__budget=budget, name="Havnen", amount=300_000)
    projects = {
        title: ProjectFactory(heading=heading, title=title, status=Project.Status.SUBMITTED)
        for title in (BENCHES, LIGHTS, SWINGS)
    }
    editor = StaffFactory(role=Role.EDITOR, display_name="Eva Redaktør")
    valuator = StaffFactory(
        role=Role.VALUATOR, display_name="Vera Vurdering", email="vera@testby.example"
    )
    with_totp(editor)
    with_totp(valuator)

    # The editor ticks two projects on the budget's list and assigns them to Vera.
    _as(page, live_server, editor)
    page.goto("/")
    _staff_home(page)
    assert_accessible(page)
    row = page.locator("tr[data-budget]", has_text=TITLE)
    _go(page, "Projects, assessment and ballot", within=row, exact=False)
    for title in (BENCHES, LIGHTS):
        # A click on the box DKFDS draws in the row, as a mouse user would.
        box = page.locator(f"#choose-{projects[title].pk}")
        drawn = page.locator(".form-group-checkbox", has=box)
        drawn.scroll_into_view_if_needed()
        area = drawn.bounding_box()
        page.mouse.click(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
        expect(box).to_be_checked()
    expect(page.locator("[data-choose-count]")).to_have_text("2 projects chosen")
    valuators = page.get_by_role("group", name="Valuators of the chosen projects")
    valuators.get_by_label("Valuator").select_option(label="Vera Vurdering (vera@testby.example)")
    _press(page, "Assign")
    expect(page.locator("main")).to_contain_text(
        "Vera Vurdering (vera@testby.example) is asked to assess 2 more projects"
    )
    for title in (BENCHES, LIGHTS):
        line = page.locator("tbody tr", has_text=title)
        expect(line.locator("[data-valuators]")).to_have_text("Vera Vurdering")
        expect(line.locator("[data-valuation]")).to_have_text("Not started")
    # "Unassigned" leaves the third project.
    page.get_by_label("Valuator", exact=True).first.select_option(label="Not assigned to anyone")
    _press(page, "Show")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(SWINGS)
    # One e-mail to Vera, naming both projects.
    assert [m.to for m in mailoutbox] == [["vera@testby.example"]]
    assert BENCHES in mailoutbox[0].body and LIGHTS in mailoutbox[0].body

    # Vera finds both on her staff home, with the deadline.
    _as(page, live_server, valuator)
    page.goto("/")
    _staff_home(page)
    panel = page.locator("section", has=page.locator("#staff-valuation"))
    expect(panel.get_by_role("link", name=BENCHES)).to_be_visible()
    expect(panel.get_by_role("link", name=LIGHTS)).to_be_visible()
    expect(panel.locator("[data-to-assess]")).to_contain_text("10 days left")
    expect(panel).not_to_contain_text(SWINGS)

    # She assesses the benches.
    _go(page, BENCHES, within=panel)
    expect(page.locator("h1")).to_have_text(f"Assess: {BENCHES}")
    page.get_by_label("Yes, it is feasible").check()
    page.get_by_label("Explanation of feasibility (public)").fill("Kajen er kommunens.")
    page.locator("input[name=price]").fill("90000")
    page.get_by_label("Explanation of the price (public)", exact=False).fill("Tilbud fra en smed.")
    _press(page, "Save the assessment")
    expect(page.locator("main")).to_contain_text("The assessment is saved.")
    line = page.locator("tbody tr", has_text=BENCHES)
    expect(line.locator("[data-status]")).to_have_text("Feasible")
    expect(line.locator("[data-valuation]")).to_have_text("Done")

    # Her list says which is done; on the lights she writes an internal note.
    _go(page, "To assess", within=page.locator("header"))
    expect(page.locator("h1")).to_have_text("My projects to assess")
    expect(page.locator(f"tr[data-project='{projects[BENCHES].pk}']")).to_contain_text("Done")
    expect(page.locator(f"tr[data-project='{projects[LIGHTS].pk}']")).to_contain_text("Not done")
    _go(page, f"Assess {LIGHTS}")
    page.get_by_role("textbox", name="Internal note").fill(NOTE)
    _press(page, "Add the note")
    expect(page.locator("main")).to_contain_text("The note is saved. Only staff can read it.")
    expect(page.locator("[data-notes]")).to_contain_text(NOTE)
    expect(page.locator("[data-valuation-state]")).to_have_text("In progress")

    # Eva reads the note from the budget's list.
    _as(page, live_server, editor)
    page.goto("/")
    _staff_home(page)
    row = page.locator("tr[data-budget]", has_text=TITLE)
    _go(page, "Projects, assessment and ballot", within=row, exact=False)
    _go(page, "Valuation and notes", within=page.locator("tbody tr", has_text=LIGHTS), exact=False)
    notes = page.locator("[data-notes]")
    expect(notes).to_contain_text(NOTE)
    expect(notes).to_contain_text("Vera Vurdering")

    # A citizen's view of the project has the public assessment, never the note.
    page.context.clear_cookies()
    page.goto(projects[LIGHTS].get_absolute_url())
    assert_accessible(page)
    expect(page.locator("main")).not_to_contain_text(NOTE)
    page.goto(projects[BENCHES].get_absolute_url())
    expect(page.locator("main")).to_contain_text("Kajen er kommunens.")
    assert re.search(r"/borgerbudget/projekt/\d+/$", page.url)
