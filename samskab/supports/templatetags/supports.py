"""`{% support_button target %}`: the one support button any app puts on its pages.

    {% support_button project support_text=_("Support this project") refused_text=... %}

It shows the count, and to a person the target's rule lets support, a button (support, or
take it back); to someone else `refused_text` (why not, and where to go), or a sign-in link.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from samskab.core import targets
from samskab.supports.selectors import support_count, supports

register = template.Library()


def button_context(
    request, target, *, support_text="", refused_text="", next_url="", withdraw=True
) -> dict:
    user = request.user
    return {
        "target": target,
        "request": request,
        "user": user,
        "count": support_count(target),
        "supported": supports(user, target),
        "may": user.is_authenticated and targets.allows(user, target, "support"),
        "withdraw": withdraw,
        "url": reverse("supports:toggle", args=[targets.label_of(target), target.pk]),
        "next": next_url or request.get_full_path(),
        "support_text": str(support_text or _("Support")),
        "refused_text": str(refused_text or ""),
    }


@register.inclusion_tag("supports/partials/support_button.html", takes_context=True)
def support_button(context, target, support_text="", refused_text="", withdraw=True):
    data = button_context(
        context["request"],
        target,
        support_text=support_text,
        refused_text=refused_text,
        withdraw=withdraw,
    )
    data["csrf_token"] = context.get("csrf_token")
    return data
