"""The notification centre, the settings page, and one-click unsubscribe (RFC 8058)."""

import pytest
from django.test import Client
from django.urls import reverse

from samskab.accounts.tests.factories import UserFactory
from samskab.activity.services import event_record
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.notifications import services
from samskab.notifications.models import Mode, Notification, Preference

pytestmark = pytest.mark.django_db

KIND = "kernelapp.idea.answered"


@pytest.fixture
def idea():
    author = UserFactory(email="forfatter@example.org")
    box = IdeaBox.objects.create(title="Byens rum")
    return Idea.objects.create(box=box, title="Flere bænke", author=author, language="da")


def answer(idea, capture, note=""):
    with capture(execute=True):
        event_record(target=idea, kind="answered", note=note)


def test_the_centre_lists_marks_one_and_marks_all_read(
    client, idea, django_capture_on_commit_callbacks
):
    answer(idea, django_capture_on_commit_callbacks, note="Første")
    answer(idea, django_capture_on_commit_callbacks, note="Andet")
    client.force_login(idea.author)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Første" in page and "Andet" in page and "Flere bænke" in page
    assert 'data-notifications-badge><span class="sr-only">' in page  # the header's count
    assert "<span data-notifications-count>2</span>" in page
    first, _second = Notification.objects.order_by("pk")
    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302 and services.unread_count(idea.author) == 1
    client.post(reverse("notifications:read_all"))
    assert services.unread_count(idea.author) == 0
    page = client.get(reverse("notifications:list")).content.decode()
    assert "<span data-notifications-count>0</span>" in page


def test_one_cannot_read_another_person_s_notification(
    client, idea, django_capture_on_commit_callbacks
):
    answer(idea, django_capture_on_commit_callbacks)
    [row] = Notification.objects.all()
    client.force_login(UserFactory())
    client.post(reverse("notifications:read", args=[row.pk]))
    row.refresh_from_db()
    assert row.read_at is None
    assert "Flere bænke" not in client.get(reverse("notifications:list")).content.decode()


def test_the_centre_and_settings_need_a_login(client):
    for name in ("notifications:list", "notifications:settings"):
        assert client.get(reverse(name)).status_code == 302


def test_settings_choose_a_mode_per_kind_and_the_account_page_links_them(client, idea):
    client.force_login(idea.author)
    assert reverse("notifications:settings") in client.get("/konto/").content.decode()
    page = client.get(reverse("notifications:settings")).content.decode()
    assert f'name="{KIND}"' in page
    response = client.post(reverse("notifications:settings"), {KIND: Mode.DIGEST})
    assert response.status_code == 302
    assert Preference.objects.get(user=idea.author, kind=KIND).mode == Mode.DIGEST
    assert client.post(reverse("notifications:settings"), {KIND: "loud"}).status_code == 200


def test_one_click_unsubscribe_works_without_login_or_csrf(idea):
    url = reverse(
        "notifications:unsubscribe", args=[services.unsubscribe_token(idea.author.pk, KIND)]
    )
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200 and not Preference.objects.exists()  # GET only asks
    assert f'action="{url}"' in page.content.decode()
    response = browser.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Preference.objects.get(user=idea.author, kind=KIND).mode == Mode.NEVER


def test_a_bad_or_foreign_token_is_refused(idea):
    browser = Client(enforce_csrf_checks=True)
    good = services.unsubscribe_token(idea.author.pk, KIND)
    for token in (
        good[:-2] + "xx",
        "nonsense",
        services.unsubscribe_token(idea.author.pk, "x.y.z"),
    ):
        url = reverse("notifications:unsubscribe", args=[token])
        assert browser.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 404
    assert not Preference.objects.exists()


def test_the_digest_link_turns_every_digest_kind_off(idea):
    services.preference_set(user=idea.author, kind=KIND, mode=Mode.DIGEST)
    url = reverse(
        "notifications:unsubscribe", args=[services.unsubscribe_token(idea.author.pk, "digest")]
    )
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert Preference.objects.get(user=idea.author, kind=KIND).mode == Mode.NEVER


def test_only_the_person_may_listen_to_their_channel(idea):
    from django.contrib.auth.models import AnonymousUser

    from samskab.notifications.receivers import own_channel

    assert own_channel(idea.author, None, str(idea.author.pk))
    assert not own_channel(UserFactory(), None, str(idea.author.pk))
    assert not own_channel(AnonymousUser(), None, str(idea.author.pk))


def test_the_header_count_follows_its_live_channel_only_under_asgi():
    """Under WSGI (runserver, a test server) there is no stream to follow, and polling it
    from every page added requests that raced the page's own (a browser test found it)."""
    from django.core.handlers.asgi import ASGIRequest
    from django.test import AsyncRequestFactory, RequestFactory

    from samskab.notifications.templatetags.notifications import notifications_live_attrs

    user = UserFactory()
    wsgi = RequestFactory().get("/")
    asgi = AsyncRequestFactory().get("/")
    assert isinstance(asgi, ASGIRequest)
    assert notifications_live_attrs({"user": user, "request": wsgi}) == ""
    attrs = notifications_live_attrs({"user": user, "request": asgi})
    assert f'data-live-channel="notifications:{user.pk}"' in attrs
