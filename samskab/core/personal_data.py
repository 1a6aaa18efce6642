"""What the site itself keeps about a visitor (cookies, rate limits, logs), for the privacy
page (samskab.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe, exempt

IN_YOUR_BROWSER = _("It is in your own browser, not linked to your account.")


def register() -> None:
    describe(
        PersonalData(
            key="viewer_cookie",
            what=_(
                "Viewer cookie: a random code in your browser, only when you vote or answer "
                "without an account"
            ),
            purpose=_(
                "So that each browser votes once in a vox pop and answers a survey once, "
                "without an account. We store only a hash of the code, never who you are."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_viewer_cookie_retention,
            on_deletion=_("Not linked to your account; delete the cookie in your browser."),
            not_exported=IN_YOUR_BROWSER,
            order=80,
        ),
        PersonalData(
            key="language_cookie",
            what=_("Language cookie"),
            purpose=_("To remember the language you chose."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("Until you close your browser."),
            on_deletion=_("Not linked to your account; delete the cookie in your browser."),
            not_exported=IN_YOUR_BROWSER,
            order=81,
        ),
        PersonalData(
            key="csrf_cookie",
            what=_("Security cookie (CSRF)"),
            purpose=_("To stop other sites from sending forms in your name."),
            basis=LegalBasis.SECURITY,
            retention=_("One year."),
            on_deletion=_("Not linked to your account; delete the cookie in your browser."),
            not_exported=IN_YOUR_BROWSER,
            order=82,
        ),
        PersonalData(
            key="rate_limits",
            what=_(
                "Rate-limit counters: how many times an account, a browser or a hashed "
                "network address did something"
            ),
            purpose=_("To stop abuse, such as mass voting or spam."),
            basis=LegalBasis.SECURITY,
            retention=_("Each counter disappears by itself when its period ends, at most one day."),
            on_deletion=_("Counters run out by themselves within a day."),
            not_exported=_(
                "They are only counts, kept in the server's memory for at most a day; the "
                "network address is kept only as a keyed hash."
            ),
            order=83,
        ),
        PersonalData(
            key="server_logs",
            what=_("Server logs: time, page asked for and technical errors"),
            purpose=_("To keep the site running and secure."),
            basis=LegalBasis.SECURITY,
            retention=_(
                "Kept by the site's operator only as long as needed for that, at most 30 days."
            ),
            on_deletion=_("Deleted when their time is up."),
            not_exported=_("They are not linked to accounts."),
            order=84,
        ),
    )
    exempt(
        "core.sitesettings.contact_email",
        "The municipality's own contact address, shown on the site.",
    )
    exempt(
        "core.sitesettings.dpo_email",
        "The data protection officer's official address, shown on the privacy page.",
    )


def _viewer_cookie_retention() -> str:
    from django.conf import settings
    from django.utils.translation import ngettext

    days = settings.VIEWER_COOKIE_AGE // 86400
    return ngettext("%(days)s day.", "%(days)s days.", days) % {"days": days}
