"""Several hosts on loopback (docs/deployment.md "Several hosts"): two app hosts, A on
127.0.0.2 and B on 127.0.0.3, each a `samskab serve` process with its own working folders
(SAMSKAB_VAR_DIR: MEDIA_ROOT and the private folder are per host with object storage),
sharing one PostgreSQL database, one Redis and one S3 store (moto's server), behind one
nginx upstream built from docs/deploy/nginx.conf and docs/deploy/nginx-object-storage.conf.
The worker runs on B only.

- a session made by logging in on A works on B;
- a viewer connected to A receives the live event of an operator's action on B;
- an upload on A is packaged by the worker on B, and nginx serves it from the store
  through its `/internal-s3/` location (X-Accel-Redirect to a signed address), cached by
  path; hiding it makes nginx answer 404 at once, the cache notwithstanding.

It needs PostgreSQL (CI's PostgreSQL pass: the hosts use a copy of the pass's migrated test
database), nginx and redis-server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.db import connections

from samskab.core.tests.s3server import KEY_ID
from samskab.core.tests.s3server import SECRET as SECRET_S3
from samskab.live.testing import PROJECT_DIR, SECRET
from samskab.live.tests.conftest import OwnRedis

# django_db: so pytest-django makes the pass's test database, which the hosts copy.
pytestmark = [pytest.mark.slow, pytest.mark.one_pass(on="postgres"), pytest.mark.django_db]

DEPLOY = PROJECT_DIR / "docs" / "deploy"
HOSTS = {"a": "127.0.0.2", "b": "127.0.0.3"}
SITE = "samskab.test"
BIN = Path(sys.executable).parent

SEED = """
import json
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.utils import timezone
from samskab.accounts.models import User
from samskab.webcasts.models import Body, Meeting
body = Body.objects.create(name="Byrådet", slug="byraadet", kind="council")
now = timezone.now()
live = Meeting.objects.create(body=body, title="Hosts: live", starts_at=now)
held = Meeting.objects.create(body=body, title="Hosts: recording",
                              starts_at=now - timedelta(days=1), status=Meeting.Status.ENDED)
