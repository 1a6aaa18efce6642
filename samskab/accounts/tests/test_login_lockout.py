"""django-axes: too many failed logins lock one account from one address, nothing more."""

import ipaddress

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from samskab.accounts.tests.factories import PASSWORD, UserFactory

TOWN_HALL = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


def attempt(client: Client, email: str, password: str, address: str = TOWN_HALL):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def fail_until_locked(client: Client, email: str, limit: int, address: str = TOWN_HALL) -> None:
    for _ in range(limit):
        attempt(client, email, "wrong-password", address)


def logged_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
class TestLockout:
    def test_after_the_limit_even_the_right_password_meets_the_lockout_page(self, settings):
        alice = UserFactory()
        client = Client()
        fail_until_locked(client, alice.email, settings.AXES_FAILURE_LIMIT)

        response = attempt(client, alice.email, PASSWORD)

        assert response.status_code == 429
        assertTemplateUsed(response, "accounts/lockout.html")
        assert b'<html lang="da">' in response.content
        assert not response.wsgi_request.user.is_authenticated

    def test_below_the_limit_the_right_password_still_works(self, settings):
        alice = UserFactory()
        client = Client()
        fail_until_locked(client, alice.email, settings.AXES_FAILURE_LIMIT - 1)

        assert logged_in(attempt(client, alice.email, PASSWORD))

    def test_another_citizen_at_the_same_address_can_still_log_in(self, settings):
        alice, bob = UserFactory(), UserFactory()
        fail_until_locked(Client(), alice.email, settings.AXES_FAILURE_LIMIT)

        assert logged_in(attempt(Client(), bob.email, PASSWORD))

    def test_the_same_account_from_another_address_can_still_log_in(self, settings):
        alice = UserFactory()
        fail_until_locked(Client(), alice.email, settings.AXES_FAILURE_LIMIT)

        assert logged_in(attempt(Client(), alice.email, PASSWORD, address=ELSEWHERE))

    def test_the_case_of_the_address_does_not_buy_more_guesses(self, settings):
        alice = UserFactory(email="alice@example.org")
        client = Client()
        for number in range(settings.AXES_FAILURE_LIMIT):
            login = "Alice@Example.org" if number % 2 else "alice@example.org"
            attempt(client, login, "wrong-password")

        assert attempt(client, alice.email, PASSWORD).status_code == 429

    def test_a_successful_login_starts_the_count_again(self, settings):
        alice = UserFactory()
        client = Client()
        fail_until_locked(client, alice.email, settings.AXES_FAILURE_LIMIT - 1)
        assert logged_in(attempt(client, alice.email, PASSWORD))
        client.post(reverse("account_logout"))

        fail_until_locked(client, alice.email, settings.AXES_FAILURE_LIMIT - 1)

        assert logged_in(attempt(client, alice.email, PASSWORD))


@pytest.mark.django_db
class TestNoAddressesInClear:
    def test_failed_attempts_keep_a_pseudonym_of_the_address(self):
        attempt(Client(), "someone@example.org", "wrong-password")

        stored = AccessAttempt.objects.get().ip_address
        assert stored != TOWN_HALL
        assert ipaddress.ip_address(stored) in ipaddress.ip_network("fd00::/8")

    def test_the_same_address_gets_the_same_pseudonym(self):
        attempt(Client(), "someone@example.org", "wrong-password")
        attempt(Client(), "someone@example.org", "wrong-password")

        attempt_row = AccessAttempt.objects.get()
        assert attempt_row.failures_since_start == 2

    def test_successful_logins_are_not_logged_with_address_and_browser(self):
        assert logged_in(attempt(Client(), UserFactory().email, PASSWORD))
        assert not AccessLog.objects.exists()
