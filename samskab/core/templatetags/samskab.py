"""Template tags for Samskab's shared look: icons, theme colours and DKFDS form fields.

{% load samskab %}
{% icon "menu" %}
{% site_theme site as theme %}
{% error_summary form %}
{% form_field form.email %}
"""

from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from samskab.core import worker
from samskab.core.colours import Theme, theme_for
from samskab.core.models import SiteSettings

register = template.Library()

DKFDS = "vendor/dkfds-11.2.0"
ICON_SPRITE = f"{DKFDS}/img/all-svg-icons.svg"


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    """A DKFDS icon from the vendored sprite, hidden from screen readers (decoration)."""
    classes = f"icon-svg {css_class}".strip()
    return format_html(
        '<svg class="{}" focusable="false" aria-hidden="true"><use href="{}#{}"></use></svg>',
        classes,
        static(ICON_SPRITE),
        name,
    )


@register.simple_tag
def site_settings() -> SiteSettings:
    """The municipality's settings, for base.html to bind as `site`.

    The context processor provides `site` already, but allauth's views put their own `site`
    (a RequestSite, without logo or colours) into their pages' context, which wins.
    """
    return SiteSettings.current()


@register.simple_tag
def accessibility_statement_url() -> str:
    """The municipality's own statement where it has one, else the built-in page."""
    return SiteSettings.current().accessibility_statement_url or reverse("accessibility")


@register.simple_tag
def site_theme(site) -> Theme:
    return theme_for(primary=site.primary_colour, header=site.header_colour)


ACCOUNT_MENU = [
    (_("Your account"), "accounts:profile"),
    (_("E-mail addresses"), "account_email"),
    (_("Password"), "account_change_password"),
    (_("Two-factor authentication"), "mfa_index"),
    (_("Where you are logged in"), "usersessions_list"),
]
# Only where a login through an identity broker (MitID) is configured.
SOCIAL_MENU_ENTRY = (_("MitID and other logins"), "socialaccount_connections")


@register.simple_tag(takes_context=True)
def account_menu(context) -> list[dict[str, object]]:
    """The side menu of the visitor's own account pages, marking where they are."""
    path = context["request"].path
    entries = list(ACCOUNT_MENU)
    if settings.SOCIALACCOUNT_PROVIDERS:
        entries.append(SOCIAL_MENU_ENTRY)
    menu = []
    for position, (label, url_name) in enumerate(entries):
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        current = path == url
        # Pages below an entry (the steps of setting up two-factor) keep it marked; the
        # first entry is the account's root, under which everything else would fall.
        active = current or (position > 0 and path.startswith(url))
        menu.append({"label": label, "url": url, "current": current, "active": active})
    return menu


def _kind(field: BoundField) -> str:
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "text"


WIDGET_CLASSES = {
    "checkbox": "form-checkbox",
    "select": "form-select",
    "text": "form-input",
}


@register.inclusion_tag("includes/form_field.html")
def form_field(field: BoundField, label: str = "") -> dict[str, object]:
    """One field in DKFDS markup: label, hint and error message.

    Django (5.0+) ties the hint and the error to the input itself: it adds
    aria-describedby="<id>_helptext <id>_error" and aria-invalid, which the template's ids
    match. A group of radio buttons or checkboxes is described through its fieldset.
    """
    kind = _kind(field)
    # The label is always shown, so a placeholder (allauth sets some) would only repeat it,
    # in grey text that vanishes while typing; False drops the attribute.
    attrs: dict[str, object] = {"placeholder": False}
    if kind in WIDGET_CLASSES:
        existing = field.field.widget.attrs.get("class", "")
        attrs["class"] = f"{existing} {WIDGET_CLASSES[kind]}".strip()
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    return {
        "field": field,
        "kind": kind,
        "label": label or field.label,
        "group_described_by": " ".join(described) if kind == "choices" else "",
        "widget": field.as_widget(attrs=attrs),
    }


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form: forms.BaseForm | None) -> dict[str, object]:
    """The DKFDS error summary: every problem in the form, each linking to its field."""
    if form is None or not form.is_bound or not form.errors:
        return {"problems": []}
    # A field's message is led by its label: "This field is required." twice says nothing.
    problems = [
        {"label": "", "message": error, "anchor": None} for error in form.non_field_errors()
    ]
    for field in form:
        for error in field.errors:
            anchor = field.id_for_label if not field.is_hidden else None
            problems.append({"label": field.label, "message": error, "anchor": anchor})
    return {"problems": problems}


@register.inclusion_tag("includes/worker_notice.html")
def worker_notice() -> dict[str, object]:
    """On a staff page that starts background work: a warning when no `samskab worker` has
    been seen for a minute, so the work would wait in the queue (review: nothing said so)."""
    if not worker.tasks_wait_for_worker():
        return {"show": False}
    beat = worker.newest_heartbeat()
    stale = beat is None or (timezone.now() - beat).total_seconds() > worker.STALE_AFTER_S
    return {"show": stale, "last_seen": beat}
