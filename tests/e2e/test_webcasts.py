"""Meetings in a real browser: an operator takes a meeting live while a citizen follows it,
a citizen jumps through a recording by keyboard and shares a speaker's moment, and the player
is embedded in another site. Every page visited is checked with axe-core.

The server is uvicorn (ASGI) as a subprocess, so server-sent events flow as in production.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import tab_to
from tests.e2e.webcasts_fixtures import (
    check_accessible,
    close_page,
    open_page,
    running_site,
    running_static_site,
)

# Its own SQLite site (running_site), whatever the pass: CI runs it once (conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.one_pass]


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    # Asks for the browser first, so a machine without Chromium skips before any set-up.
    yield from running_site(tmp_path_factory)


@pytest.fixture(scope="module")
def other_site(tmp_path_factory):
    yield from running_static_site(tmp_path_factory)


VIDEO = "#meeting-video"


def video_time(page_or_frame) -> float:
    return page_or_frame.evaluate(f"() => document.querySelector('{VIDEO}').currentTime")


def wait_for_video_at(page_or_frame, seconds: float) -> None:
    page_or_frame.wait_for_function(
        f"(s) => Math.abs(document.querySelector('{VIDEO}').currentTime - s) < 1.5", arg=seconds
    )


# --- a citizen and the archive ---


def test_a_citizen_jumps_through_a_recording_by_keyboard_and_shares_a_speaker(browser, site):
    page = open_page(browser, site, permissions=["clipboard-read", "clipboard-write"])
    page.goto(f"/moeder/{site.seed['past']}/")
    page.wait_for_function(f"() => document.querySelector('{VIDEO}').readyState >= 1")
    check_accessible(page)

    # The agenda by keyboard alone: Tab to an item, Enter plays the video from there.
    tab_to(page, '.agenda-jump[data-offset="80000"]', limit=60)
    page.keyboard.press("Enter")
    wait_for_video_at(page, 80)
    assert re.search(r"[?&]t=80\b", page.url)
    expect(page.locator("[data-now-item]")).to_contain_text("Skolestruktur 2031")
    expect(page.locator("[data-player-announce]")).to_contain_text("Skolestruktur 2031")
    assert page.evaluate("() => document.activeElement.dataset.offset") == "80000"

    # And by speaker: the "now" panel names them; the slide shown then is beside the video.
    tab_to(page, '.speaker-jump[data-offset="110000"]')
    page.keyboard.press("Enter")
    wait_for_video_at(page, 110)
    expect(page.locator("[data-now-speaker]")).to_contain_text("Ahmad Rahimi")
    expect(page.locator("[data-now-speaker]")).to_contain_text("Byrådsmedlem")
    expect(page.locator(".agenda-item.is-current")).to_contain_text("Skolestruktur 2031")
    expect(page.locator("[data-slide-view]")).to_be_visible()
    expect(page.locator("[data-slide-caption]")).to_contain_text("Skolestruktur 2031: oplæg")

    # Share from the speaker: the link starts where she begins; copy it.
    # Forward through the rest of the page (live blog, feedback, documents) and round again.
    tab_to(page, ".share-summary", limit=200)
    page.keyboard.press("Enter")
    expect(page.locator("#share-url")).to_have_value(re.compile(r"/moeder/\d+/\?t=110$"))
    x_link = page.locator(".share-x").get_attribute("href")
    assert "Ahmad%20Rahimi%20(Enhedslisten)%20on%20Skolestruktur%202031" in x_link
    page.locator("[data-share-copy]").click()
    expect(page.locator("[data-share-status]")).to_have_text("The link is copied.")
    shared = page.evaluate("() => navigator.clipboard.readText()")
    assert shared == page.locator("#share-url").input_value()
    check_accessible(page)
    close_page(page)

    # Someone opens the shared link: the player starts at that moment, the preview names her.
    fresh = open_page(browser, site)
    fresh.goto(shared)
    wait_for_video_at(fresh, 110)
    expect(fresh.locator("[data-now-speaker]")).to_contain_text("Ahmad Rahimi")
    title = fresh.locator('meta[property="og:title"]').get_attribute("content")
    assert title.startswith("Ahmad Rahimi (Enhedslisten) on Skolestruktur 2031")
    image = fresh.locator('meta[property="og:image"]').get_attribute("content")
    assert fresh.request.get(image).headers["content-type"] == "image/jpeg"
    check_accessible(fresh)
    close_page(fresh)


def test_the_list_and_the_text_page_are_accessible(browser, site):
    page = open_page(browser, site)
    page.goto("/")
    page.get_by_role("link", name="Meetings").first.click()
    expect(page.locator("h1")).to_have_text("Meetings")
    check_accessible(page)
    page.locator(f"a[href='/moeder/{site.seed['past']}/']").first.click()
    page.get_by_role("link", name=re.compile("The meeting as text")).click()
    expect(page.locator("h1")).to_have_text("Byrådsmøde")
    expect(page.locator("main")).to_contain_text("Ahmad Rahimi (Enhedslisten), Byrådsmedlem")
    expect(page.locator("main")).to_contain_text("A citizen")
    expect(page.locator("main")).not_to_contain_text("Hanne Borger")
    check_accessible(page)
    close_page(page)


# --- embedding ---


def test_the_player_is_embedded_in_a_plain_page_on_another_site(browser, site, other_site):
    other_url, folder = other_site
    page = open_page(browser, site)
    page.goto(f"/moeder/{site.seed['past']}/")
    page.locator(".embed-code summary").click()
    snippet = page.locator("#embed-snippet-large").input_value()
    assert snippet.startswith('<div style="position:relative;width:100%;max-width:960px;')
    assert f'<iframe src="{site.url}/moeder/{site.seed["past"]}/embed/"' in snippet
    close_page(page)
    (folder / "news.html").write_text(
        "<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'>"
        "<link rel='icon' href='data:,'><title>Nyheder</title>"
        f"</head><body><main><h1>Se byrådsmødet</h1>{snippet}</main></body></html>",
        encoding="utf-8",
    )

    news = open_page(browser, site)
    news.goto(f"{other_url}/news.html")
    frame = news.frame_locator("iframe")
    expect(frame.locator(".agenda")).to_be_visible()
    player = next(f for f in news.frames if "/embed/" in f.url)
    # As in the archive test: the jump once the player has the recording's length (on a
    # loaded CI machine the embed's first segments took longer than the wait below).
    player.wait_for_function(f"() => document.querySelector('{VIDEO}').readyState >= 1")
    frame.locator('.agenda-jump[data-offset="80000"]').click()
    wait_for_video_at(player, 80)
    expect(frame.locator("[data-now-item]")).to_contain_text("Skolestruktur 2031")
    close_page(news)

    # On a phone the embedded player shrinks with the news page instead of widening it.
    phone = open_page(browser, site, viewport={"width": 390, "height": 844})
    phone.goto(f"{other_url}/news.html")
    expect(phone.frame_locator("iframe").locator(".agenda")).to_be_attached()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    close_page(phone)

    embed = open_page(browser, site)
    embed.goto(f"/moeder/{site.seed['past']}/embed/")
    check_accessible(embed)
    close_page(embed)

    # The meeting page itself refuses to be framed by the other site.
    (folder / "copy.html").write_text(
        "<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'>"
        "<link rel='icon' href='data:,'><title>Kopi</title></head>"
        f"<body><iframe src='{site.url}/moeder/{site.seed['past']}/' title='kopi'></iframe>"
        "</body></html>",
        encoding="utf-8",
    )
    copy = open_page(browser, site)
    copy.goto(f"{other_url}/copy.html")
    framed = copy.frames[1]
    framed.wait_for_load_state()
    assert framed.url.startswith("chrome-error://")  # the browser's page for a refused frame
    copy.problems.clear()  # the browser reports the refused frame, as it should
    close_page(copy)


# --- the operator and a citizen during a live meeting ---

# What the citizen's page shows, watched in the page itself (not polled from here).
WATCH = """([selector, text, hidden]) => {
    const shown = () => {
        const element = document.querySelector(selector);
        if (!element) return false;
        if (text !== null) return element.textContent.includes(text);
        return element.hidden === hidden;
    };
    if (shown()) return false;  // already so before the operator acted: nothing to time
    window.samskabShownAt = null;
    const observer = new MutationObserver(() => {
        if (shown()) {
            window.samskabShownAt = performance.timeOrigin + performance.now();
            observer.disconnect();
        }
    });
    const all = {subtree: true, childList: true, characterData: true, attributes: true};
    observer.observe(document.body, all);
    return true;
}"""


def follows_within(
    operator, citizen, act, selector: str, *, text=None, hidden=None, limit: float = 1.0
) -> None:
    """`act` on the operator's page; the citizen's page must show it within `limit` seconds
    of the server publishing it.

    The server publishes a mark when its transaction commits, before it answers the
    operator's request, so the clock starts when the answer's first byte reaches the
    browser, and stops when the citizen's page changes (a MutationObserver in that page).
    Both times are the one browser's, so neither the operator's own request (slow on a busy
    machine) nor this process's polling is counted, only publishing to showing."""
    assert citizen.evaluate(WATCH, [selector, text, hidden]), f"{selector} was so already"
    with operator.expect_response(lambda response: response.request.method == "POST") as answer:
        act()
    response = answer.value
    response.finished()
    timing = response.request.timing
    assert timing["responseStart"] >= 0, timing
    published = timing["startTime"] + timing["responseStart"]
    shown = citizen.locator(selector)
    if text is not None:
        expect(shown).to_contain_text(text)
    else:
        expect(shown).to_be_hidden() if hidden else expect(shown).to_be_visible()
    shown_at = citizen.evaluate("() => window.samskabShownAt")
    assert shown_at is not None
    seconds = (shown_at - published) / 1000
    assert seconds < limit, f"the citizen saw it {seconds:.3f} s after it was published"


