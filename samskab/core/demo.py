"""The demo municipality: site settings, one person per role, census rows to verify with.

Idempotent: running it again refreshes the same rows and creates nothing twice.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from samskab.accounts.models import User, VerificationLevel
from samskab.accounts.roles import Role, roles_sync
from samskab.core.models import FooterLink, SiteSettings
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


@transaction.atomic
def demo_load() -> list[tuple[str, str]]:
    roles_sync()
    site = SiteSettings.current()
    site.name = "Samskab Demokommune"
    site.tagline = "Følg byrådet, deltag i debatten, stem om borgerbudgettet"
    site.contact_email = "kontakt@demo.samskab.dk"
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
    webcasts_demo_load()
    return logins


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
