"""Restream keys and meeting stream keys are stored encrypted (Fernet).

The Fernet key is derived from STREAM_KEY_SECRET, or from SECRET_KEY when that is not set
(the quick start). Changing the secret makes stored keys unreadable: they must be entered
again (documented in docs/deployment.md).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

HINT = "••••"


def _fernet() -> Fernet:
    secret = settings.STREAM_KEY_SECRET or settings.SECRET_KEY
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"samskab stream keys").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    """The clear text, or '' if the token was made with another secret."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def lookup_hash(text: str) -> str:
    """A hash to find a meeting by its stream key without decrypting every key."""
    return hashlib.sha256(text.encode()).hexdigest()


def hint(text: str) -> str:
    """What staff see of a key after entry: its last four characters."""
    return f"{HINT}{text[-4:]}" if text else ""
