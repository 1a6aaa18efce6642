"""The kinds of step each target app records, registered from its AppConfig.ready:

    kinds.register(Proposal, "answered", title=_("Answers to proposals"),
                   subject=lambda event: _("Your proposal is answered"))

`subject` (and the optional `headline`, the first line of the mail, and `context`, more
variables for the mail's template) run in the recipient's language. `title` names the kind
where people choose how they hear about it (notifications' settings). The mail is
`notifications/email/event.{txt,html}` unless the kind names its own. A notification links to
the target's page (`get_absolute_url`) unless the kind names its own page (`url`, a function
of the event giving a path: a step only staff are told of may point to a staff page).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class Kind:
    label: str
    name: str
    subject: Callable[..., str]
    headline: Callable[..., str] | None
    template: str
    title: str | Promise = ""
    context: Callable[..., dict[str, Any]] | None = None
    url: Callable[..., str] | None = None

    @property
    def key(self) -> str:
        """ "app_label.model.name": how settings and unsubscribe links name the kind."""
        return f"{self.label}.{self.name}"


_kinds: dict[tuple[str, str], Kind] = {}


def register(
    model: type[models.Model],
    name: str,
    *,
    subject: Callable[..., str],
    headline: Callable[..., str] | None = None,
    template: str = "notifications/email/event",
    title: str | Promise = "",
    context: Callable[..., dict[str, Any]] | None = None,
    url: Callable[..., str] | None = None,
) -> None:
    label = model._meta.label_lower
    _kinds[(label, name)] = Kind(
        label,
        name,
        subject,
        headline,
        template,
        title or f"{model._meta.verbose_name}: {name}",
        context,
        url,
    )


def path_of(kind: Kind | None, event, target) -> str:
    """The page a notification of `event` (on `target`) links to: the kind's own, else the
    target's, else ""."""
    if kind is not None and kind.url is not None:
        return kind.url(event)
    absolute = getattr(target, "get_absolute_url", None)
    return absolute() if absolute else ""


def get(label: str, name: str) -> Kind | None:
    return _kinds.get((label, name))


def by_key(key: str) -> Kind | None:
    label, _dot, name = key.rpartition(".")
    return _kinds.get((label, name))


def registered() -> list[Kind]:
    return list(_kinds.values())
