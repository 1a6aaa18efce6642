"""`{% live_attrs "meeting:42" %}`: the attributes that make an element follow a channel.

    {% load live %}
    <section {% live_attrs channel events="message" %}> ... </section>
    {% block scripts %}<script src="{% static 'samskab/live.js' %}" defer></script>{% endblock %}

The page's position on the channel is rendered with it, so events published between
rendering and the stream opening are replayed, not lost. Strings live.js shows are here,
translated, because static JavaScript cannot translate.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from samskab.live.brokers import get_broker
from samskab.live.brokers.base import LiveUnavailable

register = template.Library()


@register.simple_tag
def live_attrs(channel: str, events: str = "") -> str:
    """`events`: the event types whose data is swapped into the page without a handler."""
    try:
        position = get_broker().resume(channel, None).position
    except LiveUnavailable:
        position = ""
    return format_html(
        'data-live-channel="{}" data-live-url="{}" data-live-poll-url="{}" '
        'data-live-last-id="{}" data-live-events="{}" data-live-text-lost="{}" '
        'data-live-text-live="{}" '
        'data-live-text-polling="{}" data-live-text-refused="{}"',
        channel,
        reverse("live:stream", args=[channel]),
        reverse("live:poll", args=[channel]),
        position,
        events,
        _("Connection lost. Reconnecting…"),
        _("Live"),
        _("Live updates are slow right now; the page refreshes every few seconds."),
        _("Live updates are not available on this page."),
    )
