"""Who follows what. The followers of a target include the followers of its process."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from samskab.core import targets
from samskab.follows.models import Follow


def _q(obj) -> Q:
    return Q(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


def is_following(user, target) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(_q(target), user=user).exists()


def followers_of(target) -> list[Follow]:
    """One follow per person: theirs of the target if they have one, else of its process
    (whose language they chose there). Active accounts only, oldest first."""
    places = _q(target)
    process = targets.process_of(target)
    if process is not None:
        places |= _q(process)
    rows = (
        Follow.objects.filter(places, user__is_active=True, user__deleted_at=None)
        .select_related("user", "content_type")
        .order_by("created_at", "pk")
    )
    own_type = ContentType.objects.get_for_model(target)
    chosen: dict[int, Follow] = {}
    for follow in rows:
        mine = follow.content_type_id == own_type.pk and follow.object_id == target.pk
        if mine or follow.user_id not in chosen:
            chosen[follow.user_id] = follow
    return sorted(chosen.values(), key=lambda f: (f.created_at, f.pk))
