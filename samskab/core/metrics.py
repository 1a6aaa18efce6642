"""Prometheus metrics at /metrics (prometheus-client), for the process that answers.

Each `samskab serve` worker process keeps its own counters, labelled with its pid by
Prometheus' scrape of each process (or summed by the scraper); queue figures come from the
database at scrape time, so any process gives the same ones. Open to the addresses in
METRICS_ALLOWED (loopback by default; ranges allowed) or with METRICS_TOKEN as a bearer
token (docs/deployment.md, "Health and metrics").
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from samskab.core import requestid
from samskab.core.clientaddress import client_ip

PID = str(os.getpid())

REQUESTS = Counter(
    "samskab_http_requests",
    "HTTP requests answered, by method, view and status class.",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "samskab_http_request_duration_seconds",
    "Time to the response's start, by view (a live stream counts until it starts).",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
MAILS = Counter("samskab_mails_sent", "E-mails handed to the mail relay.")
MAIL_FAILURES = Counter("samskab_mail_failures", "Sending to the mail relay that failed.")


class QueueCollector:
    """Task queue length and failures, and the worker's heartbeat age, read at scrape."""

    def describe(self):
        # Without this, registering would call collect(), and query the database at import.
        yield GaugeMetricFamily("samskab_tasks", "", labels=["state"])
        yield GaugeMetricFamily("samskab_worker_heartbeat_age_seconds", "")

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from samskab.core.worker import newest_heartbeat

        tasks = GaugeMetricFamily(
            "samskab_tasks", "Background tasks in the database queue, by state.", labels=["state"]
        )
        counts = dict(DBTaskResult.objects.order_by().values_list("status").annotate(n=Count("id")))
        for state in ("READY", "RUNNING", "FAILED", "SUCCESSFUL"):
            tasks.add_metric([state.lower()], counts.get(state, 0))
        yield tasks
        beat = newest_heartbeat()
        age = GaugeMetricFamily(
            "samskab_worker_heartbeat_age_seconds",
            "Seconds since a worker last reported (-1: none ever did).",
        )
        age.add_metric([], time.time() - beat.timestamp() if beat else -1)
        yield age


_collector = QueueCollector()
REGISTRY.register(_collector)


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = getattr(request, "client_ip", None) or client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        parsed in ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED
    )


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


class RequestMiddleware:
    """First in the stack: the request id (header, logs) and the request metrics."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = requestid.accept_or_make(request.META.get(requestid.META))
        request.request_id = rid  # type: ignore[attr-defined]
        token = requestid.current.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            requestid.current.reset(token)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else (
            request.path if request.path in ("/healthz", "/readyz") else "unmatched"
        )  # fmt: skip
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, view, f"{response.status_code // 100}xx").inc()
        response[requestid.HEADER] = rid
        return response


class MeteredEmailBackend(BaseEmailBackend):
    """Counts mails, then hands them to EMAIL_DELIVERY_BACKEND (what EMAIL_URL chose)."""

    def __init__(self, fail_silently: bool = False, **kwargs):
        from django.core.mail import get_connection

        super().__init__(fail_silently=fail_silently)
        self.inner = get_connection(
            settings.EMAIL_DELIVERY_BACKEND, fail_silently=fail_silently, **kwargs
        )

    def open(self):
        return self.inner.open()

    def close(self):
        return self.inner.close()

    def send_messages(self, email_messages):
        try:
            sent = self.inner.send_messages(email_messages)
        except Exception:
            MAIL_FAILURES.inc()
            raise
        MAILS.inc(sent or 0)
        return sent
