"""The demo's people: one account per role and a citizen, and census rows to verify with.

Registered as a part of the demo (core.demo) from AccountsConfig.ready; idempotent.
"""

from django.conf import settings
from django.contrib.auth.models import Group

from samskab.accounts.census import hash_identifier, parse_census
from samskab.accounts.models import CensusRecord, User, VerificationLevel
from samskab.accounts.roles import Role, roles_sync
from samskab.accounts.services import census_replace

DEMO_PASSWORD = "samskab-demo"  # noqa: S105  # the demo's published password, refused in production

DEMO_PEOPLE = [
    ("admin@demo.samskab.dk", Role.ADMINISTRATOR),
    ("redaktor@demo.samskab.dk", Role.EDITOR),
    ("operator@demo.samskab.dk", Role.OPERATOR),
    ("moderator@demo.samskab.dk", Role.MODERATOR),
    ("valuator@demo.samskab.dk", Role.VALUATOR),
    ("valgstyrer@demo.samskab.dk", Role.POLL_OFFICER),
]
DEMO_CITIZEN = "borger@demo.samskab.dk"

# Made-up residents (identifier, birth date, postal code) to verify residence with.
DEMO_CENSUS = [
    ("010190-1234", "1990-01-01", "8000"),
    ("150285-4321", "1985-02-15", "8200"),
    ("311270-5678", "1970-12-31", "8000"),
]
DEMO_CENSUS_FILE = "demo-census.csv"


def accounts_demo_load(context: dict) -> list[str]:
    roles_sync()
    logins = []
    for email, role in DEMO_PEOPLE:
        user = _person(email, is_staff=True)
        user.groups.set([Group.objects.get(name=role.value)])
        logins.append((email, str(role.label)))
    citizen = _person(DEMO_CITIZEN, is_staff=False)
    logins.append((DEMO_CITIZEN, "Borger (citizen)"))
    _census()
    _link_to_demo_mitid(citizen)
    context["logins"] = logins
    lines = [f"Logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {email:<32} {role}" for email, role in logins]
    lines.append("Census rows to verify residence with (CPR number, birth date, postal code):")
    lines += [f"  {identifier}  {birth}  {postal}" for identifier, birth, postal in DEMO_CENSUS]
    lines.append(
        "MitID (demo) on the login page: log in as Anna to log in as borger and be verified "
        "as a resident by MitID (docs/nemlog-in.md)."
    )
    return lines


def _link_to_demo_mitid(citizen: User) -> None:
    """The demo citizen is Anna in the demo's fake NemLog-in (accounts/nemlogin/simulator)."""
    from allauth.socialaccount.models import SocialAccount

    from samskab.accounts.nemlogin.config import PROVIDER_ID
    from samskab.accounts.nemlogin.simulator import demo_identity

    anna = demo_identity("anna")
    if anna is not None:
        SocialAccount.objects.get_or_create(
            provider=PROVIDER_ID, uid=anna.subject, defaults={"user": citizen}
        )


def _census() -> None:
    """Import the demo census through the same path as staff, once."""
    pepper = settings.CENSUS_PEPPER
    wanted = {hash_identifier(identifier, pepper=pepper) for identifier, _b, _p in DEMO_CENSUS}
    if CensusRecord.objects.filter(identifier_hash__in=wanted).count() == len(wanted):
        return
    text = "identifier;birth date;postal code\n" + "".join(
        f"{identifier};{birth};{postal}\n" for identifier, birth, postal in DEMO_CENSUS
    )
    census_replace(
        census=parse_census(text.encode(), pepper=pepper),
        file_name=DEMO_CENSUS_FILE,
        created_by=None,
    )


def _person(email: str, *, is_staff: bool) -> User:
    from allauth.account.models import EmailAddress

    user, created = User.objects.get_or_create(
        email=email,
        defaults={"is_staff": is_staff, "verification_level": VerificationLevel.EMAIL},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
