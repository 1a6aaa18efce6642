"""The demo page in a real browser (Debian's Chromium): two windows, one message.

This is the issue's "done when": publishing (from a Django shell with Redis, from a
service in the server with the memory broker) updates both windows, is announced to
screen readers, and the page says so when the connection is lost.
"""

from pathlib import Path

import pytest

from samskab.live.services import DEMO_CHANNEL

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    # Its own servers and brokers, not the pass's: run once (conftest.py).
    pytest.mark.one_pass(on="postgres"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def window(browser, site, *, session: str | None = None, without_eventsource=False):
    context = browser.new_context(base_url=site.servers[-1].url)
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": site.servers[0].url}])
    if without_eventsource:
        context.add_init_script("delete window.EventSource;")
    page = context.new_page()
    page.goto("/live/demo/")
    return page


def announce(site, text: str, settings) -> None:
    """With Redis: from this process, as a Django shell would. With memory: in the server."""
    html = f"<li>{text}</li>"
    data = {"html": html, "target": "#live-demo-messages", "swap": "beforeend", "announce": text}
    if site.broker_url.startswith("redis"):
        from samskab import live

        settings.LIVE_BROKER_URL = site.broker_url
        live.publish(DEMO_CHANNEL, "message", data)
    else:
        site.publish(DEMO_CHANNEL, "message", data)


def test_two_windows_see_a_published_message_and_it_is_announced(browser, site, settings):
    from playwright.sync_api import expect

    windows = [window(browser, site), window(browser, site)]
    for page in windows:
        expect(page.locator("[data-live-channel]")).to_have_attribute("data-live-state", "live")
    announce(site, "Item 4: the budget", settings)
    for page in windows:
        expect(page.locator("#live-demo-messages")).to_contain_text("Item 4: the budget")
        expect(page.locator("[data-live-announcer]")).to_have_text("Item 4: the budget")
        expect(page.locator("[data-live-announcer]")).to_have_attribute("aria-live", "polite")
    for page in windows:
        page.context.close()


def test_an_operator_publishes_from_the_page_to_another_window(browser, memory_site):
    from playwright.sync_api import expect

    viewer = window(browser, memory_site)
    operator = window(browser, memory_site, session=memory_site.sessions["operator"])
    expect(viewer.locator("[data-live-channel]")).to_have_attribute("data-live-state", "live")
    operator.get_by_role("textbox", name="Message").fill("<b>Hello</b> council")
    operator.get_by_role("button", name="Send to everyone").click()
    expect(viewer.locator("#live-demo-messages")).to_contain_text("<b>Hello</b> council")
    assert viewer.locator("#live-demo-messages b").count() == 0  # escaped, not markup
    for page in (viewer, operator):
        page.context.close()


def test_without_eventsource_the_page_polls(browser, memory_site, settings):
    from playwright.sync_api import expect

    page = window(browser, memory_site, without_eventsource=True)
    expect(page.locator("[data-live-channel]")).to_have_attribute("data-live-state", "polling")
    announce(memory_site, "Polled in", settings)
    expect(page.locator("#live-demo-messages")).to_contain_text("Polled in")
    page.context.close()


def test_the_page_shows_when_the_connection_is_lost(browser, tmp_path, live_database):
    from playwright.sync_api import expect

    from samskab.live.tests.conftest import start_site

    site = start_site(tmp_path, live_database, "memory://", 1)
    try:
        page = window(browser, site)
        section = page.locator("[data-live-channel]")
        expect(section).to_have_attribute("data-live-state", "live")
        site.servers[0].stop()
        expect(section).to_have_attribute("data-live-state", "lost")
        lost = section.get_attribute("data-live-text-lost")
        expect(page.locator("[data-live-status]")).to_have_text(lost)
        page.context.close()
    finally:
        site.close()
