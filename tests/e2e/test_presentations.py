"""Interactive presentations (issue 23, "Done when"), in Chromium against uvicorn over a copy
of the demo: an editor builds the local-plan presentation by drag and drop and by keyboard
and publishes it; it is embedded in a page on another origin; a citizen on a phone plays it
there and answers its question; the editor sees the answers and the drop-off. Every page
is checked with axe-core. One site, one static site: the whole journey in one test.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, tab_to
from tests.e2e.webcasts_fixtures import (
    check_accessible,
    close_page,
    open_page,
    running_site,
    running_static_site,
)

# Its own SQLite site (running_site), whatever the pass: CI runs it once (conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.one_pass]


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    yield from running_site(tmp_path_factory, name="presentations-site")


@pytest.fixture(scope="module")
def other_site(tmp_path_factory):
    yield from running_static_site(tmp_path_factory)


def drag(page, source, target, *, below: bool = False) -> None:
    """Drag with the mouse as a person does: press, move in small steps, release (SortableJS
    follows pointer events, so a single jump from source to target is no drag)."""
    start = source.bounding_box()
    end = target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    to_x = end["x"] + end["width"] / 2
    to_y = end["y"] + (end["height"] - 5 if below else 5)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 5, y + 5, steps=5)
    page.mouse.move(to_x, to_y, steps=20)
    page.mouse.move(to_x, to_y + 1, steps=2)
    page.mouse.up()


def _steps(page) -> list[str]:
    return page.locator("[data-steps] > li .step-title").all_inner_texts()


def test_an_editor_builds_and_publishes_and_a_citizen_on_a_phone_answers_in_an_embed(
    browser, site, other_site
):
    # The demo's own presentation plays for everyone.
    visitor = open_page(browser, site)
    visitor.goto("/praesentationer/lokalplan-vestbyen/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Lokalplan for Vestbyen")
    close_page(visitor)

    editor = open_page(
        browser, site, session=site.seed["editor"], viewport={"width": 1280, "height": 1100}
    )
    editor.goto("/praesentationer/personale/")
    check_accessible(editor)
    editor.get_by_label("Title").fill("Lokalplan for Vestbyen: borgermøde")
    editor.get_by_role("button", name="Create the presentation").click()
    editor.wait_for_url(re.compile(r"/praesentationer/personale/\d+/$"))
    builder_url = editor.url
    check_accessible(editor)

    # By drag and drop: a text block from the catalogue (filtered by kind) into the steps.
    editor.get_by_label("Kind").select_option(label="Text")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Search", exact=True).click()
    text = editor.locator('[data-catalogue] > li[data-element="text"] .catalogue-title')
    with editor.expect_navigation():
        drag(editor, text, editor.locator("[data-steps]"))
    assert _steps(editor) == ["Text"]

    # By keyboard: a clip of the demo meeting, then a question inserted after step 1.
    editor.goto(builder_url + "?kind=clip")
    clip = editor.locator('[data-catalogue] > li[data-element^="clip:"]').first
    clip_title = clip.locator(".catalogue-title").inner_text()
    clip.locator("button").focus()
    with editor.expect_navigation():
        editor.keyboard.press("Enter")
    editor.goto(builder_url + "?q=single")
    question = editor.locator('[data-catalogue] > li[data-element="question:single"]')
    question.locator("select").select_option(label="After step 1")
    question.locator("button").focus()
    with editor.expect_navigation():
        editor.keyboard.press("Enter")
    assert _steps(editor) == ["Text", "Your question", clip_title]
    # Move the clip up by keyboard: it comes before the question.
    editor.locator("[data-steps] > li").nth(2).get_by_role(
        "button", name=re.compile("Move up")
    ).focus()
    with editor.expect_navigation():
        editor.keyboard.press("Enter")
    assert _steps(editor) == ["Text", clip_title, "Your question"]
    # And by drag and drop: the question to the top, saved at once (no reload).
    first_head = editor.locator("[data-steps] > li").nth(0).locator(".step-head")
    drag(editor, editor.locator("[data-steps] > li").nth(2).locator(".step-head"), first_head)
    editor.wait_for_function(
        "() => document.querySelector('[data-save-status]').textContent.length > 0"
    )
    editor.reload()
    assert _steps(editor) == ["Your question", "Text", clip_title]

    # The question's text and options, and its branch: "Nej" ends the presentation.
    step = editor.locator("[data-steps] > li").nth(0)
    step.locator("summary").click()
    step.get_by_label("Question").fill("Støtter du planen?")
    step.get_by_label("Options, one per line").fill("Ja\nNej")
    with editor.expect_navigation():
        step.get_by_role("button", name="Save the step").click()
    step = editor.locator("[data-steps] > li").nth(0)
    step.locator("summary").click()
    step.get_by_label("Who answers “Nej” goes to").select_option(label="The end")
    editor.wait_for_function(
        "() => /Saved/.test(document.querySelector('[data-save-status]').textContent)"
    )
    check_accessible(editor)

    # The preview follows saves live: in a second window of the builder (another editor),
    # the draft's summary appears as the first window saves it, with no reload.
    second = open_page(
        browser, site, session=site.seed["editor"], viewport={"width": 1280, "height": 1100}
    )
    second.goto(builder_url)
    second.locator("iframe.preview-desktop").scroll_into_view_if_needed()
    preview = second.frame_locator("iframe.preview-desktop")
    expect(preview.get_by_role("heading", level=1)).to_have_text(
        "Lokalplan for Vestbyen: borgermøde"
    )
    second.wait_for_function(
        "() => document.querySelector('[data-preview]').dataset.liveState === 'live'"
    )
    editor.get_by_role("textbox", name="Summary").fill("Se planen og sig din mening.")
    expect(preview.locator(".presentation-summary")).to_have_text(
        "Se planen og sig din mening.", timeout=15_000
    )
    close_page(second)

    with editor.expect_navigation():
        editor.get_by_role("button", name="Publish", exact=True).click()
    assert "The presentation is published." in editor.content()
    snippet = editor.locator("[data-embed-code]").input_value()
    embed_src = re.search(r'src="([^"]+)"', snippet).group(1)
    assert embed_src.startswith(site.url) and embed_src.endswith("/indlejr/")

    # The municipality's news page, on another origin, embeds it.
    base, folder = other_site
    (folder / "nyhed.html").write_text(
        "<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Nyhed</title></head><body><main><h1>Ny lokalplan</h1>"
        + snippet
        + "</main></body></html>"
    )
    phone = browser.new_context(locale="en-GB", **PHONE)
    phone.set_default_timeout(30_000)
    news = phone.new_page()
    problems: list[str] = []
    origins: set[str] = set()
    news.on("request", lambda r: origins.add(re.match(r"[a-z]+://[^/]+", r.url).group(0)))
    news.on("pageerror", lambda error: problems.append(str(error)))
    news.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    news.goto(f"{base}/nyhed.html")
    frame = news.frame_locator("iframe")
    frame.get_by_role("button", name="Start").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Støtter du planen?")
    expect(frame.locator("#step-progress")).to_have_text("Step 1 of 3")
    frame.get_by_label("Ja").check()
    frame.get_by_role("button", name="Send answer and go on").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Text")
    frame.get_by_role("button", name="Next").click()
    # The clip's step: the video loads through hls.js, with no third-party request.
    expect(frame.get_by_role("heading", level=1)).to_have_text(clip_title)
    frame.locator("video").evaluate(
        "(video) => new Promise((done, fail) => { if (video.readyState >= 1) done();"
        " video.addEventListener('loadedmetadata', done); video.addEventListener('error', fail); })"
    )
    # The citizen leaves here: the editor should see one playing stopped at the clip.
    assert not problems, problems
    assert origins <= {site.url, base, "blob:"} | {o for o in origins if o.startswith("blob:")}
    assert origins & {site.url} and base in origins
    phone.close()

    # The same presentation on Samskab itself, on a phone, by keyboard.
    citizen = open_page(browser, site, **PHONE)
    citizen.goto(embed_src.replace("/indlejr/", "/"))
    check_accessible(citizen)
    citizen.get_by_role("button", name="Start").click()
    check_accessible(citizen)
    citizen.get_by_label("Nej").check()
    tab_to(citizen, "[data-answer]")
    with citizen.expect_navigation():
        citizen.keyboard.press("Enter")
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Thank you for watching")
    check_accessible(citizen)
    close_page(citizen)

    editor.goto(builder_url)
    editor.get_by_role("link", name="Answers and drop-off").click()
    check_accessible(editor)
    assert editor.locator("[data-starts]").inner_text() == "2"
    assert editor.locator("[data-completions]").inner_text() == "1"
    answers = editor.locator("[data-answers] tbody")
    assert "Ja" in answers.inner_text() and "Nej" in answers.inner_text()
    drop = editor.locator("[data-drop] tbody tr").all_inner_texts()
    assert any(clip_title in row and row.rstrip().endswith("1") for row in drop), drop

    # A slide of the demo's presentation gets a narration, chosen by keyboard in one labelled
    # list of meeting clips and uploaded videos, and the citizen's slide plays it.
    editor.goto("/praesentationer/personale/")
    with editor.expect_navigation():
        editor.get_by_role("link", name="Lokalplan for Vestbyen", exact=True).click()
    slide = editor.locator("[data-steps] > li").filter(has=editor.locator("[data-narration]"))
    slide = slide.first
    slide_key = slide.get_attribute("data-key")
    slide.locator("summary").click()
    narration = slide.get_by_label("Narration video")
    expect(narration.locator("optgroup").first).to_have_attribute("label", "Clips of meetings")
    narration.focus()
    editor.keyboard.press("ArrowDown")
    assert narration.input_value().startswith("clip:")
    editor.wait_for_function(
        "() => /Saved/.test(document.querySelector('[data-save-status]').textContent)"
    )
    check_accessible(editor)
    with editor.expect_navigation():
        editor.locator("[data-publish]").click()
    citizen = open_page(browser, site, **PHONE)
    citizen.goto(f"/praesentationer/lokalplan-vestbyen/trin/{slide_key}/")
    citizen.locator("#step-narration").evaluate(
        "(video) => new Promise((done, fail) => { if (video.readyState >= 1) done();"
        " video.addEventListener('loadedmetadata', done); video.addEventListener('error', fail); })"
    )
    check_accessible(citizen)
    close_page(citizen)
    close_page(editor)
