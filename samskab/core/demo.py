"""The demo municipality: site settings, one person per role, census rows to verify with.

Idempotent: running it again refreshes the same rows and creates nothing twice.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from samskab.accounts.census import hash_identifier, parse_census
from samskab.accounts.models import CensusRecord, User, VerificationLevel
from samskab.accounts.roles import Role, roles_sync
from samskab.accounts.services import census_replace
from samskab.budgets.demo import budgets_demo_load
from samskab.core.models import FooterLink, SiteSettings
from samskab.moderation.demo import moderation_demo_load
from samskab.polls.demo import dialogue_demo_load
from samskab.webcasts.demo import demo_load as webcasts_demo_load

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


@transaction.atomic
def demo_load() -> list[tuple[str, str]]:
    roles_sync()
    site = SiteSettings.current()
    site.name = "Samskab Demokommune"
    site.tagline = "Følg byrådet, deltag i debatten, stem om borgerbudgettet"
    site.contact_email = "kontakt@demo.samskab.dk"
    # The privacy page names the DPO; a made-up one, so the demo shows where it goes.
    site.dpo_name = site.dpo_name or "Databeskyttelsesrådgiveren"
    site.dpo_email = site.dpo_email or "dpo@demo.samskab.dk"
    site.dpo_address = site.dpo_address or "Samskab Demokommune\nRådhuspladsen 1\n9999 Demoby"
    site.save()
    for position, (label, url) in enumerate(
        [("Kommunens hjemmeside", "https://example.org/"), ("Om Samskab", "https://example.org/om")]
    ):
        FooterLink.objects.update_or_create(
            site=site, position=position, defaults={"label": label, "url": url}
        )

    logins = []
    for email, role in DEMO_PEOPLE:
        user = _person(email, is_staff=True)
        user.groups.set([Group.objects.get(name=role.value)])
        logins.append((email, str(role.label)))
    _person(DEMO_CITIZEN, is_staff=False)
    logins.append((DEMO_CITIZEN, "Borger (citizen)"))
    _census()
    meetings = webcasts_demo_load()
    moderation_demo_load(meetings["upcoming"])
    dialogue_demo_load(meetings)
    budgets_demo_load()
    return logins


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
