"""What each app holds about a person: exported on request, anonymised on deletion.

Apps register at import time (in their AppConfig.ready):

    privacy.register("comments", export=export_comments, anonymise=anonymise_comments)

`export(user)` returns JSON-ready data; `anonymise(user)` removes the person from what
they wrote while keeping counts (votes, supports) correct. Both run inside the
account-deletion transaction.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PrivacyHandler:
    name: str
    export: Callable[[Any], object] | None
    anonymise: Callable[[Any], None] | None


_handlers: dict[str, PrivacyHandler] = {}


def register(
    name: str,
    *,
    export: Callable[[Any], object] | None = None,
    anonymise: Callable[[Any], None] | None = None,
) -> None:
    _handlers[name] = PrivacyHandler(name, export, anonymise)


def handlers() -> list[PrivacyHandler]:
    return list(_handlers.values())