citizen = User.objects.create_user(email="citizen@hosts.test", password="a long pass phrase 7")
EmailAddress.objects.create(user=citizen, email=citizen.email, verified=True, primary=True)
print(json.dumps({"live": live.pk, "held": held.pk}))
from samskab.live.testing import _seed
_seed(["operator:webcast operator", "editor:editor"])
"""


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _wait(what: str, probe, timeout: float = 60, every: float = 0.1):
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except (httpx.HTTPError, OSError) as error:
            last = error
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last: {last!r})")


def _nginx_conf(folder: Path, upstreams: list[str], https: int, moto: str) -> Path:
    """docs/deploy/nginx.conf with the object-storage lines in place of its local-disk
    media locations, as docs/deploy/object-storage.md says; only addresses, ports and paths
    substituted (and http:// for the store: moto on loopback speaks no TLS)."""
    site = (DEPLOY / "nginx.conf").read_text()
    storage = (DEPLOY / "nginx-object-storage.conf").read_text()
    http_part, _sep, server_part = storage.partition("# --- server { ... } ---")
    server_part = server_part.split("\n", 1)[1]  # the rest of the header line
    http_lines = [
        line[2:]
        for line in http_part.split("# --- http { ... } ---", 1)[1].splitlines()[1:]
        if line.startswith("# ")
    ]
    moto_host = moto.removeprefix("http://")
    replacements = [
        (r"\n    location /internal-media/ \{.*?\n    \}\n", "\n" + server_part + "\n"),
        (r"\n    location /media/  \{[^\n]*\}\n", "\n"),
        (r"server 127\.0\.0\.1:8000 ", f"server {upstreams[0]} "),
        (r"# server 127\.0\.0\.1:8001 ", f"server {upstreams[1]} "),
        (r"listen 443 ssl default_server;", f"listen 127.0.0.1:{https} ssl default_server;"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        (r"listen 80 default_server;", f"listen 127.0.0.1:{_free_port()} default_server;"),
        (r"listen 80;", f"listen 127.0.0.1:{_free_port()};"),
        (r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(folder / "cert.pem")),
        (r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(folder / "key.pem")),
        (r"/srv/samskab/static/", str(folder / "static") + "/"),
        (r"deltag\.kommune\.dk", SITE),
        (r"proxy_pass https://samskab_s3/;", "proxy_pass http://samskab_s3/;"),
        (r"proxy_set_header Host s3\.kommune\.lan;", f"proxy_set_header Host {moto_host};"),
    ]
    for pattern, new in replacements:
        site, count = re.subn(pattern, lambda _m, new=new: new, site, flags=re.S)
        if not count:
            raise AssertionError(f"the shipped nginx files no longer have {pattern!r}")
    cache = "\n".join(http_lines).replace("/var/cache/nginx/samskab-media", str(folder / "cache"))
    cache = cache.replace("s3.kommune.lan:443", moto_host)
    (folder / "samskab").write_text(site)
    main = folder / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(f"""
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    {cache}
    include {folder}/samskab;
}}
""")
    return main


class Hosts:
    ids: dict[str, int]
    sessions: dict[str, str]
    nginx: Path
    s3: object
    buckets: tuple[str, str]

    def __init__(self, root: Path, database_url: str, redis_url: str, moto: str, buckets):
        self.root = root
        self.ports = {name: _free_port(address) for name, address in HOSTS.items()}
        self.https = _free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LIVE_", "DATABASE_URL", "CACHE_URL", "PYTEST", "DJANGO_"))
        } | {
            "SAMSKAB_TESTING": "1",
            # Tasks go to the database and wait for a worker, as in production.
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": database_url,
            "CACHE_URL": f"{redis_url.rsplit('/', 1)[0]}/1",
            "LIVE_BROKER_URL": f"{redis_url.rsplit('/', 1)[0]}/2?prefix=hosts:",
            "ALLOWED_HOSTS": f"{SITE},{HOSTS['a']},{HOSTS['b']}",
            "TRUSTED_PROXIES": "127.0.0.0/8",
            "MEDIA_STORAGE": "s3",
            "S3_ENDPOINT_URL": moto,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": KEY_ID,
            "S3_SECRET_ACCESS_KEY": SECRET_S3,
            "S3_BUCKET": buckets[0],
            "S3_PRIVATE_BUCKET": buckets[1],
            "MEDIA_ACCEL_REDIRECT": "/internal-s3/",
            "LIVE_HEARTBEAT_SECONDS": "2",
            "PYTHONPATH": str(PROJECT_DIR),
        }

    def host_env(self, name: str) -> dict[str, str]:
        folder = self.root / f"host-{name}"
        folder.mkdir(exist_ok=True)
        (self.root / "var").mkdir(exist_ok=True)
        # Every host has the same paths on its own disk (the database names an upload by its
        # path): each host's processes see their own folder at root/var.
        return self.env | {"SAMSKAB_VAR_DIR": str(self.root / "var"), "HOST_DIR": str(folder)}

    @staticmethod
    def on_host(argv: list[str]) -> list[str]:
        """argv run in a mount namespace of its own with the host's folder at root/var."""
        script = 'mount --bind "$HOST_DIR" "$SAMSKAB_VAR_DIR" && exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *argv]

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = open(self.root / f"{name}.log", "wb")  # noqa: SIM115  # the child keeps it
        self.processes[name] = subprocess.Popen(  # our commands
            argv, env=env, cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT
        )

    def manage(self, name: str, *words: str) -> str:
        done = subprocess.run(  # our interpreter, our arguments
            self.on_host([str(BIN / "samskab"), *words]),
            env=self.host_env(name),
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def url(self, name: str) -> str:
        return f"http://{HOSTS[name]}:{self.ports[name]}"

    def start(self) -> None:
        for name, address in HOSTS.items():
            self.spawn(
                f"web-{name}",
                self.on_host(
                    [
                        str(BIN / "samskab"),
                        "serve",
                        "--host",
                        address,
                        "--port",
                        str(self.ports[name]),
                    ]
                ),
                self.host_env(name),
            )
        self.spawn(
            "worker-b",
            self.on_host([str(BIN / "samskab"), "worker", "--interval", "0.2"]),
            self.host_env("b"),
        )

    def wait_ready(self) -> None:
        for name in HOSTS:
            _wait(f"host {name} /readyz", lambda n=name: self._ready(n), 120)

    def _ready(self, name: str) -> bool:
        self._alive()
        response = httpx.get(self.url(name) + "/readyz", timeout=5)
        if response.status_code != 200:
            raise OSError(response.text)  # kept as the last answer, shown if it never is
        return True

    def _alive(self) -> bool:
        for name, process in self.processes.items():
            if process.poll() is not None:
                log = (self.root / f"{name}.log").read_text(errors="replace")
                raise AssertionError(f"{name} exited:\n{log[-3000:]}")
        return True

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _certificate(folder: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={SITE}",
            "-addext",
            f"subjectAltName=DNS:{SITE}",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def _database_url(settings: dict, name: str) -> str:
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings.get('PORT') or 5432}/{name}"


@pytest.fixture(scope="module")
def hosts(tmp_path_factory, django_db_setup, django_db_blocker, moto_server):
    connection = connections["default"]
    if connection.vendor != "postgresql":
        pytest.skip("several hosts share PostgreSQL: run with DATABASE_URL=postgres://...")
    if os.geteuid() != 0:
        pytest.skip("the hosts' own folders at one path need mount namespaces (root, as in CI)")
    for tool in ("nginx", "redis-server", "openssl", "unshare", "pg_dump", "psql"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    import boto3

    root = tmp_path_factory.mktemp("hosts")
    source = connection.settings_dict["NAME"]
    clone = f"{source}_hosts_{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        # A copy of the pass's migrated test database: the hosts write to it freely. Copied by
        # pg_dump, not as a TEMPLATE: that needs no other session on the source, and in CI the
        # worker's earlier tests may still hold some (CI stop 31: "being accessed by other
        # users").
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{clone}"')
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", "-d",
             _database_url(connection.settings_dict, source)],
            capture_output=True, check=True,
        )  # fmt: skip
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d",
             _database_url(connection.settings_dict, clone)],
            input=dump.stdout, capture_output=True, check=True,
        )  # fmt: skip
    redis_server = OwnRedis(root, shutil.which("redis-server"))
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET_S3,
        region_name="us-east-1",
    )
    number = uuid.uuid4().hex[:8]
    buckets = (f"hosts-media-{number}", f"hosts-private-{number}")
    for bucket in buckets:
        s3.create_bucket(Bucket=bucket)
    site = Hosts(root, _database_url(connection.settings_dict, clone), "", moto_server, buckets)
    try:
        redis_server.start()
        site.env["CACHE_URL"] = f"redis://127.0.0.1:{redis_server.port}/1"
        site.env["LIVE_BROKER_URL"] = f"redis://127.0.0.1:{redis_server.port}/2?prefix=hosts:"
        for name in HOSTS:  # each host's working folders, made as the guide makes them
            site.manage(name, "setup_dirs")
        out = site.manage("a", "shell", "-c", SEED).strip().splitlines()
        site.ids, site.sessions = json.loads(out[-2]), json.loads(out[-1])
        site.s3, site.buckets = s3, buckets
        site.start()
        nginx = root / "nginx"
        nginx.mkdir()
        (nginx / "static").mkdir()
        _certificate(nginx)
        upstreams = [f"{HOSTS[n]}:{site.ports[n]}" for n in HOSTS]
        conf = _nginx_conf(nginx, upstreams, site.https, moto_server)
        subprocess.run(["nginx", "-t", "-q", "-c", str(conf)], check=True)
        site.spawn("nginx", ["nginx", "-c", str(conf), "-g", "daemon off;"], os.environ.copy())
        site.nginx = nginx
        site.wait_ready()
        yield site
    finally:
        site.stop()
        redis_server.kill()
        with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')


