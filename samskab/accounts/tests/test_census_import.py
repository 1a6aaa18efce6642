"""The census import service and the demo census."""

import pytest
from django.conf import settings
from django.utils import translation

from samskab.accounts.census import hash_identifier, parse_census, parse_date
from samskab.accounts.demo import DEMO_CENSUS
from samskab.accounts.models import CensusImport, CensusRecord, ResidenceVerification
from samskab.accounts.selectors import (
    census_identifier_label,
    residence_verifications_missing_from,
)
from samskab.accounts.services import CensusNotReady, census_replace, residence_verify
from samskab.accounts.tests.factories_census import (
    ANNA,
    BO,
    CARL,
    census_csv,
    citizen,
    import_census,
)
from samskab.core.demo import demo_load


def digest(identifier: str) -> str:
    return hash_identifier(identifier, pepper=settings.CENSUS_PEPPER)


@pytest.mark.django_db
def test_an_import_replaces_the_previous_census():
    first = import_census(ANNA, BO).census_import
    result = import_census(BO, CARL)
    assert result.removed == 2
    assert set(CensusRecord.objects.values_list("identifier_hash", flat=True)) == {
        digest(BO[0]),
        digest(CARL[0]),
    }
    assert set(CensusRecord.objects.values_list("census_import", flat=True)) == {
        result.census_import.pk
    }
    # The earlier import stays as a line in the log, without its records.
    assert CensusImport.objects.get(pk=first.pk).row_count == 2


@pytest.mark.django_db
def test_no_identifier_is_stored_in_clear():
    import_census(ANNA)
    record = CensusRecord.objects.get()
    assert record.identifier_hash == digest("0101901234")
    stored = " ".join(str(value) for value in CensusRecord.objects.values_list().get())
    assert "0101901234" not in stored
    assert "010190-1234" not in stored


@pytest.mark.django_db
def test_a_census_with_a_broken_row_is_refused_and_the_old_one_kept():
    import_census(ANNA)
    broken = parse_census(
        census_csv([BO, ("3112705678", "31-12-1970", "80000")]), pepper=settings.CENSUS_PEPPER
    )
    with pytest.raises(CensusNotReady):
        census_replace(census=broken, file_name="broken.csv", created_by=None)
    assert list(CensusRecord.objects.values_list("identifier_hash", flat=True)) == [digest(ANNA[0])]
    assert CensusImport.objects.count() == 1


@pytest.mark.django_db
def test_a_re_import_keeps_verifications_of_people_no_longer_in_it():
    import_census(ANNA, BO)
    anna = citizen()
    residence_verify(
        user=anna, identifier=ANNA[0], birth_date=parse_date(ANNA[1]), postal_code="8000"
    )
    assert residence_verifications_missing_from() == 0
    assert residence_verifications_missing_from({digest(BO[0])}) == 1  # the preview's count

    import_census(BO, CARL)

    anna.refresh_from_db()
    assert anna.is_resident_verified
    assert ResidenceVerification.objects.filter(user=anna).exists()
    assert residence_verifications_missing_from() == 1


@pytest.mark.django_db
def test_a_hundred_thousand_residents_import_in_one_go():
    rows = [
        (f"{i:010d}", f"{1 + i % 28:02d}-{1 + i % 12:02d}-{1930 + i % 90}", f"{1000 + i % 9000}")
        for i in range(100_000)
    ]
    census = parse_census(census_csv(rows), pepper=settings.CENSUS_PEPPER)
    import_census(ANNA)
    result = census_replace(census=census, file_name="big.csv", created_by=None)
    assert result.census_import.row_count == 100_000
    assert result.removed == 1
    assert CensusRecord.objects.count() == 100_000
    assert CensusRecord.objects.filter(identifier_hash=digest("0000054321")).exists()


@pytest.mark.django_db
def test_citizens_are_asked_for_the_identifier_the_municipality_named():
    with translation.override("en"):
        assert census_identifier_label() == "CPR number"
    census = parse_census(census_csv([ANNA]), pepper=settings.CENSUS_PEPPER)
    census_replace(
        census=census, file_name="x.csv", created_by=None, identifier_label="Borgernummer"
    )
    assert census_identifier_label() == "Borgernummer"


@pytest.mark.django_db
def test_the_demo_imports_its_census_once_and_a_newcomer_can_verify_with_it():
    demo_load()
    demo_load()
    assert CensusImport.objects.count() == 1
    assert CensusRecord.objects.count() == len(DEMO_CENSUS)
    identifier, birth, postal = DEMO_CENSUS[0]  # as `samskab demo` prints them
    newcomer = citizen("new@example.org")
    residence_verify(
        user=newcomer, identifier=identifier, birth_date=parse_date(birth), postal_code=postal
    )
    assert newcomer.is_resident_verified