SCREEN = {"viewport": {"width": 1366, "height": 768}}


def from_the_staff_home(page, meeting: int, tool: str) -> None:
    """Reach one of a meeting's staff pages as staff do: the header's Staff home, then the
    meeting's row (no typed address)."""
    page.goto("/")
    page.locator("header").get_by_role("link", name="Staff home").click()
    page.locator(f'tr[data-meeting="{meeting}"]').get_by_role(
        "link", name=re.compile(f"^{tool}")
    ).click()


def test_an_operator_runs_a_whole_meeting_and_a_citizen_follows_within_a_second(browser, site):
    """Rehearsal, go live, marks, closed session, vox pop, end; then the editor's timeline fix.
    At 1366x768, by keyboard where the operator works by keyboard, every page checked by axe."""
    meeting = site.seed["upcoming"]
    operator = open_page(browser, site, session=site.seed["operator"], **SCREEN)
    from_the_staff_home(operator, meeting, "Operator console")
    operator.wait_for_url(re.compile(rf"/moeder/{meeting}/konsol/$"))
    check_accessible(operator)

    # The rehearsal: the buttons work on this console, nothing reaches viewers or the archive.
    operator.get_by_role("button", name="Rehearse (publishes nothing)").click()
    expect(operator.locator(".console-rehearsal-banner")).to_contain_text("REHEARSAL")
    # One screen: the agenda and the speaker grid are in view without scrolling.
    for buttons in ('[data-console-list="agenda"] button', '[data-console-list="speakers"] button'):
        box = operator.locator(buttons).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 768, (buttons, box)
    last_speaker = operator.locator(".console-speakers button").last.bounding_box()
    assert last_speaker and last_speaker["y"] + last_speaker["height"] <= 768
    operator.locator("h1").click()
    operator.keyboard.press("2")
    operator.keyboard.press("Enter")
    expect(operator.locator(".console-done")).to_contain_text("Rehearsal: marked, not published")
    expect(operator.locator("[data-console-item]")).to_contain_text("Klimaplan 2030")
    check_accessible(operator)
    watcher = open_page(browser, site)
    watcher.goto(f"/moeder/{meeting}/")
    expect(watcher.locator(".agenda-item.is-current")).to_have_count(0)
    expect(watcher.locator("[data-status-badge]")).not_to_have_text("Live")
    close_page(watcher)

    operator.get_by_role("button", name="Go live").click()
    expect(operator.locator(".console-controls")).to_contain_text("End the meeting")
    expect(operator.locator(".console-rehearsal-banner")).to_have_count(0)
    expect(operator.locator("[data-console-item]")).to_have_text("–")  # rehearsal discarded
    check_accessible(operator)

    citizen = open_page(browser, site)
    citizen.goto(f"/moeder/{meeting}/")
    expect(citizen.locator("[data-status-badge]")).to_have_text("Live")
    citizen.wait_for_function("() => window.SamskabLive !== undefined")
    check_accessible(citizen)

    def press(key: str):
        return lambda: operator.keyboard.press(key)

    # The operator works by keyboard: a digit picks the item, Enter marks it.
    operator.locator("h1").click()
    operator.keyboard.press("2")
    assert operator.evaluate("() => document.activeElement.dataset.itemNumber") == "2"
    follows_within(operator, citizen, press("Enter"), "[data-now-item]", text="Klimaplan 2030")
    expect(citizen.locator(".agenda-item.is-current")).to_contain_text("Klimaplan 2030")

    # s goes to the speakers, j to the next one; Enter marks.
    operator.keyboard.press("s")
    operator.keyboard.press("j")
    speaker = operator.evaluate(
        "() => document.activeElement.querySelector('.console-label').textContent.trim()"
    )
    follows_within(operator, citizen, press("Enter"), "[data-now-speaker]", text=speaker)
    # The index grows as marks arrive.
    expect(citizen.locator(".agenda-item.is-current .speaker-turn")).to_contain_text(speaker)
    expect(operator.locator("[data-console-speaker]")).to_contain_text(speaker)
    check_accessible(citizen)

    # Undo takes the speaker out for the viewer too.
    operator.keyboard.press("u")
    operator.keyboard.press("Enter")
    expect(operator.locator(".console-done")).to_contain_text("Undone")
    expect(citizen.locator(".agenda-item.is-current .speaker-turn")).to_have_count(0)

    # A closed item shows as closed, and marking it starts the closed session by itself.
    operator.keyboard.press("5")
    # The operator's own mark comes back to their console as a live event, and the box is
    # fetched again: what the console said ("Marked: …") stays.
    with operator.expect_response(lambda response: "partial=now" in response.url) as echo:
        follows_within(operator, citizen, press("Enter"), "[data-now-item]", text="Closed item")
    echo.value.finished()
    operator.evaluate("() => new Promise((done) => setTimeout(done, 50))")  # its script runs
    expect(citizen.locator("[data-now-closed]")).to_be_visible()
    expect(operator.locator(".console-closed")).to_contain_text("CLOSED SESSION")
    expect(operator.locator(".console-done")).to_contain_text("the closed session has started")
    check_accessible(operator)
    check_accessible(citizen)
    # Only its own control ends it: c goes to the button, Enter ends it (it asks first).
    operator.once("dialog", lambda dialog: dialog.accept())
    operator.keyboard.press("c")
    follows_within(operator, citizen, press("Enter"), "[data-now-closed]", hidden=True)
    expect(operator.locator(".console-closed")).to_contain_text("Public")

    # The closed session by keyboard alone: c goes to its button, Enter starts it.
    operator.keyboard.press("c")
    follows_within(operator, citizen, press("Enter"), "[data-now-closed]", hidden=False)
    expect(operator.locator(".console-closed")).to_contain_text("CLOSED SESSION")
    operator.once("dialog", lambda dialog: dialog.accept())
    operator.keyboard.press("c")
    follows_within(operator, citizen, press("Enter"), "[data-now-closed]", hidden=True)

    # A vox pop made on the spot, opened at once: the viewer's player shows it.
    quick = operator.locator(".console-quick-poll")
    if not quick.evaluate("(el) => el.open"):
        quick.locator("summary").click()
    quick.get_by_label("Question").fill("Skal byen have flere cykelstier?")
    expect(quick.get_by_label("Options, one per line")).to_have_value("Yes\nNo\nDon't know")
    follows_within(
        operator,
        citizen,
        quick.get_by_role("button", name="Make the vox pop").click,
        "[data-voxpop]",
        text="Skal byen have flere cykelstier?",
        limit=2.0,
    )
    expect(operator.locator(".console-polls")).to_contain_text("Skal byen have flere cykelstier?")
    check_accessible(operator)
    operator.locator(".console-polls li", has_text="Skal byen have flere cykelstier?").get_by_role(
        "button", name="Close"
    ).click()
    expect(
        operator.locator(".console-polls li", has_text="Skal byen have flere cykelstier?")
    ).to_contain_text("Closed")

    # The vox pop's Result is the staff result page, with the count, not the public page.
    with operator.expect_navigation():
        operator.locator(".console-polls li", has_text="Skal byen have flere cykelstier?").locator(
            "a", has_text="Result"
        ).click()
    operator.wait_for_url(re.compile(r"/afstemninger/\d+/resultat/$"))
    expect(operator.locator("h1")).to_have_text("Result: Skal byen have flere cykelstier?")
    expect(operator.locator("[data-recount]")).to_have_attribute("data-recount", "agrees")
    expect(operator.locator("table.poll-result")).to_have_count(1)
    check_accessible(operator)
    with operator.expect_navigation():
        operator.get_by_role("link", name="Back to the operator console").click()

    operator.once("dialog", lambda dialog: dialog.accept())
    follows_within(
        operator,
        citizen,
        operator.get_by_role("button", name="End the meeting").click,
        "[data-status-badge]",
        text="Recording",
        limit=2.0,
    )
    expect(citizen.locator("[data-status-badge]")).to_have_text("Recording")
    close_page(operator)
    close_page(citizen)

    # The editor fixes the timeline: every mark from the start 0.2 s earlier (the encoder's
    # delay), and sees a tick per mark on the recording's bar.
    editor = open_page(browser, site, session=site.seed["editor"], **SCREEN)
    from_the_staff_home(editor, meeting, "Timeline editor")
    editor.wait_for_url(re.compile(rf"/moeder/{meeting}/tidslinje/$"))
    check_accessible(editor)
    row = editor.locator("tr", has_text="Klimaplan 2030")
    before = row.locator("input[name=offset]").input_value()
    editor.get_by_label("Marks at or after").fill("0")
    editor.get_by_label(re.compile("^Move them by")).fill("-0.2")
    editor.get_by_role("button", name="Move the marks").click()
    expect(editor.locator(".alert, [role=status]").first).to_contain_text("Moved")
    after = editor.locator("tr", has_text="Klimaplan 2030").locator("input[name=offset]")
    expect(after).not_to_have_value(before)
    assert editor.locator(".timeline-track.is-placed .timeline-marker").count() >= 4
    check_accessible(editor)
    close_page(editor)


