"""Who is told about a step, how, and once: on the test suite's own capability
(core/tests/kernelapp), which only registered its models and one kind of step."""

import pytest
from django.core import mail as django_mail

from samskab.accounts.tests.factories import UserFactory
from samskab.activity.services import event_record
from samskab.core.tests.kernelapp.models import Idea, IdeaBox
from samskab.follows.services import follow_add
from samskab.notifications import services
from samskab.notifications.models import Mode, Notification, State

pytestmark = pytest.mark.django_db

KIND = "kernelapp.idea.answered"


@pytest.fixture
def idea():
    author = UserFactory(email="forfatter@example.org")
    box = IdeaBox.objects.create(title="Byens rum")
    return Idea.objects.create(box=box, title="Flere bænke", author=author, language="da")


def record(idea, capture, **kwargs):
    with capture(execute=True):
        return event_record(target=idea, kind="answered", **kwargs)


def test_author_and_followers_of_the_idea_and_its_box_are_told_once_each(
    idea, smtp_inbox, django_capture_on_commit_callbacks
):
    both = UserFactory(email="both@example.org")
    box_only = UserFactory(email="box@example.org")
    follow_add(target=idea.box, user=both, language="da")
    follow_add(target=idea, user=both, language="en")  # the idea's own follow wins
    follow_add(target=idea.box, user=box_only, language="da")
    follow_add(target=idea, user=idea.author, language="en")  # the author follows too
    event = record(idea, django_capture_on_commit_callbacks, note="To bænke.")
    rows = {n.user.email: n for n in Notification.objects.filter(event=event)}
    assert set(rows) == {"forfatter@example.org", "both@example.org", "box@example.org"}
    assert (rows["forfatter@example.org"].is_author, rows["forfatter@example.org"].language) == (
        True,
        "da",
    )
    assert rows["both@example.org"].language == "en"
    assert sorted(m["To"] for m in smtp_inbox.messages) == sorted(rows)
    assert {n.state for n in rows.values()} == {State.SENT}


def test_the_actor_is_not_told_about_their_own_step(
    idea, smtp_inbox, django_capture_on_commit_callbacks
):
    follower = UserFactory(email="f@example.org")
    follow_add(target=idea, user=follower, language="da")
    record(idea, django_capture_on_commit_callbacks, actor=idea.author)
    assert [n.user for n in Notification.objects.all()] == [follower]
    assert [m["To"] for m in smtp_inbox.messages] == ["f@example.org"]


