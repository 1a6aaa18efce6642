"""A target's pictures and documents, oldest first."""

from django.contrib.contenttypes.models import ContentType

from samskab.attachments.models import Document, Image


def images_of(target):
    kind = ContentType.objects.get_for_model(target)
    return Image.objects.filter(content_type=kind, object_id=target.pk)


def documents_of(target):
    kind = ContentType.objects.get_for_model(target)
    return Document.objects.filter(content_type=kind, object_id=target.pk)
