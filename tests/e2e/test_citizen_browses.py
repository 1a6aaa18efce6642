"""A citizen on a phone finds their way round the site in Danish and English, by keyboard."""

import re

import pytest

from samskab.core import navigation
from samskab.core.navigation import NavEntry
from tests.e2e.conftest import PHONE, assert_accessible, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


@pytest.mark.parametrize("locale", ["da-DK"])
@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_a_citizen_switches_language_by_keyboard_and_reads_the_statements(page, site_settings):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.locator("h1").inner_text() == "Testby Kommune"
    assert_accessible(page)

    # The skip link is the first stop and moves the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.matches('a.skipnav')")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    # The footer leads to the accessibility statement.
    with page.expect_navigation():
        page.locator("footer a[href='/tilgaengelighed/']").click()
    assert_accessible(page)

    # To English and back with Tab and Enter only; the page stays where it was.
    tab_to(page, "button[name=language][value=en]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/tilgaengelighed/")
    assert page.locator("button[value=en]").get_attribute("aria-current") == "true"
    assert_accessible(page)

    tab_to(page, "button[name=language][value=da]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.locator("button[value=da]").get_attribute("aria-current") == "true"

    # The statement tells where to report a problem; the footer leads to the privacy page.
    assert page.locator("main a[href='mailto:kontakt@testby.example']").is_visible()
    page.locator("footer a[href='/privatliv/']").click()
    page.wait_for_url(re.compile(r"/privatliv/$"))
    assert_accessible(page)


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_the_phone_menu_opens_and_closes_by_keyboard(page, site_settings):
    page.goto("/")
    menu_button = page.locator(".js-menu-open")
    assert menu_button.is_visible()
    assert not page.locator(".mobile-drawer").is_visible()

    tab_to(page, ".js-menu-open")
    page.keyboard.press("Enter")
    drawer = page.locator(".mobile-drawer")
    assert drawer.is_visible()
    assert drawer.get_by_role("link", name=re.compile("log in", re.IGNORECASE)).is_visible()
    assert_accessible(page)

    page.keyboard.press("Escape")
    assert not drawer.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('js-menu-open')")


def test_the_front_page_on_a_wide_screen_shows_the_visitors_links_in_the_header(
    page, site_settings
):
    page.goto("/")
    assert not page.locator(".js-menu-open").is_visible()
    header = page.locator(".portal-info .portal-user")
    assert header.get_by_role("link", name=re.compile("log in", re.IGNORECASE)).is_visible()
    footer = page.locator("footer")
    assert footer.get_by_role("link", name="Testby.dk").get_attribute("href") == (
        "https://testby.example/"
    )
    assert_accessible(page)


def test_without_javascript_a_phone_shows_the_menu_and_links_in_place(
    browser, live_server, site_settings, monkeypatch
):
    monkeypatch.setattr(navigation, "ENTRIES", [NavEntry("Meetings", "privacy")])
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto("/")
    assert not page.locator(".js-menu-open").is_visible()
    assert page.locator(".navigation-menu").get_by_role("link", name="Meetings").is_visible()
    assert (
        page.locator(".portal-user")
        .get_by_role("link", name=re.compile("log in", re.I))
        .is_visible()
    )
    # The language switch is a plain form: it works without scripts too.
    with page.expect_navigation():
        page.locator("button[name=language][value=en]").click()
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_the_accessibility_check_names_what_is_wrong(page, site_settings):
    # The check itself: a picture without a text alternative must not pass unnoticed.
    page.goto("/")
    page.evaluate(
        """() => {
            const picture = document.createElement("img");
            picture.src = "/static/samskab/favicon.svg";
            document.querySelector("main").append(picture);
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    assert "image-alt (critical)" in str(failure.value)
    assert '<img src="/static/samskab/favicon.svg">' in str(failure.value)
