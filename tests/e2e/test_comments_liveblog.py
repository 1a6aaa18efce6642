"""The live blog under pre-moderation in real browsers: a viewer posts, the moderator sees it
arrive in the queue without reloading and approves it by keyboard, a third browser gets it
within a second behind an "N new posts" button that does not take the focus; a restricted
word holds a post, a banned viewer cannot post again, and the log has every step.

The server is uvicorn (ASGI) as a subprocess, so server-sent events flow as in production.
The demo's coming committee meeting is pre-moderated and open to viewers without an account.
"""

import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.webcasts_fixtures import check_accessible, close_page, open_page, run, running_site

# Its own SQLite site (running_site), whatever the pass: CI runs it once (conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.one_pass]


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    for site in running_site(tmp_path_factory):
        site.seed.update(json.loads(run(site.env, "tests/e2e/comments_seed.py").splitlines()[-1]))
        yield site


def open_meeting(browser, site):
    page = open_page(browser, site)
    page.goto(f"/moeder/{site.seed['upcoming']}/")
    # The live blog's posts and form arrive after the page, on the page's live connection.
    expect(page.locator(".liveblog-inner")).to_be_visible()
    page.wait_for_function("() => window.SamskabLive !== undefined")
    return page


def post_as_viewer(page, name: str, text: str) -> None:
    form = page.locator(".liveblog .comment-form").first
    form.get_by_label("Your name").fill(name)
    form.get_by_label("Your comment").fill(text)
    # The browser solves a small proof of work, then the form posts and comes back.
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30_000):
        form.get_by_role("button", name="Post comment").click()


def test_a_viewer_s_post_is_moderated_live_and_reaches_other_viewers_within_a_second(browser, site):
    moderator = open_page(browser, site, session=site.seed["moderator"])
    moderator.goto("/moderation/")
    expect(moderator.locator(".queue-empty")).to_be_visible()
    moderator.wait_for_function("() => window.SamskabLive !== undefined")
    check_accessible(moderator)

    reader = open_meeting(browser, site)
    check_accessible(reader)

    citizen = open_meeting(browser, site)
    check_accessible(citizen)
    post_as_viewer(citizen, "Birgit", "Hvornår kommer cykelstien på Skolevej?")
    expect(citizen.locator(".samskab-messages")).to_contain_text("approved")
    # Only the author sees their held post, marked as waiting.
    expect(citizen.locator(".liveblog .comment-pending")).to_contain_text("Awaiting moderation")
    check_accessible(citizen)

    # The queue says new posts have arrived, without a reload; showing them is the
    # moderator's choice, so nothing moves under their hands.
    refresh = moderator.get_by_role("button", name="New posts in the queue: show them")
    expect(refresh).to_be_visible()
    refresh.click()
    item = moderator.locator(".queue-item").filter(has_text="cykelstien")
    expect(item).to_be_visible()
    expect(item.locator(".queue-why")).to_contain_text("pre-moderation")
    check_accessible(moderator)

    # The reader is typing in the live blog's form when the post arrives: the focus stays.
    reader_box = reader.locator(".liveblog .comment-form").first.get_by_label("Your comment")
    reader_box.fill("Jeg skriver")
    reader_box.focus()

    # Keyboard: j moves to the first post in the queue, a approves it.
    moderator.locator("#moderation-queue").focus()
    moderator.keyboard.press("j")
    assert moderator.evaluate("() => document.activeElement.classList.contains('queue-item')")
    started = time.monotonic()
    moderator.keyboard.press("a")
    button = reader.get_by_role("button", name="1 new post: show it")
    expect(button).to_be_visible(timeout=1000)
    assert time.monotonic() - started < 1.0
    assert reader.evaluate("() => document.activeElement.name") == "body"
    expect(reader.locator(".liveblog-list")).not_to_contain_text("cykelstien")
    check_accessible(reader)
    button.click()
    newest = reader.locator(".liveblog-list > li").first
    expect(newest).to_contain_text("cykelstien")
    expect(newest).to_be_focused()
    check_accessible(reader)

    expect(moderator.locator(".samskab-messages")).to_contain_text("handled")
    expect(moderator.locator(".queue-item")).to_have_count(0)

    # A restricted word holds the post with the word as the reason.
    post_as_viewer(citizen, "Birgit", "Udvalgsformanden er en idiot")
    moderator.get_by_role("button", name="New posts in the queue: show them").click()
    held = moderator.locator(".queue-item").filter(has_text="idiot")
    expect(held.locator(".queue-why")).to_contain_text("restricted word: idiot*")
    check_accessible(moderator)

    # The moderator bans the viewer (by their browser's token) for a week and removes it.
    held.get_by_label("Reason").fill("Personangreb på et udvalgsmedlem")
    held.get_by_label("Ban the author").select_option("7d")
    held.get_by_role("button", name="Ban and remove").click()
    expect(moderator.locator("main")).to_contain_text("The author is banned and the post removed.")
    check_accessible(moderator)

    # The banned viewer cannot post again, and is told until when.
    post_as_viewer(citizen, "Birgit", "Et nyt forsøg")
    expect(citizen.locator("main")).to_contain_text(re.compile(r"You may not post until \d"))
    check_accessible(citizen)

    # Every step is in the log: held twice, approved, banned, removed.
    moderator.goto("/moderation/log/")
    log = moderator.locator("table tbody")
    expect(log).to_contain_text("Approved")
    expect(log).to_contain_text("Author banned")
    expect(log).to_contain_text("Rejected")
    expect(log.locator("tr").filter(has_text="Held automatically")).to_have_count(2)
    expect(log).to_contain_text("restricted word: idiot*")
    expect(log).to_contain_text("Personangreb på et udvalgsmedlem")
    check_accessible(moderator)

    for page in (moderator, reader, citizen):
        close_page(page)


