import pytest


@pytest.mark.django_db
def test_openapi_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Samskab API"
    assert "/api/v1/site" in document["paths"]


@pytest.mark.django_db
def test_docs_page_loads_its_scripts_from_our_own_static_files(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn." not in response.content


@pytest.mark.django_db
def test_site_endpoint_names_the_municipality(client):
    from samskab.core.models import SiteSettings

    site = SiteSettings.current()
    site.name = "Aarhus Kommune"
    site.save()
    assert client.get("/api/v1/site").json()["name"] == "Aarhus Kommune"
