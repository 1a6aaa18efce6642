"""At most a few live streams are set up at once in one process (the ASGI wrapper in asgi.py).

Django runs each request's sync middleware in a thread of its own (asgiref's per-request
thread-sensitive context). When a web process dies, its viewers all reconnect to the
others within a second or two: a thousand streams set up at once were a thousand threads
contending for asgiref's locked Locals (translation, URL resolver) under the GIL, and the
process spent minutes at full CPU without answering anything (bench/faults.py). The gate
lets LIVE_HANDSHAKES_PER_PROCESS (default 32) streams through Django's middleware at a time;
the others wait, without a thread, until one has started its response. Streaming itself is
not limited: an open stream holds no thread.
"""

from __future__ import annotations

import asyncio
from typing import Any


class HandshakeGate:
    def __init__(self, app: Any, *, limit: int, prefix: str = "/live/") -> None:
        self.app = app
        self.limit = limit
        self.prefix = prefix
        self._gates: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _gated(self, scope: dict) -> bool:
        path = scope.get("path", "")
        return (
            scope.get("type") == "http"
            and scope.get("method") == "GET"
            and path.startswith(self.prefix)
            and not path.endswith("/poll/")
            and not path.endswith("/viewers/")
        )

    async def __call__(self, scope, receive, send) -> None:
        if not self._gated(scope):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        await gate.acquire()
        held = True

        async def send_and_release(message) -> None:
            nonlocal held
            if held and message.get("type") == "http.response.start":
                held = False
                gate.release()
            await send(message)

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            if held:
                gate.release()
