"""Dialogue in a real browser (issue 7, "Done when"): in the demo meeting a viewer sends
feedback and the mail arrives at a real SMTP server on loopback; the operator opens a vox
pop, two viewers vote and see the live result, and a second try is refused; a survey is
answered on a phone and its CSV has the right columns with Danish letters intact.

The server is uvicorn (ASGI) as a subprocess, so the live result flows as in production.
Every page visited is checked with axe-core.
"""

import csv
import io
import re
import socket
from email import message_from_bytes, policy

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


def choose(scope, label: str) -> None:
    """Click an option's label, as a viewer does (the styled radio button is the label)."""
    scope.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()


def provoked(page, status: int, path: str) -> None:
    """A refusal the test asked for (an empty message, a stale token) is not a problem
    of the page: drop its response and the console line the browser writes for it."""
    page.problems[:] = [
        problem
        for problem in page.problems
        if not (
            path in problem
            and (problem.startswith(f"{status} ") or f"status of {status}" in problem)
        )
    ]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def site(browser, smtp, tmp_path_factory):
    yield from running_site(
        tmp_path_factory,
        name="dialogue-site",
        seed=("-m", "tests.e2e.dialogue_seed"),
        env_extra={
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "FEEDBACK_EMAIL": "borgerservice@demo.samskab.dk",
        },
    )


def test_a_viewer_writes_to_a_politician_and_the_mail_arrives(browser, site, smtp):
    page = open_page(browser, site)
    page.goto(f"/moeder/{site.seed['upcoming']}/")
    check_accessible(page)
    # The form sends without leaving the page (the video would stop): a mark on the page's
    # window survives, and the keyboard focus goes where the answer is.
    page.evaluate("window.notReloaded = true")
    form = page.locator("section.feedback form")
    form.get_by_label("To").select_option(label="Jens Kjær (Venstre)")
    form.get_by_label("Your name").fill("Åse Sørensen")
    form.get_by_label("Your e-mail").fill("aase@example.org")
    form.get_by_role("button", name="Send").click()  # no message yet
    message = page.locator("section.feedback").get_by_label("Message")
    expect(page.get_by_text("Write a message.")).to_be_visible()
    expect(message).to_be_focused()
    expect(page.locator("section.feedback").get_by_label("Your name")).to_have_value("Åse Sørensen")
    provoked(page, 400, "/feedback/")
    message.fill("Husk cykelstien ved Møllevej, når I taler om belysning.")
    page.locator("section.feedback").get_by_role("button", name="Send").click()
    thanks = page.locator("section.feedback [role=status]")
    expect(thanks).to_have_text(re.compile("Thank you. Your message has been sent."))
    expect(thanks).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("section.feedback").get_by_label("Message")).to_have_value("")
    check_accessible(page)
    close_page(page)

    # Only this message went to him (the demo's seeding may mail its own followers).
    to_jens = [m for m in smtp.messages if m["To"] == "jens-kjaer@demo.samskab.dk"]
    assert len(to_jens) == 1
    mail = to_jens[0]
    assert "aase@example.org" in mail["Reply-To"]
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "cykelstien ved Møllevej" in plain and "cykelstien ved Møllevej" in html


# Counts the page's server-sent event streams, to see that none is left open.
COUNT_STREAMS = """
(() => {
  const Native = window.EventSource;
  window.pollStreams = [];
  window.EventSource = class extends Native {
    constructor(url, options) {
      super(url, options);
      if (String(url).includes("/live/poll:")) window.pollStreams.push(this);
    }
  };
})();
"""
OPEN_POLL_STREAMS = "() => window.pollStreams.filter((s) => s.readyState !== 2).length"


