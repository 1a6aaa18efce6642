"""The suite's guard: nothing reaches past loopback (conftest.py)."""

import socket
import urllib.request

import pytest


@pytest.mark.parametrize("address", [("192.0.2.1", 80), ("2001:db8::1", 443, 0, 0)])
def test_a_connection_beyond_loopback_is_refused_at_once(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock, pytest.raises(RuntimeError) as err:
        sock.connect(address)
    assert "only this machine" in str(err.value)


def test_a_library_fetching_a_web_page_is_refused():
    with pytest.raises(Exception, match="only this machine"):
        urllib.request.urlopen("http://192.0.2.1/", timeout=5)


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
