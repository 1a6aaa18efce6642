"""Test set-up shared by every app's tests and tests/e2e."""

import os

os.environ.setdefault("SAMSKAB_TESTING", "1")

import pytest

# Fixtures any app's tests may use: an S3 server on loopback (media on object storage).
pytest_plugins = ["samskab.core.tests.s3server"]


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    # Uploaded files go to a fresh folder; the cache starts empty for every test.
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


# Tests read as English sentences and assert English messages, so they speak English: the
# test client sends Accept-Language: en and code outside a request runs with English active.
# Tests of the Danish default build their own Client() without the header.
@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _english_outside_requests():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def danish_client():
    """A browser that names no language: the site's default, Danish."""
    from django.test import Client

    return Client()


class RateLimitClock:
    """The rate limiter's clock in tests: still unless a test moves it, so a burst of
    requests never straddles a window of the wall clock."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def ratelimit_clock(monkeypatch):
    """Every test: the limiter reads this clock, not the wall clock (samskab.core.ratelimit)."""
    from samskab.core import ratelimit

    clock = RateLimitClock(1_795_694_430.0)  # 2026-11-26 12:00:30 UTC
    monkeypatch.setattr(ratelimit.limiter, "clock", clock)
    return clock


# --- no network beyond this machine ----------------------------------------------------------
# Tests talk to PostgreSQL, Redis, SMTP fakes and test servers on loopback, never further: a
# connection to any other address fails at once with a clear error, not after a timeout in CI.
# (Subprocesses are not covered; the servers tests start listen on loopback.)


class NetworkInTests(RuntimeError):
    pass


def _is_local(address) -> bool:
    import ipaddress

    if not isinstance(address, tuple):  # AF_UNIX paths, abstract sockets
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return host.endswith(".localhost")


def _guard(connect):
    def guarded(sock, address, *args, **kwargs):
        if not _is_local(address):
            raise NetworkInTests(f"tests may not reach {address!r}: only this machine (loopback)")
        return connect(sock, address, *args, **kwargs)

    return guarded


def pytest_configure(config):
    import socket

    socket.socket.connect = _guard(socket.socket.connect)
    socket.socket.connect_ex = _guard(socket.socket.connect_ex)
    _redis_of_this_worker(os.environ.get("PYTEST_XDIST_WORKER", ""))


# --- pytest-xdist: each worker its own Redis ---------------------------------------------------
# CI runs each pass in two workers (`-n 2`, .ci/run). Each worker has its own test database
# (pytest-django names them), but CACHE_URL and LIVE_BROKER_URL name one Redis: a test's
# cache.clear() (FLUSHDB) would empty the other worker's cache mid-test, and pub/sub, which
# ignores the database number, would carry one worker's live events to the other. So worker
# N > 0 moves both databases down by 2N (CI's 15 and 14 become 13 and 12 for gw1)
# and gives the broker's keys and channels a prefix of its own.
def _redis_of_this_worker(worker: str) -> None:
    if not worker.startswith("gw") or worker == "gw0":
        return
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    from django.conf import settings

    offset = 2 * int(worker[2:])

    def moved(url: str, prefix: str | None = None) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss"):
            return url
        database = int(parts.path.strip("/") or 0)
        if database - offset < 0:
            raise pytest.UsageError(f"{url}: too few Redis databases below it for {worker}")
        query = dict(parse_qsl(parts.query))
        if prefix is not None:
            query["prefix"] = prefix + query.get("prefix", "samskab:live:")
        return urlunsplit(parts._replace(path=f"/{database - offset}", query=urlencode(query)))

    settings.LIVE_BROKER_URL = moved(settings.LIVE_BROKER_URL, prefix=f"{worker}:")
    cache = settings.CACHES["default"]
    if isinstance(cache.get("LOCATION"), str):
        cache["LOCATION"] = moved(cache["LOCATION"])


# --- the dearest modules first -------------------------------------------------------------------
# pytest-xdist (`--dist loadfile`, .ci/run) hands modules to its workers in the order they were
# collected, and the browser tests (tests/e2e, last in `testpaths`) and the other modules that
# start real servers are the dearest. Collected last, they ran last: one worker finished a long
# browser module while the other had nothing left. They go first, so the short modules fill in
# at the end. The sort is stable: within each group (and each module) the order stays as
# collected, after pytest-django's own ordering.
def _dearest_first(items) -> None:
    def dear(item) -> bool:
        return item.nodeid.startswith("tests/e2e/") or item.get_closest_marker("slow") is not None

    items.sort(key=lambda item: not dear(item))


# --- one pass of CI for what does not depend on the pass ---------------------------------------
# CI runs the suite twice side by side: on SQLite, and on PostgreSQL with Redis (.ci/run sets
# SAMSKAB_CI_PASS to "sqlite" or "postgres"), and must finish in 20 minutes on two cores. A
# test marked `one_pass` runs in the pass its marker names (`on=`, "sqlite" unless said):
# - what reads neither the pass's database nor its broker: a browser test against its own
#   SQLite site (tests/e2e webcasts_fixtures.running_site, memory broker, local-memory
#   cache), or a pure computation such as counting a budget. Twice would test the same twice.
# - every other browser test (pytest-django's live_server on the pass's database): its flow
#   is the same page by page on either database, and what differs between the databases is
#   tested below the browser, in both passes. Flows that lean on PostgreSQL (full-text search,
#   the locks of supports and ballots) name it.
# - the migration round trips (a minute each): on PostgreSQL, the production database.
# - what spends its time outside the database, which only keeps a few rows for it: the forms'
#   markup, the NemLog-in and MitID protocols and the social networks against their fakes,
#   real-time ffmpeg (recordings, live ingest, the closed session), object storage, and the
#   rule matrices' plain queries (moderation, valuation, step-up). On PostgreSQL, but for the
#   forms' markup, the moderation matrix, NemLog-in, the social networks' connections and
#   object storage, which run on SQLite to keep the two passes even.
# The passes are kept even by the choice of `on=` (CI prints each pass's dearest modules).
# Without SAMSKAB_CI_PASS (`make test`, a developer's run) every test runs.
ONE_PASS_NAMES = ("sqlite", "postgres")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    _dearest_first(items)
    ci_pass = os.environ.get("SAMSKAB_CI_PASS", "")
    if not ci_pass:
        return
    if ci_pass not in ONE_PASS_NAMES:
        raise pytest.UsageError(f"SAMSKAB_CI_PASS must be one of {ONE_PASS_NAMES}, not {ci_pass!r}")
    kept, elsewhere = [], []
    for item in items:
        marker = item.get_closest_marker("one_pass")
        on = marker.kwargs.get("on", "sqlite") if marker else ci_pass
        if on not in ONE_PASS_NAMES:
            raise pytest.UsageError(f"{item.nodeid}: one_pass(on={on!r}) names no pass")
        (kept if on == ci_pass else elsewhere).append(item)
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = kept


# --- pytest-django's live_server on in-memory SQLite: one request at a time --------------------
# With an in-memory SQLite database the live server's request threads all use the test's one
# connection (Django shares it so the server sees the test's data). Two requests at once (a
# page and its theme.css, both touching the session) then start a transaction inside the
# other's: "cannot start a transaction within a transaction", a 500, a failed browser test. A
# lock around each request makes them take turns; keep-alive connections stay open, as only
# the application, not the reading of the next request, is held. PostgreSQL needs none of it.
class _OneRequestAtATime:
    def __init__(self, application):
        import threading

        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            response = self.application(environ, start_response)
            try:
                body = list(response)  # a streamed body is read inside the turn, too
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()  # request_finished: the connection is handed back in turn
        return body


@pytest.fixture(scope="session", autouse=True)
def _live_server_takes_turns_on_memory_sqlite():
    from django.test.testcases import LiveServerThread

    create = LiveServerThread._create_server

    def create_taking_turns(thread, connections_override=None):
        server = create(thread, connections_override=connections_override)
        if connections_override:  # given only for in-memory SQLite (pytest-django's LiveServer)
            set_app = server.set_app
            server.set_app = lambda application: set_app(_OneRequestAtATime(application))
        return server

    LiveServerThread._create_server = create_taking_turns
    yield
    LiveServerThread._create_server = create


# --- where a pass's time goes, by module --------------------------------------------------------
# `--durations` names the slowest single steps; keeping CI under 20 minutes (.ci/run) means
# knowing which modules cost the most in all (set-up, calls and tear-down, summed over every
# test of the module, in whichever worker ran it). CI prints the 20 dearest of each pass.
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not os.environ.get("SAMSKAB_CI_PASS"):
        return
    seconds: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            duration = getattr(report, "duration", None)
            if nodeid and duration is not None:
                module = nodeid.split("::", 1)[0]
                seconds[module] = seconds.get(module, 0.0) + duration
    if not seconds:
        return
    dearest = sorted(seconds.items(), key=lambda item: -item[1])[:20]
    terminalreporter.write_sep("=", f"modules by time, of {sum(seconds.values()):.0f} s in all")
    for module, spent in dearest:
        terminalreporter.write_line(f"{spent:8.1f} s  {module}")


# --- a cheaper flush on PostgreSQL -------------------------------------------------------------
# After each transactional test (`django_db(transaction=True)`, every live_server test) Django
# empties every table with one TRUNCATE. On PostgreSQL a TRUNCATE gives each of some 200 tables
# and their indexes new files: about 2 s a test on CI's machine. The tables hold a few rows by
# then, and DELETE empties them in milliseconds (test_fastvote.py: 97 s before, 44 s). Django
# makes PostgreSQL's foreign keys DEFERRABLE INITIALLY DEFERRED, so the order does not matter
# inside the flush's transaction. Sequences are reset the usual way when a test asks for it.
@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


# --- a flush that keeps what migrate made once ---------------------------------------------------
# After each transactional test Django empties every table and then sends post_migrate, whose
# handlers make every content type and permission again, app by app, and sync the role groups:
# about 0.2 s of a core a test, half of a module such as test_fastvote.py. What they would make
# is what the test database already held when it was copied from the migrated one, and no test
# changes it but inside a rolled-back transaction (test_roles.py). So the flush leaves those
# tables alone and sends no post_migrate; the role groups are synced afresh after it (a dozen
# queries), in case a test changed them.
KEPT_BY_FLUSH = frozenset(
    {"django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
)


@pytest.fixture(scope="session", autouse=True)
def _flush_keeps_content_types_and_permissions(_flush_by_delete_on_postgresql):
    # (after the DELETE above is in place, so that it is what this wraps)
    from django.core.management.commands import flush
    from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQL
    from django.db.backends.sqlite3.base import DatabaseOperations as SQLite

    originals = {backend: backend.sql_flush for backend in (PostgreSQL, SQLite)}

    def keeping(original):
        def sql_flush(self, style, tables, **options):
            return original(self, style, [t for t in tables if t not in KEPT_BY_FLUSH], **options)

        return sql_flush

    def roles_only(verbosity, interactive, db, **kwargs):
        from samskab.accounts.roles import roles_sync

        roles_sync()

    for backend, original in originals.items():
        backend.sql_flush = keeping(original)
    emit = flush.emit_post_migrate_signal
    flush.emit_post_migrate_signal = roles_only
    yield
    flush.emit_post_migrate_signal = emit
    for backend, original in originals.items():
        backend.sql_flush = original


# --- the test databases copied from one migrated database ----------------------------------------
# pytest-django migrates each worker's test database: about 25 s of a core each, four times in
# CI (two workers in each pass), and the browser tests' sites migrate a SQLite database of
# their own once more. When SAMSKAB_E2E_TEMPLATE names a folder (CI), the first worker to need
# one migrates a database there (live.testing) and every test database is a copy of it: SQLite
# by its backup API into the worker's in-memory database, PostgreSQL by CREATE DATABASE ...
# TEMPLATE. The rest is Django's create_test_db (5.2) without its migrate. With --reuse-db, a
# database kept from the last run is used as it is.
def _test_database_from_a_template(creation, verbosity, autoclobber, serialize) -> str | None:
    from django.conf import settings
    from django.core.management import call_command

    from samskab.live import testing

    connection = creation.connection
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "samskab.settings", "SECRET_KEY": testing.SECRET}
    if connection.vendor == "sqlite":
        template = testing.migrated_template(env | {"DATABASE_URL": "sqlite:///unused"})
        if template is None:
            return None
        name = creation._create_test_db(verbosity, autoclobber, keepdb=False)
    elif connection.vendor == "postgresql":

        def run(sql: str) -> None:
            with creation._nodb_cursor() as cursor:
                cursor.execute(sql)

        server = connection.settings_dict
        password = f":{server['PASSWORD']}" if server.get("PASSWORD") else ""
        url = (
            f"postgres://{server['USER']}{password}@{server['HOST'] or '127.0.0.1'}"
            f":{server['PORT'] or 5432}/{server['NAME']}"
        )
        template = testing.migrated_postgresql_template(
            env | {"DATABASE_URL": url},
            create=lambda name: run(f'CREATE DATABASE "{name}"'),
            drop=lambda name: run(f'DROP DATABASE IF EXISTS "{name}"'),
        )
        if template is None:
            return None
        test = connection.settings_dict["TEST"]
        before = test.get("TEMPLATE")
        test["TEMPLATE"] = template
        try:
            name = creation._get_test_db_name()
            creation._create_test_db(verbosity, autoclobber, keepdb=False)
        finally:
            test["TEMPLATE"] = before
    else:
        return None
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        import sqlite3

        source = sqlite3.connect(template)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    call_command("createcachetable", database=connection.alias)
    return name


@pytest.fixture(scope="session", autouse=True)
def _test_databases_from_a_template():
    from django.db.backends.base.creation import BaseDatabaseCreation

    create = BaseDatabaseCreation.create_test_db

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        name = None
        if not keepdb and self.connection.settings_dict["TEST"].get("MIGRATE", True):
            name = _test_database_from_a_template(self, verbosity, autoclobber, serialize)
        if name is None:
            return create(self, verbosity, autoclobber, serialize, keepdb)
        return name

    BaseDatabaseCreation.create_test_db = create_test_db
    yield
    BaseDatabaseCreation.create_test_db = create


# --- static files found once per worker -----------------------------------------------------------
# Every test client (and every test's `client`) loads the middleware on its first request, and
# WhiteNoise's middleware then looks up every static file through the finders and stats it
# (WHITENOISE_USE_FINDERS outside production): about 35 ms of a core per client, more than
# most tests' own work (the moderation matrix: 15-17 s of CPU before, 10 s after). The files
# do not change during a run, so the first client's findings are kept and given to the next,
# keyed by the settings that shape the answers (prefix, headers).
@pytest.fixture(scope="session", autouse=True)
def _static_files_found_once():
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    find = WhiteNoiseMiddleware.add_files_from_finders
    found: dict[tuple, dict] = {}

    def add_files_from_finders(self):
        key = (
            self.static_prefix,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            getattr(settings, "WHITENOISE_ADD_HEADERS_FUNCTION", None),
            getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None),
            repr(settings.STATICFILES_DIRS),
            repr(settings.STATICFILES_FINDERS),
            tuple(settings.INSTALLED_APPS),
        )
        if key not in found:
            before = dict(self.files)
            find(self)
            found[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(found[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = find
