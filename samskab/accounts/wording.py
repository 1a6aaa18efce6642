"""Better Danish for texts that come from allauth, django.contrib.auth and .admin.

The site's own catalogue (samskab/locale, LOCALE_PATHS) takes precedence over the
libraries' catalogues, so naming their msgids here puts them in ours, where they get the
site's words ("e-mailadresse", "adgangskode", "to-faktor-godkendelse") instead of the
libraries' clumsy or misspelt ones ("Loggede succesfuldt ind", "Bekæftet", "Ændr
password"). Nothing imports this module: makemessages reads it (walk-citizen.md, finding 20).
"""

from django.utils.translation import gettext_noop

LIBRARY_TEXTS = [
    # allauth.account
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("Verified"),
    gettext_noop("Unverified"),
    gettext_noop("Change Password"),
    gettext_noop("Email Addresses"),
    gettext_noop("Email address"),
    gettext_noop("The following email addresses are associated with your account:"),
    gettext_noop("Please reauthenticate to safeguard your account."),
    # allauth.mfa
    gettext_noop("Two-Factor Authentication"),
    # django.contrib.auth's password check, shown on sign-up and password change
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    # django.contrib.admin's button under an inline: "Tilføj endnu en Dagsordenspunkt"
    # (the gender of "en" cannot follow the model's name; staff walk finding 34)
    gettext_noop("Add another %(verbose_name)s"),
]
