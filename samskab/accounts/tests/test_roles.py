"""Staff roles: groups with exactly their permissions, and who may open what in the admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from samskab.accounts.models import User
from samskab.accounts.roles import ROLE_PERMISSIONS, Role, has_role, roles_sync
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.core.models import SiteSettings


def permission_names(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def staff_client(role: Role) -> Client:
    staff = StaffFactory(role=role)
    with_totp(staff)  # so StaffMFAMiddleware lets them through
    client = Client()
    client.force_login(staff)
    return client


def site_settings_page() -> str:
    return reverse("admin:core_sitesettings_change", args=[SiteSettings.current().pk])


@pytest.mark.django_db
class TestRolesSync:
    def test_it_creates_the_six_groups_with_their_permissions(self):
        Group.objects.all().delete()

        roles_sync()

        assert set(Group.objects.values_list("name", flat=True)) == {r.value for r in Role}
        for role, wanted in ROLE_PERMISSIONS.items():
            assert permission_names(Group.objects.get(name=role.value)) == wanted

    def test_running_it_again_changes_nothing(self):
        roles_sync()
        before = {g.name: permission_names(g) for g in Group.objects.all()}

        roles_sync()

        assert Group.objects.count() == len(Role)
        assert {g.name: permission_names(g) for g in Group.objects.all()} == before

    def test_it_takes_back_a_permission_a_role_should_not_have(self):
        editor = Group.objects.get_or_create(name=Role.EDITOR.value)[0]
        editor.permissions.add(Permission.objects.get(codename="delete_user"))

        roles_sync()

        assert "accounts.delete_user" not in permission_names(editor)

    def test_it_costs_a_few_queries_a_role_however_many_permissions(
        self, django_assert_max_num_queries
    ):
        roles_sync()
        # It runs after every migration and flush, and for every staff member a test makes:
        # one query for all the permissions named, then each group's get and its set's read.
        with django_assert_max_num_queries(1 + 2 * len(Role)):
            roles_sync()

    def test_the_groups_exist_after_migrate(self):
        # The test database was built by migrate; post_migrate synced the roles.
        assert Group.objects.filter(name__in=[r.value for r in Role]).count() == len(Role)


@pytest.mark.django_db
class TestAdminAccess:
    def test_an_administrator_can_edit_the_site_settings(self):
        response = staff_client(Role.ADMINISTRATOR).get(site_settings_page())
        assert response.status_code == 200

    @pytest.mark.parametrize("role", [Role.OPERATOR, Role.MODERATOR, Role.EDITOR])
    def test_other_staff_are_refused_the_site_settings(self, role):
        response = staff_client(role).get(site_settings_page())
        assert response.status_code == 403

    def test_an_administrator_can_list_the_roles(self):
        response = staff_client(Role.ADMINISTRATOR).get(reverse("admin:auth_group_changelist"))
        assert response.status_code == 200

    @pytest.mark.parametrize("role", [Role.OPERATOR, Role.MODERATOR, Role.EDITOR])
    def test_other_staff_are_refused_the_roles(self, role):
        response = staff_client(role).get(reverse("admin:auth_group_changelist"))
        assert response.status_code == 403

    @pytest.mark.parametrize(
        ("role", "status"),
        [
            (Role.ADMINISTRATOR, 200),
            (Role.MODERATOR, 200),
            (Role.OPERATOR, 403),
            (Role.EDITOR, 403),
        ],
    )
    def test_only_roles_that_may_see_people_get_the_user_list(self, role, status):
        if User not in admin.site._registry:
            pytest.skip("the user admin (samskab/accounts/admin.py) is not on this branch")
        response = staff_client(role).get(reverse("admin:accounts_user_changelist"))
        assert response.status_code == status

    def test_a_citizen_is_sent_to_the_admin_login(self, client):
        client.force_login(UserFactory())

        response = client.get(site_settings_page())

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    def test_an_anonymous_visitor_is_sent_to_the_admin_login(self, client):
        response = client.get(site_settings_page())
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
class TestPredicates:
    def test_roles_are_known_by_their_group(self):
        moderator = StaffFactory(role=Role.MODERATOR)
        assert has_role(moderator, Role.MODERATOR)
        assert not has_role(moderator, Role.ADMINISTRATOR)

    def test_only_administrators_may_edit_the_site(self):
        assert StaffFactory(role=Role.ADMINISTRATOR).has_perm("core.edit_site")
        assert not StaffFactory(role=Role.EDITOR).has_perm("core.edit_site")
        assert not UserFactory().has_perm("core.edit_site")

    def test_poll_officers_may_verify_residents_in_person(self):
        assert StaffFactory(role=Role.POLL_OFFICER).has_perm("accounts.verify_in_person")
        assert not StaffFactory(role=Role.MODERATOR).has_perm("accounts.verify_in_person")

    def test_a_deactivated_administrator_has_no_role(self):
        admin_user = StaffFactory(role=Role.ADMINISTRATOR, is_active=False)
        assert not has_role(admin_user, Role.ADMINISTRATOR)
