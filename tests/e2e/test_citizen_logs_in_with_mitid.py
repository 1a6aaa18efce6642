"""A citizen logs in through (the demo's fake) NemLog-in, is verified as a resident by MitID
without typing a number, and votes in the budget; an association logs in with MitID
Erhverv and comments under its own name."""

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from samskab.accounts.nemlogin.config import nemlogin_socialaccount_providers
from samskab.accounts.nemlogin.simulator import demo_identity
from samskab.accounts.tests.factories import UserFactory
from samskab.accounts.tests.factories_census import import_census
from samskab.budgets.models import Ballot
from samskab.budgets.tests.factories import HeadingFactory, ProjectFactory
from tests.e2e.conftest import assert_accessible

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


@pytest.fixture
def nemlogin(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.NEMLOGIN_ENTITY_ID = live_server.url + "/accounts/nemlogin/metadata/"
    settings.NEMLOGIN_SIMULATOR = True
    settings.NEMLOGIN_IDP_METADATA = ""
    settings.RESIDENCE_TYPED_CHECK = False
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        **nemlogin_socialaccount_providers(enabled=True, name="MitID (demo)"),
    }


def _log_in_with_mitid(page, person: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="MitID (demo)").click()
    page.wait_for_url("**/accounts/nemlogin/login/**")
    assert_accessible(page)
    page.get_by_role("button", name="Continue to MitID").click()
    page.wait_for_url("**/demo-idp/sso/**")
    assert_accessible(page)
    page.locator(f"#identity-{person}").check()
    page.get_by_role("button", name="Log in", exact=True).click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue to Samskab").click()


def test_a_resident_logs_in_with_mitid_and_votes_without_typing_a_number(
    page, site_settings, nemlogin
):
    import_census(("010190-1234", "1990-01-01", "8000"))
    anna = demo_identity("anna")
    user = UserFactory(email="anna@example.org")
    SocialAccount.objects.create(user=user, provider="nemlogin", uid=anna.subject)
    heading = HeadingFactory(name="Midtbyen", amount=300_000)
    park = ProjectFactory(heading=heading, title="Legeplads", price=150_000)

    _log_in_with_mitid(page, "anna")

    # The first page after the login says so (the message is shown once).
    assert "MitID has confirmed that you live in the municipality" in page.content()
    user.refresh_from_db()
    assert user.is_resident_verified
    page.goto(f"/borgerbudget/{heading.group.budget_id}/omraade/{heading.pk}/stemmeseddel/")
    page.locator(f"#project-{park.pk}").check()
    with page.expect_navigation():
        page.locator("button.button-primary").click()
    assert "Your ballot is saved" in page.content()
    assert list(Ballot.objects.get(user=user).lines.values_list("project_id", flat=True)) == [
        park.pk
    ]


def test_an_association_comments_under_its_own_name(page, site_settings, nemlogin):
    forening = demo_identity("forening")
    user = UserFactory(email="formand@example.org", display_name="Dorte Privat")
    SocialAccount.objects.create(user=user, provider="nemlogin", uid=forening.subject)
    heading = HeadingFactory(name="Midtbyen", amount=300_000)
    park = ProjectFactory(heading=heading, title="Legeplads", price=150_000)

    _log_in_with_mitid(page, "forening")

    page.goto(park.get_absolute_url())
    # The page's own requests done first: the test server shares one SQLite connection
    # between its threads, and a request beside the post can make the post fail.
    page.wait_for_load_state("networkidle")
    page.locator("textarea[name=body]").first.fill("Foreningen støtter legepladsen.")
    page.locator("form.comment-form button[type=submit]").first.click()
    # The comment is on the page the post leads to; only then is the page loaded again (a
    # reload while the post's redirect is under way finds no page: "Not attached").
    signed = page.locator("strong[id$='-by']").filter(has_text="Grundejerforeningen Søbakken")
    expect(signed.first).to_be_visible()
    page.reload()
    # The comment is signed by the organisation; the person's own name is not shown on it
    # (the header shows the person their own account, as always).
    authors = page.locator("strong[id$='-by']").all_inner_texts()
    assert "Grundejerforeningen Søbakken" in authors
    assert "Dorte Privat" not in authors
    assert_accessible(page)
