"""The fake networks on loopback, started once per module, pointed at by the settings."""

import pytest

from samskab.social.tests import fakes


@pytest.fixture(scope="module")
def fake_servers():
    servers = {
        "mastodon": fakes.FakeMastodon().start(),
        "bluesky": fakes.FakeBluesky().start(),
        "x": fakes.FakeX().start(),
        "facebook": fakes.FakeFacebook().start(),
        "linkedin": fakes.FakeLinkedIn().start(),
        "youtube": fakes.FakeYouTube().start(),
    }
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def nets(fake_servers, settings):
    """The fakes, fresh for each test (their records emptied), and the settings to reach them."""
    for server in fake_servers.values():
        server.reset()  # forget what an earlier test left
    fresh = fake_servers
    settings.SOCIAL_ENDPOINTS = {
        "x_api": fresh["x"].url,
        "x_authorize": f"{fresh['x'].url}/i/oauth2/authorize",
        "facebook_graph": fresh["facebook"].url,
        "facebook_dialog": f"{fresh['facebook'].url}/dialog/oauth",
        "linkedin_api": fresh["linkedin"].url,
        "linkedin_oauth": f"{fresh['linkedin'].url}/oauth/v2",
        "google_authorize": f"{fresh['youtube'].url}/auth",
        "google_token": f"{fresh['youtube'].url}/token",
        "youtube_api": fresh["youtube"].url,
        "bluesky": fresh["bluesky"].url,
    }
    return fresh
