"""`{% notifications_live_attrs %}`: the header's unread count follows the signed-in person's
own live channel (`notifications:<user id>`)."""

from django import template

from samskab.live.templatetags.live import live_attrs

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_live_attrs(context) -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated or user.pk is None:
        return ""
    return live_attrs(f"notifications:{user.pk}", events="unread")
