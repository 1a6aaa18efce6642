"""The quick start's mailbox (EMAIL_URL=mailbox://, the default outside production): every
mail is printed in the terminal, as Django's console backend does, and kept as an .eml file
in SAMSKAB_VAR_DIR/mailbox, so staff can read sign-up and notification mails in the browser
(/personale/post/) and a newcomer can confirm an account without a mail server.

Only the newest KEEP files are kept. Never used in production (the deploy check requires a
real EMAIL_URL there)."""

from __future__ import annotations

import email
import email.policy
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone

KEEP = 200


def mailbox_dir() -> Path:
    return Path(settings.VAR_DIR) / "mailbox"


def mailbox_in_use() -> bool:
    return settings.EMAIL_DELIVERY_BACKEND == "samskab.core.mailbox.MailboxBackend"


class MailboxBackend(ConsoleBackend):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        folder = mailbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
            (folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(
                message.message().as_bytes()
            )
        for old in sorted(folder.glob("*.eml"))[:-KEEP]:
            old.unlink(missing_ok=True)
        return sent


@dataclass(frozen=True)
class Mail:
    name: str
    sent_at: datetime | None
    to: str
    subject: str
    text: str


def _read(path: Path) -> Mail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # noqa: S101  # the default policy's class
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    sent_at = message["Date"].datetime if message["Date"] else None
    return Mail(path.stem, sent_at, str(message["To"] or ""), str(message["Subject"] or ""), text)


def mails(limit: int = 50) -> list[Mail]:
    """The newest mails first."""
    folder = mailbox_dir()
    if not folder.is_dir():
        return []
    return [_read(path) for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]]


def mail(name: str) -> Mail | None:
    if not name.replace("-", "").isalnum():
        return None
    path = mailbox_dir() / f"{name}.eml"
    return _read(path) if path.is_file() else None
