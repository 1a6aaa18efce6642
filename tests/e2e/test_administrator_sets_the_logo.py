"""An administrator logs in with a second factor and gives the site its logo."""

import re

import pytest

from samskab.core.tests.factories import SVG_LOGO, administrator, png_bytes
from tests.e2e.conftest import assert_accessible, current_code

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


def test_an_administrator_with_totp_uploads_a_logo_that_the_front_page_shows(
    page, site_settings, tmp_path, start_of_a_totp_step
):
    user, secret = administrator(password="Admin-pass-123")

    page.goto("/admin/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill("Admin-pass-123")
    page.locator("main button[type=submit]").click()

    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    assert_accessible(page)
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main button.button-primary").click()

    page.wait_for_url(re.compile(r"/admin/$"))
    assert "Testby Kommune" in page.title()
    assert_accessible(page)

    page.locator("#content-main th a[href='/admin/core/sitesettings/']").click()
    page.wait_for_url(re.compile(r"/admin/core/sitesettings/1/change/$"))
    assert_accessible(page)

    # An SVG is refused with a message and the page says what to use instead.
    svg = tmp_path / "logo.svg"
    svg.write_bytes(SVG_LOGO)
    page.locator("input[name=logo]").set_input_files(str(svg))
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert page.locator(".errorlist").get_by_text("Use PNG, JPEG or WebP").is_visible()
    assert_accessible(page)

    png = tmp_path / "logo.png"
    png.write_bytes(png_bytes())
    page.locator("input[name=logo]").set_input_files(str(png))
    page.locator("input[name=logo_alt]").fill("Testby Kommunes våben")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert page.locator(".messagelist .success").is_visible()

    page.goto("/")
    logo = page.locator("header .samskab-brand img")
    assert logo.get_attribute("alt") == "Testby Kommunes våben"
    assert page.evaluate("(img) => img.complete && img.naturalWidth", logo.element_handle()) == 120
    assert_accessible(page)
