"""A lock in the database, so a job that must run once (the retention) never runs on two
hosts at once: both hosts' timers may fire, the second finds the lock taken and stops."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from samskab.core.models import JobLock


class LockHeld(Exception):
    """Another process holds the lock; the message says which."""


@contextmanager
def exclusive(name: str, *, expires_s: int = 6 * 3600) -> Iterator[str]:
    """Hold the lock `name` for the block, or raise LockHeld. A lock older than `expires_s`
    (its holder died without letting go) is taken over."""
    holder = f"{socket.gethostname()[:100]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    with transaction.atomic():
        JobLock.objects.filter(name=name, expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            JobLock.objects.create(
                name=name,
                holder=holder,
                acquired_at=now,
                expires_at=now + timedelta(seconds=expires_s),
            )
    except IntegrityError:
        current = JobLock.objects.filter(name=name).first()
        holder_now = current.holder if current else "another process"
        raise LockHeld(f"{name} is held by {holder_now}") from None
    try:
        yield holder
    finally:
        JobLock.objects.filter(name=name, holder=holder).delete()
