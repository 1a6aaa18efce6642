"""The handshake gate in front of Django (live/gate.py): streams are set up a few at a time."""

import asyncio
import contextlib

from samskab.live.gate import HandshakeGate


def test_at_most_limit_streams_are_set_up_at_once_and_open_streams_hold_no_place():
    inside = 0
    most = 0
    started = asyncio.Event()

    async def app(scope, receive, send):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.01)  # the middleware, in its thread
        inside -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        started.set()
        await asyncio.sleep(0.05)  # the stream stays open, outside the gate
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    gate = HandshakeGate(app, limit=3)
    sent = []

    async def send(message):
        sent.append(message["type"])

    async def main():
        scope = {"type": "http", "method": "GET", "path": "/live/meeting:1/"}
        await asyncio.gather(*(gate(scope, None, send) for _ in range(20)))
        # Polling and other addresses pass straight through.
        await gate({"type": "http", "method": "GET", "path": "/live/meeting:1/poll/"}, None, send)

    asyncio.run(main())
    assert most == 3
    assert sent.count("http.response.start") == 21


def test_a_stream_that_fails_before_answering_gives_its_place_back():
    async def app(scope, receive, send):
        raise RuntimeError("middleware failed")

    gate = HandshakeGate(app, limit=1)

    async def main():
        scope = {"type": "http", "method": "GET", "path": "/live/meeting:1/"}
        for _ in range(3):
            with contextlib.suppress(RuntimeError):
                await gate(scope, None, None)
        return gate._gates[asyncio.get_running_loop()]._value

    assert asyncio.run(main()) == 1
