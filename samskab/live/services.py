"""The demo page's one write: a message to everyone watching it."""

from django.template.loader import render_to_string
from django.utils import timezone

from samskab.live.publishing import publish

DEMO_CHANNEL = "demo:board"


def demo_message_publish(*, text: str) -> str:
    """Append a message to every open demo page and announce it; returns the event id."""
    context = {"text": text, "sent": timezone.now()}
    html = render_to_string("live/partials/demo_message.html", context)
    return publish(
        DEMO_CHANNEL,
        "message",
        {"html": html, "target": "#live-demo-messages", "swap": "beforeend", "announce": text},
    )
