"""Request ids: each request gets one (a sane incoming X-Request-Id from our proxy or load
balancer is kept), it is answered in X-Request-Id and written on every log line of the
request, so a visitor's "error 500 at 14:02" can be found in the logs."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-Id"
META = "HTTP_X_REQUEST_ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def accept_or_make(incoming: str | None) -> str:
    """The incoming id when it is 8-128 plain characters (nothing to inject into a log line),
    otherwise a new random one."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get() or "-"
        return True
