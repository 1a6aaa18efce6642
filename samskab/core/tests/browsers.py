"""Test browsers as a script that stuffs votes sees them."""

from django.conf import settings
from django.core import signing
from django.test import Client

from samskab.core import viewer


def viewer_cookie(token: str | None = None) -> str:
    """A signed viewer cookie, as the site would have given it."""
    signer = signing.get_cookie_signer(salt=settings.VIEWER_COOKIE_NAME + viewer.SALT)
    return signer.sign(token or viewer.new_token())


def fresh_browser(**defaults) -> Client:
    """A browser with a viewer cookie nobody has seen, as a script harvests them."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="en", **defaults)
    browser.cookies[settings.VIEWER_COOKIE_NAME] = viewer_cookie()
    return browser
