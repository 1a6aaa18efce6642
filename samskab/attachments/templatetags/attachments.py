"""`{% attachments target %}`: a target's pictures and documents, with the buttons the
visitor may use (a link to add, remove), as any app puts it on its pages;
`{% attachment_form target %}`: the upload form itself, for a page that shows it inline
(htmx swaps the list above it; without JavaScript the whole page comes back).
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from samskab.attachments.selectors import documents_of, images_of
from samskab.attachments.services import may_remove
from samskab.core import targets

register = template.Library()


def list_context(request, target, *, next_url: str = "") -> dict:
    user = request.user
    next_url = next_url or request.get_full_path()
    images, documents = list(images_of(target)), list(documents_of(target))
    for item in (*images, *documents):
        item.target = target  # saves a query per item in may_remove
        item.removable = may_remove(user, item)
    may_add = user.is_authenticated and targets.allows(user, target, "attach")
    url = reverse("attachments:add", args=[targets.label_of(target), target.pk])
    return {
        "target": target,
        "request": request,
        "user": user,
        "images": images,
        "documents": documents,
        "add_url": f"{url}?{urlencode({'next': next_url})}" if may_add else "",
        "next": next_url,
    }


@register.inclusion_tag("attachments/partials/list.html", takes_context=True)
def attachments(context, target):
    data = list_context(context["request"], target)
    data["csrf_token"] = context.get("csrf_token")
    return data


@register.inclusion_tag("attachments/partials/form.html", takes_context=True)
def attachment_form(context, target):
    from samskab.attachments.forms import AttachmentForm
    from samskab.attachments.services import limits_of

    request = context["request"]
    if not (request.user.is_authenticated and targets.allows(request.user, target, "attach")):
        return {"hidden": True}
    return {
        "target": target,
        "form": AttachmentForm(limits=limits_of(target)),
        "action": reverse("attachments:add", args=[targets.label_of(target), target.pk]),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
