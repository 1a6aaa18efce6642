"""Who is trying to log in, as allauth and django-axes count it: a pseudonym of the
visitor's address, and the login name.

IP addresses are never stored in clear (docs: DESIGN.md, data rules), yet axes' lockout
records and allauth's session list keep an address column. They get a keyed hash of the
address, written as an IPv6 address in the unique-local range fd00::/8, so that one visitor
still maps to one value (lockout and rate limits work as before) while the table cannot be
turned back into addresses without the SECRET_KEY.
"""

from django.http import HttpRequest

# The pseudonym lives in core, where the rate limits count it too; these names stay here
# for allauth's and axes' settings.
from samskab.core.clientaddress import (  # noqa: F401 (re-exported)
    IPV6_PREFIX,
    address_pseudonym,
    request_address_pseudonym,
)


def axes_client_ip(request: HttpRequest) -> str:
    """AXES_CLIENT_IP_CALLABLE."""
    return request_address_pseudonym(request)


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the e-mail address being tried, however it reaches axes.

    allauth authenticates with `email=`, the login form posts `login`, and axes' own reset
    passes `login`; without this, axes would see no username and count every failure from
    a town hall's one address against all its citizens together.
    """
    credentials = credentials or {}
    data = getattr(request, "POST", {}) if request is not None else {}
    login = credentials.get("email") or credentials.get("login") or data.get("login")
    if not login or not isinstance(login, str):
        return None
    return login.strip().lower()
