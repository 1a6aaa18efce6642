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