def _client(hosts: Hosts, name: str, who: str | None, page: str) -> httpx.Client:
    """A browser on one host: logged in as `who`, with the CSRF cookie `page` sets."""
    client = httpx.Client(base_url=hosts.url(name), timeout=30)
    if who:
        client.cookies.set("sessionid", hosts.sessions[who])
    assert client.get(page).status_code == 200
    return client


def _post(client: httpx.Client, path: str, **kwargs) -> httpx.Response:
    data = {"csrfmiddlewaretoken": client.cookies["csrftoken"], **kwargs.pop("data", {})}
    return client.post(path, data=data, **kwargs)


class _ThroughNginx:
    """A browser asking nginx over TLS for the site's name (SNI and Host)."""

    def __init__(self, hosts: Hosts):
        self.client = httpx.Client(
            base_url=f"https://127.0.0.1:{hosts.https}",
            headers={"Host": SITE},
            verify=ssl.create_default_context(cafile=str(hosts.nginx / "cert.pem")),
            timeout=30,
        )

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, extensions={"sni_hostname": SITE})


def test_a_session_made_on_host_a_works_on_host_b(hosts):
    on_a = _client(hosts, "a", None, "/accounts/login/")
    login = _post(
        on_a,
        "/accounts/login/",
        data={"login": "citizen@hosts.test", "password": "a long pass phrase 7"},
    )
    assert login.status_code == 302, login.text[-500:]
    on_b = httpx.Client(base_url=hosts.url("b"))
    assert on_b.get("/accounts/email/").status_code == 302  # not logged in there yet
    on_b.cookies.set("sessionid", on_a.cookies["sessionid"])
    page = on_b.get("/accounts/email/")
    assert page.status_code == 200
    assert "citizen@hosts.test" in page.text


