"""Signing up with e-mail and password, and what confirming the address changes."""

from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core import mail
from django.urls import reverse

from samskab.accounts.models import User, VerificationLevel
from samskab.accounts.tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "en-lang-og-god-adgangskode-7"


def sign_up(client, email="ny.borger@example.org"):
    form = {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return client.post(reverse("account_signup"), form)


def confirmation_path() -> str:
    assert len(mail.outbox) == 1
    link = next(word for word in mail.outbox[0].body.split() if "/confirm-email/" in word)
    return urlsplit(link).path


@pytest.mark.django_db
class TestEmailVerification:
    def test_a_new_account_starts_unverified_and_gets_a_confirmation_mail(self, client):
        response = sign_up(client)

        assert response["Location"] == reverse("account_email_verification_sent")
        user = User.objects.get(email="ny.borger@example.org")
        assert user.verification_level == VerificationLevel.ACCOUNT
        assert mail.outbox[0].to == ["ny.borger@example.org"]

    def test_following_the_link_raises_the_level_to_email(self, client):
        sign_up(client)
        path = confirmation_path()

        assert client.get(path).status_code == 200  # a page with a button, not a GET change
        response = client.post(path)

        assert response.status_code == 302
        user = User.objects.get(email="ny.borger@example.org")
        assert user.verification_level == VerificationLevel.EMAIL
        assert user.is_email_verified
        assert EmailAddress.objects.get(user=user).verified

    def test_opening_the_link_without_confirming_changes_nothing(self, client):
        sign_up(client)
        client.get(confirmation_path())

        user = User.objects.get(email="ny.borger@example.org")
        assert user.verification_level == VerificationLevel.ACCOUNT

    def test_a_made_up_key_changes_nothing(self, client):
        sign_up(client)
        client.post(reverse("account_confirm_email", args=["made-up-key"]))

        user = User.objects.get(email="ny.borger@example.org")
        assert user.verification_level == VerificationLevel.ACCOUNT

    def test_an_unverified_account_cannot_log_in_with_its_password(self, client):
        user = UserFactory(email_verified=False)

        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )

        assert response["Location"] == reverse("account_email_verification_sent")
        assert "_auth_user_id" not in client.session

    def test_confirming_another_address_never_lowers_a_verified_resident(self):
        resident = UserFactory(verification_level=VerificationLevel.RESIDENT)
        address = EmailAddress.objects.create(user=resident, email="anden@example.org")

        email_confirmed.send(sender=EmailAddress, request=None, email_address=address)

        resident.refresh_from_db()
        assert resident.verification_level == VerificationLevel.RESIDENT
