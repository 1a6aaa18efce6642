"""The municipality's site: its name, look and links, edited by staff in the admin."""

from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samskab.core.assurance import assurance_field
from samskab.core.uploads import validate_logo

SITE_SETTINGS_CACHE_KEY = "core:site-settings"

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # followed by six hexadecimal digits.")
)
# A tile server's address: https, with {z}, {x} and {y} where the tile's numbers go and
# optionally {s} for its subdomains, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png.
tile_url_validator = RegexValidator(
    r"^https://(\{s\}\.)?[a-z0-9.-]+(:[0-9]+)?/"
    r"(?=[^\s]*\{z\})(?=[^\s]*\{x\})(?=[^\s]*\{y\})[^\s\"'<>]*$",
    _(
        "Enter the tile server's https address with {z}, {x} and {y} where the tile's "
        "numbers go, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png."
    ),
)


# Checks a GeoJSON area and says what is wrong with it ("" when right). The places app sets
# it when it starts: core sits below places in the import layers and cannot call it itself.
area_check: Callable[[str], str] | None = None


class SiteSettings(models.Model):
    """One row: the municipality this installation serves.

    Colours become CSS custom properties in /theme.css (never inline style, for the CSP).
    """

    name = models.CharField(_("municipality name"), max_length=100, default="Samskab Kommune")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="site/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG, JPEG or WebP, at most 2 MB."),
    )
    logo_alt = models.CharField(
        _("logo text for screen readers"),
        max_length=150,
        blank=True,
        help_text=_("Leave empty to use the municipality's name."),
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#004993", validators=[colour_validator]
    )
    header_colour = models.CharField(
        _("header colour"), max_length=7, default="#ffffff", validators=[colour_validator]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    website_url = models.URLField(_("municipality's website"), blank=True)
    # The optional tiled map (places): off while empty. When on, visitors' browsers fetch
    # map pictures from this server, so the privacy page names it and the CSP allows it.
    map_tile_url = models.CharField(
        _("map tiles: address"),
        max_length=300,
        blank=True,
        validators=[tile_url_validator],
        help_text=_(
            "Empty: maps are drawn by the site itself, without a third party. To show a map "
            "with streets under the areas, give a tile server's address, e.g. "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png."
        ),
    )
    map_tile_attribution = models.CharField(
        _("map tiles: attribution"),
        max_length=300,
        blank=True,
        help_text=_(
            "Shown on the map as the tile server's terms require, e.g. "
            "“© OpenStreetMap contributors”."
        ),
    )
    # The municipality's outline (a GeoJSON Polygon or MultiPolygon, WGS 84): the map a
    # citizen marks a place on, and the bounds a marked point must lie within (places).
    municipality_area = models.TextField(
        _("the municipality's area (GeoJSON)"),
        blank=True,
        db_default="",
        help_text=_(
            "The municipality's outline as a GeoJSON Polygon or MultiPolygon in WGS 84, e.g. "
            "from Dataforsyningen. Citizens mark places on it, and a place outside it is "
            "refused. Empty: places are described in words only."
        ),
    )
    accessibility_statement_url = models.URLField(
        _("accessibility statement (external)"),
        blank=True,
        help_text=_(
            "The municipality's statement on was.digst.dk, if it has one. "
            "Otherwise the built-in page is shown."
        ),
    )
    privacy_contact = models.TextField(
        _("data controller and contact for privacy"),
        blank=True,
        help_text=_("Who is responsible for personal data and how to reach the DPO."),
    )
    # The data protection officer (databeskyttelsesrådgiver) every Danish municipality must
    # have (GDPR art. 37); the privacy page names them (art. 13(1)(b)).
    dpo_name = models.CharField(_("data protection officer: name"), max_length=150, blank=True)
    dpo_email = models.EmailField(_("data protection officer: e-mail"), blank=True)
    dpo_address = models.TextField(
        _("data protection officer: postal address"),
        blank=True,
        help_text=_("For example the town hall's address, with the office's name."),
    )
    front_page_intro = models.TextField(
        _("front page introduction"),
        blank=True,
        help_text=_(
            "Markdown. A few sentences under the municipality's name on the front page. "
            "Leave empty for the standard text."
        ),
    )
    front_page_sections = models.CharField(
        _("order of the front page's sections"),
        max_length=300,
        blank=True,
        help_text=_(
            "The sections' names separated by commas, first on top. Sections not named follow "
            "in their usual order. A section shows only when it has something to show."
        ),
    )
    # Proposals have no process of their own: the site's setting is theirs (step-up).
    proposal_support_assurance = assurance_field(
        verbose_name=_("MitID login required to support a proposal")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(self.name)

    def clean(self) -> None:
        from samskab.core import frontpage

        if self.municipality_area.strip() and area_check is not None:
            problem = area_check(self.municipality_area)
            if problem:
                raise ValidationError({"municipality_area": problem})

        keys = frontpage.parse_order(self.front_page_sections)
        unknown = [key for key in keys if not frontpage.get(key)]
        if unknown:
            raise ValidationError(
                {
                    "front_page_sections": _("Unknown sections: %(unknown)s. Known: %(known)s.")
                    % {
                        "unknown": ", ".join(unknown),
                        "known": ", ".join(section.key for section in frontpage.sections()),
                    }
                }
            )

    @classmethod
    def current(cls) -> "SiteSettings":
        # Read on every page; cached until the admin saves it (see apps.py). The footer
        # links travel in the same cache entry, so a page costs no query for them.
        row = cache.get(SITE_SETTINGS_CACHE_KEY)
        if row is None:
            row, _created = cls.objects.get_or_create(pk=1)
            models.prefetch_related_objects([row], "footer_links")
            cache.set(SITE_SETTINGS_CACHE_KEY, row, 300)
        return row


class FooterLink(models.Model):
    site = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="footer_links")
    label = models.CharField(_("label"), max_length=80)
    url = models.URLField(_("address"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("footer link")
        verbose_name_plural = _("footer links")

    def __str__(self) -> str:
        return str(self.label)


class WorkerHeartbeat(models.Model):
    """A running `samskab worker`: it writes here every few seconds, so /readyz can tell a
    live worker from none, and a restarted worker can hand back tasks of a dead one."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host}"


class JobLock(models.Model):
    """A lock held by one process on any host (samskab.core.locks): the unique name makes a
    second holder's insert fail, on PostgreSQL and SQLite alike."""

    name = models.CharField(max_length=100, unique=True)
    holder = models.CharField(max_length=200)
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self) -> str:
        return f"{self.name} ({self.holder})"
