"""`{% follow_button target %}`: the one follow button any app puts on its pages.

    {% follow_button project follow_text=_("Follow this project") following_text=... %}

The texts are optional (a plain "Follow" and "You follow this" otherwise); they travel with
the form, so the button htmx swaps back keeps them.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from samskab.core import targets
from samskab.follows.selectors import is_following

register = template.Library()


def button_context(request, target, *, follow_text="", following_text="", next_url="") -> dict:
    return {
        "target": target,
        "request": request,
        "user": request.user,
        "following": is_following(request.user, target),
        "url": reverse("follows:toggle", args=[targets.label_of(target), target.pk]),
        "next": next_url or request.get_full_path(),
        "follow_text": str(follow_text or _("Follow")),
        "following_text": str(following_text or _("You follow this.")),
    }


@register.inclusion_tag("follows/partials/follow_button.html", takes_context=True)
def follow_button(context, target, follow_text="", following_text=""):
    request = context["request"]
    if request.user.is_authenticated and not targets.allows(request.user, target, "follow"):
        return {"hidden": True}
    data = button_context(request, target, follow_text=follow_text, following_text=following_text)
    data["csrf_token"] = context.get("csrf_token")
    return data
