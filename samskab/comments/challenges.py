"""Proof-of-work challenges for posting without an account: signed, dated, used once."""

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from samskab.comments import pow

SALT = "samskab.comments.pow"
MAX_AGE = 10 * 60


def bits() -> int:
    return getattr(settings, "COMMENTS_POW_BITS", 16)


def issue(place: str) -> dict:
    challenge = signing.dumps({"p": place, "r": secrets.token_hex(8)}, salt=SALT)
    return {"challenge": challenge, "bits": bits()}


def verify(*, place: str, challenge: str, nonce: str) -> bool:
    try:
        data = signing.loads(challenge, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    if data.get("p") != place or not pow.is_solution(challenge, nonce, bits()):
        return False
    # Once only: a solved challenge cannot be replayed for a flood of posts.
    return cache.add(f"pow-used:{data['r']}", 1, timeout=MAX_AGE + 60)
