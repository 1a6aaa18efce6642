import pytest

from samskab.envvars import ConfigurationError, cache_config, email_config


def test_smtp_url_becomes_django_settings():
    config = email_config("smtp://user:p%40ss@mail.example:2525?tls=1")
    assert config["EMAIL_HOST"] == "mail.example"
    assert config["EMAIL_PORT"] == 2525
    assert config["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert config["EMAIL_USE_TLS"] is True


def test_unknown_email_scheme_is_refused():
    with pytest.raises(ConfigurationError):
        email_config("pigeon://loft")


def test_redis_cache_url():
    assert cache_config("redis://127.0.0.1:6379/2")["LOCATION"] == "redis://127.0.0.1:6379/2"


def test_processes_starting_together_share_one_secret_key(tmp_path):
    # CI starts its SQLite and PostgreSQL passes at the same moment on a fresh clone.
    from concurrent.futures import ProcessPoolExecutor

    from samskab.envvars import secret_key_from_file

    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(4) as pool:
        keys = set(pool.map(secret_key_from_file, [path] * 16))
    assert keys == {path.read_text()}
    assert len(path.read_text()) >= 50
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
