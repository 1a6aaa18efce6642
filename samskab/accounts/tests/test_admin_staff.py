"""The user admin: the staff flag follows the roles, and an administrator resets a
colleague's lost authenticator (staff walk finding 3)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from samskab.accounts.models import User
from samskab.accounts.roles import Role
from samskab.accounts.services import SECOND_FACTOR_RESET_LOGGED
from samskab.accounts.tests.factories import PASSWORD, StaffFactory, UserFactory, with_totp


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def logged_in(role: Role) -> tuple[Client, User]:
    staff = StaffFactory(role=role)
    with_totp(staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    return client, staff


def save_user_in_admin(client: Client, person: User, groups: list[Group]):
    return client.post(
        reverse("admin:accounts_user_change", args=[person.pk]),
        {
            "email": person.email,
            "display_name": person.display_name,
            "groups": [group.pk for group in groups],
            "is_active": "on",
        },
    )


def reset_url(person: User) -> str:
    return reverse("admin:accounts_user_second_factor_reset", args=[person.pk])


@pytest.mark.django_db
class TestStaffFlagFollowsRoles:
    def test_giving_a_citizen_a_role_makes_them_staff(self):
        client, _admin = logged_in(Role.ADMINISTRATOR)
        person = UserFactory()

        response = save_user_in_admin(client, person, [Group.objects.get(name=Role.MODERATOR)])

        assert response.status_code == 302
        person.refresh_from_db()
        assert person.is_staff
        assert list(person.groups.values_list("name", flat=True)) == [Role.MODERATOR.value]

    def test_taking_the_last_role_away_ends_staff(self):
        client, _admin = logged_in(Role.ADMINISTRATOR)
        person = StaffFactory(role=Role.EDITOR)

        save_user_in_admin(client, person, [])

        person.refresh_from_db()
        assert not person.is_staff

    def test_the_staff_flag_cannot_be_ticked_on_its_own(self):
        client, _admin = logged_in(Role.ADMINISTRATOR)
        person = UserFactory()

        client.post(
            reverse("admin:accounts_user_change", args=[person.pk]),
            {"email": person.email, "is_staff": "on", "is_active": "on"},
        )

        person.refresh_from_db()
        assert not person.is_staff


@pytest.mark.django_db
class TestSecondFactorReset:
    def test_the_user_page_offers_it_to_an_administrator(self):
        client, _admin = logged_in(Role.ADMINISTRATOR)
        colleague = StaffFactory(role=Role.OPERATOR)
        with_totp(colleague)

        page = client.get(reverse("admin:accounts_user_change", args=[colleague.pk]))

        assert reset_url(colleague) in page.content.decode()
        assert "Authenticator app, set up" in page.content.decode()

    def test_an_administrator_resets_a_colleagues_lost_authenticator(
        self, django_capture_on_commit_callbacks
    ):
        client, admin_user = logged_in(Role.ADMINISTRATOR)
        colleague = StaffFactory(role=Role.OPERATOR)
        with_totp(colleague)
        laptop = Client()
        laptop.force_login(colleague)
        assert client.get(reset_url(colleague)).status_code == 200

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reset_url(colleague))

        assert response["Location"] == reverse("admin:accounts_user_change", args=[colleague.pk])
        assert not Authenticator.objects.filter(user=colleague).exists()
        assert not UserSession.objects.filter(user=colleague).exists()
        entry = LogEntry.objects.get(object_id=str(colleague.pk))
        assert (entry.user, entry.action_flag) == (admin_user, CHANGE)
        assert entry.change_message == SECOND_FACTOR_RESET_LOGGED
        assert [message.to for message in mail.outbox] == [[colleague.email]]

    def test_the_colleague_must_set_up_a_new_authenticator_at_the_next_login(self):
        client, _admin = logged_in(Role.ADMINISTRATOR)
        colleague = StaffFactory(role=Role.OPERATOR)
        with_totp(colleague)
        client.post(reset_url(colleague))

        fresh = Client()
        fresh.post(reverse("account_login"), {"login": colleague.email, "password": PASSWORD})

        assert "_auth_user_id" in fresh.session  # no code asked: there is no authenticator
        assert fresh.get(reverse("home"))["Location"] == reverse("mfa_activate_totp")

    @pytest.mark.parametrize("role", [Role.MODERATOR, Role.EDITOR, Role.OPERATOR])
    def test_other_staff_cannot_reset_anyone(self, role):
        client, _staff = logged_in(role)
        colleague = StaffFactory(role=Role.OPERATOR)
        with_totp(colleague)

        assert client.post(reset_url(colleague)).status_code in (302, 403)

        assert Authenticator.objects.filter(user=colleague).exists()

    def test_an_administrator_cannot_reset_their_own(self):
        client, admin_user = logged_in(Role.ADMINISTRATOR)

        assert client.post(reset_url(admin_user)).status_code == 403
        assert Authenticator.objects.filter(user=admin_user).exists()

    def test_an_administrator_cannot_reset_a_superusers(self):
        client, _admin = logged_in(Role.ADMINISTRATOR)
        superuser = StaffFactory(is_superuser=True)
        with_totp(superuser)

        assert client.post(reset_url(superuser)).status_code == 403
        assert Authenticator.objects.filter(user=superuser).exists()


@pytest.mark.django_db
class TestTheUserList:
    """Staff walk finding 15: the role filter in the reader's language, and who has a
    second factor, on the list itself."""

    def danish_list(self, query: str = "") -> str:
        client, _admin = logged_in(Role.ADMINISTRATOR)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"
        return client.get(reverse("admin:accounts_user_changelist") + query).content.decode()

    def test_the_role_filter_lists_roles_by_their_danish_names(self):
        StaffFactory(role=Role.POLL_OFFICER)

        page = self.danish_list()

        assert "Afstemningstilforordnet" in page
        assert ">poll officer<" not in page

    def test_filtering_by_a_role_lists_its_members_only(self):
        officer = StaffFactory(role=Role.POLL_OFFICER, email="officer@example.org")
        UserFactory(email="citizen@example.org")
        group = Group.objects.get(name=Role.POLL_OFFICER.value)

        page = self.danish_list(f"?role={group.pk}")

        assert officer.email in page
        assert "citizen@example.org" not in page

    def test_the_list_shows_who_has_a_second_factor(self):
        without = StaffFactory(role=Role.EDITOR)

        page = self.danish_list("?o=5")  # by the column: the sort works on the annotation

        assert "Anden faktor" in page or "anden faktor" in page.lower()
        row = page.split(without.email)[1].split("</tr>")[0]
        assert 'alt="False"' in row
