"""What a broker does for the live app, whatever carries the events.

A broker assigns each published event its id and keeps it in the channel's replay buffer
(`publish`, from any thread, or `apublish`); it answers "what did I miss since this id?"
(`resume`); and it hands every event of the channels a process listens to to that
process's hub (`subscriber`).
"""

import asyncio
from typing import TYPE_CHECKING

from samskab.live.events import Event, Resume

if TYPE_CHECKING:
    from samskab.live.hub import Hub


class LiveUnavailable(RuntimeError):
    """The broker cannot be reached; the event was not published."""


class Subscriber:
    """One process's listening side: one subscription per channel with local viewers."""

    async def subscribe(self, channel: str) -> None:
        """Return once every event published from now on reaches hub.deliver()."""

    def unsubscribe(self, channel: str) -> None:
        """The last local viewer left the channel."""

    async def report(self, counts: dict[str, int], gone: list[str]) -> None:
        """Local viewer counts, for viewer_count() across processes."""

    def check(self) -> None:
        """Called every hub tick: notice a broker that stopped answering."""

    async def close(self) -> None:
        """The hub is going away."""


class Broker:
    def publish(self, channel: str, event_type: str, data_json: str) -> Event:
        raise NotImplementedError

    async def apublish(self, channel: str, event_type: str, data_json: str) -> Event:
        raise NotImplementedError

    def resume(self, channel: str, last_id: str | None) -> Resume:
        raise NotImplementedError

    async def aresume(self, channel: str, last_id: str | None) -> Resume:
        raise NotImplementedError

    def viewer_count(self, channel: str) -> int:
        raise NotImplementedError

    async def aviewer_count(self, channel: str) -> int:
        raise NotImplementedError

    def subscriber(self, hub: "Hub") -> Subscriber:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (tests and settings changes build a new broker)."""


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
