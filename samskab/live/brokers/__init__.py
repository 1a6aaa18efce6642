"""The broker chosen by LIVE_BROKER_URL: memory:// (one process), redis:// or, through
Redis Sentinel, redis+sentinel:// (samskab.redisurl)."""

import threading
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from samskab.live import conf
from samskab.live.brokers.base import Broker

_broker: Broker | None = None
_lock = threading.Lock()


def broker_from_url(url: str) -> Broker:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from samskab.live.brokers.memory import MemoryBroker

        return MemoryBroker()
    if scheme in {"redis", "rediss", "redis+sentinel"}:
        from samskab.live.brokers.redis import RedisBroker

        return RedisBroker(url)
    raise ImproperlyConfigured(
        "LIVE_BROKER_URL must start with memory://, redis://, rediss:// or redis+sentinel://"
    )


def get_broker() -> Broker:
    global _broker
    broker = _broker
    if broker is None:
        with _lock:
            if _broker is None:
                _broker = broker_from_url(conf.broker_url())
            broker = _broker
    return broker


def reset_broker() -> None:
    """Forget the broker (tests, settings changes); the next use builds it again."""
    global _broker
    with _lock:
        broker, _broker = _broker, None
    if broker is not None:
        broker.close()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("LIVE_"):
        reset_broker()
