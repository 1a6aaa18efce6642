"""The kinds of step each target app records, registered from its AppConfig.ready:

    kinds.register(Proposal, "answered", subject=lambda event: _("Your proposal is answered"))

`subject` (and the optional `headline`, the first line of the mail) run in the recipient's
language. The mail is `activity/email/event.{txt,html}` unless the kind names its own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Kind:
    label: str
    name: str
    subject: Callable[..., str]
    headline: Callable[..., str] | None
    template: str


_kinds: dict[tuple[str, str], Kind] = {}


def register(
    model: type[models.Model],
    name: str,
    *,
    subject: Callable[..., str],
    headline: Callable[..., str] | None = None,
    template: str = "activity/email/event",
) -> None:
    label = model._meta.label_lower
    _kinds[(label, name)] = Kind(label, name, subject, headline, template)


def get(label: str, name: str) -> Kind | None:
    return _kinds.get((label, name))
