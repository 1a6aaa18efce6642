"""A citizen verifies their residence against the census (typed details and a code by letter)."""

import csv
import io

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from samskab.accounts.census import hash_identifier
from samskab.accounts.models import ResidenceVerification, VerificationLevel
from samskab.accounts.tests.factories_census import ANNA, BO, CARL, citizen, import_census

URL = "/konto/bopael/"
MISMATCH = "We could not verify your residence with these details."
CLAIMED = "These details have already been used to verify another account."


@pytest.fixture(autouse=True)
def _english(client, settings):
    # Assertions read the English source strings; Danish is the site's default.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    # The typed check is the municipality's option; MitID is the default (test_login_nemlogin).
    settings.RESIDENCE_TYPED_CHECK = True


@pytest.fixture
def census(db):
    return import_census(ANNA, BO)


def details(identifier=ANNA[0], birth_date="01-01-1990", postal_code="8000") -> dict:
    return {"identifier": identifier, "birth_date": birth_date, "postal_code": postal_code}


def mail_room() -> dict[str, str]:
    """The municipality's mail room takes the waiting letters: {CPR number: code}."""
    from samskab.accounts.letters import residence_letters_export
    from samskab.accounts.roles import Role
    from samskab.accounts.tests.factories import StaffFactory

    export = residence_letters_export(by=StaffFactory(role=Role.ADMINISTRATOR))
    rows = list(csv.DictReader(io.StringIO(export.csv), delimiter=";"))
    return {row["cpr_number"]: row["code"] for row in rows}


def verify(client, data=None):
    """Type the details, wait for the letter, enter its code; returns the last response."""
    data = data or details()
    asked = client.post(URL, data)
    if asked.status_code != 302:
        return asked
    codes = mail_room()
    identifier = "".join(ch for ch in data["identifier"] if ch.isdigit())
    return client.post(URL, {"code": codes[identifier]})


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/konto/bopael/")


def test_an_account_without_a_confirmed_email_is_asked_to_confirm_it_first(client, census):
    user = citizen(level=VerificationLevel.ACCOUNT)
    client.force_login(user)
    response = client.post(URL, details())
    assert response.status_code == 403
    assert "Confirm your e-mail address first" in response.content.decode()
    user.refresh_from_db()
    assert user.verification_level == VerificationLevel.ACCOUNT


def test_the_form_asks_for_the_three_details(client, census):
    client.force_login(citizen())
    page = client.get(URL).content.decode()
    for label in ("CPR number", "Date of birth", "Postal code"):
        assert label in page
    assert 'autocomplete="bday"' in page


def test_a_citizen_in_the_census_becomes_a_verified_resident(client, census):
    user = citizen()
    client.force_login(user)
    asked = client.post(URL, details(identifier=" 010190 1234 ", birth_date="1990-01-01"))
    assert asked["Location"] == URL
    assert not ResidenceVerification.objects.exists()  # not before the letter's code
    response = client.post(URL, {"code": mail_room()["0101901234"]})
    assert response.status_code == 302
    assert response["Location"] == "/konto/"
    user.refresh_from_db()
    assert user.verification_level == VerificationLevel.RESIDENT
    verification = ResidenceVerification.objects.get(user=user)
    assert verification.method == ResidenceVerification.Method.LETTER
    assert verification.postal_code == "8000"
    assert verification.identifier_hash == hash_identifier(
        "0101901234", pepper=settings.CENSUS_PEPPER
    )
    page = client.get("/konto/").content.decode()
    assert "Your account is now verified as a resident" in page


@pytest.mark.parametrize(
    "wrong",
    [
        details(identifier="0101901235"),
        details(birth_date="02-01-1990"),
        details(postal_code="8200"),
        details(identifier=BO[0]),  # a real resident, but not with Anna's birth date
    ],
    ids=["identifier", "birth date", "postal code", "someone else's identifier"],
)
def test_wrong_details_get_one_message_that_does_not_say_which(client, census, wrong):
    user = citizen()
    client.force_login(user)
    response = client.post(URL, wrong)
    page = response.content.decode()
    assert response.status_code == 200
    assert MISMATCH in page
    for field in ("identifier", "birth_date", "postal_code"):
        assert f'id="id_{field}_error"' not in page
        assert 'aria-invalid="true"' not in page
    user.refresh_from_db()
    assert user.verification_level == VerificationLevel.EMAIL
    assert not ResidenceVerification.objects.exists()


