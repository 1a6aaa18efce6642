from unittest import mock

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from samskab.core.ratelimit import too_many

pytestmark = [pytest.mark.django_db, pytest.mark.urls("samskab.core.tests.urls_errors")]


def _page(response):
    return response.content.decode()


def test_a_missing_page_is_a_danish_page_with_the_site_header_and_a_way_back(settings):
    settings.DEBUG = False
    response = Client().get("/moeder/999999/")
    page = _page(response)
    assert response.status_code == 404
    assert "Siden blev ikke fundet" in page and '<html lang="da">' in page
    assert 'class="header"' in page and 'href="/"' in page and "Gå til forsiden" in page
    # Django's technical page lists URL patterns; ours must not.
    assert "URLconf" not in page


def test_the_error_pages_follow_the_visitors_language(settings, client):
    settings.DEBUG = False
    assert "Page not found" in _page(client.get("/no-such-page/"))


def test_an_informative_refusal_reaches_the_citizen_with_its_message(settings, client):
    from samskab.budgets.tests.factories import HeadingFactory

    settings.DEBUG = False
    heading = HeadingFactory()
    response = client.get(reverse("budgets:results", args=[heading.group.budget_id]))
    assert response.status_code == 403
    assert "The results are not published yet." in _page(response)
    assert "Go to the front page" in _page(response)


def test_a_plain_403_keeps_its_technical_reason_to_itself(settings, client):
    settings.DEBUG = False
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "You do not have access to this page" in _page(response)
    assert "role check" not in _page(response)


def test_a_bad_request_gets_the_400_page(settings, client):
    settings.DEBUG = False
    response = client.get("/suspicious/")
    assert response.status_code == 400
    assert "The request could not be understood" in _page(response)


def test_a_server_error_gets_the_500_page_in_the_sites_look(settings):
    settings.DEBUG = False
    response = Client(HTTP_ACCEPT_LANGUAGE="da", raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    page = _page(response)
    assert "Der opstod en fejl" in page and 'class="header"' in page


def test_the_500_page_still_answers_when_the_database_is_down(settings):
    settings.DEBUG = False
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    with mock.patch("samskab.core.models.SiteSettings.current", side_effect=RuntimeError("db")):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in _page(response) and 'href="/"' in _page(response)


def test_a_csrf_failure_explains_itself(settings):
    settings.DEBUG = False
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@b.dk", "password": "x"})
    assert response.status_code == 403
    assert "The form has expired" in _page(response) and "reload the page" in _page(response)


def test_too_many_attempts_is_the_429_page():
    request = RequestFactory().get("/")
    request.user = mock.Mock(is_authenticated=False)
    response = too_many(request)
    assert response.status_code == 429
    assert "Too many attempts" in _page(response) and "Go to the front page" in _page(response)
