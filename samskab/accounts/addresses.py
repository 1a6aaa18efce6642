"""Who is trying to log in, as allauth and django-axes count it: a pseudonym of the
visitor's address, and the login name.

IP addresses are never stored in clear (docs: DESIGN.md, data rules), yet axes' lockout
records and allauth's session list keep an address column. They get a keyed hash of the
address, written as an IPv6 address in the unique-local range fd00::/8, so that one visitor
still maps to one value (lockout and rate limits work as before) while the table cannot be
turned back into addresses without the SECRET_KEY.
"""

import ipaddress

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from samskab.core.clientaddress import client_ip

_SALT = "samskab.accounts.addresses"
# An IPv6 visitor usually has a whole /64 to pick addresses from; count it as one address,
# as allauth's rate limits do.
IPV6_PREFIX = 64


def address_pseudonym(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        canonical = address
    else:
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
            parsed = parsed.ipv4_mapped
        if isinstance(parsed, ipaddress.IPv6Address):
            canonical = str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False))
        else:
            canonical = str(parsed)
    digest = salted_hmac(_SALT, canonical, algorithm="sha256").digest()
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))


def request_address_pseudonym(request: HttpRequest) -> str:
    # ClientAddressMiddleware has worked out the address, trusting only our own proxies.
    return address_pseudonym(getattr(request, "client_ip", None) or client_ip(request))


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
