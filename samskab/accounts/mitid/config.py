"""SOCIALACCOUNT_PROVIDERS for MitID, from the MITID_* settings.

Pure (no Django import): settings.py calls it before Django is configured, and tests call it
to point the login at a fake broker.
"""

from typing import Any

PROVIDER_ID = "mitid"


def mitid_socialaccount_providers(
    *,
    server_url: str,
    client_id: str,
    secret: str,
    name: str = "MitID",
    fetch_userinfo: bool = True,
) -> dict[str, Any]:
    """allauth's provider settings with one MitID broker, or none when no server_url is set.

    server_url is the broker's issuer, e.g. https://pp.netseidbroker.dk/op; its
    /.well-known/openid-configuration names the other endpoints. The accepted assurance
    levels are read from settings.MITID_ACCEPTED_ACR at login time.
    """
    if not server_url:
        return {}
    return {
        PROVIDER_ID: {
            "APPS": [
                {
                    "name": name,
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {
                        "server_url": server_url,
                        "token_auth_method": "client_secret_post",
                        "oauth_pkce_enabled": True,
                        # Only the pseudonymous subject and the assurance level are needed;
                        # asking for less means the broker sends less personal data.
                        "scope": ["openid"],
                        "fetch_userinfo": fetch_userinfo,
                    },
                }
            ],
        }
    }
