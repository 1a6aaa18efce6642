"""A citizen creates an account, confirms the address, logs in by keyboard, adds a second factor."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail

from samskab.accounts.models import User
from tests.e2e.conftest import assert_accessible, current_code, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]

EMAIL = "ny.borger@testby.example"
PASSWORD = "Sommerfugl-i-haven-42"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def test_a_citizen_signs_up_confirms_and_logs_in(page, live_server, site_settings):
    page.goto("/")
    page.locator("main").get_by_role("link", name=re.compile("create an account", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/signup/$"))
    assert_accessible(page)

    # A form sent with mismatched passwords comes back with a summary that leads to the field.
    page.get_by_label(re.compile(r"^E-?mail")).fill(EMAIL)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD + "x")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    summary = page.locator("[data-module=error-summary]")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.dataset.module") == "error-summary"
    assert page.locator("input[name=password2]").get_attribute("aria-invalid") == "true"
    described_by = page.locator("input[name=password2]").get_attribute("aria-describedby")
    assert page.locator(f"#{described_by.split()[-1]}").inner_text().strip()
    assert_accessible(page)
    assert mail.outbox == []

    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert_accessible(page)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    link = CONFIRM_LINK.search(mail.outbox[0].body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/konto/$"))
    assert page.locator(".alert-success").count() >= 1
    assert_accessible(page)

    # Log out through the header's form, then back in with the keyboard alone.
    with page.expect_navigation():
        page.locator(".portal-user button.log-off").click()
    assert page.url == f"{live_server.url}/"
    assert page.locator(".portal-user a.log-on").is_visible()
    page.goto("/accounts/login/")
    tab_to(page, "input[name=login]")
    page.keyboard.type(EMAIL)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/konto/")
    assert page.locator(".portal-user").get_by_text(EMAIL).is_visible()
    assert_accessible(page)


def test_a_wrong_password_is_refused_and_the_citizen_can_ask_for_a_new_one(page, site_settings):
    user = User.objects.create_user(email=EMAIL, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill("not-the-password")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert page.locator("[data-module=error-summary]").is_visible()
    assert "/accounts/login/" in page.url
    assert_accessible(page)

    with page.expect_navigation():
        page.locator("a[href='/accounts/password/reset/']").click()
    assert_accessible(page)
    page.locator("input[name=email]").fill(EMAIL)
    with page.expect_navigation():
        page.locator("main button.button-primary").click()
    assert "/accounts/password/reset/done/" in page.url
    assert_accessible(page)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]


def test_a_citizen_sets_up_an_authenticator_app_and_sees_the_account_pages(
    page, site_settings, start_of_a_totp_step
):
    user = User.objects.create_user(email=EMAIL, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()

    page.goto("/accounts/2fa/")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("main a[href='/accounts/2fa/totp/activate/']").click()
    # Setting up a second factor asks for the password again first.
    assert "/accounts/reauthenticate/" in page.url
    assert_accessible(page)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button.button-primary").click()

    # The secret is shown read-only (to copy into the app) beside the QR code.
    secret = page.locator("#authenticator_secret").input_value()
    assert page.locator("#authenticator_secret").get_attribute("readonly") is not None
    assert page.locator("img.samskab-qr").get_attribute("alt")
    assert_accessible(page)

    page.locator("input[name=code]").fill(current_code(secret))
    with page.expect_navigation():
        page.locator("main button.button-primary").click()
    assert page.locator(".alert-success").count() >= 1
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert_accessible(page)

    # The other account pages in the same look, as accessible.
    page.goto("/accounts/sessions/")
    assert page.locator("td[data-title]").first.is_visible()
    assert_accessible(page)
    page.goto("/accounts/password/change/")
    assert_accessible(page)
