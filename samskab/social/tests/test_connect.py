"""Staff connect each network once; tokens are stored encrypted and renewed before expiry;
a connection the network refuses is shown on the staff home."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.social import services
from samskab.social.models import Account
from samskab.social.tests import helpers
from samskab.webcasts.tests.factories import user_with_role

# Against the networks' fakes on loopback: the database only keeps a few rows, so once, on
# the production database (conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.one_pass]

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin_client(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    return client


def _approve_on_the_network(client, account) -> str:
    """Press Connect, follow the network's approval back to us; the page we land on."""
    response = client.post(reverse("social:account_connect", args=[account.pk]))
    assert response.status_code == 302
    approved = httpx.get(response["Location"])  # the fake network approves at once
    assert approved.status_code == 302
    back = urlsplit(approved.headers["location"])
    assert back.path == reverse("social:callback")
    landed = client.get(f"{back.path}?{back.query}", follow=True)
    return landed.content.decode()


@pytest.mark.parametrize("network", ["mastodon", "x", "facebook", "linkedin", "youtube"])
def test_staff_connect_an_account_through_the_networks_approval(admin_client, nets, network):
    account = helpers.account(network, nets)
    page = _approve_on_the_network(admin_client, account)
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED, account.problem
    assert f"{account.name} is connected" in page
    # The token works on the network, and is not stored in clear.
    assert account.access_token in nets[network].access_tokens
    assert account.access_token not in account.access_token_encrypted
    if network in ("x", "youtube"):
        assert account.refresh_token and account.expires_at is not None


def test_mastodon_registers_the_app_on_the_server_first(admin_client, nets):
    account = helpers.account("mastodon", nets)
    _approve_on_the_network(admin_client, account)
    account.refresh_from_db()
    registration = nets["mastodon"].asked("POST", "/api/v1/apps")[0]
    assert registration.form["scopes"] == "write:statuses write:media"
    assert registration.form["redirect_uris"].endswith(reverse("social:callback"))
    assert account.client_id == "mastodon-client" and account.client_secret == "mastodon-secret"
    assert account.handle == "kommune"


def test_mastodon_keeps_the_limits_its_server_states(admin_client, nets):
    nets["mastodon"].configuration["statuses"]["max_characters"] = 11_000
    account = helpers.account("mastodon", nets)
    _approve_on_the_network(admin_client, account)
    account.refresh_from_db()
    assert account.server_limits["statuses"] == {
        "max_characters": 11_000,
        "characters_reserved_per_url": 23,
    }
    assert account.server_limits["media_attachments"]["image_matrix_limit"] == 33_177_600


def test_a_mastodon_server_that_states_no_limits_keeps_the_defaults(admin_client, nets):
    nets["mastodon"].configuration = None  # no /api/v2/instance, nor /api/v1/instance
    account = helpers.account("mastodon", nets)
    _approve_on_the_network(admin_client, account)
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED and account.server_limits == {}
    asked = [seen.path for seen in nets["mastodon"].requests]
    assert "/api/v2/instance" in asked and "/api/v1/instance" in asked


def test_x_uses_pkce_and_the_verifier_matches_the_challenge(admin_client, nets):
    account = helpers.account("x", nets)
    response = admin_client.post(reverse("social:account_connect", args=[account.pk]))
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert "offline.access" in query["scope"][0]
    back = urlsplit(httpx.get(response["Location"]).headers["location"])
    admin_client.get(f"{back.path}?{back.query}")
    token_request = nets["x"].asked("POST", "/2/oauth2/token")[0]
    assert nets["x"].pkce_ok(token_request.form["code"], token_request.form["code_verifier"])


def test_facebook_keeps_the_pages_own_token(admin_client, nets):
    account = helpers.account("facebook", nets)
    _approve_on_the_network(admin_client, account)
    account.refresh_from_db()
    assert account.external_id == nets["facebook"].page_id
    assert account.expires_at is None  # a Page token from a long-lived user token lasts


def test_a_forged_return_is_refused(admin_client, nets):
    helpers.account("x", nets)
    page = admin_client.get(
        reverse("social:callback") + "?code=stolen&state=not-ours", follow=True
    ).content.decode()
    assert "does not belong to a connection under way" in page
    assert not nets["x"].asked("POST", "/2/oauth2/token")


def test_bluesky_connects_with_an_app_password_that_is_not_kept(admin_client, nets):
    account = helpers.account("bluesky", nets)
    url = reverse("social:account_connect", args=[account.pk])
    page = admin_client.post(
        url, {"identifier": "kommune.bsky.social", "password": "wrong"}
    ).content.decode()
    assert "Invalid identifier or password" in page
    admin_client.post(
        url, {"identifier": "kommune.bsky.social", "password": nets["bluesky"].app_password}
    )
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED
    assert account.external_id == nets["bluesky"].did
    stored = " ".join(
        str(v) for v in Account.objects.filter(pk=account.pk).values().first().values()
    )
    assert nets["bluesky"].app_password not in stored


def test_tokens_are_renewed_before_they_expire(nets):
    account = helpers.connected("youtube", nets, now=NOW)
    old = account.access_token
    assert services.accounts_refresh_due(now=NOW + timedelta(minutes=30)) == 0
    assert services.accounts_refresh_due(now=NOW + timedelta(minutes=50)) == 1
    account.refresh_from_db()
    assert account.access_token != old and account.access_token in nets["youtube"].access_tokens
    assert account.refresh_token  # Google sends no new one; the old one is kept
    assert account.expires_at == NOW + timedelta(minutes=50, seconds=3599)


def test_a_refused_renewal_breaks_the_account_and_staff_see_it_on_their_home(client, nets):
    account = helpers.connected("x", nets, now=NOW)
    nets["x"].refresh_tokens.clear()  # revoked on X
    services.accounts_refresh_due(now=NOW + timedelta(hours=2))
    account.refresh_from_db()
    assert account.status == Account.Status.BROKEN
    assert "Value passed for the token was invalid" in account.problem
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    page = client.get(reverse("staff:home")).content.decode()
    assert "A social media account needs to be connected again" in page
    assert "Value passed for the token was invalid" in page
    client.force_login(user_with_role(Role.OPERATOR))
    assert "needs to be connected again" not in client.get(reverse("staff:home")).content.decode()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.OPERATOR, Role.MODERATOR])
def test_only_administrators_manage_the_accounts(client, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("social:accounts")).status_code == 403


def test_the_account_form_asks_for_what_the_network_needs(admin_client):
    response = admin_client.post(
        reverse("social:account_new"),
        {"network": "x", "name": "X", "language": "da", "soon_hours": 3, "announces": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Give the app id from the network." in page
    assert not Account.objects.exists()
    admin_client.post(
        reverse("social:account_new"),
        {
            "network": "x",
            "name": "X",
            "language": "da",
            "soon_hours": 3,
            "announces": "on",
            "client_id": "x-client",
            "client_secret": "x-secret",
        },
    )
    account = Account.objects.get()
    assert account.client_secret == "x-secret" and "x-secret" not in account.client_secret_encrypted


def test_the_accounts_page_lets_its_connect_forms_lead_to_the_networks(admin_client, nets):
    helpers.account("mastodon", nets)
    helpers.account("x", nets)
    policy = admin_client.get(reverse("social:accounts"))["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if "form-action" in d)
    assert nets["mastodon"].url in form_action and nets["x"].url in form_action