def test_a_viewer_on_host_a_gets_what_an_operator_does_on_host_b(hosts):
    from samskab.live.tests.sse import Stream

    meeting = hosts.ids["live"]
    viewer_client = httpx.Client(base_url=hosts.url("a"))
    headers = {"Accept": "text/event-stream"}
    with Stream(viewer_client, f"/live/meeting:{meeting}/", headers, timeout=15) as viewer:
        viewer.next()
        operator = _client(hosts, "b", "operator", f"/moeder/{meeting}/konsol/")
        started = _post(operator, f"/moeder/{meeting}/konsol/start/", follow_redirects=True)
        assert (started.status_code, started.url.path) == (200, f"/moeder/{meeting}/konsol/")
        event = viewer.next_event()
    assert event.event == "mark"


def test_an_upload_on_host_a_is_packaged_on_host_b_and_nginx_serves_it_from_the_store(hosts):
    from samskab.webcasts.ffmpeg import ffmpeg_path

    held = hosts.ids["held"]
    video = hosts.root / "upload.mp4"
    subprocess.run(
        [
            ffmpeg_path(),
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x120:rate=10",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330",
            "-t",
            "3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(video),
        ],
        check=True,
    )
    editor_on_a = _client(hosts, "a", "editor", f"/moeder/{held}/optagelse/")
    with video.open("rb") as handle:
        sent = _post(
            editor_on_a,
            f"/moeder/{held}/optagelse/overfoer/",
            files={"file": ("upload.mp4", handle, "video/mp4")},
        )
    assert sent.status_code == 302

    nginx = _ThroughNginx(hosts)
    playlist = f"/media/webcasts/{held}/index.m3u8"
    vod = _wait(
        "the packaged recording through nginx",
        lambda: (r := nginx.get(playlist)).status_code == 200 and "#EXT-X-ENDLIST" in r.text and r,
        90,
        every=0.5,
    )
    # Host A has no worker: B's packaged it. A kept no copy of the upload or the package.
    assert not [
        p
        for p in (hosts.root / "host-a").rglob("*")
        if p.is_file() and p.suffix in (".mp4", ".ts", ".m3u8")
    ]
    segment = re.search(r"^[^#\s]+\.(ts|m4s|mp4)$", vod.text, re.M).group(0)
    stored = hosts.s3.get_object(Bucket=hosts.buckets[0], Key=f"media/webcasts/{held}/{segment}")[
        "Body"
    ].read()
    first = nginx.get(f"/media/webcasts/{held}/{segment}")
    again = nginx.get(f"/media/webcasts/{held}/{segment}")
    assert first.status_code == again.status_code == 200
    assert first.content == again.content == stored
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
    assert "immutable" in first.headers["cache-control"]
    # The internal location is nginx's alone.
    assert (
        nginx.get(f"/internal-s3/{hosts.buckets[0]}/media/webcasts/{held}/{segment}").status_code
        == 404
    )

    editor_on_b = _client(hosts, "b", "editor", f"/moeder/{held}/optagelse/")
    _post(editor_on_b, f"/moeder/{held}/optagelse/skjul/")
    # Hidden: refused at once, though nginx's cache still holds the segment.
    assert nginx.get(playlist).status_code == 404
    assert nginx.get(f"/media/webcasts/{held}/{segment}").status_code == 404
    _post(editor_on_b, f"/moeder/{held}/optagelse/vis/")
    assert nginx.get(f"/media/webcasts/{held}/{segment}").status_code == 200
