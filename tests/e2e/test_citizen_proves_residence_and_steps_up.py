"""Two ways identity is proven beyond an e-mail login, in the browser.

The letter: on a site with the typed residence check, a citizen types their CPR number,
birth date and postal code and is told a letter is coming; an administrator hands the
waiting letters to the mail room as a CSV from the admin; the citizen types a wrong code
(and is told the tries left), then the code from the letter, and is a verified resident.

Step-up: a verified resident logged in by e-mail opens a binding vote that asks for MitID
at level substantial. The page says so before the ballot, sends them through the (demo's
fake) NemLog-in, and brings them back to the same page, where they vote.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount

from samskab.accounts.models import ResidenceLetter, ResidenceVerification
from samskab.accounts.nemlogin.simulator import demo_identity
from samskab.accounts.tests.factories import PASSWORD
from samskab.accounts.tests.factories_census import ANNA, citizen, import_census
from samskab.accounts.tests.factories_census import PASSWORD as CITIZEN_PASSWORD
from samskab.core.tests.factories import administrator
from samskab.votes.models import Participation, Question
from samskab.votes.tests.factories import resident, vote_with_questions
from tests.e2e.conftest import assert_accessible, current_code
from tests.e2e.test_citizen_logs_in_with_mitid import nemlogin  # noqa: F401  (a fixture)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]

ADMIN_PASSWORD = "Admin-pass-123"


def _log_in_by_email(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def _admin_page(browser, live_server, device):
    """The administrator's own browser, logged in with password and second factor."""
    user, secret = administrator(password=ADMIN_PASSWORD)
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **device)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret))
    with page.expect_navigation():
        page.locator("main button.button-primary").click()
    return page


