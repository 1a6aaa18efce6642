"""On a phone: a citizen opens a debate, another agrees, then disagrees (one vote remains),
then takes the vote back by choosing the same again; every page passes axe."""

import pytest

from samskab.accounts.tests.factories import PASSWORD, UserFactory
from samskab.debates.models import Debate, DebateVote
from samskab.debates.tests.factories import AreaFactory
from tests.e2e.conftest import PHONE, assert_accessible, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


def _log_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_a_debate_is_opened_and_a_changed_vote_leaves_one_vote(page, site_settings):
    AreaFactory(name="Nordbyen")
    author, voter = UserFactory(), UserFactory()

    _log_in(page, author)
    page.goto("/debatter/")
    assert_accessible(page)
    page.get_by_role("link", name="Open a debate").click()
    page.wait_for_url("**/debatter/ny/")
    assert_accessible(page)
    page.get_by_label("Title").fill("Skal der være en hundeskov i Nordbyen?")
    page.get_by_label("Text").fill("Der er ingen indhegnet hundeskov nord for åen.")
    page.get_by_label("Tags").fill("natur, hunde")
    page.get_by_label("Area").select_option(label="Nordbyen")
    page.get_by_role("button", name="Open the debate").click()
    page.wait_for_url("**/debatter/*/")
    debate = Debate.objects.get()
    assert page.get_by_role("heading", level=1).inner_text() == debate.title
    assert_accessible(page)

    _log_in(page, voter)
    page.goto("/debatter/?tag=hunde")
    assert_accessible(page)
    page.get_by_role("link", name=debate.title).click()
    page.wait_for_url(f"**{debate.get_absolute_url()}")
    agree = page.get_by_role("button", name="Agree", exact=True)
    disagree = page.get_by_role("button", name="Disagree", exact=True)
    # By keyboard: Tab to "Agree" and press Enter (htmx swaps the vote box in place).
    tab_to(page, "button[name=value][value='1']")
    page.keyboard.press("Enter")
    page.wait_for_selector("button[value='1'][aria-pressed=true]")
    assert "1 agrees" in page.locator("#debate-vote").inner_text()
    disagree.click()
    page.wait_for_selector("button[value='-1'][aria-pressed=true]")
    text = page.locator("#debate-vote").inner_text()
    assert "0 agree" in text and "1 disagrees" in text
    assert agree.get_attribute("aria-pressed") == "false"
    assert_accessible(page)
    assert list(DebateVote.objects.values_list("user_id", "value")) == [(voter.pk, -1)]

    # The same choice again takes the vote back.
    disagree.click()
    page.wait_for_selector("button[value='-1'][aria-pressed=false]")
    assert not DebateVote.objects.exists()
    page.reload()
    assert "0 disagree" in page.locator("#debate-vote").inner_text()
    assert_accessible(page)
