import pytest


@pytest.fixture(autouse=True)
def _site_urls_with_a_meeting_page(settings):
    settings.ROOT_URLCONF = "samskab.webcasts.tests.urls"
