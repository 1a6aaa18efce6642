import pytest
from django.test import RequestFactory, override_settings

from samskab.core.clientaddress import client_ip
from samskab.core.markdown import render_markdown
from samskab.core.viewer import viewer_key


def test_viewer_key_is_a_hash_not_the_token():
    key = viewer_key("token-123")
    assert "token-123" not in key
    assert len(key) == 64
    assert viewer_key("token-123") == key


@pytest.mark.django_db
def test_a_reading_visitor_gets_no_viewer_cookie(client):
    response = client.get("/")
    assert "samskab_viewer" not in response.cookies


def test_markdown_strips_script_and_event_handlers():
    html = render_markdown('Hej <script>alert(1)</script> [x](javascript:alert(1)) <b onclick="x">')
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<b" not in html  # raw HTML is shown as text, never as markup


def test_markdown_keeps_links_with_nofollow():
    html = render_markdown("Se [kommunen](https://example.org)")
    assert 'href="https://example.org"' in html
    assert "nofollow" in html


def test_forwarded_address_is_ignored_from_strangers():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_forwarded_address_is_read_from_our_proxy():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    # The rightmost address our proxy appended is the one it saw; the left part is the client's say.
    assert client_ip(request) == "198.51.100.4"
