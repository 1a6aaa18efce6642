"""Privacy: the privacy page, downloading one's data, deleting one's account."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import translation

from samskab.accounts.census import parse_date
from samskab.accounts.models import ResidenceVerification, User, VerificationLevel
from samskab.accounts.roles import Role
from samskab.accounts.services import ResidenceClaimed, account_delete, residence_verify
from samskab.accounts.tests.factories_census import ANNA, PASSWORD, citizen, import_census, staff
from samskab.core import privacy
from samskab.core.models import SiteSettings

EXPORT_URL = "/konto/mine-data/"
DELETE_URL = "/konto/slet/"


@pytest.fixture(autouse=True)
def _english(client):
    # Assertions read the English source strings; Danish is the site's default.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def recorded(monkeypatch):
    """A fake app registered with samskab.core.privacy, recording what it was asked."""
    calls: list[tuple[str, int, bool]] = []

    def export(user):
        return {"votes": LogEntry.objects.filter(user=user).count()}

    def anonymise(user):
        # Runs before the account row is emptied, inside the same transaction.
        calls.append(("anonymise", user.pk, User.objects.get(pk=user.pk).deleted_at is None))

    monkeypatch.setitem(
        privacy._handlers, "fakevotes", privacy.PrivacyHandler("fakevotes", export, anonymise)
    )
    return calls


def verified_resident(email="anna@example.org") -> User:
    import_census(ANNA)
    user = citizen(email)
    residence_verify(
        user=user, identifier=ANNA[0], birth_date=parse_date(ANNA[1]), postal_code=ANNA[2]
    )
    return user


def vote_like_row(user: User) -> LogEntry:
    # A row with a cascading foreign key to the user, as a vote has.
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr="vote",
        action_flag=ADDITION,
    )


def reauthenticate(client: Client, password: str = PASSWORD, *, url="/accounts/reauthenticate/"):
    return client.post(url, {"password": password})


# The privacy page


@pytest.mark.django_db
def test_the_privacy_page_says_what_is_stored_and_for_how_long(client, settings):
    settings.SESSION_COOKIE_AGE = 3 * 3600
    page = client.get("/privatliv/").content.decode()
    for item in (
        "Your account",
        "Residence verification",
        "census extract",
        "Viewer cookie",
        "Session cookie",
        "Language cookie",
        "Server logs",
        "Rate-limit counters",
        "No trackers",
        "365 days",
        "Ends after 3 hours without activity",
    ):
        assert item in page, item
    assert 'href="/konto/mine-data/"' in page
    assert 'href="/konto/slet/"' in page
    assert "we keep the keyed hash of your identifier" in page


@pytest.mark.django_db
def test_the_privacy_page_names_the_data_controller_from_the_site_settings(client):
    site = SiteSettings.current()
    site.privacy_contact = "Demokommune, Rådhuset\nDPO: dpo@demo.dk"
    site.save()
    page = client.get("/privatliv/").content.decode()
    assert "Demokommune, Rådhuset<br>DPO: dpo@demo.dk" in page


@pytest.mark.django_db
def test_the_profile_shows_the_level_what_each_allows_and_the_privacy_links(client):
    client.force_login(citizen())
    page = client.get("/konto/").content.decode()
    assert "Viewer without an account" in page
    assert '<li aria-current="step">\n      <strong>E-mail verified</strong>' in page
    assert "Resident verified" in page
    assert "Vote in binding votes" in page
    for url in ("/konto/bopael/", EXPORT_URL, DELETE_URL, "/accounts/email/", "/accounts/2fa/"):
        assert f'href="{url}"' in page, url


@pytest.mark.django_db
def test_a_citizen_sets_their_display_name(client):
    user = citizen()
    client.force_login(user)
    response = client.post("/konto/", {"display_name": "  Anna A.  "})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Anna A."


# Download my data


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in_for_the_export_and_the_deletion(client):
    for url in (EXPORT_URL, DELETE_URL, "/konto/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next="), url


@pytest.mark.django_db
def test_the_export_holds_everything_about_the_person(client, recorded):
    user = verified_resident()
    user.display_name = "Anna A."
    user.save()
    EmailAddress.objects.create(user=user, email="anna.work@example.org", verified=False)
    SocialAccount.objects.create(user=user, provider="mitid", uid="pseudonym-123")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "s"})
    vote_like_row(user)
    client.force_login(user)
    client.get("/konto/")  # the session is now tracked by allauth

    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="samskab-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "anna@example.org"
    assert data["account"]["display_name"] == "Anna A."
    assert data["account"]["verification_level"] == "resident verified"
    assert [row["email"] for row in data["email_addresses"]] == [
        "anna@example.org",
        "anna.work@example.org",
    ]
    assert data["social_logins"][0]["provider"] == "mitid"
    assert data["social_logins"][0]["subject"] == "pseudonym-123"
    assert data["second_factors"][0]["type"] == "totp"
    assert "secret" not in response.content.decode()
    assert data["residence_verification"]["postal_code"] == "8000"
    assert data["residence_verification"]["method"] == "census details"
    assert len(data["sessions"]) == 1
    assert data["apps"]["fakevotes"] == {"votes": 1}  # other apps register their own too
    # The keyed hash says nothing to the person and is left out.
    assert ResidenceVerification.objects.get().identifier_hash not in response.content.decode()


@pytest.mark.django_db
def test_the_export_is_only_ever_of_the_logged_in_person(client):
    client.force_login(citizen())
    citizen("bo@example.org")
    data = client.get(EXPORT_URL).json()
    assert "bo@example.org" not in json.dumps(data)


# Delete my account


@pytest.mark.django_db
def test_the_deletion_page_explains_what_happens_and_asks_for_confirmation(client):
    client.force_login(citizen())
    page = client.get(DELETE_URL).content.decode()
    assert "votes and supports you gave are still counted" in page
    assert 'type="checkbox"' in page


@pytest.mark.django_db
def test_deletion_asks_for_the_password_and_then_deletes(client, recorded):
    user = citizen()
    client.force_login(user)
    response = client.post(DELETE_URL, {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Fkonto%2Fslet%2F"
    user.refresh_from_db()
    assert user.deleted_at is None

    # allauth resumes the suspended request once the password is right.
    response = reauthenticate(client, url=response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.deleted_at is not None
    assert recorded == [("anonymise", user.pk, True)]
    assert "Your account has been deleted." in client.get("/").content.decode()
    assert client.get("/konto/").status_code == 302  # logged out


@pytest.mark.django_db
def test_a_wrong_password_deletes_nothing(client):
    user = citizen()
    client.force_login(user)
    response = client.post(DELETE_URL, {"confirm": "on"})
    response = reauthenticate(client, password="not the password", url=response["Location"])
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.deleted_at is None
    assert user.is_active


@pytest.mark.django_db
def test_deletion_needs_the_box_ticked(client):
    user = citizen()
    client.force_login(user)
    reauthenticate(client)
    response = client.post(DELETE_URL, {})
    assert response.status_code == 200
    assert "Tick the box to confirm the deletion." in response.content.decode()
    user.refresh_from_db()
    assert user.deleted_at is None


@pytest.mark.django_db
def test_a_deleted_account_becomes_an_empty_tombstone(recorded):
    user = verified_resident()
    user.display_name = "Anna A."
    user.is_staff = True
    user.save()
    user.groups.add(staff(Role.MODERATOR).groups.get())
    SocialAccount.objects.create(user=user, provider="mitid", uid="pseudonym-123")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "s"})
    vote = vote_like_row(user)

    account_delete(user=user)

    tombstone = User.objects.get(pk=user.pk)
    assert tombstone.email == f"deleted-{user.pk}@invalid"
    assert tombstone.display_name == ""
    with translation.override("en"):
        assert tombstone.public_name == "Deleted user"
    assert not tombstone.has_usable_password()
    assert not tombstone.is_active
    assert not tombstone.is_staff
    assert not tombstone.groups.exists()
    assert tombstone.deleted_at is not None
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    # The vote-like row still points at the same (now empty) account: counts stay right.
    vote.refresh_from_db()
    assert vote.user_id == user.pk
    assert LogEntry.objects.filter(user=user).count() == 1
    # The resident's claim is kept, without the postal code.
    verification = ResidenceVerification.objects.get(user=user)
    assert verification.postal_code == ""


@pytest.mark.django_db
def test_a_deleted_resident_cannot_verify_a_new_account_but_may_sign_up_again():
    anna = verified_resident()
    account_delete(user=anna)
    again = citizen("anna@example.org")  # the address is free again
    with pytest.raises(ResidenceClaimed):
        residence_verify(
            user=again, identifier=ANNA[0], birth_date=parse_date(ANNA[1]), postal_code=ANNA[2]
        )


@pytest.mark.django_db
def test_deletion_ends_every_session_of_the_person(client):
    user = citizen()
    other_device = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_device.force_login(user)
    other_device.get("/konto/")
    client.force_login(user)
    client.get("/konto/")
    assert UserSession.objects.filter(user=user).count() == 2

    account_delete(user=user)

    assert not UserSession.objects.filter(user=user).exists()
    for device in (client, other_device):
        assert device.get("/konto/").status_code == 302


@pytest.mark.django_db
def test_a_failing_app_leaves_the_account_untouched(monkeypatch):
    def anonymise(user):
        raise RuntimeError("comments app is broken")

    monkeypatch.setitem(
        privacy._handlers, "broken", privacy.PrivacyHandler("broken", None, anonymise)
    )
    user = citizen()
    with pytest.raises(RuntimeError):
        account_delete(user=user)
    user.refresh_from_db()
    assert user.email == "anna@example.org"
    assert user.is_active
    assert EmailAddress.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_deleting_twice_changes_nothing_the_second_time(recorded):
    user = citizen()
    account_delete(user=user)
    account_delete(user=user)
    assert len(recorded) == 1
    assert User.objects.get(pk=user.pk).verification_level == VerificationLevel.EMAIL


@pytest.mark.django_db
def test_an_account_with_no_way_to_reauthenticate_is_deleted_on_confirmation(client):
    # A MitID-only account without a password, a confirmed address or a second factor:
    # allauth has nothing to ask for, so the fresh login and the ticked box must do.
    user = citizen(level=VerificationLevel.ACCOUNT)
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.post(DELETE_URL, {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.deleted_at is not None


@pytest.mark.django_db
def test_an_account_with_a_confirmed_address_but_no_password_is_sent_a_code(client):
    user = citizen()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.post(DELETE_URL, {"confirm": "on"})
    assert response["Location"].startswith("/accounts/reauthenticate/code/")
    user.refresh_from_db()
    assert user.deleted_at is None
