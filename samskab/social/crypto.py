"""Tokens and secrets of the social accounts are stored encrypted (Fernet).

The key is derived from SOCIAL_TOKEN_SECRET, or from SECRET_KEY when that is not set. A
changed secret makes stored tokens unreadable: the accounts then show as broken and staff
connect them again (docs/social.md).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet() -> Fernet:
    secret = getattr(settings, "SOCIAL_TOKEN_SECRET", "") or settings.SECRET_KEY
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"samskab social tokens"
    ).derive(secret.encode())
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
