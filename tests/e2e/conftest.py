"""Browser tests: Playwright driving Debian's Chromium against a live Samskab server.

Every test here is skipped, saying why, where /usr/bin/chromium is missing. Pages are
checked with the vendored axe-core (`assert_accessible`), and a test fails if any file the
page asked for was missing or refused, or the page logged an error (a CSP violation shows
up there too).
"""

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_PATH = "vendor/axe-core-4.11.0/axe.min.js"
PHONE = {
    "viewport": {"width": 375, "height": 667},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("end-to-end tests need Chromium at /usr/bin/chromium (apt install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # An expectation waits 5 s by default; CI runs six workers, their servers and browsers
    # on two cores, where one request can wait seconds for a core (in one CI run an
    # operator's undo was not shown within 5 s). Actions already wait 30 s (the contexts' default
    # timeout); expectations wait 15. Timing promises are asserted by measurement instead
    # (test_webcasts.follows_within), not by these waits.
    expect.set_options(timeout=15_000)

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database calls from a thread with a running loop. Here the loop only drives the
    # browser, so the calls are safe; the permission lasts only while the browser does.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture
def device() -> dict[str, object]:
    """The screen a test uses; a test (or its module) overrides this fixture for a phone."""
    return DESKTOP


@pytest.fixture
def locale() -> str:
    """The browser's language. Tests assert English text; a test of the Danish default
    parametrizes this with "da-DK"."""
    return "en-GB"


@pytest.fixture
def page(browser, live_server, device, locale) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale=locale, **device)
    # Generous: the machines that run the suite are often shared and busy.
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems: list[str] = []

    # pytest-django's live_server is WSGI, which cannot hold a live stream open: /live/ says
    # 503 ("Live updates need the ASGI server") and live.js falls back to polling. Tests of
    # live updates run uvicorn (test_comments_liveblog.py); here that 503 is no fault.
    def wsgi_live(url: str, status: int) -> bool:
        return status == 503 and "/live/" in url

    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not wsgi_live(response.url, response.status)
            else None
        ),
    )
    page.on(
        "requestfailed",
        # A request the browser gave up because the test moved on (ERR_ABORTED) is no fault.
        lambda request: (
            problems.append(f"failed {request.url}: {request.failure}")
            if "ERR_ABORTED" not in (request.failure or "")
            else None
        ),
    )

    def console(message) -> None:
        # axe-core itself tries inline styles while it inspects a page; the CSP refuses them,
        # as it should, and that says nothing about the page.
        source = message.location.get("url", "")
        if message.type == "error" and not source.endswith(AXE_PATH):
            if "/live/" in source and "503" in message.text:
                return  # the WSGI server's refusal of a stream, above
            problems.append(f"console: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.problems = problems
    yield page
    context.close()
    assert not problems, "the browser met problems:\n" + "\n".join(problems)


def assert_accessible(page) -> None:
    """Run axe-core on the page as it is now and fail with every violation, readably."""
    # A click that navigates returns once the new document is committed, before it has a
    # <head> to put axe in ("Cannot read properties of null (reading 'appendChild')", CI stop
    # 31): the page is checked when it has loaded.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # By URL from our own static files, so the page's CSP (script-src 'self') allows it.
        page.add_script_tag(url=urljoin(page.url, settings.STATIC_URL + AXE_PATH))
    violations = page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html})),
            }));
        }"""
    )
    if violations:
        lines = [f"axe-core found {len(violations)} violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:10]:
                lines.append(f"    {node['target']}  {node['html'][:160]}")
        pytest.fail("\n".join(lines), pytrace=False)


def tab_to(page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} was not reached with {limit} presses of Tab", pytrace=False)


def current_code(secret: str) -> str:
    """What the administrator's authenticator app shows now (RFC 6238, 30-second steps)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def start_of_a_totp_step():
    """Let the clock run from the start of a 30-second step, so that the code typed is still
    the server's when it checks it, however slowly the machine runs."""
    step_start = (int(time.time()) // 30) * 30 + 1
    with time_machine.travel(step_start, tick=True):
        yield


@pytest.fixture
def site_settings(db):
    from samskab.core.models import FooterLink, SiteSettings

    site = SiteSettings.current()
    site.name = "Testby Kommune"
    site.tagline = "Deltag i lokalpolitikken"
    site.contact_email = "kontakt@testby.example"
    site.save()
    FooterLink.objects.create(site=site, label="Testby.dk", url="https://testby.example/")
    return SiteSettings.current()