def test_the_queue_works_by_keyboard_alone(browser, site):
    # Two held posts from a viewer, then the moderator selects both with x and approves.
    citizen = open_meeting(browser, site)
    post_as_viewer(citizen, "Ole", "Første spørgsmål om parkering")
    post_as_viewer(citizen, "Ole", "Andet spørgsmål om busserne")

    moderator = open_page(browser, site, session=site.seed["moderator"])
    moderator.goto("/moderation/")
    expect(moderator.locator(".queue-item")).to_have_count(2)
    check_accessible(moderator)
    moderator.locator("#moderation-queue").focus()
    moderator.keyboard.press("j")
    moderator.keyboard.press("x")
    moderator.keyboard.press("j")
    moderator.keyboard.press("x")
    assert moderator.locator(".queue-item input[type=checkbox]:checked").count() == 2
    moderator.keyboard.press("k")
    assert "parkering" in moderator.evaluate("() => document.activeElement.textContent")
    # r without a reason goes to the reason field first instead of rejecting.
    moderator.keyboard.press("r")
    assert moderator.evaluate("() => document.activeElement.classList.contains('queue-reason')")
    moderator.get_by_role("button", name="Approve selected").click()
    expect(moderator.locator("main")).to_contain_text("2 posts handled.")
    check_accessible(moderator)

    reader = open_meeting(browser, site)
    expect(reader.locator(".liveblog-list")).to_contain_text("busserne")
    # Newest first.
    first = reader.locator(".liveblog-list > li").first
    expect(first).to_contain_text("busserne")
    check_accessible(reader)
    for page in (moderator, citizen, reader):
        close_page(page)


def test_the_focus_goes_on_to_the_next_post_after_each_action(browser, site):
    # Walk-staff finding 25: after a, r or s the page reloaded with the focus on <body>.
    citizen = open_meeting(browser, site)
    for text in ("Om skolen", "Om vejen", "Om havnen"):
        post_as_viewer(citizen, "Ane", text)
    moderator = open_page(browser, site, session=site.seed["moderator"])
    moderator.goto("/moderation/")
    expect(moderator.locator(".queue-item")).to_have_count(3)
    # Each post says where it was written, with a link to it.
    expect(moderator.locator(".queue-where a").first).to_have_attribute(
        "href", re.compile("#comment-")
    )
    moderator.locator("#moderation-queue").focus()
    moderator.keyboard.press("j")
    moderator.keyboard.press("a")  # approves "Om skolen"
    expect(moderator.locator(".queue-item")).to_have_count(2)
    focused = moderator.locator(".queue-item:focus")
    expect(focused).to_contain_text("Om vejen")
    moderator.keyboard.press("j")
    expect(moderator.locator(".queue-item:focus")).to_contain_text("Om havnen")
    # r goes to the reason; Enter there rejects this post (never approves it).
    moderator.keyboard.press("r")
    moderator.keyboard.type("Uden for emnet")
    moderator.keyboard.press("Enter")
    expect(moderator.locator(".queue-item")).to_have_count(1)
    expect(moderator.locator(".queue-item:focus")).to_contain_text("Om vejen")
    moderator.keyboard.press("a")
    expect(moderator.locator(".queue-empty")).to_be_visible()
    check_accessible(moderator)
    moderator.goto("/moderation/log/")
    log = moderator.locator("table tbody")
    expect(log.locator("tr").filter(has_text="Uden for emnet")).to_contain_text("Rejected")
    expect(log.locator("tr").filter(has_text="Om havnen")).to_have_count(2)  # held, rejected
    for page in (moderator, citizen):
        close_page(page)


