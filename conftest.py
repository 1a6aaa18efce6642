"""Test set-up shared by every app's tests and tests/e2e."""

import os

os.environ.setdefault("SAMSKAB_TESTING", "1")

import pytest


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    # Uploaded files go to a fresh folder; the cache starts empty for every test.
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


# Tests read as English sentences and assert English messages, so they speak English: the
# test client sends Accept-Language: en and code outside a request runs with English active.
# Tests of the Danish default build their own Client() without the header.
@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _english_outside_requests():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def danish_client():
    """A browser that names no language: the site's default, Danish."""
    from django.test import Client

    return Client()
