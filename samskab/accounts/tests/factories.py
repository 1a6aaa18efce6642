"""Factories for people: citizens, staff in a role, and staff with an authenticator app."""

import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group

from samskab.accounts.models import User, VerificationLevel
from samskab.accounts.roles import Role

PASSWORD = "korrekt-hest-batteri-43"


class UserFactory(factory.django.DjangoModelFactory):
    """A citizen who has signed up and confirmed their e-mail address (password: PASSWORD).

    UserFactory(email_verified=False) is one who has not confirmed it yet.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        email_verified = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    verification_level = factory.LazyAttribute(
        lambda o: VerificationLevel.EMAIL if o.email_verified else VerificationLevel.ACCOUNT
    )
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def email_address(obj: User, create: bool, extracted, **kwargs) -> None:
        # allauth logs people in by their EmailAddress row, not by User.email alone.
        if not create:
            return
        verified = obj.verification_level >= VerificationLevel.EMAIL
        EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=verified)


class StaffFactory(UserFactory):
    """A staff member in one role: StaffFactory(role=Role.MODERATOR). Give them an
    authenticator with with_totp() before they open staff pages."""

    is_staff = True

    @factory.post_generation
    def role(obj: User, create: bool, extracted: Role | None, **kwargs) -> None:
        if create and extracted is not None:
            group, _created = Group.objects.get_or_create(name=Role(extracted).value)
            obj.groups.add(group)


def with_totp(user: User) -> str:
    """Give `user` an authenticator app; returns its secret, for totp_code()."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code the person's authenticator app shows now (or at `at`).

    A code read in the last seconds of its period can expire before the server checks it on
    a loaded machine (CI failed so): then it waits for the next period first, as a person
    would wait for a fresh code."""
    if at is None:
        period = mfa_settings.TOTP_PERIOD
        left = period - time.time() % period
        if left < 8:
            time.sleep(left + 0.05)
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def staff_sign_in(client, user):
    """Sign `user` in on the test client as after their second factor."""
    from samskab.accounts.middleware import SESSION_STAFF_MFA

    with_totp(user)
    client.force_login(user)
    session = client.session
    session[SESSION_STAFF_MFA] = user.pk
    session.save()
    return user
