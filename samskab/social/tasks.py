"""The social app's background work: one tick, scheduled by the worker every 30 seconds
and queued at once when a meeting goes live or ends."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django_tasks import task

from samskab.core.locks import LockHeld, exclusive

logger = logging.getLogger("samskab.social")


def tick(*, now: datetime | None = None) -> dict:
    """Renew tokens, plan posts and broadcasts, advance the broadcasts, send what is due.
    Each step on its own: one failing does not stop the next."""
    from samskab.social import broadcasts, services

    now = now or timezone.now()

    def advance(*, now: datetime) -> int:
        return len(broadcasts.broadcasts_advance(now=now))

    def send(*, now: datetime) -> int:
        return len(services.posts_send_due(now=now))

    steps: list[tuple[str, Callable[..., int]]] = [
        ("renewed", services.accounts_refresh_due),
        ("recovered", services.posts_recover_stuck),
        ("planned", services.posts_plan),
        ("broadcasts_planned", broadcasts.broadcasts_plan),
        ("broadcasts", advance),
        ("sent", send),
    ]
    done: dict = {}
    for name, step in steps:
        try:
            done[name] = step(now=now)
        except Exception:
            logger.exception("Social tick: %s failed", name)
            done[name] = "error"
    return done


@task()
def tick_task() -> dict | None:
    try:
        with exclusive("social.tick", expires_s=600):
            return tick()
    except LockHeld as held:
        logger.info("Social tick not run: %s", held)
        return None