# --- the editor corrects the recording's timeline ---


def test_an_editor_moves_a_mark_to_the_video_s_time(browser, site):
    editor = open_page(browser, site, session=site.seed["editor"])
    editor.goto(f"/moeder/{site.seed['past']}/tidslinje/")
    check_accessible(editor)
    video = "#timeline-video"
    editor.wait_for_function(f"() => document.querySelector('{video}').readyState >= 1")
    editor.evaluate(f"() => {{ document.querySelector('{video}').currentTime = 185; }}")
    editor.wait_for_function(
        f"() => Math.abs(document.querySelector('{video}').currentTime - 185) < 0.5"
    )

    row = editor.locator("tr", has_text="Cykelsti langs Ringvejen")
    row.get_by_role("button", name="Use the video's time").click()
    expect(row.locator("input[name=offset]")).to_have_value(re.compile(r"^0:03:0[45]\.\d{3}$"))
    row.locator(".timeline-correct button[type=submit]").click()  # "Save" (Danish: "Gem")

    expect(editor.locator(".alert, [role=status]").first).to_contain_text("Moved")
    moved = editor.locator("tr", has_text="Cykelsti langs Ringvejen").locator("input[name=offset]")
    expect(moved).to_have_value(re.compile(r"^0:03:0[45]\.\d{3}$"))
    check_accessible(editor)
    close_page(editor)


