"""The visitor's address, trusting X-Forwarded-For only from our own proxies, and its
pseudonym: what rate limits, lockouts and session lists count instead of the address."""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

# The salt predates this module (the pseudonyms were first made for accounts' lockouts);
# changing it would make every stored pseudonym a stranger.
_SALT = "samskab.accounts.addresses"
# An IPv6 visitor usually has a whole /64 to pick addresses from; count it as one address,
# as allauth's rate limits do.
IPV6_PREFIX = 64
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=16)
def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """TRUSTED_PROXIES as networks: an address is a /32 (or /128), "10.0.0.0/8" a range."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip().strip("[]"), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an address or range"
            ) from error
    return tuple(networks)


def is_trusted_proxy(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        parsed = parsed.ipv4_mapped
    return any(parsed in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip_from(remote: str, forwarded: str) -> str:
    """The address from the peer's address and its X-Forwarded-For header (also used by the
    fast vote path, which has an ASGI scope and no request)."""
    remote = remote or ""
    if not is_trusted_proxy(remote):
        return remote
    # Walk from the right: the rightmost address not ours is the one our proxy saw.
    for address in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not is_trusted_proxy(address):
            return address
    return remote


def client_ip(request: HttpRequest) -> str:
    return client_ip_from(
        request.META.get("REMOTE_ADDR", "") or "", request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def address_pseudonym(address: str) -> str:
    """A keyed hash of the address (an IPv6 /64 counts as one), written as an address in the
    unique-local range fd00::/8: one visitor maps to one value, and the value cannot be
    turned back into the address without the SECRET_KEY."""
    return _pseudonym(address, settings.SECRET_KEY)


@functools.lru_cache(maxsize=4096)
def _pseudonym(address: str, secret: str) -> str:
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
    digest = salted_hmac(_SALT, canonical, secret=secret, algorithm="sha256").digest()
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))


def request_address_pseudonym(request: HttpRequest) -> str:
    # ClientAddressMiddleware has worked out the address, trusting only our own proxies.
    return address_pseudonym(getattr(request, "client_ip", None) or client_ip(request))
