"""An administrator connects the municipality's Mastodon account from the staff home (the
fake server on loopback approves at once), and sees the meeting's post and its log; every
page passes axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from samskab.core.tests.factories import administrator
from samskab.social.models import Account
from samskab.social.tasks import tick
from samskab.social.tests.fakes import FakeMastodon
from samskab.webcasts.tests.factories import MeetingFactory
from tests.e2e.conftest import assert_accessible, current_code

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass,
]


@pytest.fixture
def device() -> dict[str, object]:
    return {"viewport": {"width": 1366, "height": 768}}


@pytest.fixture
def mastodon():
    fake = FakeMastodon().start()
    yield fake
    fake.stop()


def test_an_administrator_connects_mastodon_and_sees_the_post_log(
    page, live_server, settings, site_settings, start_of_a_totp_step, mastodon
):
    settings.SITE_URL = live_server.url
    user, secret = administrator(email="admin@testby.example", password="Admin-pass-123")
    meeting = MeetingFactory(
        title="Byrådsmøde", body__name="Byrådet", starts_at=timezone.now() + timedelta(days=1)
    )
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill("Admin-pass-123")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("main button.button-primary").click()
    page.wait_for_url(re.compile(r"/personale/$"))

    page.get_by_role("link", name="Social media accounts").click()
    page.wait_for_url(re.compile(r"/sociale-medier/$"))
    assert_accessible(page)
    page.get_by_role("link", name="Add an account").click()
    page.get_by_label("Network", exact=True).select_option("mastodon")
    page.get_by_label("Name", exact=True).fill("Kommunen på Mastodon")
    page.locator("input[name=server_url]").fill(mastodon.url)
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/sociale-medier/$"))

    # Connect: to the server's approval page (the fake approves at once) and back.
    page.get_by_role("button", name=re.compile("^Connect")).click()
    page.wait_for_url(re.compile(r"/sociale-medier/$"))
    assert page.get_by_text("Kommunen på Mastodon is connected.").is_visible()
    account = Account.objects.get()
    assert account.status == Account.Status.CONNECTED and account.handle == "kommune"
    assert_accessible(page)

    tick()
    assert len(mastodon.statuses) == 1
    page.goto("/personale/")
    page.locator(f"[data-meeting='{meeting.pk}']").get_by_role(
        "link", name=re.compile("Social media posts")
    ).click()
    page.wait_for_url(re.compile(rf"/sociale-medier/moede/{meeting.pk}/$"))
    post = page.locator("[data-kind=published]")
    assert post.get_attribute("data-status") == "sent"
    post.locator("summary").click()
    assert post.get_by_text(re.compile(r"Posted: http://127\.0\.0\.1")).is_visible()
    # The reminder waits, editable.
    assert page.locator("[data-kind=soon] textarea").first.is_visible()
    assert_accessible(page)

    # This meeting goes without Mastodon: the editor unticks it; the reminder is held.
    choice = page.get_by_role("group", name=re.compile("Accounts used for this meeting"))
    choice.get_by_role("checkbox", name=re.compile("Kommunen på Mastodon")).uncheck()
    page.get_by_role("button", name="Save the choice").click()
    page.wait_for_url(re.compile(rf"/sociale-medier/moede/{meeting.pk}/#social-accounts$"))
    mastodon_box = page.get_by_role("checkbox", name=re.compile("Kommunen på Mastodon"))
    assert not mastodon_box.is_checked()
    assert (
        page.locator("[data-kind=soon] strong")
        .get_by_text("Held: the account is turned off for this meeting.")
        .is_visible()
    )
    assert_accessible(page)
