"""SOCIALACCOUNT_PROVIDERS for NemLog-in, from the NEMLOGIN_* settings.

Pure (no Django import): settings.py calls it before Django is configured.
"""

from typing import Any

PROVIDER_ID = "nemlogin"


def nemlogin_socialaccount_providers(*, enabled: bool, name: str) -> dict[str, Any]:
    """allauth's provider settings with NemLog-in, or none when it is not set up."""
    if not enabled:
        return {}
    # allauth wants an "app"; the SAML settings themselves are read from NEMLOGIN_*.
    return {PROVIDER_ID: {"APPS": [{"name": name, "client_id": PROVIDER_ID, "secret": ""}]}}
