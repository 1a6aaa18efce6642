"""Small builders for the census, verification and privacy tests (factories.py is auth's)."""

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group

from samskab.accounts.census import parse_census
from samskab.accounts.models import User, VerificationLevel
from samskab.accounts.roles import Role, roles_sync
from samskab.accounts.services import CensusReplaced, census_replace

PASSWORD = "a-long-test-password-1"

# Made-up residents: identifier, birth date, postal code.
ANNA = ("010190-1234", "1990-01-01", "8000")
BO = ("150285-4321", "1985-02-15", "8200")
CARL = ("311270-5678", "1970-12-31", "8000")


def citizen(
    email: str = "anna@example.org", *, level: int = VerificationLevel.EMAIL, **fields
) -> User:
    user = User.objects.create_user(email, PASSWORD, verification_level=level, **fields)
    EmailAddress.objects.create(
        user=user, email=email, primary=True, verified=level >= VerificationLevel.EMAIL
    )
    return user


def staff(role: Role, email: str | None = None) -> User:
    """A staff member with a role and a TOTP authenticator (staff pages require one)."""
    roles_sync()
    user = citizen(email or f"{role.name.lower()}@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=role.value))
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


def census_csv(
    rows: Iterable[tuple[str, str, str]], *, sep: str = ";", header: bool = True, bom: bool = False
) -> bytes:
    lines = [sep.join(("cpr", "fødselsdato", "postnr"))] if header else []
    lines += [sep.join(row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def import_census(*rows: tuple[str, str, str], file_name: str = "census.csv") -> CensusReplaced:
    census = parse_census(census_csv(rows), pepper=settings.CENSUS_PEPPER)
    return census_replace(census=census, file_name=file_name, created_by=None)
