"""`{% moderation_mode place %}`: the moderation mode of a place (a meeting's live blog, a
budget), chosen in words on the place's own staff page."""

from django import template
from django.urls import reverse

from samskab.core import targets
from samskab.moderation.forms import ModeForm
from samskab.moderation.models import ModerationPolicy, ModerationSettings
from samskab.moderation.screening import held_reason_text
from samskab.moderation.selectors import may_set_mode

register = template.Library()


@register.inclusion_tag("moderation/partials/mode_form.html", takes_context=True)
def moderation_mode(context, place):
    request = context["request"]
    if not may_set_mode(request.user, place):
        return {"may": False}
    from django.contrib.contenttypes.models import ContentType

    own = ModerationPolicy.objects.filter(
        content_type=ContentType.objects.get_for_model(place), object_id=place.pk
    ).first()
    form = ModeForm(
        initial={
            "mode": own.mode if own else "",
            "allow_anonymous": own.allow_anonymous if own else False,
        },
        auto_id=f"mode-{targets.label_of(place).replace('.', '-')}-{place.pk}-%s",
    )
    return {
        "may": True,
        "form": form,
        "place": place,
        "default": ModerationSettings.current().get_default_mode_display(),
        "action": reverse("moderation:mode", args=[targets.label_of(place), place.pk]),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def held_reason(reason: str) -> str:
    """`{{ post.reason|held_reason }}`: why a post is held, in the reader's language."""
    return held_reason_text(reason or "")
