"""Changing e-mail or second factor asks for the password again when the last time is old."""

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.urls import reverse

from samskab.accounts.tests.factories import PASSWORD, UserFactory, totp_code
from samskab.accounts.tests.test_sessions import log_in

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
OLD = dt.timedelta(minutes=10)  # more than ACCOUNT_REAUTHENTICATION_TIMEOUT


def add_email(client, email="ny@example.org"):
    return client.post(reverse("account_email"), {"email": email, "action_add": ""})


def reauthenticate(client, asked, password=PASSWORD):
    """Enter the password on the page `asked` (the answer that asked for it) sent us to."""
    assert asks_for_password(asked)
    return client.post(asked["Location"], {"password": password})


def asks_for_password(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("account_reauthenticate")
    )


@pytest.mark.django_db
class TestEmailChange:
    def test_adding_an_address_asks_for_the_password_when_the_login_is_old(self, client):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(OLD)

            response = add_email(client)

        assert asks_for_password(response)
        assert not EmailAddress.objects.filter(email="ny@example.org").exists()

    def test_the_change_goes_through_once_the_password_is_entered(self, client):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(OLD)
            asked = add_email(client)

            response = reauthenticate(client, asked)

        assert response.status_code == 302
        assert EmailAddress.objects.filter(user=user, email="ny@example.org").exists()

    def test_a_wrong_password_changes_nothing(self, client):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(OLD)
            asked = add_email(client)

            response = reauthenticate(client, asked, password="not-the-password")

        assert response.status_code == 200
        assert not EmailAddress.objects.filter(email="ny@example.org").exists()

    def test_a_recent_reauthentication_is_not_asked_for_again(self, client):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(OLD)
            reauthenticate(client, add_email(client))
            traveller.shift(dt.timedelta(minutes=2))

            response = add_email(client, "tredje@example.org")

        assert not asks_for_password(response)
        assert EmailAddress.objects.filter(user=user, email="tredje@example.org").exists()


@pytest.mark.django_db
class TestSecondFactorChange:
    def test_setting_up_an_authenticator_asks_for_the_password_when_the_login_is_old(self, client):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(OLD)

            response = client.get(reverse("mfa_activate_totp"))

        assert asks_for_password(response)

    def test_after_the_password_the_authenticator_can_be_set_up(self, client):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(OLD)
            response = reauthenticate(client, client.get(reverse("mfa_activate_totp")))

            assert response["Location"] == reverse("mfa_activate_totp")
            assert client.get(reverse("mfa_activate_totp")).status_code == 200
            secret = client.session[SECRET_SESSION_KEY]
            response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

        assert response.status_code == 302
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    def test_removing_the_authenticator_asks_for_the_password_when_the_login_is_old(self, client):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(OLD)
            reauthenticate(client, client.get(reverse("mfa_activate_totp")))
            client.get(reverse("mfa_activate_totp"))
            secret = client.session[SECRET_SESSION_KEY]
            client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
            traveller.shift(OLD)

            response = client.post(reverse("mfa_deactivate_totp"))

        assert asks_for_password(response)
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
