"""`{% notifications_live_attrs %}`: the header's unread count follows the signed-in person's
own live channel (`notifications:<user id>`)."""

from django import template
from django.core.handlers.asgi import ASGIRequest

from samskab.live.templatetags.live import live_attrs

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_live_attrs(context) -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated or user.pk is None:
        return ""
    if not isinstance(context.get("request"), ASGIRequest):
        # Under WSGI (runserver, a test server) there is no stream, and polling it from
        # every page only adds requests: the count is as fresh as the page.
        return ""
    return live_attrs(f"notifications:{user.pk}", events="unread")
