from django import template

register = template.Library()


@register.inclusion_tag("streaming/partials/console_streaming.html", takes_context=True)
def console_streaming(context, meeting):
    from samskab.streaming.views import streaming_context

    return streaming_context(context.get("request"), meeting)
