"""A test's view of a live stream: real HTTP (httpx), events parsed as a browser would."""

import json
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class Message:
    id: str | None = None
    event: str = "message"
    data: object = None
    comments: list[str] = field(default_factory=list)
    retry: int | None = None

    @property
    def dispatched(self) -> bool:
        """A browser fires an event for this block (it has data)."""
        return self.data is not None


class Stream:
    """One open SSE response; read blocks of it with next()/events()."""

    def __init__(self, client: httpx.Client, url: str, headers=None, params=None, timeout=5.0):
        self.client = client
        self.request = client.build_request(
            "GET", url, headers=headers or {}, params=params, timeout=timeout
        )
        self.response = client.send(self.request, stream=True)
        self.status_code = self.response.status_code
        self.headers = self.response.headers
        self._lines = self.response.iter_lines()
        self.last_id: str | None = None

    def next(self) -> Message:
        """The next block: an event, or comments, retry or id alone."""
        message = Message()
        data_lines: list[str] = []
        seen = False
        for line in self._lines:
            if line == "":
                if not seen:
                    continue
                if data_lines:
                    message.data = json.loads("\n".join(data_lines))
                if message.id is not None:
                    self.last_id = message.id
                return message
            seen = True
            name, _sep, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "":
                message.comments.append(value)
            elif name == "id":
                message.id = value
            elif name == "event":
                message.event = value
            elif name == "data":
                data_lines.append(value)
            elif name == "retry":
                message.retry = int(value)
        raise EOFError("the stream ended")

    def next_event(self) -> Message:
        """The next dispatched event, skipping comments, retry and id-only blocks."""
        while True:
            message = self.next()
            if message.dispatched:
                return message

    def events(self, count: int) -> list[Message]:
        return [self.next_event() for _ in range(count)]

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def wait_for(condition, *, timeout: float = 10.0, message: str = "condition"):
    """Poll a server-side condition (a count going down, a subscription going away)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.05)
