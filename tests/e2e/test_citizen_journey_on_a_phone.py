"""A citizen's evening on a phone (390 x 844), from the front page only, as issue 16 item 7
asks: the front page says a meeting is live; the citizen watches it and answers its vox
pop; goes back and opens a recording, jumps to an agenda item, reads what was said, and
writes to a politician; then finds the open citizens' budget and votes. Every page is
checked with axe-core and for sideways scrolling, and photographed (SAMSKAB_SCREENSHOTS
names a folder to keep the pictures, for CI to keep as artefacts).

The server is uvicorn (ASGI) as a subprocess over the demo; tests/e2e/journey_seed.py puts
the committee meeting live with its vox pop open, and verifies the demo citizen.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.webcasts_fixtures import (
    check_accessible,
    close_page,
    open_page,
    running_site,
)

# Its own SQLite site (running_site), whatever the pass: CI runs it once (conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.one_pass]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    yield from running_site(
        tmp_path_factory,
        name="journey-site",
        seed=("-m", "tests.e2e.journey_seed"),
    )


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("SAMSKAB_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Labels drawn over what they label: a form label over its visible control, or a term (dt)
# over its description (dd). Controls drawn by their label (DKFDS radio buttons and
# checkboxes) are hidden inputs and are left out.
OVERLAPS = """() => {
  const box = (el) => el.getBoundingClientRect();
  const shown = (el) => { const r = box(el); return r.width > 2 && r.height > 2 &&
    getComputedStyle(el).visibility !== "hidden"; };
  const apart = (a, b) => a.right <= b.left + 1 || b.right <= a.left + 1 ||
    a.bottom <= b.top + 1 || b.bottom <= a.top + 1;
  const found = [];
  for (const label of document.querySelectorAll("label[for]")) {
    const control = document.getElementById(label.htmlFor);
    if (!control || !shown(label) || !shown(control)) continue;
    if (["radio", "checkbox"].includes(control.type)) continue;
    if (!apart(box(label), box(control))) found.push("label " + label.textContent.trim());
  }
  for (const term of document.querySelectorAll("dt")) {
    const value = term.nextElementSibling;
    if (!value || value.tagName !== "DD" || !shown(term) || !shown(value)) continue;
    if (!apart(box(term), box(value))) found.push("term " + term.textContent.trim());
  }
  return found;
}"""

# A control the browser draws as it likes (its own font and size) instead of in the DKFDS
# look: every visible button, field and list is in IBM Plex Sans at 16 px or more.
UNSTYLED = """() => [...document.querySelectorAll(
    "main button, main select, main textarea, main input:not([type=hidden])")].filter((el) => {
  const r = el.getBoundingClientRect();
  if (r.width <= 2 || r.height <= 2 || ["radio", "checkbox"].includes(el.type)) return false;
  const style = getComputedStyle(el);
  return !style.fontFamily.includes("IBM Plex") || parseFloat(style.fontSize) < 14;
}).map((el) => el.outerHTML.slice(0, 120))"""


def look(page, shots: Path, name: str, width: int = 390) -> None:
    """What a phone user would notice first: the page scrolls sideways, text drawn over other
    text, a control in the browser's own look, or a failure in axe. The caller has waited for
    the page it looks at (a click that navigates returns before the new page is there)."""
    page.wait_for_load_state("load")
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide} px wide on a {width} px screen"
    assert page.evaluate(OVERLAPS) == [], f"{page.url}: text drawn over text"
    assert page.evaluate(UNSTYLED) == [], f"{page.url}: controls in the browser's own look"
    check_accessible(page)
    page.screenshot(path=str(shots / f"journey-{name}-{width}.png"), full_page=True)


def choose(scope, label: str) -> None:
    """Tap an option's label, as a viewer does (DKFDS draws the radio button with it)."""
    scope.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()


