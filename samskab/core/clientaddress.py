"""The visitor's address, trusting X-Forwarded-For only from our own proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if remote not in settings.TRUSTED_PROXIES:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Walk from the right: the rightmost address not ours is the one our proxy saw.
    for address in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if address not in settings.TRUSTED_PROXIES:
            return address
    return remote
