"""Typed readers for the environment, so that settings.py reads as a list of decisions.

Nothing here imports Django: settings import it before Django is configured.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigurationError(RuntimeError):
    """A deploy setting is missing or malformed; the message names it."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def secret_key_from_file(path: Path) -> str:
    """Read the quick start's secret key, creating it on first use.

    Production must set SECRET_KEY itself; settings refuse to start without it there.
    """
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Written with owner-only permissions: the key signs sessions and viewer tokens.
    # Written whole under a temporary name and linked into place, so a second process starting
    # at the same moment reads either no file or the complete key, and the first key wins.
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    try:
        os.link(tmp, path)
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key


def email_config(url: str) -> dict[str, object]:
    """Django e-mail settings from a URL.

    mailbox://                        print mails, keep them for /personale/post/ (quick start)
    console://                        print mails
    smtp://user:pass@host:25          plain SMTP (STARTTLS with ?tls=1)
    smtps://user:pass@host:465        SMTP over TLS
    memory://                         Django's in-memory outbox (tests)
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    backends = {
        "mailbox": "samskab.core.mailbox.MailboxBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "memory": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ConfigurationError(f"EMAIL_URL scheme must be one of {sorted(backends)}")
    config: dict[str, object] = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme in {"smtp", "smtps"}:
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", ["0"])[0] in {"1", "true"},
            EMAIL_TIMEOUT=10,
        )
    return config


LOCMEM_MAX_ENTRIES = 200_000


def cache_config(url: str) -> dict[str, object]:
    """One Django cache from a URL: locmem:// (default), redis://host:port/db, or a primary
    found through Redis Sentinel, redis+sentinel://host:26379,host2:26379/service/db
    (samskab.redisurl)."""
    parts = urlsplit(url)
    if parts.scheme == "locmem":
        # Django keeps 300 entries by default and culls a third beyond that: the statistics'
        # sequence state per page load (thousands at once) would be forgotten within
        # seconds, and replayed or flooding beacons taken in.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "samskab",
            "OPTIONS": {"MAX_ENTRIES": LOCMEM_MAX_ENTRIES},
        }
    if parts.scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if parts.scheme == "redis+sentinel":
        from samskab import redisurl

        try:
            redisurl.parse_sentinel(url)
        except ValueError as error:
            raise ConfigurationError(f"CACHE_URL: {error}") from None
        # A list, not a string: Django splits a string at commas into several servers.
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": [url],
            "OPTIONS": {"pool_class": "samskab.redisurl.CachePool"},
        }
    if parts.scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ConfigurationError(
        "CACHE_URL must start with locmem://, redis://, rediss:// or redis+sentinel://"
    )
