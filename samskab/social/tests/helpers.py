"""Accounts connected through the fakes, as staff would connect them."""

from datetime import datetime

from samskab.social import crypto, limits, services
from samskab.social.models import Account, Network
from samskab.social.networks import Tokens

SECRETS = {
    "x": ("x-client", "x-secret"),
    "facebook": ("fb-client", "fb-secret"),
    "linkedin": ("li-client", "li-secret"),
    "youtube": ("g-client", "g-secret"),
}


def account(network: str, nets, **fields) -> Account:
    """An account, not yet connected, with the app id and secret its network expects."""
    values = {"network": network, "name": f"Kommunen på {Network(network).label}"}
    if network == "mastodon":
        values["server_url"] = nets["mastodon"].url
    if network == "linkedin":
        values["external_id"] = "urn:li:organization:5515715"
    if network in SECRETS:
        values["client_id"] = SECRETS[network][0]
        values["client_secret_encrypted"] = crypto.encrypt(SECRETS[network][1])
    if network in ("youtube", "facebook"):
        values["goes_live"] = True
    values.update(fields)
    return Account.objects.create(**values)


def connected(network: str, nets, *, now: datetime, **fields) -> Account:
    """An account connected with tokens the fake network issued (its OAuth flow is tested
    in test_connect.py; here the tokens are taken as the flow would leave them)."""
    made = account(network, nets, **fields)
    fake = nets[network]
    if network == "bluesky":
        return services.account_connect_bluesky(
            account=made, identifier="kommune.bsky.social", password=fake.app_password, now=now
        )
    tokens = fake.issue(refresh=network in ("x", "linkedin", "youtube"))
    about = {
        "mastodon": {"handle": "kommune", "external_id": "109"},
        "x": {"handle": "kommunen", "external_id": "2244994945"},
        "facebook": {
            "handle": "Kommunen",
            "external_id": fake.page_id if network == "facebook" else "",
        },
        "linkedin": {},
        "youtube": {"handle": "Kommunen", "external_id": "UCkommune"},
    }[network]
    expires = {"x": 7200, "linkedin": 5183999, "youtube": 3599}.get(network)
    server = limits.server_limits(fake.configuration) if network == "mastodon" else {}
    return services.account_save_tokens(
        account=made,
        tokens=Tokens(
            tokens["access_token"], tokens.get("refresh_token", ""), expires, about, server
        ),
        now=now,
    )
