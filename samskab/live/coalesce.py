"""Coalescing bursty sources: the latest value per key, published a few times a second.

A vox pop during a council meeting can take hundreds of votes a second; viewers need the
tally, not every step of it. `publish_coalesced(channel, event, key, data)` keeps only the
newest data per (channel, event, key) and a background thread publishes what is waiting
every LIVE_COALESCE_MS. Works from any thread and from async code (it never blocks).
Coalesced events are not ordered against events published directly.
"""

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

Key = tuple[str, str, str]


class Coalescer:
    def __init__(self, publish: Callable[[str, str, str], object], interval: float):
        self._publish = publish
        self.interval = interval
        self._lock = threading.Lock()
        self._latest: dict[Key, str] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def put(self, channel: str, event: str, key: str, data_json: str) -> None:
        with self._lock:
            self._latest[(channel, event, key)] = data_json
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="samskab-live-coalesce", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def waiting(self) -> int:
        with self._lock:
            return len(self._latest)

    def flush(self) -> int:
        """Publish what is waiting now; returns how many events went out."""
        with self._lock:
            batch, self._latest = self._latest, {}
        for (channel, event, _key), data_json in batch.items():
            try:
                self._publish(channel, event, data_json)
            except Exception:  # one failed publish must not stop the thread for the others
                logger.warning("live: coalesced publish on %s failed", channel, exc_info=True)
        return len(batch)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            # Collect for one interval after the first value arrives, then publish the newest.
            threading.Event().wait(self.interval)
            self.flush()