def test_each_mail_is_in_the_recipient_s_language_with_one_click_unsubscribe(
    idea, smtp_inbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://deltag.example.dk"
    follow_add(target=idea, user=UserFactory(email="en@example.org"), language="en")
    record(idea, django_capture_on_commit_callbacks, note="Vi sætter to bænke op.")
    by = {m["To"]: m for m in smtp_inbox.messages}
    danish = by["forfatter@example.org"].get_body(("plain",)).get_content()
    assert "noget, du har skrevet" in danish and "Vi sætter to bænke op." in danish
    english = by["en@example.org"].get_body(("html",)).get_content()
    assert '<html lang="en">' in english and "something you follow" in english
    for message in smtp_inbox.messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
        assert url.startswith("https://") and "/notifikationer/afmeld/" in url
        assert url in message.get_body(("plain",)).get_content()


def test_never_means_no_notification_and_digest_means_one_mail_a_day(
    idea, smtp_inbox, django_capture_on_commit_callbacks
):
    never, digest = UserFactory(email="never@example.org"), UserFactory(email="d@example.org")
    for user in (never, digest):
        follow_add(target=idea, user=user, language="en")
    services.preference_set(user=never, kind=KIND, mode=Mode.NEVER)
    services.preference_set(user=digest, kind=KIND, mode=Mode.DIGEST)
    record(idea, django_capture_on_commit_callbacks, note="Første svar")
    record(idea, django_capture_on_commit_callbacks, note="Andet svar")
    assert not Notification.objects.filter(user=never).exists()
    assert [n.state for n in Notification.objects.filter(user=digest)] == [State.DIGEST] * 2
    assert sorted(m["To"] for m in smtp_inbox.messages) == ["forfatter@example.org"] * 2
    assert services.digest_send() == 1
    [digest_mail] = [m for m in smtp_inbox.messages if m["To"] == "d@example.org"]
    text = digest_mail.get_body(("plain",)).get_content()
    assert "Første svar" in text and "Andet svar" in text
    assert digest_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert services.digest_send() == 0  # nothing twice
    assert [n.state for n in Notification.objects.filter(user=digest)] == [State.DIGESTED] * 2


def test_deleted_and_inactive_accounts_are_not_told(idea, django_capture_on_commit_callbacks):
    gone = UserFactory()
    follow_add(target=idea, user=gone, language="da")
    gone.is_active = False
    gone.save()
    idea.author.deleted_at = idea.author.date_joined
    idea.author.save()
    record(idea, django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()


def test_a_refused_mail_is_tried_again_and_sent_once(
    idea, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens
    settings.EMAIL_TIMEOUT = 1
    record(idea, django_capture_on_commit_callbacks)
    [row] = Notification.objects.all()
    assert (row.state, row.attempts, row.claim) == (State.MAIL, 1, "")
    assert row.next_try_at > row.created_at
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.update(next_try_at=row.created_at)
    assert services.deliver() == 1
    assert services.deliver() == 0
    assert [m.to for m in django_mail.outbox] == [["forfatter@example.org"]]


def test_claims_never_overlap(idea, django_capture_on_commit_callbacks):
    for _i in range(7):
        follow_add(target=idea, user=UserFactory(), language="da")
    with django_capture_on_commit_callbacks(execute=False):
        event_record(target=idea, kind="answered")
    first, second = services.claim(5), services.claim(5)
    assert (len(first), len(second)) == (5, 3)
    assert not {r.pk for r in first} & {r.pk for r in second}
    assert services.claim(5) == []


def test_the_unread_count_is_pushed_to_the_person_s_own_channel(
    idea, django_capture_on_commit_callbacks, monkeypatch
):
    pushed = []
    monkeypatch.setattr(services.live, "publish", lambda *args: pushed.append(args))
    record(idea, django_capture_on_commit_callbacks)
    assert pushed == [(f"notifications:{idea.author.pk}", "unread", {"count": 1})]
    services.notifications_read_all(user=idea.author)
    assert services.unread_count(idea.author) == 0


def test_notifications_and_settings_are_in_the_export_and_go_with_the_account(
    client, idea, django_capture_on_commit_callbacks
):
    import json

    from samskab.notifications.models import Preference

    services.preference_set(user=idea.author, kind=KIND, mode=Mode.DIGEST)
    record(idea, django_capture_on_commit_callbacks)
    client.force_login(idea.author)
    data = json.loads(client.get("/konto/mine-data/").content)["apps"]["notifications"]
    assert [n["kind"] for n in data["notifications"]] == [KIND]
    assert data["settings"] == {KIND: "digest"}
    from samskab.accounts.services import account_delete

    account_delete(user=idea.author)
    assert not Notification.objects.exists() and not Preference.objects.exists()


def test_through_the_sites_counting_backend_one_connection_carries_every_mail(
    idea, smtp_inbox, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # The site's EMAIL_BACKEND counts mails for /metrics around the SMTP backend EMAIL_URL
    # chose (core.metrics). Delivery sends its prepared bytes through that SMTP backend:
    # one connection per chunk, each mail counted.
    import smtplib

    from samskab.core import metrics

    settings.EMAIL_BACKEND = "samskab.core.metrics.MeteredEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    connects: list[object] = []
    connect = smtplib.SMTP.connect

    def counted(self, *args, **kwargs):
        connects.append(args)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counted)
    for i in range(6):
        follow_add(target=idea, user=UserFactory(email=f"f{i}@example.org"), language="da")
    sent_before = metrics.MAILS._value.get()
    record(idea, django_capture_on_commit_callbacks)
    assert len(smtp_inbox.messages) == 7
    assert len({m["To"] for m in smtp_inbox.messages}) == 7
    assert len(connects) == 1
    assert metrics.MAILS._value.get() == sent_before + 7
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}