# --- sharing on the viewer's own Mastodon server, and subscribing to the calendar ---


def test_a_citizen_shares_a_moment_on_their_own_mastodon_server(browser, site):
    page = open_page(browser, site)
    shared_to: list[str] = []

    def mastodon(route) -> None:  # a stand-in for the viewer's server
        shared_to.append(route.request.url)
        route.fulfill(
            status=200,
            content_type="text/html",
            body="<!DOCTYPE html><html lang='da'><head><title>Mastodon</title></head>"
            "<body><main>Mastodon</main></body></html>",
        )

    page.context.route("https://social.example.dk/**", mastodon)
    page.goto(f"/moeder/{site.seed['past']}/?t=110")
    page.locator(".share-summary").click()
    field = page.locator("#mastodon-instance")

    # Something that is not a server's address gets a message, and nothing opens.
    field.fill("not a server")
    page.get_by_role("button", name="Share on Mastodon").click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-mastodon-status]")).to_contain_text("mastodon.social")
    assert shared_to == []

    # A handle or a full address is reduced to the server; the post names the moment.
    field.fill("https://social.example.dk/@anna")
    with page.expect_popup() as popup:
        page.get_by_role("button", name="Share on Mastodon").click()
    popup.value.wait_for_load_state()
    popup.value.close()
    assert len(shared_to) == 1
    assert shared_to[0].startswith("https://social.example.dk/share?text=")
    assert "Ahmad%20Rahimi" in shared_to[0]
    assert f"%2Fmoeder%2F{site.seed['past']}%2F%3Ft%3D110" in shared_to[0]
    expect(field).to_have_value("social.example.dk")
    check_accessible(page)

    # The server is remembered in this browser.
    page.reload()
    page.locator(".share-summary").click()
    expect(page.locator("#mastodon-instance")).to_have_value("social.example.dk")
    close_page(page)


def test_a_citizen_subscribes_to_the_calendar_of_a_body_and_of_all_meetings(browser, site):
    page = open_page(browser, site)
    page.goto(f"/moeder/{site.seed['past']}/")
    assert page.locator('head link[rel="alternate"][type="text/calendar"]').count() == 2
    body_calendar = page.locator("[data-calendar-link]").get_attribute("href")
    response = page.request.get(body_calendar)
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.text()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert f"UID:meeting-{site.seed['past']}@" in text
    assert "Byrådsmøde" in text

    page.goto("/moeder/")
    check_accessible(page)
    everything = page.get_by_role(
        "link", name="Subscribe to the calendar of all meetings (iCal)"
    ).get_attribute("href")
    text = page.request.get(everything).text()
    assert f"UID:meeting-{site.seed['upcoming']}@" in text
    assert f"UID:meeting-{site.seed['past']}@" in text
    close_page(page)