def test_the_operator_opens_a_vox_pop_two_viewers_vote_and_a_second_try_is_refused(browser, site):
    meeting, poll = site.seed["upcoming"], site.seed["voxpop"]
    first = open_page(browser, site)
    first.add_init_script(COUNT_STREAMS)
    second = open_page(browser, site)
    for viewer in (first, second):
        viewer.goto(f"/moeder/{meeting}/")
        expect(viewer.locator("[data-voxpop]")).to_be_hidden()
    check_accessible(first)

    operator = open_page(browser, site, session=site.seed["operator"])
    operator.goto(f"/moeder/{meeting}/konsol/")
    check_accessible(operator)
    panel = operator.locator(".console-polls")
    panel.get_by_role("button", name="Open").click()
    expect(operator.locator(".console-polls")).to_contain_text("Open")
    expect(operator.locator(".console-polls").get_by_role("button", name="Close")).to_be_visible()
    check_accessible(operator)

    # Without a reload, the vox pop appears in both players.
    box = f"#poll-{poll}"
    for viewer in (first, second):
        expect(viewer.locator(box)).to_be_visible(timeout=15_000)
        expect(viewer.locator(box)).to_contain_text("ti affaldsfraktioner")
        # Without JavaScript (or when it must post plainly) the vote returns to the player.
        expect(viewer.locator(f"{box} input[name=next]")).to_have_value(
            f"/moeder/{meeting}/#poll-{poll}"
        )
    check_accessible(first)
    # Each option's radio button is drawn (DKFDS draws it with its label).
    undrawn = first.evaluate(
        """(box) => [...document.querySelectorAll(box + " input[type=radio]")].filter((input) => {
            const label = document.querySelector(`label[for="${input.id}"]`);
            return !label || getComputedStyle(label, "::before").width !== "24px";
        }).map((input) => input.value)""",
        box,
    )
    assert undrawn == []

    # The first viewer keeps a second tab with the form, to try again later.
    again = first.context.new_page()
    again.add_init_script(COUNT_STREAMS)
    again.goto(f"/moeder/{meeting}/")
    expect(again.locator(box).get_by_role("button", name="Vote")).to_be_visible()
    expect(again.locator(f"{box} [data-total]")).to_have_text("0 votes")
    assert again.evaluate(OPEN_POLL_STREAMS) == 1  # the box's, not one more from live.js

    choose(first.locator(box), "Ja")
    first.locator(box).get_by_role("button", name="Vote").click()
    expect(first.locator(box)).to_contain_text("Thank you, your vote is counted.")
    expect(first.locator(f"{box} caption")).to_contain_text("1 vote")
    check_accessible(first)

    # A page left open past its CSRF token: the vote is refused and the viewer is told so
    # in the box, staying in the player with the choice kept; with the token back, it goes.
    [csrf] = [cookie for cookie in second.context.cookies() if cookie["name"] == "csrftoken"]
    second.context.add_cookies([{**csrf, "value": "S" * 32}])
    choose(second.locator(box), "Nej")
    second.locator(box).get_by_role("button", name="Vote").click()
    expect(second.locator(f"{box} [data-poll-message]")).to_contain_text("Reload the page")
    expect(second.locator(f"{box} [data-poll-message]")).to_be_focused()
    expect(second).to_have_url(re.compile(rf"/moeder/{meeting}/$"))
    check_accessible(second)
    provoked(second, 403, f"/afstemninger/{poll}/stem/")
    second.context.add_cookies([csrf])
    expect(second.locator(box).get_by_label("Nej")).to_be_checked()
    second.locator(box).get_by_role("button", name="Vote").click()
    expect(second.locator(f"{box} caption")).to_contain_text("2 votes")
    # The live result reaches the first viewer, who voted before.
    expect(first.locator(f"{box} [data-votes]").first).to_have_text("1")
    expect(first.locator(f"{box} caption")).to_contain_text("2 votes", timeout=15_000)
    expect(first.locator(f"{box} [data-percent]").first).to_have_text("50.0 %")  # as the page
    check_accessible(second)

    # The second try, from the other tab that still shows the form: the same browser (its
    # cookie), the form's own fields; refused kindly, nothing counted twice.
    token = again.locator(f"{box} input[name=csrfmiddlewaretoken]").input_value()
    question = again.locator(f"{box} input[type=radio]").first.get_attribute("name")
    option = again.locator(f"{box} input[type=radio]").nth(1).get_attribute("value")
    refused = first.context.request.post(
        f"/afstemninger/{poll}/stem/",
        form={"csrfmiddlewaretoken": token, question: option},
        headers={
            "X-Requested-With": "fetch",
            "Referer": f"{site.url}/moeder/{meeting}/",
            "Accept-Language": "en-GB",
        },
    )
    assert refused.status == 409
    message = re.search(r"data-poll-message[^>]*>(.*?)</div>", refused.text(), re.S)
    assert message and "already counted" in message.group(1), refused.text()[:1500]
    assert "You have voted. Thank you." in refused.text()
    again.close()
    # One stream for the result, not one more for every box the vote replaced.
    assert first.evaluate(OPEN_POLL_STREAMS) == 1

    # The operator closes it: the viewers see the closed vox pop with its result; the
    # keyboard focus (on the vote's message) stays in the box; no stream is left open.
    expect(second.locator(f"{box} [data-poll-message]")).to_be_focused()
    operator.locator(".console-polls").get_by_role("button", name="Close").click()
    for viewer in (first, second):  # the closed box, fetched again, follows nothing
        expect(viewer.locator(f"{box}[data-live-channel]")).to_have_count(0, timeout=15_000)
        expect(viewer.locator(f"{box} caption")).to_contain_text("2 votes")
        expect(viewer.locator(box)).to_contain_text("This poll is closed.")
    expect(second.locator(f"{box} [data-poll-message]")).to_be_focused()
    assert first.evaluate(OPEN_POLL_STREAMS) == 0
    check_accessible(second)
    for page in (first, second, operator):
        close_page(page)


