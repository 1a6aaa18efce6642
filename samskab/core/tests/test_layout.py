"""The shared page: header, language switch, visitor's links, messages, footer, forms."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from samskab.accounts.models import User
from samskab.core import navigation
from samskab.core.models import FooterLink, SiteSettings
from samskab.core.navigation import NavEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    site = SiteSettings.current()
    site.name = "Testby Kommune"
    site.contact_email = "kontakt@testby.example"
    site.save()
    return site


@pytest.fixture
def citizen():
    user = User.objects.create_user(email="borger@testby.example", password="Sommerfugl-42")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def page(client, url="/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_every_page_starts_with_a_skip_link_to_the_content(client, site):
    html = page(client)
    assert re.search(r'<body[^>]*>\s*<a class="skipnav" href="#main">', html)
    assert '<main id="main"' in html


def test_the_language_switch_posts_to_django_and_returns_to_the_same_page(danish_client, site):
    client = danish_client  # written against the Danish default
    html = page(client, "/tilgaengelighed/")
    form = re.search(r'<form method="post" action="/i18n/setlang/">.*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="next" value="/tilgaengelighed/">' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert re.search(r'value="da" lang="da" aria-current="true">.*Dansk</button>', form)
    assert 'value="en" lang="en">English</button>' in form

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tilgaengelighed/"})
    assert response.status_code == 302
    assert response["Location"] == "/tilgaengelighed/"
    assert '<html lang="en">' in page(client, "/tilgaengelighed/")


def test_a_visitor_is_offered_to_log_in_or_create_an_account(client, site):
    html = page(client, "/tilgaengelighed/")
    assert 'href="/accounts/login/?next=/tilgaengelighed/"' in html
    assert f'href="{reverse("account_signup")}"' in html
    assert "/accounts/logout/" not in html


def test_a_logged_in_citizen_logs_out_with_a_form_not_a_link(client, site, citizen):
    client.force_login(citizen)
    html = page(client)
    assert 'href="/accounts/logout/"' not in html
    assert '<form method="post" action="/accounts/logout/">' in html
    assert f'href="{reverse("accounts:profile")}"' in html
    assert 'href="/admin/"' not in html


def test_staff_see_the_way_to_the_administration(client, site):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = User.objects.create_user(email="staff@testby.example", password="x", is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    assert 'href="/admin/"' in page(client)


def test_the_logo_carries_its_text_for_screen_readers(client, site):
    site.logo = "site/logo.png"
    site.save()
    assert '<img src="/media/site/logo.png" alt="Testby Kommune">' in page(client)
    site.logo_alt = "Testby Kommunes våben"
    site.save()
    assert '<img src="/media/site/logo.png" alt="Testby Kommunes våben">' in page(client)


def test_the_main_menu_shows_the_capabilities_that_exist(client, site, monkeypatch):
    monkeypatch.setattr(navigation, "ENTRIES", [NavEntry("Missing", "nowhere:list")])
    assert 'class="mainmenu"' not in page(client)
    monkeypatch.setattr(
        navigation,
        "ENTRIES",
        [NavEntry("Meetings", "accessibility"), NavEntry("Missing", "nowhere:list")],
    )
    html = page(client, "/tilgaengelighed/")
    assert html.count('<a href="/tilgaengelighed/" class="nav-link" aria-current="page">') == 2
    assert "Missing" not in html
    # The front page lists the same capabilities as cards.
    assert '<a class="card" href="/tilgaengelighed/">' in page(client)


def test_the_footer_links_to_the_built_in_statement_privacy_and_the_sites_links(client, site):
    FooterLink.objects.create(site=site, label="Testby.dk", url="https://testby.example/")
    footer = page(client).split("<footer>")[1]
    assert 'href="/tilgaengelighed/"' in footer
    assert 'href="/privatliv/"' in footer
    assert '<a href="https://testby.example/">Testby.dk</a>' in footer
    assert 'href="mailto:kontakt@testby.example"' in footer


def test_the_footer_links_to_the_municipalitys_own_statement_when_it_has_one(client, site):
    site.accessibility_statement_url = "https://www.was.digst.dk/testby-dk"
    site.save()
    html = page(client)
    assert 'href="https://www.was.digst.dk/testby-dk"' in html.split("<footer>")[1]
    assert 'href="/tilgaengelighed/"' not in html


@pytest.mark.parametrize(
    ("level", "css", "role"),
    [
        (constants.SUCCESS, "alert-success", "status"),
        (constants.INFO, "alert-info", "status"),
        (constants.WARNING, "alert-warning", "alert"),
        (constants.ERROR, "alert-error", "alert"),
    ],
)
def test_messages_are_shown_as_dkfds_alerts(site, level, css, role):
    from django.contrib.messages import add_message
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = User()
    add_message(request, level, "Saved & done")
    html = render_to_string("base.html", request=request)
    assert re.search(rf'<div class="alert {css}" role="{role}">.*Saved &amp; done', html)


def test_the_front_page_invites_a_visitor_to_sign_up_and_a_citizen_to_their_account(
    client, site, citizen
):
    html = page(client)
    assert '<a class="button button-primary" href="/accounts/signup/">' in html
    client.force_login(citizen)
    html = page(client)
    assert "/accounts/signup/" not in html.split("<main")[1]
    assert '<a class="button button-primary" href="/konto/">' in html


def test_the_accessibility_statement_names_the_standard_and_where_to_report(client, site):
    html = page(client, "/tilgaengelighed/")
    assert "WCAG" in html and "2.1" in html and "AA" in html
    assert 'href="mailto:kontakt@testby.example"' in html.split("<main")[1]
    assert "Digitaliseringsstyrelsen" in html


def test_the_login_form_has_labels_and_no_placeholders(client, site):
    html = page(client, reverse("account_login"))
    main = html.split("<main")[1]
    assert '<label class="form-label" for="id_login">' in main
    assert '<label class="form-label" for="id_password">' in main
    assert "placeholder" not in main
    assert "novalidate" in main


def test_a_refused_sign_up_lists_the_problems_and_ties_each_to_its_field(danish_client, site):
    client = danish_client  # written against the Danish default
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-address", "password1": "Sommerfugl-42", "password2": "Sommerfugl-43"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = re.search(
        r'<div class="alert alert-error"[^>]*data-module="error-summary">.*?</div>\s*</div>',
        html,
        re.S,
    ).group(0)
    # Each problem is named by its field's label, and leads to the field.
    assert re.search(r'href="#id_email">E-mail: [^<]+</a>', summary)
    assert re.search(r'href="#id_password2">[^<:]+: [^<]+</a>', summary)
    email_input = re.search(r'<input [^>]*name="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email_input
    assert 'aria-describedby="id_email_error"' in email_input
    assert '<span class="form-error-message" id="id_email_error">' in html
    assert not User.objects.filter(email="not-an-address").exists()


def test_account_pages_show_the_account_menu_with_the_current_page_marked(client, site, citizen):
    client.force_login(citizen)
    html = page(client, reverse("account_email"))
    menu = re.search(r'<nav class="samskab-account-nav".*?</nav>', html, re.S).group(0)
    assert f'<a class="nav-link" href="{reverse("account_email")}" aria-current="page">' in menu
    assert f'href="{reverse("mfa_index")}"' in menu
    assert f'href="{reverse("usersessions_list")}"' in menu


def test_theme_css_gives_a_light_colour_readable_text_and_links(client, site):
    site.primary_colour = "#ffdd00"
    site.header_colour = "#003366"
    site.save()
    css = client.get("/theme.css").content.decode()
    assert "--samskab-primary: #ffdd00;" in css
    assert "--samskab-on-primary: #1a1a1a;" in css
    assert "--samskab-link: #806e00;" in css
    assert "--samskab-header: #003366;" in css
    assert "--samskab-on-header: #ffffff;" in css


def test_pages_carry_no_inline_style_or_script(client, site, citizen):
    client.force_login(citizen)
    for url in ["/", "/tilgaengelighed/", reverse("account_email"), reverse("mfa_index")]:
        html = page(client, url)
        assert "style=" not in html, url
        assert "<style" not in html, url
        # Scripts come from files; a JSON data block (allauth's) is not executed.
        inline = re.findall(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html)
        assert inline == [], url
