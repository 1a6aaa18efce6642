"""Statistics without trackers (issue 25), in a real browser: a citizen plays the demo's
recorded meeting, jumps between agenda items, shares, votes in a vox pop, watches a clip, and
the player is embedded on another site; then the editor's dashboard shows the watch time per
agenda item, the share, the vote, the clip view and the embed. No request leaves the site,
and the statistics tables hold nothing that names the browser. Every page is checked with axe-core.
"""

import hashlib
import hmac
import sqlite3
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.webcasts_fixtures import (
    check_accessible,
    close_page,
    open_page,
    run,
    running_site,
    running_static_site,
)

# Its own SQLite site (running_site), whatever the pass: CI runs it once (conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.one_pass]


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    yield from running_site(
        tmp_path_factory,
        name="stats-site",
        seed=("tests/e2e/stats_seed.py",),
        # Every beacon written at once, so the roll-up below sees them all.
        env_extra={"STATS_FLUSH_EVENTS": "1"},
    )


@pytest.fixture(scope="module")
def other_site(tmp_path_factory):
    yield from running_static_site(tmp_path_factory)


def watch_requests(page, site_url: str, seen: list[str]) -> None:
    page.context.on("request", lambda request: seen.append(request.url))


def third_party(urls: list[str], *allowed: str) -> list[str]:
    hosts = {urlsplit(url).netloc for url in allowed}
    return [
        url
        for url in urls
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc not in hosts
    ]


def play_for(page, seconds: float) -> None:
    """Let the video play `seconds` of its own time, then pause: the player reports it."""
    page.wait_for_function("() => !document.querySelector('#meeting-video').paused")
    start = page.evaluate("() => document.querySelector('#meeting-video').currentTime")
    page.wait_for_function(
        "(s) => document.querySelector('#meeting-video').currentTime >= s", arg=start + seconds
    )
    page.evaluate("() => document.querySelector('#meeting-video').pause()")


def test_watching_sharing_voting_and_embedding_show_on_the_dashboard(browser, site, other_site):
    seen: list[str] = []
    past = site.seed["past"]

    # A citizen plays the recording from one item, then jumps to another.
    page = open_page(browser, site, permissions=["clipboard-read", "clipboard-write"])
    watch_requests(page, site.url, seen)
    page.goto(f"/moeder/{past}/")
    page.wait_for_function("() => document.querySelector('#meeting-video').readyState >= 1")
    check_accessible(page)
    jumps = page.locator(".agenda-jump[data-offset]")
    assert jumps.count() >= 2
    first_title = jumps.nth(0).inner_text()
    jumps.nth(0).click()
    play_for(page, 3)
    jumps.nth(1).click()
    play_for(page, 3)

    # Shares the link (copied: the share buttons would open the networks' own sites).
    page.locator(".share-summary").click()
    page.locator("[data-share-copy]").click()
    expect(page.locator("[data-share-status]")).to_contain_text("copied")

    # Votes in the vox pop.
    box = page.locator("[data-poll-box]")
    box.get_by_label("Ja").check()
    box.get_by_role("button", name="Vote").click()
    expect(box).to_contain_text("You have voted")
    viewer_cookie = next(
        c["value"] for c in page.context.cookies() if c["name"] == "samskab_viewer"
    )

    # And watches a clip on its own page.
    page.goto(f"/moeder/{past}/klip/{site.seed['clip']}/")
    check_accessible(page)
    video = page.locator("video[data-stats-clip]")
    video.evaluate("v => new Promise(r => v.readyState >= 1 ? r() : v.onloadedmetadata = r)")
    # Its beacon (the dashboard below shows that it said "clip", and which).
    with page.expect_request("**/statistik/b/"):
        video.evaluate("v => { v.muted = true; return v.play(); }")
    close_page(page)

    # The player embedded on another site.
    other_url, folder = other_site
    (folder / "news.html").write_text(
        "<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'>"
        "<link rel='icon' href='data:,'><title>Nyheder</title></head><body><main>"
        f"<h1>Se byrådsmødet</h1><iframe src='{site.url}/moeder/{past}/embed/' "
        "title='Byrådsmøde' width='960' height='720'></iframe></main></body></html>",
        encoding="utf-8",
    )
    news = open_page(browser, site)
    watch_requests(news, site.url, seen)
    news.goto(f"{other_url}/news.html")
    expect(news.frame_locator("iframe").locator(".agenda")).to_be_visible()
    news.wait_for_timeout(500)  # the embed's beacon is sent on load
    close_page(news)

    # Four other viewers, so that each count reaches five (below that it is hidden); roll up.
    run(
        site.env,
        "tests/e2e/stats_seed.py",
        "others",
        str(past),
        str(site.seed["poll"]),
        str(site.seed["clip"]),
    )

    # The editor's dashboard, from the staff home.
    staff = open_page(browser, site, session=site.seed["editor"])
    watch_requests(staff, site.url, seen)
    staff.goto("/personale/")
    staff.get_by_role("link", name="Statistics: watching and taking part").click()
    check_accessible(staff)
    staff.goto(f"/statistik/moede/{past}/")
    items = staff.locator('[data-breakdown="watch_item_s"] table')
    expect(items).to_contain_text(first_title.split(". ", 1)[-1].strip())
    shares = staff.locator('[data-breakdown="shares"] table')
    expect(shares.locator("tr", has_text="Link copied")).to_contain_text("5")
    clips = staff.locator('[data-breakdown="clips"] table')
    expect(clips.locator("tr", has_text="Borgmesterens velkomst")).to_contain_text("5")
    embeds = staff.locator('[data-breakdown="embeds"] table')
    expect(embeds.locator("tr", has_text="127.0.0.1")).to_contain_text("5")
    # The votes of the meeting's vox pops: the demo's own, the four others' and the browser's.
    database = sqlite3.connect(site.work / "samskab.sqlite3")
    votes = database.execute(
        "select count(*) from polls_vote join polls_poll on polls_poll.id = polls_vote.poll_id "
        "where polls_poll.meeting_id = ?",
        [past],
    ).fetchone()[0]
    database.close()
    expect(staff.locator('tr[data-metric="votes"] td').first).to_have_text(str(votes))
    expect(staff.locator('tr[data-metric="plays"] td').first).to_have_text("5")
    expect(staff.locator("canvas[data-stats-chart]").first).to_be_visible()
    check_accessible(staff)
    close_page(staff)

    # Nothing was asked of any other site (the news page is the test's own, and local).
    assert third_party(seen, site.url, other_url) == []

    # And the statistics hold nothing that names the browser: not its viewer token, not the
    # token's hashed form that the vote table holds.
    token = viewer_cookie.split(":")[0]
    secret = site.env["SECRET_KEY"]
    key = hmac.new(
        hashlib.sha256(f"{secret}:samskab.viewer".encode()).digest(),
        token.encode(),
        hashlib.sha256,
    ).hexdigest()
    database = sqlite3.connect(site.work / "samskab.sqlite3")
    assert database.execute("select count(*) from polls_vote where voter_key = ?", [key]).fetchone()
    dump = "\n".join(
        repr(row)
        for table in ("stats_event", "stats_daystat", "stats_minutestat", "stats_dropped")
        for row in database.execute(f"select * from {table}")  # noqa: S608  # our table names
    )
    database.close()
    assert dump
    assert token not in dump and key not in dump and key[:16] not in dump
