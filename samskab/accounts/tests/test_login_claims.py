"""CPR numbers are recognised however a broker names or places them. Pure: no database."""

import pytest

from samskab.accounts.mitid.claims import is_cpr_claim_name, is_cpr_like, scrub_claims


@pytest.mark.parametrize(
    "name",
    [
        "cpr",
        "dk.cpr",
        "mitid.cpr",
        "cprNumberIdentifier",
        "CPR_NUMBER",
        "nin",
        "DK_SSN",
        "ssn",
        "signicat.national_id",
        "nationalIdentityNumber",
    ],
)
def test_it_knows_a_cpr_claim_by_its_name(name):
    assert is_cpr_claim_name(name)


@pytest.mark.parametrize(
    "name", ["sub", "nameidentifier", "acr", "idp", "birthdate", "opening_hours", "uuid", "loa"]
)
def test_it_does_not_mistake_other_claims_for_cpr(name):
    assert not is_cpr_claim_name(name)


def test_it_drops_cpr_numbers_whatever_the_claim_is_called():
    claims = {"sub": "abc", "identifier": "0101901234", "text": "cpr 010190-1234", "acr": "x"}
    assert scrub_claims(claims) == {"sub": "abc", "acr": "x"}


def test_it_drops_cpr_numbers_inside_nested_claims_and_lists():
    claims = {"address": {"cpr": "0101901234", "city": "Ry"}, "ids": ["0101901234", "a"]}
    assert scrub_claims(claims) == {"address": {"city": "Ry"}, "ids": ["a"]}


def test_it_keeps_timestamps_and_dates():
    claims = {"exp": 1700000300, "iat": 1700000000, "birthdate": "1990-01-01"}
    assert scrub_claims(claims) == claims


def test_a_subject_is_cpr_like_only_when_it_is_a_whole_cpr_number():
    assert is_cpr_like("0101901234")
    assert is_cpr_like("010190-1234")
    assert not is_cpr_like("{0f9960a0-d28d-4353-a3e2-ea07f8ffa185}")
    assert not is_cpr_like("01019012345")


def test_it_keeps_identifiers_that_merely_contain_ten_digits():
    claims = {
        "sub": "3f1b2c4d-aa12-4567-8901-a123456789012",
        "mitid.uuid": "0f9960a0-d28d-4353-a3e2-b01234567890",
        "sid": "x0123456789y",
    }
    assert scrub_claims(claims) == claims


def test_it_always_keeps_the_subject():
    # The subject is checked on its own: a CPR-like subject refuses the login (tokens.py).
    assert scrub_claims({"sub": "0101901234"}) == {"sub": "0101901234"}
