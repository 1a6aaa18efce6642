"""Backups and restores of a whole installation: the database, MEDIA_ROOT and the private
folder (uploaded masters, hidden recordings), and the list of secrets to keep elsewhere.

A backup is a folder: database.sqlite3 (SQLite's online backup) or database.dump
(pg_dump's custom format), media.tar.gz, private.tar.gz and manifest.json. The database is
copied first and the files after, so a file added meanwhile is only an unused file after a
restore; nothing the database names is missing unless it was deleted in those seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connection

from samskab.core import paths

# Not in any backup: keep them in the municipality's secret store. Without them a restore
# cannot read what they protect.
SECRETS = (
    ("SECRET_KEY", "signs sessions, links and viewers' cookies; open one-per-browser votes"),
    ("SECRET_KEY_FALLBACKS", "earlier keys, while a new SECRET_KEY is rolled out"),
    ("CENSUS_PEPPER", "without it the imported census must be imported again"),
    ("STREAM_KEY_SECRET", "without it stored stream keys and YouTube/Facebook keys are lost"),
    ("MITID_OIDC_CLIENT_SECRET", "the MitID broker's client secret"),
    ("EMAIL_URL", "the mail relay's password, if it has one"),
    ("METRICS_TOKEN", "the metrics scraper's token, if set"),
)
# Work in progress, never worth restoring.
SKIPPED_PRIVATE = {"work"}


def secrets_text() -> str:
    lines = ["Keep these secrets outside the backup (the values are in /etc/samskab/env):"]
    lines += [f"  {name}: {why}" for name, why in SECRETS]
    return "\n".join(lines)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise OSError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _pg_env(config: dict[str, Any]) -> tuple[dict[str, str], str]:
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD")):  # fmt: skip
        if config.get(key):
            env[variable] = str(config[key])
    return env, str(config["NAME"])


def _tar(source: Path, target: Path, *, skip: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    count = 0
    with tarfile.open(target, "w:gz") as archive:
        if source.is_dir():
            for each in sorted(source.iterdir()):
                if each.name in skip:
                    continue
                archive.add(each, arcname=each.name)
                count += sum(1 for f in each.rglob("*") if f.is_file()) if each.is_dir() else 1
    return count


def backup(destination: Path) -> Path:
    """Write a backup folder under `destination`; its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = destination / f"samskab-{stamp}"
    folder.mkdir(parents=True, mode=0o700)
    config = settings.DATABASES["default"]
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        connection.ensure_connection()
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        database = "database.sqlite3"
    elif engine == "django.db.backends.postgresql":
        env, name = _pg_env(config)
        subprocess.run(  # noqa: S603 - pg_dump with our own arguments
            [_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(folder / "database.dump"),
             name], env=env, check=True,
        )  # fmt: skip
        database = "database.dump"
    else:
        raise ValueError(f"no backup for the database engine {engine}")
    media = _tar(paths.media_root(), folder / "media.tar.gz")
    private = _tar(paths.private_root(), folder / "private.tar.gz", skip=SKIPPED_PRIVATE)
    manifest = {
        "created_at": stamp,
        "engine": engine,
        "database": database,
        "media_files": media,
        "private_files": private,
        "secrets_not_included": [name for name, _why in SECRETS],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def _extract(archive: Path, target: Path, *, mode: int) -> None:
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(mode)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(target, filter="data")


def restore(
    source: Path,
    *,
    database_url: str | None = None,
    media_root: Path | None = None,
    private_root: Path | None = None,
) -> dict[str, Any]:
    """Restore a backup folder into the configured database and folders, or the ones given
    (a second database and folders, to test a backup). The target folders must be empty and
    the target database new. Tasks the backup caught running are queued again."""
    manifest = json.loads((source / "manifest.json").read_text())
    media = media_root or paths.media_root()
    private = private_root or paths.private_root()
    for folder in (media, private):
        if folder.exists() and any(folder.iterdir()):
            raise ValueError(f"{folder} is not empty; restore into empty folders")
    config = dj_database_url.parse(database_url) if database_url else settings.DATABASES["default"]
    engine = config["ENGINE"]
    if engine != manifest["engine"]:
        raise ValueError(f"the backup is of {manifest['engine']}, the target is {engine}")
    if engine == "django.db.backends.sqlite3":
        target = Path(config["NAME"])
        if target.exists() and target.stat().st_size:
            raise ValueError(f"{target} exists; restore into a new database")
        shutil.copyfile(source / "database.sqlite3", target)
        with sqlite3.connect(target) as restored:
            restored.execute(
                "UPDATE django_tasks_database_dbtaskresult SET status='READY', started_at=NULL "
                "WHERE status='RUNNING'"
            )
    else:
        env, name = _pg_env(config)
        subprocess.run(  # noqa: S603 - pg_restore with our own arguments
            [_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", name,
             str(source / "database.dump")], env=env, check=True,
        )  # fmt: skip
        subprocess.run(  # noqa: S603
            [_tool("psql"), "-q", "-d", name, "-c",
             "UPDATE django_tasks_database_dbtaskresult SET status='READY', started_at=NULL "
             "WHERE status='RUNNING'"], env=env, check=True,
        )  # fmt: skip
    _extract(source / "media.tar.gz", media, mode=paths.MEDIA_MODE)
    _extract(source / "private.tar.gz", private, mode=paths.PRIVATE_MODE)
    for name in paths.PRIVATE_FOLDERS:
        (private / name).mkdir(mode=paths.PRIVATE_MODE, exist_ok=True)
    return manifest
