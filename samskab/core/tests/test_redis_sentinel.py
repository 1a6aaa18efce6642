"""The cache and /readyz through Redis Sentinel (CACHE_URL=redis+sentinel://...): the
address's form, and a planned failover on a real primary, replica and two Sentinels."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from samskab import redisurl
from samskab.core.tests.sentinel import SentinelCluster
from samskab.envvars import ConfigurationError, cache_config


def test_a_sentinel_address_names_the_sentinels_the_service_and_the_database():
    address = redisurl.parse_sentinel(
        "redis+sentinel://:s%40cret@10.0.0.5:26380,[fd00::6],redis3/samskab/2"
        "?sentinel_password=watch"
    )
    assert address.sentinels == (("10.0.0.5", 26380), ("fd00::6", 26379), ("redis3", 26379))
    assert (address.service, address.db) == ("samskab", 2)
    assert (address.username, address.password) == (None, "s@cret")
    assert address.sentinel_password == "watch"
    assert redisurl.parse_sentinel("redis+sentinel://h:26379/mymaster").db == 0


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("redis+sentinel://h:26379/", "service"),
        ("redis+sentinel:///samskab/0", "at least one Sentinel"),
        ("redis+sentinel://h:port/samskab/0", "host:port"),
        ("redis+sentinel://h:26379/samskab/two", "number"),
        ("redis+sentinel://h:26379/samskab/0/extra", "service"),
        ("redis+sentinel://h:26379/samskab/0?ssl=true", "sentinel_password"),
    ],
)
def test_a_wrong_sentinel_address_is_refused_with_what_is_wrong(url, complaint):
    with pytest.raises(ValueError, match=complaint):
        redisurl.parse_sentinel(url)
    with pytest.raises(ConfigurationError, match=complaint):
        cache_config(url)


def test_the_cache_keeps_the_whole_address_as_one_server():
    url = "redis+sentinel://a:26379,b:26379/samskab/1"
    config = cache_config(url)
    # A string would be split at the comma into two servers by Django.
    assert config["LOCATION"] == [url]
    assert config["OPTIONS"] == {"pool_class": "samskab.redisurl.CachePool"}


@pytest.mark.slow
@pytest.mark.one_pass
def test_the_cache_and_readyz_go_on_through_a_failover(tmp_path, client, monkeypatch):
    monkeypatch.setattr(redisurl.Recheck, "recheck_seconds", 0)
    cluster = SentinelCluster(tmp_path / "redis").start()
    url = cluster.url(db=1)
    try:
        with override_settings(
            CACHES={"default": cache_config(url)}, LIVE_BROKER_URL=cluster.url(db=2)
        ):
            cache = caches["default"]
            cache.set("before", "kept", 60)
            old = cluster.primary()

            cluster.failover()
            cache.set("after", "written at the new primary", 60)
            cluster.old_follows(old)

            assert cache.get("before") == "kept"
            assert cache.get("after") == "written at the new primary"
            ready = client.get("/readyz").json()["checks"]
            assert (ready["cache"], ready["broker"]) == ("ok", "ok")
            cache.close()
    finally:
        cluster.stop()


@pytest.mark.slow
@pytest.mark.one_pass
def test_readyz_says_when_no_sentinel_answers(client):
    dead = "redis+sentinel://127.0.0.1:9,127.0.0.1:1/samskab/2"
    with override_settings(LIVE_BROKER_URL=dead):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "broker" in response.json()["failed"]
