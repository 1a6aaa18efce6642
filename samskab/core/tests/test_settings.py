"""Production settings refuse to start without what production needs."""

import os
import subprocess
import sys

import pytest

GOOD_KEY = "k" * 64


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAMSKAB_", "SECRET_"))}
    return subprocess.run(
        [sys.executable, "-c", "import samskab.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"ALLOWED_HOSTS": "x.example", "CENSUS_PEPPER": "p"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "x.example", "CENSUS_PEPPER": "p"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "CENSUS_PEPPER": "p"}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example"}, "CENSUS_PEPPER"),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x", "CENSUS_PEPPER": "p", "DEBUG": "1"},
            "DEBUG",
        ),
    ],
)
def test_production_refuses_to_start_without(env, complaint, tmp_path):
    result = load_settings(SAMSKAB_ENV="production", SAMSKAB_VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_starts_with_what_it_needs(tmp_path):
    result = load_settings(
        SAMSKAB_ENV="production",
        SAMSKAB_VAR_DIR=str(tmp_path),
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="samskab.example",
        CENSUS_PEPPER="pepper",
    )
    assert result.returncode == 0, result.stderr


def test_quick_start_creates_its_secret_key_once(tmp_path):
    assert load_settings(SAMSKAB_VAR_DIR=str(tmp_path)).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert load_settings(SAMSKAB_VAR_DIR=str(tmp_path)).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_a_postgres_pool_replaces_kept_connections(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SAMSKAB_", "DATABASE_"))}
    script = (
        "import json, samskab.settings as s; d = s.DATABASES['default'];"
        "print(json.dumps([d['CONN_MAX_AGE'], d.get('OPTIONS', {}).get('pool')]))"
    )
    env = {
        **clean,
        "SAMSKAB_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://samskab@127.0.0.1/samskab",
        "DATABASE_CONN_MAX_AGE": "60",
    }
    run = [sys.executable, "-c", script]
    pooled = subprocess.run(
        run, env={**env, "DATABASE_POOL_SIZE": "7"}, capture_output=True, text=True, timeout=60
    )
    assert pooled.stdout.strip() == '[0, {"min_size": 2, "max_size": 7, "timeout": 20}]'
    kept = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert kept.stdout.strip() == "[60, null]"