PHONE = {"device_scale_factor": 3, "is_mobile": True, "has_touch": True}


def test_a_survey_answered_on_a_phone_exports_to_csv_with_danish_letters(browser, site):
    page = open_page(browser, site, **PHONE)
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(f"/moeder/{site.seed['upcoming']}/")
    page.get_by_role("link", name="What do you think of the climate plan?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What do you think of the climate plan?"
    )
    check_accessible(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375  # no sideways scroll
    # Every radio button and checkbox is drawn (DKFDS draws it with its label), matrix too.
    undrawn = page.evaluate(
        """() => [...document.querySelectorAll("form.survey input[type=radio],"
                + " form.survey input[type=checkbox]")].filter((input) => {
            const label = document.querySelector(`label[for="${input.id}"]`);
            return !label || getComputedStyle(label, "::before").width !== "24px";
        }).map((input) => input.name + "=" + input.value)"""
    )
    assert undrawn == []
    age = page.locator("fieldset", has_text="How old are you?")
    assert age.locator("label").bounding_box()["height"] <= 1  # the legend says it once

    follow_up = page.locator("fieldset", has_text="What would make you cycle more often?")
    expect(follow_up).to_be_hidden()
    choose(page.locator("fieldset", has_text="How do you usually get"), "Car")
    expect(follow_up).to_be_visible()
    follow_up.locator("textarea").fill("Æbler, øl og ål: en sikker cykelsti langs Åvej.")
    page.locator("fieldset", has_text="How old are you?").locator("input").fill("42")
    satisfied = page.locator("fieldset", has_text="How satisfied are you with the plan?")
    satisfied.get_by_role("radio", name="4", exact=True).check()  # the drawn circle
    choose(page.locator("fieldset", has_text="Which parts"), "More nature")
    page.get_by_role("radio", name="I would pay more for green energy: Agree").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    expect(page).to_have_url(re.compile(rf"/undersoegelser/{site.seed['survey_slug']}/tak/$"))
    check_accessible(page)
    close_page(page)

    staff = open_page(browser, site, session=site.seed["editor"])
    # The editor reads the admin in Danish (the language cookie, as the language menu sets).
    staff.context.add_cookies([{"name": "django_language", "value": "da", "url": site.url}])
    staff.goto(f"/admin/surveys/survey/{site.seed['survey']}/results/")
    expect(staff.locator("body")).to_contain_text("1 besvarelse")
    check_accessible(staff)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="CSV til Excel (semikolon)").click()
    content = download.value.path().read_bytes()
    # Every answer, respondent by respondent, free text included.
    staff.locator("a[href*='/responses/']").first.click()
    expect(staff.locator(".respondent")).to_contain_text(
        "Æbler, øl og ål: en sikker cykelsti langs Åvej."
    )
    check_accessible(staff)
    close_page(staff)

    assert content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header, answer = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2
    assert header[:3] == ["Respondent", "Indsendt (time)", rows[0][2]]
    assert answer["Hvordan kommer du oftest til arbejde eller skole?"] == "Bil"
    assert answer["Hvad ville få dig til at cykle oftere?"] == (
        "Æbler, øl og ål: en sikker cykelsti langs Åvej."
    )
    assert answer["Hvor gammel er du?"] == "42"
    assert answer["Hvilke dele af planen er vigtigst for dig?: Mere natur"] == "1"
    assert answer["Hvilke dele af planen er vigtigst for dig?: Flere cykelstier"] == "0"
    assert answer["Hvor tilfreds er du med planen?"] == "4"
    assert answer["Hvor enig er du?: Jeg vil gerne betale mere for grøn energi"] == "Enig"


# The staff's side of dialogue: the builder (with its tabular sections), the inbox and lists.
ADMIN_PAGES = [
    "/admin/surveys/survey/{survey}/change/",
    "/admin/surveys/survey/",
    "/admin/polls/poll/{voxpop}/change/",
    "/admin/polls/poll/",
    "/admin/feedback/feedbackmessage/",
]


def test_the_staff_pages_of_dialogue_pass_axe(browser, site):
    page = open_page(browser, site, session=site.seed["editor"])
    for url in ADMIN_PAGES:
        page.goto(url.format(**site.seed))
        check_accessible(page)
    # The sections' table: each input has a label, as a screen reader reads it.
    page.goto(ADMIN_PAGES[0].format(**site.seed))
    expect(page.locator("#id_sections-0-title_da")).to_have_accessible_name("Title (Danish)")
    close_page(page)
