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
