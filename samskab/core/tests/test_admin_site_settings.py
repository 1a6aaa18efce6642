"""The site settings in the admin: one row, footer links, and a logo judged by its content."""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import translation

from samskab.accounts.models import User
from samskab.core.models import FooterLink, SiteSettings
from samskab.core.tests.factories import (
    SVG_LOGO,
    administrator,
    noisy_png_bytes,
    png_bytes,
    upload,
)

CHANGE_URL = "/admin/core/sitesettings/1/change/"


@pytest.fixture
def site(db):
    site = SiteSettings.current()
    site.name = "Testby Kommune"
    site.save()
    return site


@pytest.fixture
def admin_client(client, site):
    user, _secret = administrator()
    client.force_login(user)
    return client


def form_data(site: SiteSettings, **changes) -> dict[str, object]:
    data = {
        "name": site.name,
        "tagline": site.tagline,
        "logo_alt": site.logo_alt,
        "primary_colour": site.primary_colour,
        "header_colour": site.header_colour,
        "contact_email": site.contact_email,
        "website_url": site.website_url,
        "accessibility_statement_url": site.accessibility_statement_url,
        "privacy_contact": site.privacy_contact,
        "footer_links-TOTAL_FORMS": "0",
        "footer_links-INITIAL_FORMS": "0",
        "footer_links-MIN_NUM_FORMS": "0",
        "footer_links-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_list_opens_the_one_row(admin_client):
    response = admin_client.get("/admin/core/sitesettings/")
    assert response.status_code == 302
    assert response["Location"] == CHANGE_URL


def test_it_refuses_to_add_a_second_row(admin_client):
    assert admin_client.get("/admin/core/sitesettings/add/").status_code == 403
    assert SiteSettings.objects.count() == 1


def test_it_refuses_to_delete_the_row(admin_client):
    assert admin_client.get("/admin/core/sitesettings/1/delete/").status_code == 403
    page = admin_client.get(CHANGE_URL).content.decode()
    assert "/admin/core/sitesettings/1/delete/" not in page
    assert SiteSettings.objects.count() == 1


def test_it_saves_the_name_colours_and_footer_links(admin_client, site):
    data = form_data(
        site,
        name="Nyby Kommune",
        primary_colour="#aa0000",
        **{
            "footer_links-TOTAL_FORMS": "1",
            "footer_links-0-label": "Nyby.dk",
            "footer_links-0-url": "nyby.example",
            "footer_links-0-position": "0",
        },
    )
    response = admin_client.post(CHANGE_URL, data)
    assert response.status_code == 302
    site = SiteSettings.current()
    assert site.name == "Nyby Kommune"
    assert site.primary_colour == "#aa0000"
    # An address typed without a scheme is taken as https.
    assert [(link.label, link.url) for link in site.footer_links.all()] == [
        ("Nyby.dk", "https://nyby.example")
    ]
    page = admin_client.get("/").content.decode()
    assert "Nyby Kommune" in page
    assert 'href="https://nyby.example"' in page


def test_the_history_names_the_changed_fields_in_the_readers_language(admin_client, site):
    # Staff walk finding 30: "Ændrede Municipality name, Logo text for screen readers og
    # Primary colour".
    data = form_data(site, name="Nyby Kommune", logo_alt="Nybys logo", primary_colour="#aa0000")
    assert admin_client.post(CHANGE_URL, data).status_code == 302
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "da"

    history = admin_client.get(CHANGE_URL.replace("change/", "history/")).content.decode()

    assert "Ændrede kommunens navn, logotekst til skærmlæsere og primær farve." in history
    with translation.override("en"):
        entry = LogEntry.objects.get(object_id=str(site.pk))
        assert entry.get_change_message() == (
            "Changed municipality name, logo text for screen readers and primary colour."
        )


def test_an_inlines_changed_fields_are_named_in_the_readers_language(admin_client, site):
    link = FooterLink.objects.create(site=site, label="Nyby.dk", url="https://nyby.dk", position=0)
    data = form_data(
        site,
        **{
            "footer_links-TOTAL_FORMS": "1",
            "footer_links-INITIAL_FORMS": "1",
            "footer_links-0-id": str(link.pk),
            "footer_links-0-site": str(site.pk),
            "footer_links-0-label": "Nyby",
            "footer_links-0-url": "https://nyby.dk",
            "footer_links-0-position": "0",
        },
    )
    assert admin_client.post(CHANGE_URL, data).status_code == 302

    with translation.override("da"):
        message = LogEntry.objects.get(object_id=str(site.pk)).get_change_message()

    assert message == "Ændrede tekst for link i sidefoden “Nyby”."


@pytest.mark.parametrize(
    ("file_name", "content", "message"),
    [
        ("big.png", noisy_png_bytes(), "The file is too large"),
        ("notes.png", b"These are my notes, not a picture.\n" * 20, "not a picture we can read"),
        ("logo.svg", SVG_LOGO, "not a picture we can read"),
    ],
    ids=["3 MB picture", "text named .png", "SVG"],
)
def test_it_refuses_a_logo_that_is_not_a_small_picture_and_changes_nothing(
    admin_client, site, file_name, content, message
):
    if file_name == "big.png":
        assert len(content) > 3 * 1024 * 1024 * 0.95
    data = form_data(site, name="Changed Kommune", logo=upload(file_name, content))
    response = admin_client.post(CHANGE_URL, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["logo"]
    assert any(message in error for error in errors), errors
    assert message in response.content.decode()
    site.refresh_from_db()
    assert site.name == "Testby Kommune"
    assert not site.logo
    assert media_files() == []


def test_it_accepts_a_png_logo_and_the_front_page_shows_it(admin_client, site):
    data = form_data(site, logo=upload("logo.png", png_bytes()), logo_alt="Testby Kommunes logo")
    response = admin_client.post(CHANGE_URL, data)
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.logo.name.startswith("site/")
    assert len(media_files()) == 1

    page = admin_client.get("/").content.decode()
    assert f'<img src="{site.logo.url}" alt="Testby Kommunes logo">' in page
    picture = admin_client.get(site.logo.url)
    assert picture.status_code == 200


def test_saving_again_without_a_new_logo_keeps_the_logo(admin_client, site):
    admin_client.post(CHANGE_URL, form_data(site, logo=upload("logo.png", png_bytes())))
    site.refresh_from_db()
    kept = site.logo.name
    response = admin_client.post(CHANGE_URL, form_data(site, tagline="Ny tagline"))
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.logo.name == kept
    assert site.tagline == "Ny tagline"


def test_it_shows_which_text_colours_keep_a_light_colour_readable(admin_client, site):
    site.primary_colour = "#ffdd00"
    site.save()
    page = admin_client.get(CHANGE_URL).content.decode()
    assert "Text on buttons: #1a1a1a" in page
    assert "links use the darker #806e00" in page


def test_the_admin_names_the_municipality_and_samskab(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "<title>Administration | Testby Kommune · Samskab</title>" in page
    assert '<a href="/admin/">Testby Kommune · Samskab administration</a>' in page


def test_a_staff_member_without_the_role_cannot_open_site_settings(client, site):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = User.objects.create_user(email="operator@testby.example", password="x", is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    assert client.get("/admin/core/sitesettings/").status_code == 403
    assert client.get(CHANGE_URL).status_code == 403
    assert client.post(CHANGE_URL, form_data(site, name="Hijacked")).status_code == 403
    site.refresh_from_db()
    assert site.name == "Testby Kommune"


def test_a_citizen_is_sent_to_log_in_and_then_refused(client, site):
    response = client.get(CHANGE_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGE_URL}"
    citizen = User.objects.create_user(email="borger@testby.example", password="x")
    client.force_login(citizen)
    assert client.get(CHANGE_URL).status_code == 302  # back to the admin login...
    assert client.get(reverse("admin:login")).status_code == 403  # ...which refuses a citizen


def test_the_admin_login_is_allauths_so_the_second_factor_applies(client, db):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["next"] == ["/admin/"]


def test_footer_links_are_read_with_the_cached_settings(site, django_assert_num_queries):
    FooterLink.objects.create(site=site, label="A", url="https://a.example/")
    SiteSettings.current()
    with django_assert_num_queries(0):
        assert [link.label for link in SiteSettings.current().footer_links.all()] == ["A"]


def test_the_front_page_order_names_every_section_the_apps_registered(admin_client):
    from samskab.core import frontpage

    page = admin_client.get(CHANGE_URL).content.decode()
    keys = [section.key for section in frontpage.sections()]
    assert {"live", "proposals", "votes", "debates", "budgets"} <= set(keys)
    help_text = page.split('id="id_front_page_sections_helptext"', 1)[1].split("</div>", 1)[0]
    for key in keys:
        assert f"{key} (" in help_text
