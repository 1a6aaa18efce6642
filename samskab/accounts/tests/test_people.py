"""People: administrators search accounts, see roles as badges and invite colleagues, who
choose a password through a one-time link and then set up their second factor."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from samskab.accounts.models import User
from samskab.accounts.roles import Role, roles_sync
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "blaa-cykel-vinter-1987"
PEOPLE = ["anonymous", "citizen", *[role.name.lower() for role in Role]]
# action -> the people who may do it
EXPECTED = {
    "accounts.view_people": {"administrator"},
    "accounts.invite_staff": {"administrator"},
}


def _person(kind: str):
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "citizen":
        return UserFactory()
    return StaffFactory(role=Role[kind.upper()])


@pytest.mark.parametrize("kind", PEOPLE)
def test_the_matrix(kind):
    user = _person(kind)
    got = {perm: user.has_perm(perm) for perm in EXPECTED}
    assert got == {perm: kind in allowed for perm, allowed in EXPECTED.items()}


@pytest.fixture
def admin_client(client):
    roles_sync()
    admin = StaffFactory(role=Role.ADMINISTRATOR, display_name="Anne Admin")
    with_totp(admin)
    client.force_login(admin)
    return client


def test_people_are_searched_by_name_email_and_role_with_role_badges(admin_client):
    editor = StaffFactory(role=Role.EDITOR, display_name="Mette Redaktør", email="mette@k.dk")
    with_totp(editor)
    StaffFactory(role=Role.MODERATOR, display_name="Mogens Moderator", email="mogens@k.dk")
    UserFactory(display_name="Carl Borger", email="carl@example.org")
    admin_client.cookies["django_language"] = "da"
    url = reverse("accounts:people")

    page = admin_client.get(url).content.decode()
    assert "Mette Redaktør" in page and "Mogens Moderator" in page
    assert "Carl Borger" not in page  # staff only, unless asked
    assert '<li class="role-badge" data-role>Redaktør</li>' in page
    assert "To-faktor-godkendelse er sat op" in page  # Mette
    assert "Ingen to-faktor-godkendelse endnu" in page  # Mogens

    page = admin_client.get(url, {"q": "mette"}).content.decode()
    assert "Mette Redaktør" in page and "Mogens Moderator" not in page
    page = admin_client.get(url, {"q": "mogens@k"}).content.decode()
    assert "Mogens Moderator" in page and "Mette Redaktør" not in page
    page = admin_client.get(url, {"role": Role.MODERATOR.value}).content.decode()
    assert "Mogens Moderator" in page and "Mette Redaktør" not in page
    page = admin_client.get(url, {"role": "all", "q": "carl"}).content.decode()
    assert "Carl Borger" in page and "Borger uden rolle" in page


def test_an_administrator_invites_a_colleague_who_sets_a_password_then_the_second_factor(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:invite"),
            {
                "display_name": "Hanne Vestergaard",
                "email": "Hanne@Kommune.dk",
                "roles": [Role.EDITOR.value, Role.OPERATOR.value],
            },
        )
    assert response.status_code == 302
    hanne = User.objects.get(email="hanne@kommune.dk")
    assert hanne.is_staff and not hanne.has_usable_password()
    assert {g.name for g in hanne.groups.all()} == {Role.EDITOR.value, Role.OPERATOR.value}
    page = admin_client.get(response.url).content.decode()
    assert "Hanne Vestergaard" in page
    assert reverse("accounts:invite_again", args=[hanne.pk]) in page

    (mail,) = mailoutbox
    assert mail.to == ["hanne@kommune.dk"]
    assert "Anne Admin" in mail.body
    path = re.search(r"https?://[^/\s]+(/konto/invitation/\S+/)", mail.body).group(1)

    invitee = Client()
    assert invitee.get(path).status_code == 200
    response = invitee.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    hanne.refresh_from_db()
    assert hanne.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=hanne).verified
    # Logged in, and the authenticator page opens at once (no second password prompt).
    assert invitee.get(reverse("mfa_activate_totp")).status_code == 200
    # Any other page waits for the second factor.
    assert invitee.get(reverse("staff:home")).url == reverse("mfa_activate_totp")

    # The link works once.
    assert Client().get(path).status_code == 404


def test_an_address_with_an_account_is_refused_and_roles_are_required(admin_client, mailoutbox):
    UserFactory(email="carl@example.org")
    response = admin_client.post(
        reverse("accounts:invite"),
        {"display_name": "Carl", "email": "CARL@example.org", "roles": [Role.EDITOR.value]},
    )
    assert response.status_code == 400
    assert "findes allerede" in response.content.decode() or "exists already" in (
        response.content.decode()
    )
    response = admin_client.post(
        reverse("accounts:invite"), {"display_name": "Ny", "email": "ny@kommune.dk"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="ny@kommune.dk").exists()
    assert not mailoutbox


def test_the_invitation_can_be_sent_again_and_the_old_link_still_works_until_used(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("accounts:invite"),
            {"display_name": "Ib", "email": "ib@kommune.dk", "roles": [Role.MODERATOR.value]},
        )
        ib = User.objects.get(email="ib@kommune.dk")
        response = admin_client.post(reverse("accounts:invite_again", args=[ib.pk]))
    assert response.status_code == 302
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["ib@kommune.dk"]


def test_a_wrong_link_says_what_to_do(client):
    response = client.get(reverse("accounts:invitation", args=["MTIz", "nonsense-token"]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR, None])
def test_others_cannot_see_people_or_invite(client, role):
    user = StaffFactory(role=role) if role else UserFactory()
    with_totp(user)
    client.force_login(user)
    assert client.get(reverse("accounts:people")).status_code == 403
    response = client.post(
        reverse("accounts:invite"),
        {"display_name": "X", "email": "x@kommune.dk", "roles": [Role.ADMINISTRATOR.value]},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@kommune.dk").exists()


def test_the_people_list_costs_the_same_queries_for_many_accounts(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("accounts:people")).status_code == 200
        return len(queries.captured_queries)

    for _n in range(3):
        with_totp(StaffFactory(role=Role.EDITOR))
    count()  # the first request fills the session's and the site's caches
    few = count()
    for _n in range(20):
        StaffFactory(role=Role.MODERATOR)
    assert count() == few


def test_the_admins_user_list_leads_to_the_invitation(admin_client):
    page = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert reverse("accounts:invite") in page and reverse("accounts:people") in page


def test_the_invitation_page_is_not_cached(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("accounts:invite"),
            {"display_name": "Ida", "email": "ida@kommune.dk", "roles": [Role.EDITOR.value]},
        )
    path = re.search(r"https?://[^/\s]+(/konto/invitation/\S+/)", mailoutbox[0].body).group(1)
    response = Client().get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