def test_details_in_the_wrong_format_are_pointed_out_by_field(client, census):
    client.force_login(citizen())
    page = client.post(URL, details(birth_date="1990/01/01", postal_code="80")).content.decode()
    assert 'href="#id_birth_date"' in page  # the error summary links to the field
    assert 'id="id_birth_date_error"' in page
    assert 'aria-describedby="id_birth_date_helptext id_birth_date_error"' in page
    assert 'id="id_postal_code_error"' in page
    assert MISMATCH not in page


def test_an_identifier_of_only_dashes_and_spaces_is_asked_for_again(client, census):
    client.force_login(citizen())
    page = client.post(URL, details(identifier=" - - ")).content.decode()
    assert 'id="id_identifier_error">Enter your CPR number.' in page
    assert MISMATCH not in page


def test_a_resident_already_verified_on_another_account_is_told_to_contact_the_municipality(
    client, census
):
    first = citizen("first@example.org")
    client.force_login(first)
    verify(client)
    second = citizen("second@example.org")
    client.force_login(second)
    response = client.post(URL, details())
    page = response.content.decode()
    assert CLAIMED in page
    assert "Contact the municipality" in page
    second.refresh_from_db()
    assert second.verification_level == VerificationLevel.EMAIL
    assert ResidenceVerification.objects.get().user == first


def test_the_claim_message_appears_only_when_all_details_match(client, census):
    client.force_login(citizen("first@example.org"))
    verify(client)
    client.force_login(citizen("second@example.org"))
    page = client.post(URL, details(postal_code="8200")).content.decode()
    assert MISMATCH in page
    assert CLAIMED not in page


def test_someone_dropped_from_a_later_census_cannot_verify_but_the_verified_stay(client, census):
    anna = citizen()
    client.force_login(anna)
    verify(client)
    import_census(BO, CARL)  # Anna moved away

    anna.refresh_from_db()
    assert anna.is_resident_verified
    # Her details no longer verify anyone: the census is what counts now.
    client.force_login(citizen("new@example.org"))
    assert MISMATCH in client.post(URL, details()).content.decode()
    assert not ResidenceVerification.objects.exclude(user=anna).exists()


def test_a_verified_resident_is_sent_back_to_their_account(client, census):
    user = citizen()
    client.force_login(user)
    verify(client)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/konto/"


def test_attempts_are_limited_to_five_an_hour_per_account(
    client, census, time_machine, ratelimit_clock
):
    time_machine.move_to("2026-03-02 10:00:30")
    user = citizen()
    client.force_login(user)
    for _attempt in range(5):
        assert client.post(URL, details(postal_code="9999")).status_code == 200
    refused = client.post(URL, details())
    assert refused.status_code == 429
    user.refresh_from_db()
    assert not user.is_resident_verified
    # Another account is counted apart.
    client.force_login(citizen("other@example.org"))
    assert client.post(URL, details(postal_code="9999")).status_code == 200
    # And an hour later the first may try again (the limiter counts an hour in slices of
    # six minutes, the oldest whole: at most a slice more).
    time_machine.move_to("2026-03-02 11:06:30")
    ratelimit_clock.advance(66 * 60)
    client.force_login(user)
    assert client.post(URL, details()).status_code == 302


@pytest.mark.django_db
def test_the_database_itself_refuses_one_resident_on_two_accounts(census):
    first, second = citizen("first@example.org"), citizen("second@example.org")
    ResidenceVerification.objects.create(user=first, identifier_hash="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidenceVerification.objects.create(user=second, identifier_hash="a" * 64)
