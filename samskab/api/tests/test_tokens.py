"""API tokens: stored only as a hash, shown once in the admin, revoked by deleting."""

import re

import pytest

from samskab.accounts.roles import Role
from samskab.api.models import ApiToken
from samskab.api.tokens import api_token_authenticate, api_token_create
from samskab.webcasts.tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_the_token_itself_is_never_stored():
    user = user_with_role(Role.OPERATOR)
    token, raw = api_token_create(user=user, name="Sal A")
    assert raw.startswith("smk_") and len(raw) > 40
    assert raw not in str(ApiToken.objects.values().get())
    assert token.prefix == raw[:10]
    assert api_token_authenticate(raw) == user


def test_a_token_records_when_it_was_last_used():
    token, raw = api_token_create(user=user_with_role(Role.OPERATOR), name="Sal A")
    assert token.last_used_at is None
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_deleted_token_no_longer_works():
    token, raw = api_token_create(user=user_with_role(Role.OPERATOR), name="Sal A")
    token.delete()
    assert api_token_authenticate(raw) is None


def test_an_administrator_makes_a_token_in_the_admin_and_sees_it_once(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    operator = user_with_role(Role.OPERATOR)
    response = client.post(
        "/admin/api/apitoken/add/", {"name": "Konferenceanlæg", "user": operator.pk}
    )
    assert response.status_code == 200
    raw = re.search(r'value="(smk_[^"]+)"', response.content.decode()).group(1)
    assert api_token_authenticate(raw) == operator
    assert "no-store" in response["Cache-Control"]
    listing = client.get("/admin/api/apitoken/").content.decode()
    assert "Konferenceanlæg" in listing
    assert raw not in listing


def test_an_editor_cannot_make_tokens(client):
    client.force_login(user_with_role(Role.EDITOR))
    assert client.get("/admin/api/apitoken/add/").status_code == 403
