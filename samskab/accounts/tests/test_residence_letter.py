"""The one-time code by letter behind the typed residence check: queued when the details
match, handed to the mail room as CSV (CPR number and code erased here then), entered by
the person; expiry, wrong codes, too many letters and the mail room's permission refused."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samskab.accounts import letters
from samskab.accounts.models import ResidenceLetter, ResidenceVerification
from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, staff_sign_in
from samskab.accounts.tests.factories_census import ANNA, BO, citizen, import_census
from samskab.accounts.tests.test_verification import URL, details, mail_room

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(client, settings):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.RESIDENCE_TYPED_CHECK = True
    import_census(ANNA, BO)


@pytest.fixture
def anna(client):
    user = citizen()
    client.force_login(user)
    return user


def test_matching_details_queue_a_letter_and_the_page_asks_for_its_code(client, anna):
    response = client.post(URL, details(), follow=True)

    page = response.content.decode()
    assert "A letter with a one-time code is on its way" in page
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page
    letter = ResidenceLetter.objects.get(user=anna)
    assert letter.postal_code == "8000" and letter.sealed
    # Neither the CPR number nor the code is readable in the database.
    assert "0101901234" not in letter.sealed and not anna.is_resident_verified


def test_the_mail_room_export_has_cpr_and_code_once_and_erases_them(client, anna):
    client.post(URL, details())
    admin = StaffFactory(role=Role.ADMINISTRATOR)

    export = letters.residence_letters_export(by=admin)

    rows = list(csv.DictReader(io.StringIO(export.csv), delimiter=";"))
    assert export.count == 1 and rows[0]["cpr_number"] == "0101901234"
    assert len(rows[0]["code"]) == 8 and rows[0]["code"] in rows[0]["text"]
    letter = ResidenceLetter.objects.get()
    assert letter.sealed == "" and letter.exported_at is not None
    assert letters.residence_letters_export(by=admin).count == 0


def test_the_admin_hands_letters_to_the_mail_room_as_a_csv_download(client, anna):
    client.post(URL, details())
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff_sign_in(staff, StaffFactory(role=Role.ADMINISTRATOR))

    listing = staff.get(reverse("admin:accounts_residenceletter_changelist")).content.decode()
    assert reverse("admin:accounts_residenceletter_export") in listing
    assert "0101901234" not in listing

    response = staff.post(reverse("admin:accounts_residenceletter_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "0101901234" in response.content.decode()


def test_only_administrators_hand_letters_to_the_mail_room(client, anna):
    client.post(URL, details())
    with pytest.raises(letters.LetterRefused):
        letters.residence_letters_export(by=StaffFactory(role=Role.EDITOR))
    assert ResidenceLetter.objects.get().sealed


def test_the_right_code_verifies_by_letter(client, anna):
    client.post(URL, details())
    code = mail_room()["0101901234"]

    response = client.post(URL, {"code": code[:4] + " " + code[4:]})

    assert response["Location"] == "/konto/"
    verification = ResidenceVerification.objects.get(user=anna)
    assert verification.method == ResidenceVerification.Method.LETTER
    assert ResidenceLetter.objects.get().confirmed_at is not None


def test_wrong_codes_are_counted_and_the_fifth_voids_the_letter(client, anna):
    client.post(URL, details())
    code = mail_room()["0101901234"]
    wrong = "00000000" if code != "00000000" else "11111111"

    first = client.post(URL, {"code": wrong}).content.decode()
    assert "The code is not right" in first and "4 tries left" in first
    for remaining in (3, 2, 1):
        with pytest.raises(letters.WrongCode) as refused:
            letters.residence_letter_confirm(user=anna, code=wrong)
        assert refused.value.remaining == remaining
    last = client.post(URL, {"code": wrong}).content.decode()
    assert "no longer works" in last

    # Not even the right code works now; the person can ask for a new letter.
    page = client.post(URL, {"code": code})
    assert not ResidenceVerification.objects.exists()
    assert 'name="identifier"' in page.content.decode()
    assert ResidenceLetter.objects.get().void_at is not None


def test_an_expired_code_is_refused(client, anna, settings):
    client.post(URL, details())
    code = mail_room()["0101901234"]

    with time_machine.travel(timezone.now() + timedelta(days=settings.RESIDENCE_LETTER_DAYS + 1)):
        with pytest.raises(letters.LetterRefused, match="expired"):
            letters.residence_letter_confirm(user=anna, code=code)
        # The page offers a new letter instead of the code form.
        client.force_login(anna)
        assert 'name="identifier"' in client.get(URL).content.decode()
    assert not ResidenceVerification.objects.exists()


def test_one_letter_at_a_time_and_at_most_three_in_ninety_days(client, anna, settings):
    client.post(URL, details())
    with pytest.raises(letters.LetterRefused, match="already on its way"):
        letters.residence_letter_request(
            user=anna, identifier=ANNA[0], birth_date=ANNA[1], postal_code="8000"
        )
    settings.RESIDENCE_LETTER_DAYS = 10
    ResidenceLetter.objects.update(expires_at=timezone.now() + timedelta(days=10))
    for days in (11, 22):
        with time_machine.travel(timezone.now() + timedelta(days=days)):
            letters.residence_letter_request(
                user=anna, identifier=ANNA[0], birth_date=ANNA[1], postal_code="8000"
            )
    with time_machine.travel(timezone.now() + timedelta(days=33)):
        client.force_login(anna)
        page = client.post(URL, details()).content.decode()
    assert "too many letters" in page
    assert ResidenceLetter.objects.count() == 3


def test_wrong_details_send_no_letter(client, anna):
    page = client.post(URL, details(postal_code="8200")).content.decode()
    assert "We could not verify your residence" in page
    assert not ResidenceLetter.objects.exists()


def test_a_resident_verified_elsewhere_while_the_letter_travelled_is_refused(client, anna):
    client.post(URL, details())
    code = mail_room()["0101901234"]
    other = citizen("other@example.org")
    ResidenceVerification.objects.create(
        user=other, identifier_hash=ResidenceLetter.objects.get().identifier_hash
    )

    page = client.post(URL, {"code": code}).content.decode()

    assert "already been used to verify another account" in page
    assert not ResidenceVerification.objects.filter(user=anna).exists()


def test_the_code_page_is_danish(client, anna):
    client.post(URL, details())
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Skriv koden fra dit brev" in page
