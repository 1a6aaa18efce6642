"""A Redis primary, a replica and two Sentinels of the test's own, on loopback (real
redis-server processes, the second run with --sentinel), and a failover on demand.

    cluster = SentinelCluster(tmp_path).start()
    url = cluster.url(db=3)        # redis+sentinel://127.0.0.1:p1,127.0.0.1:p2/samskab/3
    old = cluster.primary()
    cluster.failover()             # SENTINEL FAILOVER; returns when the replica is primary
    cluster.old_follows(old)       # and when Sentinel has made the old primary its replica
    cluster.stop()
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

SERVICE = "samskab"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_binary() -> str:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.skip("redis-server is not installed")
    return binary


class SentinelCluster:
    def __init__(self, directory: Path):
        self.directory = directory
        self.binary = redis_binary()
        self.ports = {name: _free_port() for name in ("a", "b", "s1", "s2")}
        self.processes: dict[str, subprocess.Popen] = {}

    def url(self, db: int = 0, query: str = "") -> str:
        hosts = ",".join(f"127.0.0.1:{self.ports[s]}" for s in ("s1", "s2"))
        return f"redis+sentinel://{hosts}/{SERVICE}/{db}" + (f"?{query}" if query else "")

    def server(self, name: str) -> redis.Redis:
        return redis.Redis(port=self.ports[name], socket_timeout=2)

    def sentinel(self, name: str = "s1") -> redis.Redis:
        return redis.Redis(port=self.ports[name], socket_timeout=2, decode_responses=True)

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.directory / f"{name}.log", "wb")  # noqa: SIM115  # the child keeps it
        self.processes[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> SentinelCluster:
        self.directory.mkdir(parents=True, exist_ok=True)
        common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        for name in ("a", "b"):
            folder = self.directory / name
            folder.mkdir(exist_ok=True)
            argv = [self.binary, "--port", str(self.ports[name]), "--dir", str(folder), *common]
            if name == "b":
                argv += ["--replicaof", "127.0.0.1", str(self.ports["a"])]
            self._spawn(name, argv)
        for name in ("s1", "s2"):
            # Sentinel rewrites its configuration file as it learns: one file each.
            conf = self.directory / f"{name}.conf"
            conf.write_text(
                f"port {self.ports[name]}\nbind 127.0.0.1\ndir {self.directory}\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.ports['a']} 1\n"
                f"sentinel down-after-milliseconds {SERVICE} 2000\n"
                f"sentinel failover-timeout {SERVICE} 10000\n"
            )
            self._spawn(name, [self.binary, str(conf), "--sentinel"])
        self._wait("the replica to sync", self._replica_synced)
        self._wait("the Sentinels to see the replica", self._sentinels_ready)
        return self

    def primary(self) -> str:
        _host, port = self.sentinel().sentinel_get_master_addr_by_name(SERVICE)
        return next(name for name in ("a", "b") if self.ports[name] == int(port))

    def failover(self) -> str:
        """Make the replica the primary (SENTINEL FAILOVER) and return its name as soon as
        it takes writes and both Sentinels name it. The old primary is still up and still a
        primary then: Sentinel turns it into a replica some seconds later (old_follows)."""
        old = self.primary()
        new = "b" if old == "a" else "a"
        # Replication is asynchronous: the test's writes reach the replica first.
        self.server(old).execute_command("WAIT", 1, 2000)
        # Sentinel refuses (NOGOODSLAVE) while its last word from the replica is stale, as
        # on a loaded machine it can be: ask again until it takes the failover.
        self._wait("Sentinel to take the failover", self._ask_failover)

        def promoted() -> bool:
            named = {
                int(self.sentinel(s).sentinel_get_master_addr_by_name(SERVICE)[1])
                for s in ("s1", "s2")
            }
            return named == {self.ports[new]} and self.role(new) == "master"

        self._wait("the failover", promoted)
        return new

    def old_follows(self, old: str) -> None:
        """Wait until Sentinel has made the old primary a replica of the new one (its own
        data replaced by the new primary's)."""

        def following() -> bool:
            info = self.server(old).info("replication")
            return info["role"] == "slave" and info.get("master_link_status") == "up"

        self._wait("the old primary to follow", following)

    def role(self, name: str) -> str:
        return self.server(name).info("replication")["role"]

    def _ask_failover(self) -> bool:
        try:
            self.sentinel().execute_command("SENTINEL", "FAILOVER", SERVICE)
        except redis.ResponseError as error:
            if "NOGOODSLAVE" in str(error):
                return False
            raise
        return True

    def _replica_synced(self) -> bool:
        return self.server("b").info("replication").get("master_link_status") == "up"

    def _sentinels_ready(self) -> bool:
        for name in ("s1", "s2"):
            client = self.sentinel(name)
            replicas = client.sentinel_slaves(SERVICE)
            # A replica Sentinel would promote: up, linked to its primary, and heard from
            # (INFO) by this Sentinel itself, not only named in the primary's INFO.
            if not any(
                replica["is_slave"]
                and not (replica["is_sdown"] or replica["is_disconnected"])
                and replica.get("master-link-status") == "ok"
                and int(replica.get("info-refresh", 10**9)) < 5000
                for replica in replicas
            ):
                return False
            if int(client.sentinel_master(SERVICE)["num-other-sentinels"]) < 1:
                return False
        return True

    def _wait(self, what: str, probe, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if probe():
                    return
            except (redis.RedisError, OSError):
                pass
            for name, process in self.processes.items():
                if process.poll() is not None:
                    log = (self.directory / f"{name}.log").read_text(errors="replace")
                    raise RuntimeError(f"redis {name} exited:\n{log[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError(f"waited {timeout:.0f} s for {what}")

    def stop(self) -> None:
        for process in self.processes.values():
            process.kill()
        for process in self.processes.values():
            process.wait()