def test_a_citizen_on_a_phone_watches_votes_writes_and_votes_in_the_budget(browser, site, shots):
    live, past, voxpop = site.seed["live"], site.seed["past"], site.seed["voxpop"]
    page = open_page(browser, site, session=site.seed["citizen"], **PHONE)

    # The front page leads with the live meeting.
    page.goto("/")
    expect(page.locator("#front-live-heading")).to_have_text("Live now")
    look(page, shots, "1-front")
    page.locator(".front-live").get_by_role("link", name="Watch the meeting").click()
    expect(page).to_have_url(re.compile(rf"/moeder/{live}/$"))

    # The vox pop is open in the player; the citizen answers it.
    box = page.locator(f"#poll-{voxpop}")
    expect(box).to_contain_text("ti affaldsfraktioner")
    look(page, shots, "2-live-meeting")
    choose(box, "Ja")
    box.get_by_role("button", name="Vote").click()
    expect(box).to_contain_text("Thank you, your vote is counted.")
    expect(box.locator("caption")).to_contain_text("1 vote")
    look(page, shots, "3-voted")

    # Back on the front page, a recent recording; in it, a jump to an agenda item.
    page.goto("/")
    recordings = page.locator("section", has=page.locator("#front-recordings-heading"))
    recordings.get_by_role("link", name="Byrådsmøde").first.click()
    expect(page).to_have_url(re.compile(rf"/moeder/{past}/$"))
    look(page, shots, "4-recording")
    jump = page.locator(".agenda-jump", has_text="Skolestruktur 2031")
    offset_s = int(jump.get_attribute("data-offset")) / 1000
    jump.click()
    expect(jump).to_have_attribute("aria-current", "true")
    expect(page.locator("[data-now-item]")).to_contain_text("Skolestruktur 2031")
    page.wait_for_function(
        "(at) => document.querySelector('video').currentTime >= at - 1", arg=offset_s
    )
    # The video is on the screen after the jump, not scrolled out of sight above it.
    top = page.evaluate("() => document.querySelector('video').getBoundingClientRect().bottom")
    assert top > 0, "the video is above the visible part of the screen after the jump"
    look(page, shots, "5-jumped")

    # The same meeting as text: what was said, under its agenda item.
    page.get_by_role("link", name=re.compile("^The meeting as text")).click()
    expect(page.locator(".transcript").first).to_contain_text("What was said")
    look(page, shots, "6-text")
    page.go_back()

    # A message to a politician, from the form under the player.
    form = page.locator("section.feedback form")
    form.get_by_label("To").select_option(label="Jens Kjær (Venstre)")
    form.get_by_label("Your name").fill("Åse Sørensen")
    form.get_by_label("Message").fill("Tak for debatten om skolestrukturen.")
    form.get_by_role("button", name="Send").click()
    thanks = page.locator("section.feedback [role=status]")
    expect(thanks).to_have_text(re.compile("Thank you. Your message has been sent."))
    look(page, shots, "7-feedback-sent")

    # The open budget, from the front page, and a vote in one area.
    page.goto("/")
    budgets = page.locator("section", has=page.locator("#front-budgets-heading"))
    expect(budgets).to_contain_text("Voting")
    budgets.get_by_role("link", name="Borgerbudget 2027").click()
    expect(page.locator(".budget-countdown")).to_contain_text("The vote closes on")
    look(page, shots, "8-budget")
    page.get_by_role("link", name=re.compile(r"^Vote\W+Midtbyen$")).click()
    ballot = page.locator("[data-ballot]")
    expect(ballot).to_be_visible()
    look(page, shots, "9-ballot")
    # With JavaScript the total follows the ticks: no button to calculate it.
    expect(ballot.get_by_role("button", name="Calculate the total")).to_have_count(0)
    ballot.get_by_label(re.compile("Legeplads i Byparken")).check()
    ballot.get_by_label(re.compile("Vandpost ved stationen")).check()
    expect(ballot.locator("[data-ballot-total]")).to_contain_text("180.000 of 300.000 DKK")
    ballot.get_by_role("button", name="Save my ballot").click()
    expect(page.get_by_text("Your ballot is saved")).to_be_visible()
    look(page, shots, "10-ballot-saved")
    page.get_by_role("link", name="Borgerbudget 2027").first.click()
    expect(page.locator(".budget-my-ballot")).to_contain_text("Your ballot: 2 projects")
    close_page(page)


