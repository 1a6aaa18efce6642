"""The limit for live_fanout: server-sent events fanned out by a bare ASGI app, no Django.

The same design as samskab.live's hub at its leanest: one waiter per connection, one
shared frame per event, one task per connection to notice disconnects.

    python -m uvicorn bench.bare_sse:app --port 8001
    GET /sse                    the stream
    POST /publish  {"text": …}  one event to every stream of this process
"""

import asyncio
import gc
import json

# The same collector thresholds as a Samskab process serving streams (hub.tune_gc), so the
# limit is what a bare server can do at its best.
gc.set_threshold(50_000, 5, 10)

clients: set["Client"] = set()
state = {"seq": 0}
HEADERS = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]


class Client:
    __slots__ = ("closed", "pending", "waiter")

    def __init__(self):
        self.pending: list[bytes] = []
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def wake(self):
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/healthz":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    if scope["path"] == "/publish":
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        text = json.loads(body)["text"]
        state["seq"] += 1
        data = json.dumps(
            {"html": f"<li>{text}</li>", "target": "#m", "swap": "beforeend", "announce": text}
        )
        frame = f"id: {state['seq']}\nevent: message\ndata: {data}\n\n".encode()
        for client in clients:
            client.pending.append(frame)
            client.wake()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    client = Client()
    clients.add(client)

    async def watch():
        while (await receive())["type"] != "http.disconnect":
            pass
        client.closed = True
        client.wake()

    watcher = asyncio.get_running_loop().create_task(watch())
    try:
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": b"retry: 2000\n\n", "more_body": True})
        while not client.closed:
            if not client.pending:
                client.waiter = asyncio.get_running_loop().create_future()
                await client.waiter
                continue
            frames, client.pending = client.pending, []
            await send({"type": "http.response.body", "body": b"".join(frames), "more_body": True})
    finally:
        clients.discard(client)
        watcher.cancel()
