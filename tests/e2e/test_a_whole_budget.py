"""A whole citizens' budget run by staff in a real browser, every page reached by links from
the staff home (no typed address) and checked with axe-core: the administrator creates the
budget with an area and projects, gives them to a valuator and sets the phases with their
dates; the valuator assesses the projects; the ballot is decided and the vote opened; the
poll officer enters paper ballots and corrects one; the vote is counted, the outcome
previewed and published; and a citizen reads the result.

One module, one site (running_site: a copy of the demo served by uvicorn) shared by its steps,
which run in order: each step carries on where the one before left off.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.webcasts_fixtures import check_accessible, close_page, open_page, running_site

# Its own SQLite site (running_site), whatever the pass: CI runs it once (conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.one_pass]

SCREEN = {"viewport": {"width": 1366, "height": 768}}
TITLE = "Borgerbudget Havnekvarteret 2031"
AREA = "Havnekvarteret"
BENCHES = "Bænke på kajen"
PLAYGROUND = "Legeplads ved havnebadet"


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    # Asks for the browser first, so a machine without Chromium skips before any set-up.
    yield from running_site(
        tmp_path_factory, name="budget-site", seed=("tests/e2e/budget_seed.py",)
    )


@pytest.fixture(scope="module")
def staff(browser, site):
    """One page per staff member, signed in, kept open through the module's steps."""
    pages = {
        role: open_page(browser, site, session=site.seed[role], **SCREEN)
        for role in ("administrator", "valuator", "poll_officer")
    }
    yield pages
    for page in pages.values():
        close_page(page)


def go(page, name: str, *, within=None, exact: bool = True) -> None:
    """Follow a link by its text (in `within`, else anywhere), wait for the page, check it."""
    scope = within if within is not None else page
    with page.expect_navigation():
        scope.get_by_role("link", name=name, exact=exact).first.click()
    check_accessible(page)


def submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    check_accessible(page)


def staff_home(page) -> None:
    """The header's Staff home, from wherever the page is."""
    go(page, "Staff home", within=page.locator("header"))
    expect(page.locator("h1")).to_have_text("Staff home")


def budget_tool(page, tool: str) -> None:
    """From the staff home, one of the budget's pages on its row."""
    staff_home(page)
    row = page.locator("tr[data-budget]", has_text=TITLE)
    go(page, tool, within=row, exact=False)


def assert_counted(page) -> None:
    """Three paper ballots, all for the playground once the mistyped one is corrected."""
    playground = page.locator("tr", has=page.locator("th", has_text=PLAYGROUND))
    benches = page.locator("tr", has=page.locator("th", has_text=BENCHES))
    expect(playground.locator("td").nth(0)).to_have_text("3")
    expect(playground).to_contain_text("Funded")
    expect(benches.locator("td").nth(0)).to_have_text("0")
    expect(benches).to_contain_text("Not funded")


def test_1_the_administrator_creates_the_budget_with_an_area(staff):
    admin = staff["administrator"]
    admin.goto("/")
    staff_home(admin)
    check_accessible(admin)
    go(admin, "New citizens' budget")
    admin.locator("input[name=title]").fill(TITLE)
    admin.locator("textarea[name=description]").fill("Hvad skal der ske ved havnen?")
    admin.locator("input[name=is_published]").check()
    # One group of areas, added as a row of the form.
    admin.locator("#groups-group .add-row a").click()
    admin.locator("input[name=groups-0-name]").fill("Bydele")
    submit(admin, "Save and continue editing")
    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")

    # The group's areas are on its own page, a link from the budget's form.
    go(admin, "Change", within=admin.locator("#groups-group"), exact=False)
    admin.locator("#headings-group .add-row a").click()
    admin.locator("input[name=headings-0-name]").fill(AREA)
    admin.locator("input[name=headings-0-amount]").fill("300000")
    submit(admin, "Save")
    expect(admin.locator(".messagelist")).to_contain_text("was changed successfully")


def test_2_the_phases_are_set_with_their_dates_and_projects_added(staff):
    admin = staff["administrator"]
    budget_tool(admin, "Phases and dates")
    admin.get_by_label("Current phase").select_option("accepting")
    dates = {
        "Accepting projects": ("2031-01-05", "2031-02-28"),
        "Valuating projects": ("2031-03-01", "2031-03-31"),
        "Voting": ("2031-04-07", "2031-04-30"),
    }
    for phase, (starts, ends) in dates.items():
        admin.get_by_label(f"{phase}: starts").fill(starts)
        admin.get_by_label(f"{phase}: ends").fill(ends)
    submit(admin, "Save the phases")
    expect(admin.locator("main")).to_contain_text("The phases are saved.")
    # The dates are kept (the page lost them once).
    for phase, (starts, ends) in dates.items():
        expect(admin.get_by_label(f"{phase}: starts")).to_have_value(starts)
        expect(admin.get_by_label(f"{phase}: ends")).to_have_value(ends)

    # Two projects handed in on paper at the town hall, added by staff.
    budget_tool(admin, "Projects, assessment and ballot")
    for title, text in ((BENCHES, "Seks bænke langs kajen."), (PLAYGROUND, "Klatrestativ.")):
        go(admin, "Add a project")
        # The budget's only area is chosen already, named with its budget.
        expect(admin.locator("select[name=heading] option:checked")).to_have_text(
            f"{TITLE} › Bydele › {AREA}"
        )
        admin.locator("input[name=title]").fill(title)
        admin.locator("textarea[name=description]").fill(text)
        submit(admin, "Save")
        expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
        budget_tool(admin, "Projects, assessment and ballot")
    expect(admin.locator("tbody tr")).to_have_count(2)
    # Both are given to the demo's valuator to assess.
    admin.get_by_role("button", name="All shown").click()
    valuators = admin.get_by_role("group", name="Valuators of the chosen projects")
    valuators.get_by_label("Valuator").select_option(label="valuator@demo.samskab.dk")
    submit(admin, "Assign")
    expect(admin.locator("main")).to_contain_text("is asked to assess 2 more projects")

    budget_tool(admin, "Phases and dates")
    admin.get_by_label("Current phase").select_option("valuating")
    submit(admin, "Save the phases")
    expect(admin.locator("main")).to_contain_text("The phases are saved.")


