"""A whole binding vote, on a phone: a verified resident votes on the web and keeps the
receipt code, a poll officer at a booth finds that resident already voted and records
another on paper, an editor closes the vote, the officer enters the count and the recount
and they reconcile, the editor publishes, the results show web and booth with the turnout,
and the voter checks the receipt. Every page passes axe; the ballot shares no key with
the voter."""

import re

import pytest

from samskab.accounts.roles import Role, roles_sync
from samskab.accounts.tests.factories import PASSWORD, StaffFactory, with_totp
from samskab.votes.models import Ballot, Participation, Question, Reconciliation
from samskab.votes.services import vote_areas_set
from samskab.votes.tests.factories import booth_with_officer, resident, vote_with_questions
from samskab.votes.tests.test_areas import TWO_DISTRICTS
from tests.e2e.conftest import PHONE, assert_accessible, current_code

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass(on="postgres"),
]


def _log_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _staff_page(browser, live_server, device, user, secret):
    """A staff member's own browser: each signs in once (a code is good once)."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **device)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret))
    with page.expect_navigation():
        page.locator("main button.button-primary").click()
    return page


def _drop_expected_refusals(page, fragment: str) -> None:
    # A refusal is answered 400/403 on purpose; nothing else may have gone wrong.
    page.problems[:] = [p for p in page.problems if fragment not in p and "status of 40" not in p]


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_a_whole_binding_vote(
    page, browser, live_server, device, site_settings, start_of_a_totp_step
):
    roles_sync()
    vote = vote_with_questions(postal_codes="8000 8200")
    booth, officer = booth_with_officer(vote)
    officer_secret = with_totp(officer)
    editor = StaffFactory(role=Role.EDITOR)
    vote_areas_set(vote=vote, by=editor, text=TWO_DISTRICTS)
    editor_secret = with_totp(editor)
    web_voter, web_ident = resident()
    _paper_voter, paper_ident = resident()

    # A verified resident votes on the web.
    _log_in(page, web_voter)
    page.goto("/bindende-afstemninger/")
    assert_accessible(page)
    page.get_by_role("link", name=vote.title).click()
    page.wait_for_url(f"**{vote.get_absolute_url()}")
    assert page.get_by_text("Byrådet følger resultatet.").first.is_visible()
    # The district map has each postal code written on its district and the list beside it.
    assert page.locator(".places-map-label", has_text="8200").is_visible()
    assert page.get_by_role("img", name="8000 Aarhus C").count() == 1
    districts = page.get_by_role("list", name="The postal districts on the map")
    assert districts.get_by_role("listitem").all_inner_texts() == ["8000 Aarhus C", "8200 Aarhus N"]
    assert page.evaluate("document.documentElement.scrollWidth") <= device["viewport"]["width"]
    assert_accessible(page)
    single = vote.questions.get(kind=Question.Kind.SINGLE)
    # The inputs are drawn by their labels (the design system's radios and checkboxes).
    for text in ("Åbent", "Bænke", "Træer", "Yes"):
        page.locator("label", has_text=re.compile(f"^{text}$")).click()
    assert page.get_by_label("Åbent").is_checked() and page.get_by_label("Træer").is_checked()
    ranking = vote.questions.get(kind=Question.Kind.RANKING)
    for place, answer in enumerate(ranking.answers.all(), start=1):
        page.locator(f"#rank-{ranking.pk}-{answer.pk}").select_option(str(4 - place))
    with page.expect_navigation():
        page.get_by_role("button", name="Cast my ballot").click()
    assert page.get_by_role("heading", name="Your ballot is cast").is_visible()
    assert_accessible(page)
    receipt = page.locator("[data-receipt]").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)

    # The officer on shift finds that resident already voted, and records another on paper.
    resident_page, page = page, _staff_page(browser, live_server, device, officer, officer_secret)
    page.goto(vote.get_absolute_url())
    page.get_by_role("link", name=f"Booth desk: {booth.name}").click()
    page.wait_for_url(f"**/afstemningssted/{booth.pk}/")
    assert_accessible(page)
    page.get_by_label("Identifier (CPR number) from the polling card or ID").fill(web_ident)
    with page.expect_navigation():
        page.get_by_role("button", name="Look up").click()
    assert "Already voted on the web" in page.locator("[data-lookup]").inner_text()
    assert page.get_by_role("button", name="Record the paper vote").count() == 0
    assert_accessible(page)
    page.get_by_label("Identifier (CPR number) from the polling card or ID").fill(paper_ident)
    with page.expect_navigation():
        page.get_by_role("button", name="Look up").click()
    assert "May vote" in page.locator("[data-lookup]").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the paper vote").click()
    assert page.get_by_text("Recorded: the person voted on paper.").is_visible()
    assert_accessible(page)
    assert Participation.objects.filter(channel="booth").count() == 1

    # The editor closes the vote.
    officer_page = page
    editor_page = page = _staff_page(browser, live_server, device, editor, editor_secret)
    page.goto(vote.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Close the vote").click()
    assert_accessible(page)

    # The officer counts the box twice: one ballot, for the first answer of each question.
    page = officer_page
    page.goto(f"/bindende-afstemninger/afstemningssted/{booth.pk}/optaelling/")
    assert_accessible(page)
    for kind in ("Count", "Recount"):
        page.locator("label", has_text=re.compile(f"^{kind}$")).click()
        page.get_by_label("Ballots in the box").fill("1")
        for question in vote.questions.all():
            first = question.answers.first()
            if question.kind == Question.Kind.RANKING:
                page.locator(f"#rankings-{question.pk}").fill("1: 1, 2")
            else:
                page.locator(f"#a-{first.pk}").fill("1")
        with page.expect_navigation():
            page.get_by_role("button", name="Save the totals").click()
    assert page.get_by_text("The totals reconcile").is_visible()
    assert_accessible(page)
    assert Reconciliation.objects.get().reconciles

    # The editor publishes; the results show web and booth apart and together.
    page = editor_page
    page.goto(f"/bindende-afstemninger/{vote.pk}/stemmesteder/")
    assert page.get_by_text("Reconciles").first.is_visible()
    assert_accessible(page)
    page.goto(vote.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Count and publish the results").click()
    page.get_by_role("link", name="See the results").click()
    page.wait_for_url("**/resultater/")
    table = page.get_by_role("table", name="Votes per answer").first
    assert "Åbent" in table.inner_text() and "Grønt" in table.inner_text()
    assert page.get_by_text("Fewer than five people voted").is_visible()
    assert page.get_by_role("heading", name="Instant-runoff rounds").is_visible()
    assert_accessible(page)
    results = vote.__class__.objects.get(pk=vote.pk).results
    first_question = next(q for q in results["questions"] if q["id"] == single.pk)
    assert first_question["ballots"] == {"web": 1, "booth": 1, "total": 2}

    # The voter checks the receipt, signed out.
    page = resident_page
    page.context.clear_cookies()
    page.goto(f"/bindende-afstemninger/{vote.pk}/kvittering/")
    page.get_by_label("Receipt code").fill(receipt.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()
    assert page.locator("[data-counted]").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="The published list of counted ballots").click()
    assert_accessible(page)

    # The hidden link is absent: the ballot holds neither the voter nor the moment.
    ballot = Ballot.objects.get()
    columns = {f.name for f in Ballot._meta.concrete_fields}
    assert columns == {"id", "vote", "day", "content", "receipt"}
    assert set(ballot.content) == {str(q.pk) for q in vote.questions.all()}
    assert not any(f.is_relation and f.name != "vote" for f in Ballot._meta.get_fields())
    _drop_expected_refusals(page, "bindende-afstemninger")
