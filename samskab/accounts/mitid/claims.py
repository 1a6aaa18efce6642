"""Keep CPR numbers out of what a MitID broker sends us.

Pure: no Django. Brokers name the CPR claim differently (`dk.cpr`, `mitid.cpr`,
`cprNumberIdentifier`, `nin`, `ssn`, `signicat.national_id`), and some put it where we do not
expect it, so claims are dropped both by name and by value.
"""

import re
from collections.abc import Mapping
from typing import Any

# A Danish CPR number: DDMMYY-SSSS, with or without the dash (or a space). In text it stands
# apart from letters and digits, which keeps identifiers such as a UUID's last group
# ("a1234567890b") from being taken for one.
_CPR_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{6}[- ]?\d{4}(?![0-9A-Za-z])")
_CPR_EXACT = re.compile(r"\d{6}[- ]?\d{4}")
# Words in a claim's name that mean it holds a national identity number.
_CPR_NAME_WORDS = {"cpr", "ssn", "nin", "pnr", "personnummer", "cprnummer"}
_CPR_NAME_PHRASES = (
    "national_id",
    "nationalid",
    "national_identity",
    "socialno",
    "social_security",
)
_NAME_SPLIT = re.compile(r"[^a-z0-9]+")
# The subject is the account's identifier and is always kept; the login is refused instead
# when it is a CPR number (tokens.py).
_KEPT = {"sub"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_cpr_like(value: str) -> bool:
    """True if the whole value is a CPR number (used on the subject, which must be a pseudonym)."""
    return bool(_CPR_EXACT.fullmatch(value.strip()))


def contains_cpr(value: str) -> bool:
    return bool(_CPR_IN_TEXT.search(value))


def is_cpr_claim_name(name: str) -> bool:
    spaced = _CAMEL.sub("_", name).lower()
    if any(phrase in spaced for phrase in _CPR_NAME_PHRASES):
        return True
    return any(word in _CPR_NAME_WORDS for word in _NAME_SPLIT.split(spaced))


def scrub_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `claims` without anything that is, or is named like, a CPR number.

    Numbers (exp, iat, auth_time) are kept: a CPR number is always sent as text, and a
    ten-digit timestamp is not one.
    """
    return {
        key: _scrub_value(value)
        for key, value in claims.items()
        if key in _KEPT or (not is_cpr_claim_name(str(key)) and not _holds_cpr(value))
    }


def _holds_cpr(value: Any) -> bool:
    return isinstance(value, str) and contains_cpr(value)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return scrub_claims(value)
    if isinstance(value, list | tuple):
        return [_scrub_value(item) for item in value if not _holds_cpr(item)]
    return value
