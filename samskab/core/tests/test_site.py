import pytest

from samskab.core.models import SiteSettings


@pytest.mark.django_db
def test_healthz_says_the_process_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_front_page_is_danish_by_default(danish_client):
    response = danish_client.get("/")
    assert response.status_code == 200
    assert b'<html lang="da">' in response.content


@pytest.mark.django_db
def test_theme_css_carries_the_municipality_colours(client):
    site = SiteSettings.current()
    site.primary_colour = "#123456"
    site.save()
    response = client.get("/theme.css")
    assert response["Content-Type"].startswith("text/css")
    assert b"--samskab-primary: #123456" in response.content


@pytest.mark.django_db
def test_pages_forbid_inline_script(client):
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
