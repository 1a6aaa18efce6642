"""Reads for accounts: the current census, verifications outside it, a person's data."""

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.accounts.models import CensusImport, CensusRecord, ResidenceVerification, User
from samskab.core import privacy

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def census_current() -> CensusImport | None:
    """The import whose records are the census now (each import replaces the last)."""
    return CensusImport.objects.order_by("-created_at", "-pk").first()


def census_identifier_label() -> str:
    """What citizens are asked for on the verification page."""
    current = census_current()
    return (current.identifier_label if current else "") or _("CPR number")


class _InCensus(TypedDict):
    in_census: bool


def residence_verifications_with_census_status() -> (
    "QuerySet[WithAnnotations[ResidenceVerification, _InCensus]]"
):
    """Every verification with `in_census`: is the person in the current census?"""
    return ResidenceVerification.objects.annotate(
        in_census=Exists(CensusRecord.objects.filter(identifier_hash=OuterRef("identifier_hash")))
    )


def residence_verifications_missing_from(hashes: Collection[str] | None = None) -> int:
    """How many census-verified, living accounts are not in `hashes` (default: the census).

    Used before and after an import, to tell staff whom the new census no longer has.
    """
    verifications = residence_verifications_with_census_status().filter(
        method=ResidenceVerification.Method.CENSUS, user__deleted_at__isnull=True
    )
    if hashes is None:
        return verifications.filter(in_census=False).count()
    return sum(
        1
        for digest in verifications.values_list("identifier_hash", flat=True).iterator()
        if digest not in hashes
    )


def user_data_export(user: User) -> dict[str, Any]:
    """Everything Samskab holds about a person, JSON-ready (see the privacy page)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession
    from axes.models import AccessLog

    residence = ResidenceVerification.objects.filter(user=user).first()
    return {
        "exported_at": timezone.now(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "verification_level": user.get_verification_level_display(),
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "staff": user.is_staff,
            "roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "email_addresses": list(
            EmailAddress.objects.filter(user=user)
            .order_by("pk")
            .values("email", "verified", "primary")
        ),
        "social_logins": [
            {
                "provider": account.provider,
                "subject": account.uid,
                "connected": account.date_joined,
                "last_login": account.last_login,
                "data_from_provider": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "second_factors": [
            {"type": row["type"], "created": row["created_at"], "last_used": row["last_used_at"]}
            for row in Authenticator.objects.filter(user=user)
            .order_by("pk")
            .values("type", "created_at", "last_used_at")
        ],
        # The keyed hash of the identifier is left out: it says nothing to the person.
        "residence_verification": None
        if residence is None
        else {
            "method": residence.get_method_display(),
            "verified_at": residence.verified_at,
            "postal_code": residence.postal_code,
        },
        "sessions": list(
            UserSession.objects.filter(user=user)
            .order_by("created_at")
            .values("created_at", "last_seen_at", "ip", "user_agent")
        ),
        "logins": list(
            AccessLog.objects.filter(username__iexact=user.email)
            .order_by("attempt_time")
            .values("attempt_time", "logout_time", "ip_address", "user_agent")
        ),
        "apps": {
            handler.name: handler.export(user)
            for handler in privacy.handlers()
            if handler.export is not None
        },
    }


# People: the list administrators search (name, e-mail, role).
STAFF = "staff"  # anyone with a role
EVERYONE = "all"


def people(*, query: str = "", role: str = STAFF) -> QuerySet[User]:
    """Accounts by name or e-mail, with a role (STAFF), one role, or all (EVERYONE).

    Each comes with its role names (role_names) and whether it has an authenticator app
    (has_totp), for the badges, without a query per row."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group

    found = User.objects.filter(deleted_at__isnull=True)
    if role == STAFF:
        found = found.filter(Q(groups__isnull=False) | Q(is_superuser=True) | Q(is_staff=True))
    elif role and role != EVERYONE:
        found = found.filter(groups__name=role)
    for word in query.split():
        found = found.filter(Q(email__icontains=word) | Q(display_name__icontains=word))
    return (
        found.distinct()
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            )
        )
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("display_name", "email")
    )
