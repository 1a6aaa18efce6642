"""Real live servers for the tests: uvicorn processes on loopback, real HTTP, real Redis.

`memory_site` is one server with the memory broker; `redis_site` is two servers sharing
the Redis at 127.0.0.1:6379 under a prefix of their own; `site` runs a test on both.
"""

import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest
import redis

from samskab.live.testing import ServerProcess, prepare_database, seed_people, server_environment
from samskab.live.tests.server_app import PUBLISH_PATH
from samskab.live.tests.sse import Stream

REDIS_URL = "redis://127.0.0.1:6379/0"
TEST_APP = "samskab.live.tests.server_app:application"
PEOPLE = {"moderator": "moderator", "operator": "webcast operator", "citizen": None}
# Short intervals so the tests see heartbeats and drops in a second, not in fifteen.
SERVER_SETTINGS = {
    "SAMSKAB_TESTING": "1",
    "LIVE_HEARTBEAT_SECONDS": "1",
    "LIVE_REPLAY_SIZE": "20",
    "LIVE_CLIENT_QUEUE": "8",
    "LIVE_COALESCE_MS": "200",
    "LIVE_DEMO": "true",
    "LIVE_RETRY_MS": "500",
    "LIVE_POLL_MS": "300",
}


def redis_reachable(url: str = REDIS_URL) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def live_database(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """One migrated database with a moderator, an operator and a citizen logged in."""
    directory = tmp_path_factory.mktemp("live-template")
    env = server_environment(directory, broker="memory://", **SERVER_SETTINGS)
    prepare_database(env)
    sessions = seed_people(env, PEOPLE)
    return directory / "db.sqlite3", sessions


class LiveSite:
    """Servers sharing one broker, and the people who may use them."""

    def __init__(self, servers: list[ServerProcess], sessions: dict[str, str], broker_url: str):
        self.servers = servers
        self.sessions = sessions
        self.broker_url = broker_url
        self._clients: list[httpx.Client] = []

    def client(self, who: str | None = None, *, server: int = 0) -> httpx.Client:
        cookies = {"sessionid": self.sessions[who]} if who else {}
        client = httpx.Client(base_url=self.servers[server].url, cookies=cookies, timeout=10)
        self._clients.append(client)
        return client

    def stream(
        self,
        channel: str,
        *,
        server: int = 0,
        who: str | None = None,
        last_id: str | None = None,
        query_last_id: str | None = None,
    ) -> Stream:
        headers = {"Accept": "text/event-stream"}
        if last_id:
            headers["Last-Event-ID"] = last_id
        params = {"lastEventId": query_last_id} if query_last_id else None
        return Stream(self.client(who, server=server), f"/live/{channel}/", headers, params)

    def publish(self, channel: str, event: str, data=None, *, mode="loop", key=None, server=0):
        body = {"channel": channel, "event": event, "data": data, "mode": mode, "key": key}
        response = self.client(server=server).post(PUBLISH_PATH, json=body)
        response.raise_for_status()
        return response.json()["id"]

    def viewers(self, channel: str, *, server: int = 0) -> int:
        response = self.client("operator", server=server).get(f"/live/{channel}/viewers/")
        response.raise_for_status()
        return response.json()["viewers"]

    def close(self) -> None:
        for client in self._clients:
            client.close()
        for server in self.servers:
            server.stop()


def start_site(
    tmp_path: Path, live_database, broker_url: str, processes: int, **settings: str
) -> LiveSite:
    template, sessions = live_database
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, tmp_path / "db.sqlite3")
    env = server_environment(tmp_path, broker=broker_url, **{**SERVER_SETTINGS, **settings})
    servers = [ServerProcess(TEST_APP, env).launch() for _ in range(processes)]
    try:
        for server in servers:
            server.wait_ready()
    except Exception:
        for server in servers:
            server.stop()
        raise
    return LiveSite(servers, sessions, broker_url)


@pytest.fixture(scope="module")
def memory_site(tmp_path_factory, live_database):
    site = start_site(tmp_path_factory.mktemp("memory"), live_database, "memory://", 1)
    yield site
    site.close()


@pytest.fixture(scope="module")
def redis_site(tmp_path_factory, live_database):
    if not redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379 (CI starts one)")
    prefix = f"test-{uuid.uuid4().hex[:10]}:"
    url = f"{REDIS_URL}?prefix={prefix}"
    site = start_site(tmp_path_factory.mktemp("redis"), live_database, url, 2)
    yield site
    site.close()
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["memory", "redis"])
def site(request) -> LiveSite:
    return request.getfixturevalue(f"{request.param}_site")


@pytest.fixture
def channel() -> str:
    """A channel of its own for each test, so tests on a shared server do not mix."""
    return f"demo:t{uuid.uuid4().hex[:12]}"


class OwnRedis:
    """A redis-server of the test's own, to kill and restart (never the shared one)."""

    def __init__(self, directory: Path, binary: str):
        self.directory = directory
        self.binary = binary
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # No persistence, like a Redis that lost its memory when it restarted.
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_reachable(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("the test's redis-server did not start")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> None:
        self.kill()
        self.start()


@pytest.fixture
def own_redis(tmp_path):
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path, binary)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_restart_site(tmp_path, live_database, own_redis):
    site = start_site(tmp_path / "site", live_database, f"{own_redis.url}?prefix=restart:", 2)
    yield site
    site.close()
