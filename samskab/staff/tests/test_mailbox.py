"""The quick start's mailbox: mails kept when no mail server is set, read by staff only."""

import pytest
from django.core import mail as outbox
from django.core.mail import EmailMultiAlternatives, get_connection

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.core import mailbox

pytestmark = pytest.mark.django_db

MAILS = "/personale/post/"


@pytest.fixture
def kept(settings, tmp_path):
    """The quick start's settings: EMAIL_URL=mailbox://, the var folder a temporary one."""
    settings.VAR_DIR = tmp_path
    settings.EMAIL_DELIVERY_BACKEND = "samskab.core.mailbox.MailboxBackend"
    settings.EMAIL_BACKEND = "samskab.core.metrics.MeteredEmailBackend"
    message = EmailMultiAlternatives(
        "Bekræft din e-mailadresse",
        "Åbn linket for at bekræfte: http://127.0.0.1:8000/accounts/confirm-email/abc/\n",
        "noreply@localhost",
        ["ny@example.org"],
    )
    message.attach_alternative("<p>Åbn linket</p>", "text/html")
    assert get_connection().send_messages([message]) == 1
    return tmp_path


def test_a_mail_is_kept_and_staff_read_it_with_its_link(client, kept):
    assert len(list((kept / "mailbox").glob("*.eml"))) == 1
    staff_sign_in(client, StaffFactory(role=Role.MODERATOR))
    home = client.get("/personale/").content.decode()
    assert f'href="{MAILS}"' in home
    page = client.get(MAILS).content.decode()
    assert "Bekræft din e-mailadresse" in page and "ny@example.org" in page
    (name,) = [m.name for m in mailbox.mails()]
    text = client.get(f"{MAILS}{name}/").content.decode()
    assert 'href="http://127.0.0.1:8000/accounts/confirm-email/abc/"' in text


def test_citizens_and_visitors_cannot_read_the_mails(client, kept):
    assert client.get(MAILS).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(MAILS).status_code == 403


def test_there_is_no_mailbox_where_a_mail_server_is_set(client, settings):
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    staff_sign_in(client, StaffFactory(role=Role.ADMINISTRATOR))
    assert client.get(MAILS).status_code == 404
    assert f'href="{MAILS}"' not in client.get("/personale/").content.decode()


def test_only_the_newest_mails_are_kept_and_names_cannot_leave_the_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    backend = mailbox.MailboxBackend(stream=open("/dev/null", "w"))  # noqa: SIM115
    sent = [
        EmailMultiAlternatives(f"Nr. {n}", "tekst", "a@localhost", ["b@localhost"])
        for n in range(mailbox.KEEP + 3)
    ]
    backend.send_messages(sent)
    kept = mailbox.mails(limit=1000)
    assert len(kept) == mailbox.KEEP and kept[0].subject == f"Nr. {mailbox.KEEP + 2}"
    assert mailbox.mail("../../etc/passwd") is None
    assert outbox.outbox == []
