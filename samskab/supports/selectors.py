"""Reads of supports: a target's count (the counter), whether a person supports it."""

from django.contrib.contenttypes.models import ContentType

from samskab.supports.models import Support, SupportCount


def _where(target) -> dict:
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def support_count(target) -> int:
    row = SupportCount.objects.filter(**_where(target)).values_list("count", flat=True).first()
    return row or 0


def supports(user, target) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and Support.objects.filter(**_where(target), user=user).exists()
    )


def supported_of(user, model) -> "list[int]":
    """The ids of the `model` rows this person supports."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Support.objects.filter(
            user=user, content_type=ContentType.objects.get_for_model(model)
        ).values_list("object_id", flat=True)
    )
