"""The libraries' texts read in the site's Danish (walk-citizen.md finding 20)."""

from django.utils import translation


def test_the_site_s_danish_replaces_allauth_s_and_django_s():
    with translation.override("da"):
        assert translation.gettext("Verified") == "Bekræftet"
        assert translation.gettext("Change Password") == "Skift adgangskode"
        assert translation.gettext("Email Addresses") == "E-mailadresser"
        assert translation.gettext("Two-Factor Authentication") == "To-faktor-godkendelse"
        assert (
            translation.gettext("Successfully signed in as %(name)s.")
            == "Du er logget ind som %(name)s."
        )
        assert "din/dit" not in translation.gettext(
            "The password is too similar to the %(verbose_name)s."
        )


def test_the_admins_add_another_button_has_no_gendered_article():
    # "Tilføj endnu en Dagsordenspunkt" (staff walk finding 34).
    with translation.override("da"):
        text = translation.gettext("Add another %(verbose_name)s") % {
            "verbose_name": "Dagsordenspunkt"
        }
    assert text == "Tilføj Dagsordenspunkt"
