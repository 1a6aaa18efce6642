"""What each app holds about a person: described on the privacy page, exported on request,
anonymised on deletion. One registry, so the notice, the export and the deletion cannot drift.

Apps register at import time (in their AppConfig.ready):

    privacy.register("comments", export=export_comments, anonymise=anonymise_comments)
    privacy.describe(PersonalData(key="comments", fields=("comments.comment.author", ...), ...))

`export(user)` returns JSON-ready data; `anonymise(user)` removes the person from what
they wrote while keeping counts (votes, supports) correct. Both run inside the
account-deletion transaction.

`describe()` says, for the privacy page (/privatliv/), what is stored, why, on which legal
basis, for how long, where it is in the data download and what deleting the account does
to it. `fields` names the model fields ("app_label.model.field") that hold it; a test walks
every model and fails on a field that points at a person (a foreign key to the user, a
viewer/voter key, an e-mail or network address) that no description names and no
`exempt()` explains.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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


class LegalBasis(models.TextChoices):
    """The GDPR article each kind of data is processed under (a municipality's usual ones)."""

    PUBLIC_TASK = (
        "art6-1-e",
        _("GDPR art. 6(1)(e): a task carried out in the public interest (citizen participation)"),
    )
    SECURITY = (
        "art6-1-e-art32",
        _("GDPR art. 6(1)(e) and art. 32: keeping the site and your account secure"),
    )
    CPR = (
        "art6-1-e-dpa11",
        _(
            "GDPR art. 6(1)(e) and the Danish Data Protection Act § 11 (CPR numbers): "
            "checking that you live in the municipality"
        ),
    )
    CONSENT = (
        "art6-1-a",
        _("GDPR art. 6(1)(a): your consent, which you withdraw by stopping it"),
    )
    EMPLOYMENT = (
        "art6-1-c-art88",
        _("GDPR art. 6(1)(c) and art. 88: the municipality's record of its staff's work"),
    )


@dataclass(frozen=True)
class PersonalData:
    key: str
    what: Promise
    purpose: Promise
    basis: LegalBasis
    # A text, or a function of nothing returning one (for retention read from settings).
    retention: Promise | Callable[[], str]
    # What deleting the account does to it.
    on_deletion: Promise
    # Where the data download has it: a dotted path into the export ("account",
    # "apps.budgets.supports"); empty when it is not there, and then `not_exported` says why.
    export: str = ""
    not_exported: Promise | str = ""
    # The model fields that hold it, "app_label.model.field" in lower case.
    fields: tuple[str, ...] = ()
    # Where it comes on the page: the account first, then what people write, then cookies.
    order: int = 100

    def retention_text(self) -> str:
        return str(self.retention() if callable(self.retention) else self.retention)


_described: dict[str, PersonalData] = {}
_exempt: dict[str, Promise | str] = {}


def describe(*items: PersonalData) -> None:
    for item in items:
        if not item.export and not item.not_exported:
            raise ValueError(f"{item.key}: say where it is exported, or why it is not")
        _described[item.key] = item


def described() -> list[PersonalData]:
    return sorted(_described.values(), key=lambda item: (item.order, item.key))


def exempt(field: str, reason: str) -> None:
    """A field that looks personal but is not about the people the notice speaks to."""
    _exempt[field.lower()] = reason


def exemptions() -> dict[str, Promise | str]:
    return dict(_exempt)


def covered_fields() -> set[str]:
    return {field for item in _described.values() for field in item.fields} | set(_exempt)


def person_fields() -> set[str]:
    """Every model field that points at a person: a foreign key to the user, a key that
    stands for a voter or viewer ("…_key"), an e-mail or network address, a browser."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (
                (field.is_relation and field.related_model is user_model)
                or (isinstance(field, models.CharField) and field.name.endswith("_key"))
                or isinstance(field, models.EmailField | models.GenericIPAddressField)
                or field.name in ("ip", "ip_address", "user_agent")
            ):
                found.add(f"{model._meta.label_lower}.{field.name}")
    return found


def uncovered_fields() -> list[str]:
    """Fields about a person that neither the notice describes nor an exemption explains."""
    return sorted(person_fields() - covered_fields())
