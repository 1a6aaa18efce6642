"""The ingest's own RTMP publisher: where it connects, and what a refusal looks like."""

import asyncio
import threading

import pytest

from samskab.streaming import rtmp, rtmppush


def test_the_platforms_addresses_become_host_application_and_key():
    youtube = rtmppush.target("rtmp://a.rtmp.youtube.com/live2", "abcd-efgh")
    assert (youtube.host, youtube.port, youtube.tls, youtube.app, youtube.key) == (
        "a.rtmp.youtube.com",
        1935,
        False,
        "live2",
        "abcd-efgh",
    )
    assert youtube.tc_url == "rtmp://a.rtmp.youtube.com:1935/live2"
    facebook = rtmppush.target("rtmps://live-api-s.facebook.com:443/rtmp/", "FB-1")
    assert (facebook.port, facebook.tls, facebook.app) == (443, True, "rtmp")
    # An own server without a key: the address's last part names the stream.
    own = rtmppush.target("rtmp://tv.example.dk/in/byraad", "")
    assert (own.app, own.key) == ("in", "byraad")


def test_an_address_that_is_not_rtmp_is_refused():
    with pytest.raises(ValueError):
        rtmppush.target("http://example.dk/live", "k")


def refusing_server():
    """An RTMP server on loopback that refuses every stream name."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    box = {}

    async def refuse(app, name, peer):
        return None

    def run():
        asyncio.set_event_loop(loop)
        box["server"] = loop.run_until_complete(rtmp.serve(refuse, host="127.0.0.1", port=0))
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(10)
    return loop, box["server"]


def test_a_refused_key_is_a_clear_reason():
    loop, server = refusing_server()
    port = server.sockets[0].getsockname()[1]
    push = rtmppush.RtmpPush(rtmppush.target(f"rtmp://127.0.0.1:{port}/live", "wrong-key"))
    try:
        with pytest.raises(rtmppush.PushError, match=r"NetStream\.Publish\.BadName"):
            push.connect()
    finally:
        push.close()
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)


def test_nobody_listening_is_a_clear_reason():
    push = rtmppush.RtmpPush(rtmppush.target("rtmp://127.0.0.1:1/live", "k"), timeout_s=2)
    with pytest.raises(rtmppush.PushError, match=r"Could not connect to 127\.0\.0\.1"):
        push.connect()
