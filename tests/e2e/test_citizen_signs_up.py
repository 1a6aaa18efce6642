"""A citizen creates an account, confirms the e-mail address and logs in by keyboard."""

import re

import pytest
from django.core import mail

from tests.e2e.conftest import assert_accessible, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "ny.borger@testby.example"
PASSWORD = "Sommerfugl-i-haven-42"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def test_a_citizen_signs_up_confirms_and_logs_in(page, site_settings):
    page.goto("/")
    page.locator("main").get_by_role("link", name=re.compile("create an account", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/signup/$"))
    assert_accessible(page)

    # A form sent with mismatched passwords comes back with a summary that leads to the field.
    page.get_by_label("E-mail").fill(EMAIL)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD + "x")
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
    page.locator(".portal-user button.log-off").click()
    page.wait_for_url(re.compile(r"/$"))
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


def test_a_wrong_password_is_refused_with_a_message_tied_to_the_form(page, site_settings):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("main button[type=submit]").click()
    summary = page.locator("[data-module=error-summary]")
    assert summary.is_visible()
    assert "/accounts/login/" in page.url
    assert_accessible(page)
