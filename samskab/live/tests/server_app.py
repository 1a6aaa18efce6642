"""The ASGI application the live tests serve: Samskab itself, plus one door for the test.

POST /__live_test__/publish {"channel", "event", "data", "mode"} publishes inside the
server process, the way a service in that process would: "loop" (apublish on the event
loop), "thread" (publish from a worker thread, as a sync view does) or "coalesce"
(publish_coalesced of every item of "data", a list, under "key"). With the memory
broker nothing outside the process can publish; everything else goes to Samskab.
"""

import asyncio
import json

from samskab.asgi import application as samskab_application
from samskab.live import apublish, publish, publish_coalesced

PUBLISH_PATH = "/__live_test__/publish"


async def application(scope, receive, send):
    if scope["type"] != "http" or scope["path"] != PUBLISH_PATH:
        await samskab_application(scope, receive, send)
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    request = json.loads(body)
    channel, event, data = request["channel"], request["event"], request.get("data")
    mode = request.get("mode", "loop")
    if mode == "thread":
        event_id = await asyncio.to_thread(publish, channel, event, data)
    elif mode == "coalesce":
        # A burst, as fast as a busy vote counter would publish it.
        for item in data:
            publish_coalesced(channel, event, request["key"], item)
        event_id = ""
    else:
        event_id = await apublish(channel, event, data)
    payload = json.dumps({"id": event_id}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": payload})
