from django import template

register = template.Library()


@register.inclusion_tag("streaming/partials/console_streaming.html", takes_context=True)
def console_streaming(context, meeting):
    from samskab.streaming.views import streaming_context

    return streaming_context(context.get("request"), meeting)


@register.inclusion_tag("streaming/partials/feed_awaited.html")
def feed_awaited_warning(meeting):
    """The console's warning while a live meeting's encoder sends nothing yet."""
    from samskab.streaming.selectors import feed_awaited

    return {"feed_awaited": feed_awaited(meeting)}
