"""Adding and removing pictures and documents on a registered target. The target's own
permissions decide: `<app>.attach_<model>` to add, `<app>.detach_<model>` (if the app wrote
one) to remove; its registration's AttachLimits say how many."""

import rules
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samskab.attachments.models import Document, Image
from samskab.core import targets
from samskab.core.uploads import AttachLimits


class AttachmentRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def limits_of(target) -> AttachLimits:
    registered = targets.target_of(target)
    return registered.attach if registered is not None else AttachLimits()


def _where(target) -> dict:
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def _require_attach(target, user) -> None:
    if not (user.is_authenticated and user.is_active):
        raise AttachmentRefused(_("Sign in to add pictures and documents."))
    if not targets.allows(user, target, "attach"):
        raise AttachmentRefused(_("Pictures and documents cannot be added here now."))


def _lock(target) -> None:
    # Two uploads at once cannot both pass the count: the target's row is the lock.
    type(target)._default_manager.select_for_update().filter(pk=target.pk).first()


def image_add(*, target, user, image: ContentFile, alt: str) -> Image:
    """A picture already checked and re-encoded (core.uploads.reencode_image)."""
    _require_attach(target, user)
    alt = alt.strip()
    if not alt:
        raise AttachmentRefused(_("Describe what the picture shows."))
    limit = limits_of(target).images
    with transaction.atomic():
        _lock(target)
        if Image.objects.filter(**_where(target)).count() >= limit:
            raise AttachmentRefused(
                ngettext(
                    "There can be at most %(count)d picture here.",
                    "There can be at most %(count)d pictures here.",
                    limit,
                )
                % {"count": limit}
            )
        return Image.objects.create(**_where(target), file=image, alt=alt, uploaded_by=user)


def document_add(*, target, user, document: ContentFile, title: str) -> Document:
    """A PDF already checked (core.uploads.check_pdf)."""
    _require_attach(target, user)
    title = title.strip()
    if not title:
        raise AttachmentRefused(_("Give the document a title."))
    limit = limits_of(target).documents
    with transaction.atomic():
        _lock(target)
        if Document.objects.filter(**_where(target)).count() >= limit:
            raise AttachmentRefused(
                ngettext(
                    "There can be at most %(count)d document here.",
                    "There can be at most %(count)d documents here.",
                    limit,
                )
                % {"count": limit}
            )
        return Document.objects.create(
            **_where(target), file=document, title=title, size=document.size, uploaded_by=user
        )


def may_remove(user, attachment: Image | Document) -> bool:
    """The target's `<app>.detach_<model>` if it wrote one; else the person who added it,
    while they may still add."""
    target = attachment.target
    registered = targets.target_of(target) if target is not None else None
    if registered is None or not user.is_authenticated:
        return False
    name = registered.permission("detach")
    if rules.perm_exists(name):
        return bool(user.has_perm(name, target))
    return attachment.uploaded_by_id == user.pk and targets.allows(user, target, "attach")


def attachment_remove(*, attachment: Image | Document, user) -> None:
    """Take a picture or document down; its file goes when the transaction commits."""
    if not may_remove(user, attachment):
        raise AttachmentRefused(_("You cannot remove this."))
    with transaction.atomic():
        attachment.delete()


def delete_file_on_commit(sender, instance, **kwargs) -> None:
    """post_delete of a row (removed, or with its target): its file, once the delete holds."""
    field = instance.file
    if field and field.name:
        name, storage = field.name, field.storage
        transaction.on_commit(lambda: storage.delete(name))