def test_3_a_valuator_assesses_both_projects(staff):
    valuator = staff["valuator"]
    valuator.goto("/")
    for title, price in ((BENCHES, "90000"), (PLAYGROUND, "250000")):
        budget_tool(valuator, "Projects, assessment and ballot")
        go(valuator, f"Assess {title}")
        valuator.get_by_label("Yes, it is feasible").check()
        valuator.locator("textarea[name=feasibility_explanation]").fill("Kommunens areal.")
        valuator.locator("input[name=price]").fill(price)
        valuator.locator("textarea[name=price_explanation]").fill("Tilbud fra entreprenør.")
        submit(valuator, "Save the assessment")
        expect(valuator.locator("main")).to_contain_text("The assessment is saved.")
        row = valuator.locator("tr", has_text=title)
        expect(row.locator("[data-status]")).to_have_text("Feasible")


def test_4_the_ballot_is_decided_and_the_vote_opened(staff):
    admin = staff["administrator"]
    budget_tool(admin, "Projects, assessment and ballot")
    admin.get_by_role("button", name="All shown").click()
    expect(admin.locator("[data-choose-count]")).to_have_text("2 projects chosen")
    submit(admin, "Put the chosen projects on the ballot")
    expect(admin.locator("main")).to_contain_text("2 projects are updated.")
    expect(admin.locator("[data-status]")).to_have_text(["On the ballot", "On the ballot"])

    budget_tool(admin, "Phases and dates")
    admin.get_by_label("Current phase").select_option("balloting")
    submit(admin, "Save the phases")
    expect(admin.locator("main")).to_contain_text("The phases are saved.")


def test_5_the_poll_officer_enters_paper_ballots_and_corrects_one(staff):
    officer = staff["poll_officer"]
    officer.goto("/")
    budget_tool(officer, "Paper ballots")
    # Three residents of the demo's census vote on paper; the first ballot is mistyped.
    go(officer, f"Enter paper ballots: {AREA}")
    for identifier, project in (
        ("010190-1234", BENCHES),
        ("150285-4321", PLAYGROUND),
        ("311270-5678", PLAYGROUND),
    ):
        officer.locator("#identifier").fill(identifier)
        officer.get_by_label(project, exact=False).check()
        submit(officer, "Enter the paper ballot")
        expect(officer.locator("main")).to_contain_text("The paper ballot is entered.")
    go(officer, "Paper ballots", within=officer.locator(".breadcrumbs"))

    go(officer, "The paper ballots you entered: correct or void one")
    # The first voter's ballot, found by the identifier on the polling card.
    officer.get_by_label("Find one person's ballot by their identifier").fill("010190-1234")
    submit(officer, "Find")
    found = officer.get_by_role("link", name=re.compile(r"^Correct or void ballot"))
    expect(found).to_have_count(1)
    with officer.expect_navigation():
        found.click()
    check_accessible(officer)
    officer.get_by_label(BENCHES, exact=False).uncheck()
    officer.get_by_label(PLAYGROUND, exact=False).check()
    officer.locator("#reason").fill("Tastefejl: sedlen er krydset ved legepladsen.")
    submit(officer, "Save the correction")
    expect(officer.locator("main")).to_contain_text("is corrected")
    changes = officer.get_by_role("region", name="Corrections and voided ballots")
    expect(changes).to_contain_text("Tastefejl: sedlen er krydset ved legepladsen.")


def test_6_the_vote_is_counted_previewed_and_published(staff):
    admin = staff["administrator"]
    budget_tool(admin, "Phases and dates")
    admin.get_by_label("Current phase").select_option("reviewing_ballots")
    submit(admin, "Save the phases")

    budget_tool(admin, "Count the vote")
    submit(admin, "Count the vote")
    expect(admin.get_by_role("heading", name="The outcome, not yet published")).to_be_visible()
    assert_counted(admin)
    admin.get_by_label("I have checked the outcome and the reasons above.").check()
    submit(admin, "Confirm and publish the results")
    expect(admin.locator("main")).to_contain_text("The results are published.")
    staff_home(admin)
    expect(admin.locator("tr[data-budget]", has_text=TITLE)).to_contain_text("Finished")


def test_7_a_citizen_reads_the_published_result(browser, site):
    citizen = open_page(browser, site, **SCREEN)
    citizen.goto("/")
    check_accessible(citizen)
    go(citizen, "Citizens' budget", within=citizen.locator("header"))
    go(citizen, TITLE)
    go(citizen, "See the results")
    expect(citizen.locator("main")).to_contain_text("3 ballots. Funded: 250.000 DKK of 300.000")
    assert_counted(citizen)
    close_page(citizen)