def test_a_moderator_takes_down_a_published_post_and_lifts_a_ban(browser, site):
    # A post approved earlier turns out to name a neighbour's phone number.
    citizen = open_meeting(browser, site)
    post_as_viewer(citizen, "Karen", "Ring til min nabo på 12345678 om hækken")
    moderator = open_page(browser, site, session=site.seed["moderator"])
    moderator.goto("/moderation/")
    held = moderator.locator(".queue-item").filter(has_text="12345678")
    held.get_by_role("button", name="Approve").click()
    expect(moderator.locator("main")).to_contain_text("handled")

    moderator.goto("/moderation/offentliggjort/")
    check_accessible(moderator)
    shown = moderator.locator(".queue-item").filter(has_text="12345678")
    shown.get_by_role("link", name=re.compile(r"^Take down")).click()
    check_accessible(moderator)
    moderator.get_by_label("Reason (sent to the author and kept in the moderation log)").fill(
        "Personoplysninger om en anden borger"
    )
    moderator.get_by_role("button", name="Take down").click()
    expect(moderator.locator("main")).to_contain_text("The post is taken down")
    reader = open_meeting(browser, site)
    expect(reader.locator(".liveblog")).not_to_contain_text("12345678")

    # Another viewer is banned from the queue, then the ban is lifted on the Bans page.
    other = open_meeting(browser, site)
    post_as_viewer(other, "Jens", "Borgmesteren er en idiot")
    moderator.goto("/moderation/")
    held = moderator.locator(".queue-item").filter(has_text="Borgmesteren")
    held.get_by_label("Reason").fill("Skældsord om borgmesteren")
    held.get_by_role("button", name="Ban and remove").click()
    expect(moderator.locator("main")).to_contain_text("The author is banned")

    moderator.goto("/moderation/udelukkelser/")
    check_accessible(moderator)
    ban = moderator.locator(".queue-item").filter(has_text="Skældsord om borgmesteren")
    ban.get_by_label("Why is the ban lifted? (for the log)").fill("Har undskyldt over for byrådet")
    ban.get_by_role("button", name="Lift the ban").click()
    expect(moderator.locator("main")).to_contain_text("The ban is lifted.")
    post_as_viewer(other, "Jens", "Undskyld, det var for groft")
    expect(other.locator(".samskab-messages")).to_contain_text("approved")

    moderator.goto("/moderation/log/")
    log = moderator.locator("table tbody")
    expect(log).to_contain_text("Personoplysninger om en anden borger")
    expect(log.locator("tr").filter(has_text="Ban lifted")).to_contain_text(
        "Har undskyldt over for byrådet"
    )
    check_accessible(moderator)
    for page in (moderator, citizen, reader, other):
        close_page(page)


def test_reports_without_an_account_show_the_post_to_moderators_but_never_take_it_down(
    browser, site
):
    """Security review H1: three browsers without an account took a citizen's post down."""
    comment = site.seed["published"]
    for _ in range(3):
        visitor = open_page(browser, site)
        visitor.goto(f"/moderation/anmeld/comments.comment/{comment}/")
        check_accessible(visitor)
        visitor.locator("label", has_text="Spam or advertising").click()
        with visitor.expect_navigation(wait_until="domcontentloaded"):
            visitor.get_by_role("button", name="Send report").click()
        expect(visitor.locator(f"#comment-{comment}")).to_contain_text("skolevejene")
        close_page(visitor)
    moderator = open_page(browser, site, session=site.seed["moderator"])
    moderator.goto("/moderation/")
    item = moderator.locator(f"#queue-comments-comment-{comment}")
    expect(item.locator(".queue-why")).to_contain_text("Still shown")
    expect(item.locator(".queue-reports")).to_contain_text("without an account (a signal only)")
    check_accessible(moderator)
    close_page(moderator)
