"""What an operations team relies on: probes, metrics, request ids and logs, trusted proxy
ranges, the production checks, folders, locks, the worker's hand-back and recovery, and
backup and restore."""

from __future__ import annotations

import json
import logging
import re
import shutil
import sqlite3
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from samskab.core import backup, checks, locks, paths, requestid, worker
from samskab.core.clientaddress import client_ip, client_ip_from
from samskab.core.logs import JsonFormatter
from samskab.core.models import JobLock, WorkerHeartbeat

REPO = Path(__file__).resolve().parents[3]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _folders(settings, tmp_path):
    # As `samskab setup_dirs` leaves a deployment (readiness writes to both folders).
    settings.RECORDINGS_PRIVATE_ROOT = str(tmp_path / "private")
    paths.setup_dirs()


# --- probes ------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["deltag.kommune.dk"], SECURE_SSL_REDIRECT=True)
def test_a_probe_straight_to_the_process_needs_no_host_or_https(client):
    # What a load balancer sends: its own idea of the host, plain HTTP.
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.5:8000")
        assert response.status_code == 200, (path, response.content)
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400  # pages still check


@pytest.mark.django_db
def test_liveness_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_names_each_check(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["database"] == "ok" and body["checks"]["media"] == "ok"


@pytest.mark.django_db
def test_readiness_fails_when_redis_is_down(client):
    # A port nothing listens on: every page would answer 500, so the node is not ready.
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    with override_settings(CACHES=broken, LIVE_BROKER_URL="redis://127.0.0.1:9/1?prefix=x:"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert set(response.json()["failed"]) == {"cache", "broker"}


@pytest.mark.django_db
def test_readiness_fails_when_media_cannot_be_written(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "missing" / "media"
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["media"]


@pytest.mark.django_db
def test_a_stale_worker_is_reported_and_fails_only_when_required(client, settings):
    settings.TASKS = DB_TASKS
    paths.setup_dirs()
    reported = client.get("/readyz")
    assert reported.status_code == 200 and reported.json()["warnings"] == ["worker"]
    assert "no worker" in reported.json()["checks"]["worker"]
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="h", pid=1, started_at=timezone.now(),
        beat_at=timezone.now() - timedelta(minutes=5),
    )  # fmt: skip
    settings.READYZ_REQUIRE_WORKER = True
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["worker"]
    worker.heartbeat("w1")
    assert client.get("/readyz").status_code == 200


# --- metrics -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_are_for_loopback_or_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token-for-the-scraper"
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    allowed = client.get(
        "/metrics",
        REMOTE_ADDR="203.0.113.9",
        HTTP_AUTHORIZATION="Bearer s3cret-token-for-the-scraper",
    )
    assert allowed.status_code == 200
    settings.METRICS_ALLOWED = ["203.0.113.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 200


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_metrics_through_our_proxy_are_not_loopback(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert response.status_code == 403


def metric(text: str, name: str, labels: str = "") -> float:
    pattern = "^" + re.escape(name) + (r"\{" + labels + r"\}" if labels else "") + r" (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{name}{labels} not in metrics"
    return float(found.group(1))


@pytest.mark.django_db
def test_metrics_count_requests_queue_and_mails(client, settings):
    settings.TASKS = DB_TASKS
    text = client.get("/metrics").content.decode()
    before = (
        metric(text, "samskab_http_requests_total", r'method="GET",status="2xx",view="home"')
        if 'view="home"' in text
        else 0.0
    )
    client.get("/")
    noop.enqueue()
    noop.enqueue()
    settings.EMAIL_BACKEND = "samskab.core.metrics.MeteredEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent_before = metric(text, "samskab_mails_sent_total")
    mail.send_mail("Hej", "Tekst", "a@example.org", ["b@example.org"])
    text = client.get("/metrics").content.decode()
    assert (
        metric(text, "samskab_http_requests_total", r'method="GET",status="2xx",view="home"')
        == before + 1
    )
    assert metric(text, "samskab_tasks", r'state="ready"') == 2
    assert metric(text, "samskab_mails_sent_total") == sent_before + 1
    assert len(mail.outbox) == 1
    assert "samskab_live_connections" in text
    assert "samskab_http_request_duration_seconds_bucket" in text


@task()
def noop() -> None:
    return None


@task()
def stops_with_the_worker() -> None:
    raise worker.TaskInterrupted("stopped")


# --- request ids and logs ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_answer_has_a_request_id_and_a_sane_incoming_one_is_kept(client):
    made = client.get("/healthz")["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/", HTTP_X_REQUEST_ID="nginx-4f2a9c01")["X-Request-Id"] == "nginx-4f2a9c01"
    injected = client.get("/", HTTP_X_REQUEST_ID="x\n2026 ERROR fake line")["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", injected)


def test_json_log_lines_have_utc_time_and_the_request_id():
    record = logging.LogRecord("samskab.x", logging.ERROR, __file__, 1, "failed %s", ("x",), None)
    token = requestid.current.set("abc12345")
    try:
        requestid.RequestIdFilter().filter(record)
    finally:
        requestid.current.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "failed x" and entry["request_id"] == "abc12345"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])


# --- trusted proxies ---------------------------------------------------------------------


@override_settings(TRUSTED_PROXIES=["10.20.0.0/24", "fd00:20::/64"])
def test_trusted_proxies_may_be_ranges():
    assert client_ip_from("10.20.0.7", "198.51.100.4") == "198.51.100.4"
    assert client_ip_from("fd00:20::9", "198.51.100.4, 10.20.0.8") == "198.51.100.4"
    assert client_ip_from("10.20.1.7", "198.51.100.4") == "10.20.1.7"  # outside the range
    request = RequestFactory().get(
        "/", REMOTE_ADDR="::ffff:10.20.0.3", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert client_ip(request) == "1.2.3.4"


@override_settings(TRUSTED_PROXIES=["10.20.0.0/33"])
def test_a_malformed_range_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match=r"10\.20\.0\.0/33"):
        client_ip_from("10.20.0.7", "1.2.3.4")


# --- production checks and folders -------------------------------------------------------


def shipped_env() -> dict[str, str]:
    values = {}
    for line in (REPO / "docs/deploy/samskab.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value.strip('"')
    return values


def test_the_shipped_env_file_loads_in_a_shell_and_its_secrets_are_refused(settings, monkeypatch):
    env = shipped_env()
    shell = subprocess.run(
        ["bash", "-c", f"set -ae; . {REPO / 'docs/deploy/samskab.env'}; "
         'echo "$DEFAULT_FROM_EMAIL|$MEDIA_ROOT"'],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shell.stdout.strip() == "Deltag <noreply@kommune.dk>|/srv/samskab/data/media"
    assert all("#" not in value for value in env.values())  # no trailing comments
    settings.PRODUCTION = True
    settings.SECRET_KEY = env["SECRET_KEY"]
    monkeypatch.setenv("CENSUS_PEPPER", env["CENSUS_PEPPER"])
    monkeypatch.setenv("STREAM_KEY_SECRET", env["STREAM_KEY_SECRET"])
    assert [error.id for error in checks.placeholder_secrets()] == [
        "samskab.E001", "samskab.E002", "samskab.E003",
    ]  # fmt: skip
    # What systemd made of the old example: the comment inside the value.
    settings.SECRET_KEY = "..." + " " * 12 + "# 50+ random characters: python3 -c 'import secrets'"
    assert next(error.id for error in checks.placeholder_secrets()) == "samskab.E001"
    settings.SECRET_KEY = "q" * 60
    monkeypatch.setenv("CENSUS_PEPPER", "p" * 40)
    monkeypatch.setenv("STREAM_KEY_SECRET", "s" * 40)
    assert checks.placeholder_secrets() == []
    settings.PRODUCTION = False
    settings.SECRET_KEY = env["SECRET_KEY"]
    assert checks.placeholder_secrets() == []  # development is not refused


def test_setup_dirs_makes_the_folders_with_their_modes(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.RECORDINGS_PRIVATE_ROOT = str(tmp_path / "data" / "private")
    settings.STATIC_ROOT = tmp_path / "static"
    assert [w.id for w in checks.storage_folders()] == ["samskab.W001", "samskab.W001"]
    call_command("setup_dirs")
    assert (tmp_path / "data/media").stat().st_mode & 0o777 == 0o755
    for name in ("", *paths.PRIVATE_FOLDERS):
        assert (tmp_path / "data/private" / name).stat().st_mode & 0o777 == 0o700
    assert checks.storage_folders() == []
    call_command("setup_dirs")  # again: nothing breaks


def test_the_units_write_one_folder_and_the_guide_copies_none():
    deploy = REPO / "docs/deploy"
    for unit in deploy.glob("*.service"):
        lines = [x for x in unit.read_text().splitlines() if x.startswith("ReadWritePaths=")]
        assert lines == ["ReadWritePaths=/srv/samskab/data"], unit.name
    worker_unit = (deploy / "samskab-worker.service").read_text()
    assert "KillMode=mixed" in worker_unit and "TimeoutStopSec=300" in worker_unit
    guide = (REPO / "docs/deployment.md").read_text()
    assert "[Service]" not in guide and "upstream samskab {" not in guide


def test_nginx_sends_the_beacon_to_the_beacon_unit_and_only_the_beacon():
    """docs/deploy/nginx.conf's beacon location is the app's beacon address, exactly, and its
    upstream is where samskab-beacon.service listens, with a web process as its backup."""
    from django.urls import reverse

    site = (REPO / "docs/deploy/nginx.conf").read_text()
    unit = (REPO / "docs/deploy/samskab-beacon.service").read_text()
    to_beacon = [
        path
        for path, block in re.findall(r"location (?:= )?(\S+) \{([^}]*)\}", site)
        if "samskab_beacon" in block
    ]
    assert to_beacon == [reverse("stats:beacon")]
    assert "location = /statistik/b/ {" in site
    upstream = re.search(r"upstream samskab_beacon \{(.*?)\n\}", site, re.S).group(1)
    port = re.search(r"--port (\d+)", unit).group(1)
    assert f"server 127.0.0.1:{port} " in upstream
    assert "server 127.0.0.1:8000 backup;" in upstream
    assert "--workers 1" in unit and "--no-access-log" in unit and "Nice=5" in unit


def test_serve_writes_an_access_line_unless_told_not_to(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    call_command("serve", "--port", "8010")
    call_command("serve", "--port", "8010", "--no-access-log")
    assert [c["access_log"] for c in calls] == [True, False]


def test_serve_in_one_process_ends_by_its_exit_handlers_after_sigterm(monkeypatch):
    """uvicorn stops on SIGTERM, then raises it again with the handler that was set before
    it ran: that handler must end the process normally (atexit: the beacons' queue)."""
    import signal

    import uvicorn

    seen = []

    def run(app, **kwargs):
        handler = signal.getsignal(signal.SIGTERM)
        with pytest.raises(SystemExit) as exiting:
            handler(signal.SIGTERM, None)
        seen.append(exiting.value.code)

    previous = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(uvicorn, "run", run)
    try:
        call_command("serve", "--port", "8010", "--no-access-log")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [0]


# --- locks -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_lock_is_held_once_and_an_expired_one_is_taken_over():
    with (
        locks.exclusive("job"),
        pytest.raises(locks.LockHeld, match="held by"),
        locks.exclusive("job"),
    ):
        pass
    assert not JobLock.objects.exists()
    JobLock.objects.create(
        name="job", holder="dead-host:1", acquired_at=timezone.now() - timedelta(days=1),
        expires_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    with locks.exclusive("job") as holder:
        assert JobLock.objects.get(name="job").holder == holder


# --- the worker --------------------------------------------------------------------------


def a_worker(**options) -> worker.SamskabWorker:
    return worker.SamskabWorker(
        grace=1, queue_names=["default"], interval=0.1, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_task_stopped_with_the_worker_is_queued_again_not_failed(settings):
    settings.TASKS = DB_TASKS
    result = stops_with_the_worker.enqueue()
    a_worker().run_task(DBTaskResult.objects.get(pk=result.id))
    stored = DBTaskResult.objects.get(pk=result.id)
    assert stored.status == "READY" and stored.started_at is None


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_dead_worker_is_queued_again(settings):
    settings.TASKS = DB_TASKS
    result = noop.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=["gone"])
    WorkerHeartbeat.objects.create(
        worker_id="gone", host="h", pid=1, started_at=timezone.now(),
        beat_at=timezone.now() - timedelta(minutes=10),
    )  # fmt: skip
    alive = noop.enqueue()
    DBTaskResult.objects.filter(pk=alive.id).update(status="RUNNING", worker_ids=["alive"])
    worker.heartbeat("alive")
    assert worker.recover_abandoned(own_id="me") == 1
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    assert DBTaskResult.objects.get(pk=alive.id).status == "RUNNING"
    # A batch worker then runs it, beats while it lives, and leaves no heartbeat behind.
    a_worker().run()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert not WorkerHeartbeat.objects.filter(worker_id="test-worker").exists()


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_on_this_host_is_queued_again_at_once(settings):
    """systemd restarts a killed worker within seconds, while the dead one's heartbeat is
    still fresh: its process being gone is enough (bench/faults.py found the task stuck)."""
    import socket
    import subprocess
    import sys

    settings.TASKS = DB_TASKS
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(gone.stdout)
    result = noop.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=["killed"])
    WorkerHeartbeat.objects.create(
        worker_id="killed", host=socket.gethostname(), pid=dead_pid,
        started_at=timezone.now(), beat_at=timezone.now(),
    )  # fmt: skip
    elsewhere = noop.enqueue()
    DBTaskResult.objects.filter(pk=elsewhere.id).update(status="RUNNING", worker_ids=["other"])
    WorkerHeartbeat.objects.create(
        worker_id="other", host="another-host", pid=dead_pid,
        started_at=timezone.now(), beat_at=timezone.now(),
    )  # fmt: skip
    assert worker.recover_abandoned(own_id="me") == 1
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    # On another host a pid means nothing here: only its heartbeat's age counts.
    assert DBTaskResult.objects.get(pk=elsewhere.id).status == "RUNNING"


# --- backup and restore ------------------------------------------------------------------


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def some_media(settings, tmp_path) -> None:
    (paths.media_root() / "webcasts" / "1").mkdir()
    (paths.media_root() / "webcasts" / "1" / "index.m3u8").write_text("#EXTM3U\n")
    (paths.private_root() / "hidden" / "2").mkdir()
    (paths.private_root() / "hidden" / "2" / "segment00000.ts").write_bytes(b"hidden video")
    (paths.private_root() / "masters" / "2").mkdir()
    (paths.private_root() / "masters" / "2" / "master.mp4").write_bytes(b"master")
    (paths.private_root() / "work" / "half-done.ts").write_bytes(b"x")


def table_counts(cursor) -> dict[str, int]:
    tables = connection.introspection.table_names(cursor)
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the schema
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_into_a_second_database_and_folders_lose_nothing(
    settings, tmp_path, capsys
):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL test is below")
    from samskab.webcasts.tests.factories import MeetingFactory

    MeetingFactory.create_batch(3)
    some_media(settings, tmp_path)
    call_command("backup", str(tmp_path / "backups"))
    out = capsys.readouterr().out
    assert "STREAM_KEY_SECRET" in out and "CENSUS_PEPPER" in out
    (folder,) = (tmp_path / "backups").iterdir()
    target = tmp_path / "restored.sqlite3"
    call_command(
        "restore", str(folder), "--database-url", f"sqlite:///{target}",
        "--media-root", str(tmp_path / "r-media"), "--private-root", str(tmp_path / "r-private"),
    )  # fmt: skip
    with connection.cursor() as cursor:
        original = table_counts(cursor)
    with sqlite3.connect(target) as restored:
        for table, count in original.items():
            assert restored.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == count, table  # noqa: S608
    assert files_of(tmp_path / "r-media") == files_of(paths.media_root())
    expected_private = {
        k: v for k, v in files_of(paths.private_root()).items() if not k.startswith("work/")
    }
    assert files_of(tmp_path / "r-private") == expected_private
    assert expected_private["hidden/2/segment00000.ts"] == b"hidden video"
    with pytest.raises(Exception, match="not empty"):
        call_command("restore", str(folder), "--database-url", f"sqlite:///{tmp_path / 'x.db'}",
                     "--media-root", str(tmp_path / "r-media"))  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_on_postgresql(settings, tmp_path):
    if connection.vendor != "postgresql" or shutil.which("pg_dump") is None:
        pytest.skip("needs PostgreSQL and pg_dump")
    import psycopg

    from samskab.webcasts.tests.factories import MeetingFactory

    MeetingFactory.create_batch(3)
    some_media(settings, tmp_path)
    folder = backup.backup(tmp_path / "backups")
    config = settings.DATABASES["default"]
    name = f"samskab_restore_{uuid.uuid4().hex[:8]}"
    admin = {key.lower(): config[key] or None for key in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as pg:
        pg.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}/{name}"
        backup.restore(folder, database_url=url, media_root=tmp_path / "r-media",
                       private_root=tmp_path / "r-private")  # fmt: skip
        with connection.cursor() as cursor:
            original = table_counts(cursor)
        with psycopg.connect(dbname=name, **admin) as restored:
            for table, count in original.items():
                got = restored.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                assert got == count, table
        assert files_of(tmp_path / "r-media") == files_of(paths.media_root())
        assert (tmp_path / "r-private/hidden/2/segment00000.ts").read_bytes() == b"hidden video"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
