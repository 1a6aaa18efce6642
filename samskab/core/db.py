"""Database helpers shared by apps."""

import threading
from contextlib import contextmanager

from django.db import connection

# SQLite lets one writer at a time; a waiting writer polls with growing sleeps (up to
# 100 ms), which under a burst costs far more than the write. Inside one process the
# writers queue on this lock instead and each starts the moment the previous one ends.
_sqlite_writer = threading.RLock()


@contextmanager
def serialised_writes():
    """Around a short write transaction that many requests make at once (a vote)."""
    if connection.vendor != "sqlite":
        yield
        return
    with _sqlite_writer:
        yield
