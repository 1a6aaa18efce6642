"""Address pseudonyms: one per visitor, not the address, stable within an IPv6 /64."""

import ipaddress

from django.test import RequestFactory

from samskab.accounts.addresses import address_pseudonym, axes_username


def test_it_is_not_the_address_and_lies_in_the_unique_local_range():
    pseudonym = address_pseudonym("192.0.2.1")
    assert "192.0.2.1" not in pseudonym
    assert ipaddress.ip_address(pseudonym) in ipaddress.ip_network("fd00::/8")


def test_one_address_gives_one_pseudonym_and_two_give_two():
    assert address_pseudonym("192.0.2.1") == address_pseudonym("192.0.2.1")
    assert address_pseudonym("192.0.2.1") != address_pseudonym("192.0.2.2")


def test_an_ipv4_mapped_address_counts_as_the_ipv4_address():
    assert address_pseudonym("::ffff:192.0.2.1") == address_pseudonym("192.0.2.1")


def test_addresses_in_one_ipv6_64_count_as_one():
    assert address_pseudonym("2001:db8:1:2::1") == address_pseudonym("2001:db8:1:2:ffff::9")
    assert address_pseudonym("2001:db8:1:2::1") != address_pseudonym("2001:db8:1:3::1")


def test_it_depends_on_the_secret_key(settings):
    before = address_pseudonym("192.0.2.1")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert address_pseudonym("192.0.2.1") != before


def test_the_login_name_for_axes_is_the_address_tried_in_lower_case():
    request = RequestFactory().post("/accounts/login/", {"login": " Alice@Example.org "})
    assert axes_username(request) == "alice@example.org"
    assert axes_username(request, {"email": "Bob@Example.org"}) == "bob@example.org"
    assert axes_username(request, {"login": "Carl@Example.org"}) == "carl@example.org"
