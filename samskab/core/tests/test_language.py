import pytest
from django.utils import translation
from django.utils.translation import ngettext


@pytest.mark.django_db
def test_the_front_page_speaks_danish_to_a_visitor_who_names_no_language(danish_client):
    content = danish_client.get("/").content.decode()
    assert "Gå til sidens indhold" in content
    assert "Tilgængelighedserklæring" in content
    assert "Skip to content" not in content


@pytest.mark.django_db
def test_the_privacy_page_speaks_danish_by_default(danish_client):
    content = danish_client.get("/privatliv/").content.decode()
    assert "Hvad vi gemmer, hvorfor og hvor længe" in content
    assert "Indtil du sletter din konto." in content


@pytest.mark.django_db
def test_the_privacy_page_speaks_english_to_a_browser_that_asks_for_it(client):
    content = client.get("/privatliv/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in content
    assert "What we store, why, and for how long" in content
    assert "Hvad vi gemmer" not in content


def test_plural_forms_follow_danish_grammar():
    with translation.override("da"):
        one = ngettext("%(days)s day.", "%(days)s days.", 1) % {"days": 1}
        many = ngettext("%(days)s day.", "%(days)s days.", 30) % {"days": 30}
    assert (one, many) == ("1 dag.", "30 dage.")
