"""Probes for load balancers and monitoring.

- /healthz (liveness): the process answers; touches nothing else, so a database outage does
  not make an orchestrator restart every web process.
- /readyz (readiness): the database, the cache and the live broker when they are Redis, the
  media folders writable, and the worker's heartbeat; 503 with a JSON body naming what
  failed, so a load balancer stops sending visitors to a node that would answer 500.

Both are answered by ProbeMiddleware before the host check and the HTTPS redirect: a probe
sent straight to the process needs no Host or X-Forwarded-Proto header.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from samskab.core import objectstore, paths

PROBE_PATHS = ("/healthz", "/readyz")


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    backend = settings.CACHES["default"]["BACKEND"]
    if "locmem" in backend or "dummy" in backend:
        return "local"
    cache.set("samskab:readyz", "1", 10)
    if cache.get("samskab:readyz") != "1":
        raise RuntimeError("the cache did not keep a value")
    return "ok"


def _broker() -> str:
    url = settings.LIVE_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "redis+sentinel://")):
        return "local"
    from samskab import redisurl

    # The broker's own prefix= is no Redis option; anything else (sentinel_password) is.
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "prefix"])
    redisurl.ping(urlunsplit(parts._replace(query=query)), timeout=2)
    return "ok"


def _media() -> str:
    if objectstore.enabled():  # the buckets answer; the local working folders are writable
        failed = objectstore.check()
        if failed:
            raise RuntimeError(failed)
    for folder in (paths.media_root(), paths.private_root()):
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
            pass
    return "ok"


def _worker() -> str:
    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return "not used"
    from samskab.core.worker import newest_heartbeat

    beat = newest_heartbeat()
    if beat is None:
        raise RuntimeError("no worker has reported")
    age = timezone.now() - beat
    if age > timedelta(seconds=settings.READYZ_WORKER_MAX_AGE):
        raise RuntimeError(f"the newest worker heartbeat is {int(age.total_seconds())} s old")
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "media": _media,
    "worker": _worker,
}


def readiness() -> tuple[list[str], list[str], dict[str, str]]:
    """(what failed readiness, what failed but only warns, each check's result)."""
    results: dict[str, str] = {}
    failed, warnings = [], []
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # any failure is "not ready"; the body says which
            results[name] = f"error: {error.__class__.__name__}: {error}"[:300]
            if name != "worker" or settings.READYZ_REQUIRE_WORKER:
                failed.append(name)
            else:
                warnings.append(name)
    return failed, warnings, results


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def readyz(request: HttpRequest) -> HttpResponse:
    failed, warnings, results = readiness()
    body = {
        "status": "error" if failed else "ok",
        "failed": failed,
        "warnings": warnings,
        "checks": results,
    }
    return _no_store(JsonResponse(body, status=503 if failed else 200))


class ProbeMiddleware:
    """First in the stack: answers GET /healthz and /readyz before anything reads the host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path in PROBE_PATHS and request.method in ("GET", "HEAD"):
            return healthz(request) if request.path == "/healthz" else readyz(request)
        return self.get_response(request)