def test_a_citizen_is_verified_by_the_code_in_a_letter(
    page, browser, live_server, device, site_settings, settings, start_of_a_totp_step
):
    settings.RESIDENCE_TYPED_CHECK = True
    import_census(ANNA)
    anna = citizen("anna@example.org")

    # The citizen types the census details and is told a letter is coming.
    _log_in_by_email(page, anna.email, CITIZEN_PASSWORD)
    page.goto("/konto/bopael/")
    assert_accessible(page)
    page.get_by_label("CPR number").fill("010190-1234")
    page.get_by_label("Date of birth").fill("01-01-1990")
    page.get_by_label("Postal code").fill("8000")
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    assert page.get_by_text("A letter with a one-time code is on its way").is_visible()
    assert page.get_by_role("heading", name="Enter the code from your letter").is_visible()
    assert_accessible(page)
    anna.refresh_from_db()
    assert not anna.is_resident_verified

    # The administrator hands the waiting letters to the mail room.
    admin = _admin_page(browser, live_server, device)
    admin.goto("/admin/accounts/residenceletter/")
    assert_accessible(admin)
    assert "0101901234" not in admin.content()
    with admin.expect_download() as waiting:
        admin.get_by_role("button", name="Hand the waiting letters to the mail room (CSV)").click()
    text = Path(waiting.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [row["cpr_number"] for row in rows] == ["0101901234"]
    code = rows[0]["code"]
    assert re.fullmatch(r"\d{8}", code) and code in rows[0]["text"]
    assert ResidenceLetter.objects.get().sealed == ""  # erased once handed over
    admin.context.close()

    # A wrong code is refused with the tries left; the letter's code verifies.
    wrong = "00000000" if code != "00000000" else "11111111"
    page.get_by_label("Code from the letter").fill(wrong)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    assert page.get_by_text("The code is not right").first.is_visible()
    assert "You have 4 tries left." in page.content()
    assert_accessible(page)
    page.get_by_label("Code from the letter").fill(code[:4] + " " + code[4:])
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    assert page.get_by_text("Your account is now verified as a resident").is_visible()
    assert ResidenceVerification.objects.get(user=anna).method == "letter"
    assert_accessible(page)


def test_a_resident_logged_in_by_email_steps_up_with_mitid_and_votes(
    page,
    site_settings,
    nemlogin,  # noqa: F811
):
    vote = vote_with_questions()
    assert vote.assurance == "substantial"
    voter, _identifier = resident()
    SocialAccount.objects.create(user=voter, provider="nemlogin", uid=demo_identity("anna").subject)

    _log_in_by_email(page, voter.email)
    page.goto(vote.get_absolute_url())
    # Said before the ballot, and no ballot to fill in and lose on the way.
    notice = page.locator("#step-up-notice")
    assert notice.get_by_text(
        "Before you vote: you must log in with MitID at assurance level substantial."
    ).is_visible()
    assert page.get_by_role("button", name="Cast my ballot").count() == 0
    assert_accessible(page)

    notice.get_by_role("link", name="Log in with MitID").click()
    page.wait_for_url("**/accounts/nemlogin/login/**")
    page.get_by_role("button", name="Continue to MitID").click()
    page.wait_for_url("**/demo-idp/sso/**")
    assert page.get_by_text("Samskab asks for assurance level Substantial or higher.").is_visible()
    page.locator("#identity-anna").check()
    page.get_by_role("button", name="Log in", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to Samskab").click()

    # Back on the same page, at the level, with the ballot.
    page.wait_for_url(f"**{vote.get_absolute_url()}")
    assert page.get_by_text(
        "You are logged in with MitID at assurance level substantial, as voting here requires."
    ).is_visible()
    assert_accessible(page)
    for text in ("Åbent", "Bænke", "Træer", "Yes"):
        page.locator("label", has_text=re.compile(f"^{text}$")).click()
    ranking = vote.questions.get(kind=Question.Kind.RANKING)
    for place, answer in enumerate(ranking.answers.all(), start=1):
        page.locator(f"#rank-{ranking.pk}-{answer.pk}").select_option(str(place))
    with page.expect_navigation():
        page.get_by_role("button", name="Cast my ballot").click()
    assert page.get_by_role("heading", name="Your ballot is cast").is_visible()
    assert Participation.objects.filter(vote=vote).count() == 1


@pytest.fixture
def broker(settings, live_server):
    """Only a commercial MitID broker (the fake one on loopback), no NemLog-in."""
    from samskab.accounts.mitid.config import mitid_socialaccount_providers
    from samskab.accounts.mitid.levels import broker_acr
    from samskab.accounts.tests.fake_oidc import FakeOIDCProvider

    provider = FakeOIDCProvider().start()
    provider.acr_as_asked = True
    settings.NEMLOGIN_SIMULATOR = False
    settings.NEMLOGIN_IDP_METADATA = ""
    settings.MITID_OIDC_BROKER = "idura"
    settings.MITID_ACCEPTED_ACR = broker_acr("idura")
    settings.SOCIALACCOUNT_PROVIDERS = mitid_socialaccount_providers(
        server_url=provider.issuer,
        client_id=provider.client_id,
        secret=provider.client_secret,
        fetch_userinfo=False,
    )
    yield provider
    provider.stop()


def test_a_resident_steps_up_through_a_mitid_broker_and_fills_in_the_budget_ballot(
    page, site_settings, broker
):
    from samskab.budgets.models import Ballot
    from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory

    heading = HeadingFactory(name="Midtbyen", amount=300_000)
    park = ProjectFactory(heading=heading, title="Legeplads", price=150_000)
    budget = heading.group.budget
    budget.ballot_assurance = "substantial"
    budget.save()
    voter, _identifier = resident()
    SocialAccount.objects.create(user=voter, provider="mitid", uid=broker.subject)

    _log_in_by_email(page, voter.email)
    page.goto(f"/borgerbudget/{budget.pk}/omraade/{heading.pk}/")
    assert (
        page.locator("#step-up-notice")
        .get_by_text("Before you vote: you must log in with MitID at assurance level substantial.")
        .is_visible()
    )
    assert_accessible(page)

    page.get_by_role("link", name="Fill in your ballot").click()
    page.wait_for_url("**/accounts/mitid/login/**")
    assert_accessible(page)
    with page.expect_navigation(url=re.compile(r"/stemmeseddel/$")):
        page.locator("main button[type=submit]").click()

    # The broker was asked for substantial in its own words, and the ballot opened.
    assert broker.authorize_requests[-1]["acr_values"] == "urn:grn:authn:dk:mitid:substantial"
    assert "code_challenge" in broker.authorize_requests[-1]
    page.locator(f"#project-{park.pk}").check()
    with page.expect_navigation():
        page.locator("button.button-primary").click()
    assert "Your ballot is saved" in page.content()
    assert list(Ballot.objects.get(user=voter).lines.values_list("project_id", flat=True)) == [
        park.pk
    ]
    assert_accessible(page)