def test_a_citizen_on_a_phone_answers_the_survey_comments_and_supports_a_proposal(
    browser, site, shots
):
    page = open_page(browser, site, session=site.seed["citizen"], **PHONE)

    # The open survey, from the front page.
    page.goto("/")
    page.get_by_role("link", name="What do you think of the climate plan?").click()
    expect(page.get_by_role("button", name="Send my answers")).to_be_visible()
    look(page, shots, "11-survey")
    choose(page.locator("fieldset", has_text="How do you usually get"), "Bicycle")
    satisfied = page.locator("fieldset", has_text="How satisfied are you with the plan?")
    satisfied.get_by_role("radio", name="5", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    look(page, shots, "12-survey-sent")

    # A debate, from the front page, and a comment on it.
    page.goto("/")
    debates = page.locator("section", has=page.locator("#front-debates-heading"))
    debates.get_by_role("link").first.click()
    expect(page.get_by_label("Your comment").first).to_be_visible()
    look(page, shots, "13-debate")
    page.get_by_label("Your comment").first.fill("Gågade om sommeren, tak – og cykelstier.")
    page.get_by_role("button", name="Post comment").first.click()
    expect(page.locator(".comment").filter(has_text="Gågade om sommeren")).to_be_visible()
    look(page, shots, "14-commented")

    # The budget where citizens' proposals are supported, and a support for one of them.
    page.goto("/")
    budgets = page.locator("section", has=page.locator("#front-budgets-heading"))
    budgets.get_by_role("link", name="Borgerbudget 2028").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Borgerbudget 2028")
    look(page, shots, "15-support-budget")
    page.get_by_role("link", name="Hele kommunen").first.click()
    page.get_by_role("link", name="Bålhytte ved søen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bålhytte ved søen")
    look(page, shots, "16-proposal")
    page.get_by_role("button", name="Support this project").click()
    expect(page.locator("#support-title").locator("..")).to_contain_text("1")
    look(page, shots, "17-supported")
    close_page(page)


def test_a_citizen_reads_their_data_and_deletes_their_account(browser, site, shots):
    page = open_page(browser, site, session=site.seed["leaver"], **PHONE)
    page.goto("/konto/")
    page.get_by_role("link", name="See your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    expect(page.locator("main")).to_contain_text("afsked@example.org")
    look(page, shots, "18-my-data")
    page.goto("/konto/")
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("button", name="Delete my account")).to_be_visible()
    look(page, shots, "19-delete")
    page.get_by_role("button", name="Delete my account").click()
    # It is them: the password again before anything for good, then back to the same page.
    expect(page.get_by_label("Password")).to_be_visible()
    look(page, shots, "20-reauthenticate")
    page.get_by_label("Password").fill("afsked-2026-kode")
    page.get_by_role("button", name="Confirm").click()
    # The request it interrupted goes on: the box was not ticked, so it is refused with what
    # to do.
    expect(page.locator("main")).to_contain_text("Tick the box to confirm the deletion.")
    look(page, shots, "21-delete-refused")
    page.get_by_label("I understand that my account is deleted for good.").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account has been deleted.")).to_be_visible()
    look(page, shots, "22-deleted")
    close_page(page)


# The journey's pages again on a desktop (1280 x 800), as a visitor and as the citizen.
DESKTOP_PAGES = [
    "/",
    "/moeder/",
    "/borgerbudget/",
    "/debatter/",
    "/konto/",
    "/konto/mine-data/oversigt/",
]


def test_the_journey_s_pages_read_on_a_desktop(browser, site, shots):
    page = open_page(
        browser, site, session=site.seed["citizen"], viewport={"width": 1280, "height": 800}
    )
    live, past = site.seed["live"], site.seed["past"]
    for number, path in enumerate([*DESKTOP_PAGES, f"/moeder/{live}/", f"/moeder/{past}/"]):
        page.goto(path)
        look(page, shots, f"desktop-{number}", width=1280)
    close_page(page)


def test_a_coming_meeting_says_when_and_offers_a_calendar_file(browser, site, shots):
    page = open_page(browser, site, **PHONE)
    page.goto("/moeder/")
    coming = page.locator(
        ".meeting-card", has=page.locator("[data-status-badge]", has_text="Coming up")
    )
    coming.first.get_by_role("link").first.click()
    notice = page.locator("[data-planned-notice]")
    expect(notice).to_contain_text(re.compile(r"The broadcast starts on .*\d{4} at \d\d:\d\d\."))
    # Nothing to name or share before there is a video.
    expect(page.locator("[data-now]")).to_be_hidden()
    expect(page.get_by_text("Share from here")).to_be_hidden()
    look(page, shots, "coming-meeting")
    calendar = page.request.get(
        notice.get_by_role("link", name="Add the meeting to your calendar").get_attribute("href")
    )
    assert calendar.headers["content-type"].startswith("text/calendar")
    text = calendar.text()
    assert text.count("BEGIN:VEVENT") == 1 and "DTEND:" in text
    close_page(page)
