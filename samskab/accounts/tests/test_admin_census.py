"""Staff import the census in the admin; only administrators may."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from samskab.accounts.models import (
    CensusImport,
    CensusRecord,
    ResidenceVerification,
    VerificationLevel,
)
from samskab.accounts.roles import Role
from samskab.accounts.services import residence_verify
from samskab.accounts.tests.factories_census import (
    ANNA,
    BO,
    CARL,
    census_csv,
    citizen,
    import_census,
    staff,
)

IMPORT_URL = "/admin/accounts/censusimport/add/"


def upload(client, data: bytes, *, action: str = "import", name: str = "census.csv", **fields):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(IMPORT_URL, {"file": file, "action": action, **fields})


@pytest.fixture(autouse=True)
def _english(client):
    # Assertions read the English source strings; Danish is the site's default.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def admin_client(client):
    client.force_login(staff(Role.ADMINISTRATOR))
    return client


@pytest.mark.django_db
def test_an_administrator_sees_the_import_page_with_the_current_census(admin_client):
    import_census(ANNA, BO)
    response = admin_client.get(IMPORT_URL)
    assert response.status_code == 200
    assert b'type="file"' in response.content
    assert b'enctype="multipart/form-data"' in response.content
    assert "The census now has 2 residents" in response.content.decode()


@pytest.mark.django_db
def test_the_import_buttons_have_the_admins_button_style(admin_client):
    # Staff walk finding 37: "Importér" was a plain grey browser button.
    page = admin_client.get(IMPORT_URL).content.decode()

    assert 'value="import" class="button default"' in page
    assert 'value="check" class="button"' in page


@pytest.mark.django_db
def test_an_administrator_imports_a_census_and_sees_the_result(admin_client, settings):
    response = upload(
        admin_client, census_csv([ANNA, BO, CARL], bom=True), name="folkeregister.csv"
    )
    census_import = CensusImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/censusimport/{census_import.pk}/change/"
    assert census_import.row_count == 3
    assert census_import.file_name == "folkeregister.csv"
    assert CensusRecord.objects.count() == 3

    page = admin_client.get(response["Location"]).content.decode()
    assert "The census now has 3 residents" in page
    assert "folkeregister.csv" in page
    # The file itself was not kept anywhere.
    assert not (settings.MEDIA_ROOT.exists() and any(settings.MEDIA_ROOT.rglob("*")))


@pytest.mark.django_db
def test_danish_excel_s_semicolon_csv_imports_as_it_is(admin_client):
    data = "CPR-nummer;Fødselsdato;Postnr\r\n010190-1234;01-01-1990;8000\r\n".encode("cp1252")
    assert upload(admin_client, data).status_code == 302
    assert CensusRecord.objects.count() == 1


@pytest.mark.django_db
def test_a_file_with_broken_rows_is_reported_by_row_and_nothing_is_imported(admin_client):
    import_census(ANNA)
    data = census_csv([BO, ("3112705678", "31-02-1970", "8000"), ("", "1990-01-01", "80")])
    response = upload(admin_client, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in page
    assert "<td>3</td><td>&#x27;31-02-1970&#x27; is not a birth date" in page
    assert "<td>4</td><td>the identifier is empty</td>" in page
    assert "<td>4</td><td>&#x27;80&#x27; is not a postal code (four digits)</td>" in page
    assert CensusImport.objects.count() == 1
    assert CensusRecord.objects.get().census_import.file_name == "census.csv"


@pytest.mark.django_db
def test_a_file_full_of_problems_lists_the_first_two_hundred(admin_client):
    rows = [(f"{i:010d}", "1990-01-01", "DK") for i in range(250)]
    response = upload(admin_client, census_csv(rows))
    summary = response.context["summary"]
    assert (summary["broken_rows"], len(summary["errors"]), summary["more_errors"]) == (
        250,
        200,
        50,
    )
    assert "… and 50 more." in response.content.decode()
    assert not CensusRecord.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_identifier_names_the_row_it_repeats(admin_client):
    response = upload(admin_client, census_csv([ANNA, BO, ("0101901234", "1990-01-01", "8000")]))
    assert "the same identifier is already in row 2" in response.content.decode()
    assert not CensusRecord.objects.exists()


@pytest.mark.django_db
def test_checking_a_file_shows_a_summary_and_imports_nothing(admin_client):
    import_census(ANNA, BO)
    anna = citizen()
    residence_verify(user=anna, identifier=ANNA[0], birth_date=_day(ANNA[1]), postal_code=ANNA[2])
    response = upload(admin_client, census_csv([BO, CARL]), action="check")
    summary = response.context["summary"]
    assert (summary["rows_read"], summary["to_import"], summary["error_count"]) == (2, 2, 0)
    assert summary["missing"] == 1  # Anna is verified but not in the new file
    assert "The file is fine" in response.content.decode()
    assert CensusImport.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "is not a CSV text file"),
        (b"cpr;f\x81dselsdato;postnr\n0101901234;1990-01-01;8000\n", "cannot be read"),
        (b"", "The submitted file is empty."),
    ],
    ids=["binary", "undecodable", "empty"],
)
@pytest.mark.django_db
def test_a_file_that_is_not_a_utf8_csv_gets_a_clear_message(admin_client, data, message):
    response = upload(admin_client, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CensusImport.objects.exists()


@pytest.mark.django_db
def test_the_municipality_names_the_identifier_citizens_are_asked_for(admin_client):
    upload(admin_client, census_csv([ANNA]), identifier_label="Borgernummer")
    assert CensusImport.objects.get().identifier_label == "Borgernummer"


@pytest.mark.django_db
def test_a_moderator_may_not_import_the_census(client):
    client.force_login(staff(Role.MODERATOR))
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, census_csv([ANNA])).status_code == 403
    assert not CensusRecord.objects.exists()


@pytest.mark.django_db
def test_a_citizen_is_sent_to_the_admin_login(client):
    client.force_login(citizen())
    response = upload(client, census_csv([ANNA]))
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not CensusRecord.objects.exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_admin_login(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_the_admin_lists_verifications_no_longer_in_the_census(admin_client):
    import_census(ANNA, BO)
    anna, bo = citizen(), citizen("bo@example.org")
    for user, (identifier, birth, postal) in ((anna, ANNA), (bo, BO)):
        residence_verify(
            user=user, identifier=identifier, birth_date=_day(birth), postal_code=postal
        )
    import_census(BO, CARL)

    outside = admin_client.get("/admin/accounts/residenceverification/?in_census=no")
    inside = admin_client.get("/admin/accounts/residenceverification/?in_census=yes")
    assert [v.user for v in outside.context["cl"].result_list] == [anna]
    assert [v.user for v in inside.context["cl"].result_list] == [bo]
    current = CensusImport.objects.order_by("-pk").first()
    page = admin_client.get(f"/admin/accounts/censusimport/{current.pk}/change/")
    assert "?in_census=no" in page.content.decode()


@pytest.mark.django_db
def test_revoking_a_verification_in_the_admin_lowers_the_account_to_email(admin_client):
    import_census(ANNA)
    anna = citizen()
    verification = residence_verify(
        user=anna, identifier=ANNA[0], birth_date=_day(ANNA[1]), postal_code=ANNA[2]
    )
    url = f"/admin/accounts/residenceverification/{verification.pk}/delete/"
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.verification_level == VerificationLevel.EMAIL
    assert not ResidenceVerification.objects.exists()


def _day(text: str):
    from samskab.accounts.census import parse_date

    return parse_date(text)
