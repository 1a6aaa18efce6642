"""A citizen on a phone and a desktop: the front page that follows a meeting going live, an
error page, the feedback form and the budget page. Each is checked with axe-core, for
sideways scrolling, and photographed (SAMSKAB_SCREENSHOTS names a folder to keep them).

The server is uvicorn (ASGI) as a subprocess, so the front page's live update flows as in
production.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import tab_to
from tests.e2e.webcasts_fixtures import check_accessible, close_page, open_page, running_site

# Its own SQLite site (running_site), whatever the pass: CI runs it once (conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.one_pass]

SCREENS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 768}},
}


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    yield from running_site(tmp_path_factory)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("SAMSKAB_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    assert width <= viewport, f"{page.url} is {width} px wide on a {viewport} px screen"


def _look(page, shots: Path, name: str, screen: str) -> None:
    assert_no_sideways_scroll(page)
    check_accessible(page)
    page.screenshot(path=str(shots / f"{name}-{screen}.png"), full_page=True)


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_citizen_pages_fit_the_screen_and_pass_axe(browser, site, shots, screen):
    page = open_page(browser, site, **SCREENS[screen])
    page.goto("/")
    expect(page.locator("h2", has_text="Next meetings")).to_be_visible()
    _look(page, shots, "front", screen)

    page.goto(f"/moeder/{site.seed['past']}/")
    feedback = page.locator("[data-feedback]")
    expect(feedback.locator("label.form-label").first).to_be_visible()
    _look(page, shots, "meeting", screen)
    feedback.screenshot(path=str(shots / f"feedback-{screen}.png"))

    page.goto("/borgerbudget/")
    page.locator("main ul a").first.click()
    expect(page.locator(".budget-phase-now")).to_be_visible()
    _look(page, shots, "budget", screen)

    response = page.goto("/moeder/999999/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    _look(page, shots, "error-404", screen)
    page.problems.clear()  # the 404 was asked for
    close_page(page)


def test_a_keyboard_user_reaches_the_archive_search_from_the_header(browser, site):
    page = open_page(browser, site)
    page.goto("/")
    tab_to(page, ".samskab-header-search")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Search the meetings")
    close_page(page)


def test_the_front_page_says_live_now_when_the_operator_goes_live(browser, site):
    citizen = open_page(browser, site)
    citizen.goto("/")
    expect(citizen.locator("#front-live-heading")).to_have_count(0)
    citizen.wait_for_function("() => window.SamskabLive !== undefined")

    operator = open_page(browser, site, session=site.seed["operator"])
    operator.goto(f"/moeder/{site.seed['upcoming']}/konsol/")
    operator.get_by_role("button", name="Go live").click()
    expect(operator.locator(".console-controls")).to_contain_text("End the meeting")

    # No reload: the front page redraws its live section when site:front says so.
    expect(citizen.locator("#front-live-heading")).to_have_text("Live now", timeout=10_000)
    expect(citizen.locator(".front-live a.button")).to_have_text("Watch the meeting")
    check_accessible(citizen)
    close_page(operator)
    close_page(citizen)
