"""Sessions: a new key at login, idle and absolute timeouts, and logout on every device."""

import datetime as dt
import ipaddress

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from samskab.accounts.sessions import end_all_sessions
from samskab.accounts.tests.factories import PASSWORD, UserFactory

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def log_in(client: Client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    assert client.session.get("_auth_user_id") == str(user.pk)


def is_logged_in(client: Client) -> bool:
    # The e-mail page needs a login; anonymous visitors are sent to the login page.
    return client.get(reverse("account_email")).status_code == 200


@pytest.mark.django_db
class TestSessionFixation:
    def test_logging_in_gives_a_new_session_key(self, client):
        user = UserFactory()
        session = client.session
        session["planted"] = "by someone else"
        session.save()
        planted_key = session.session_key

        log_in(client, user)

        assert client.session.session_key != planted_key
        assert not Session.objects.filter(session_key=planted_key).exists()

    def test_whoever_knew_the_old_key_is_not_logged_in(self, client):
        user = UserFactory()
        client.get(reverse("account_login"))
        session = client.session
        session.save()
        attacker = Client()
        attacker.cookies["sessionid"] = session.session_key

        log_in(client, user)

        assert is_logged_in(client)
        assert not is_logged_in(attacker)


@pytest.mark.django_db
class TestIdleTimeout:
    def test_an_active_session_lives_on(self, client, settings):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            for _hour in range(4):
                traveller.shift(settings.SESSION_COOKIE_AGE - 60)
                assert is_logged_in(client)

    def test_a_session_left_idle_ends(self, client, settings):
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(settings.SESSION_COOKIE_AGE + 1)
            assert not is_logged_in(client)


@pytest.mark.django_db
class TestAbsoluteTimeout:
    def test_it_ends_an_active_session_at_the_absolute_limit(self, client, settings):
        settings.SESSION_ABSOLUTE_TIMEOUT = 12 * 3600
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            for _step in range(11):
                traveller.shift(3600)
                assert is_logged_in(client)
            traveller.shift(3601)

            response = client.get(reverse("account_email"))

            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
            assert "next=/accounts/email/" in response["Location"]
            assert "_auth_user_id" not in client.session
            assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["info"]

    def test_a_new_login_starts_the_clock_again(self, client, settings):
        settings.SESSION_ABSOLUTE_TIMEOUT = 3 * 3600
        user = UserFactory()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(client, user)
            traveller.shift(3 * 3600 + 1)
            assert not is_logged_in(client)

            log_in(client, user)
            traveller.shift(3600)
            assert is_logged_in(client)
            traveller.shift(3600)
            assert is_logged_in(client)

    def test_it_ends_only_the_session_that_is_too_old(self, settings):
        settings.SESSION_ABSOLUTE_TIMEOUT = 3 * 3600
        user = UserFactory()
        laptop, phone = Client(), Client()
        with time_machine.travel(START, tick=False) as traveller:
            log_in(laptop, user)
            traveller.shift(2 * 3600)
            log_in(phone, user)
            traveller.shift(3600 + 1)

            assert not is_logged_in(laptop)
            assert is_logged_in(phone)


@pytest.mark.django_db
class TestLogoutEverywhere:
    def test_logging_out_ends_the_sessions_on_every_device(self):
        user = UserFactory()
        laptop, phone = Client(), Client()
        log_in(laptop, user)
        log_in(phone, user)

        response = laptop.post(reverse("account_logout"))

        assert response.status_code == 302
        assert not is_logged_in(laptop)
        assert not is_logged_in(phone)

    def test_it_leaves_other_people_logged_in(self):
        user, neighbour = UserFactory(), UserFactory()
        laptop, other = Client(), Client()
        log_in(laptop, user)
        log_in(other, neighbour)

        laptop.post(reverse("account_logout"))

        assert is_logged_in(other)

    def test_end_all_sessions_ends_them_without_a_request(self):
        user = UserFactory()
        laptop, phone = Client(), Client()
        log_in(laptop, user)
        log_in(phone, user)

        assert end_all_sessions(user) == 2

        assert not is_logged_in(laptop)
        assert not is_logged_in(phone)

    def test_end_all_sessions_finds_sessions_made_without_the_login_form(self):
        user = UserFactory()
        client = Client()
        client.force_login(user)
        assert is_logged_in(client)  # the first request records the session

        end_all_sessions(user)

        assert not is_logged_in(client)


@pytest.mark.django_db
class TestSessionList:
    def test_it_keeps_no_address_in_clear(self):
        user = UserFactory()
        client = Client(REMOTE_ADDR="192.0.2.44")
        log_in(client, user)

        stored = UserSession.objects.get(user=user).ip
        assert stored != "192.0.2.44"
        assert ipaddress.ip_address(stored) in ipaddress.ip_network("fd00::/8")
