"""Links to the meeting calendars and feed, for the <head> of meeting pages.

    {% load webcasts_feeds %}
    {% block head %}{% webcasts_feed_links body %}{% endblock %}

With a body, its own calendar is offered too; the site-wide calendar and feed always are.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

register = template.Library()


def feed_links(body=None) -> list[tuple[str, str, str]]:
    """(type, title, href) of every alternate link for a page about `body` (or all)."""
    links = []
    if body is not None and body.is_active:  # an inactive body has no calendar of its own
        links.append(
            (
                "text/calendar",
                _("Calendar: %(body)s") % {"body": body.name},
                reverse("webcasts:body_calendar", kwargs={"body_slug": body.slug}),
            )
        )
    links += [
        ("text/calendar", _("Calendar: all meetings"), reverse("webcasts:calendar")),
        ("application/rss+xml", _("Meetings (RSS)"), reverse("webcasts:feed")),
        ("application/atom+xml", _("Meetings (Atom)"), reverse("webcasts:feed_atom")),
    ]
    return links


@register.simple_tag
def webcasts_feed_links(body=None):
    return format_html_join(
        "\n",
        '<link rel="alternate" type="{}" title="{}" href="{}">',
        feed_links(body),
    )


@register.simple_tag
def webcasts_calendar_url(body=None) -> str:
    """The calendar's address, for a visible "subscribe" link (all meetings for an inactive
    body, which has no calendar of its own)."""
    if body is not None and body.is_active:
        return reverse("webcasts:body_calendar", kwargs={"body_slug": body.slug})
    return reverse("webcasts:calendar")
